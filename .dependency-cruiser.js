/**
 * Dependency rules (shared/house-style.md): the pure core (deciders, events, commands, dosage, reconciliation,
 * identifiers, projections) imports no framework, event-store client, database, web server, metrics or logger,
 * so it stays testable without infrastructure and portable between adapters. And no cycles anywhere.
 * @type {import('dependency-cruiser').IConfiguration}
 */
const PURE_CORE = [
  '^src/.+\\.decider\\.ts$',
  '^src/.+\\.events\\.ts$',
  '^src/.+\\.commands\\.ts$',
  '^src/medication-list/dosage\\.ts$',
  '^src/reconciliation/reconcile\\.ts$',
  '^src/reconciliation/feeds/',
  '^src/identifiers/',
  '^projections/',
];

const INFRASTRUCTURE = [
  '^@nestjs/',
  '^@eventstore/db-client',
  '^better-sqlite3',
  '^mercurius',
  '^fastify',
  '^@fastify/',
  '^prom-client',
  '^pino',
];

const nodeModule = (name) => `(^|/)node_modules/${name.replace(/^\^/, '')}`;

module.exports = {
  forbidden: [
    {
      name: 'pure-core-stays-pure',
      comment:
        'Deciders, events, commands, dosage, reconciliation, identifiers and projections must not import NestJS, ' +
        'the event-store client, SQLite, Mercurius, Fastify, prom-client or pino, not even for types (house-style.md).',
      severity: 'error',
      from: { path: PURE_CORE, pathNot: '\\.(spec|spec-helpers)\\.ts$' },
      to: { path: INFRASTRUCTURE.map(nodeModule) },
    },
    {
      name: 'pure-core-no-shell',
      comment: 'The pure core may use the shared kernel types, but not the Nest shell (modules, services, resolvers).',
      severity: 'error',
      from: { path: PURE_CORE, pathNot: '\\.(spec|spec-helpers)\\.ts$' },
      to: { path: '\\.(module|service|resolver|controller)\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular imports make module load order (and Nest DI) fragile.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve is a typo or a missing dependency.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
    },
    moduleSystems: ['cjs', 'es6'],
  },
};
