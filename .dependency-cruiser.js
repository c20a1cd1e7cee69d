/**
 * Dependency rules (shared/house-style.md; the README's "Development" map). Purity is a matter of PATH, not of
 * file suffix: everything under a capability's `domain/` folder, the pure FHIR feed parsers, the identifiers, the
 * projections and a small pure shared kernel import no framework, event-store client, database, web server,
 * GraphQL, metrics or logger, and nothing outside those pure paths. So the decisions stay testable without
 * infrastructure and portable between adapters, and a newcomer knows a file is pure from its folder.
 * And no cycles anywhere.
 * @type {import('dependency-cruiser').IConfiguration}
 */

/** Pure by their folder: a new file dropped there is checked without touching this list. */
const PURE_FOLDERS = [
  '^src/[^/]+/domain/', // every capability's pure part: deciders, decide-*, events, commands, state, rules, errors
  '^src/reconciliation/feeds/', // FHIR feed parsers (an inbound edge, but pure: text in, records out)
  '^src/identifiers/',
  '^projections/',
];

/**
 * The shared kernel the pure part may use: the decider and event types, typed domain errors, free-text and
 * Oslo-date rules. Deliberately NOT here: the clock (time comes in on the command), the store adapters, the
 * projector, the GraphQL error normaliser, the input pipe, the date-time scalar.
 */
const PURE_KERNEL = [
  '^src/shared/event-sourcing/decider\\.ts$',
  '^src/shared/event-sourcing/event-store\\.port\\.ts$',
  '^src/shared/event-sourcing/event-schemas\\.ts$',
  '^src/shared/errors/domain-error\\.ts$',
  '^src/shared/errors/invalid-input\\.error\\.ts$',
  '^src/shared/text/free-text\\.ts$',
  '^src/shared/oslo-date\\.ts$',
  '^src/shared/seeded-random\\.ts$',
  '^src/shared/defined\\.ts$',
];

const PURE = [...PURE_FOLDERS, ...PURE_KERNEL];

/** Specs and their helpers may build fixtures with anything (an in-memory store, a service under test). */
const NOT_A_SPEC = '\\.(spec|spec-helpers)\\.ts$';

const INFRASTRUCTURE = [
  '^@nestjs/',
  '^@eventstore/db-client',
  '^@kurrent/kurrentdb-client',
  '^better-sqlite3',
  '^mercurius',
  '^graphql',
  '^graphql-ws',
  '^class-validator',
  '^class-transformer',
  '^fastify',
  '^@fastify/',
  '^openid-client',
  '^prom-client',
  '^pino',
  '^rxjs',
];

const nodeModule = (name) => `(^|/)node_modules/${name.replace(/^\^/, '')}`;

module.exports = {
  forbidden: [
    {
      name: 'pure-stays-pure',
      comment:
        'A file under a domain/ folder, src/reconciliation/feeds/, src/identifiers/, projections/ or the pure shared ' +
        'kernel must not import NestJS, an event-store client, SQLite, GraphQL (Mercurius, graphql, class-validator), ' +
        'Fastify, openid-client, prom-client, pino or rxjs, not even for types (house-style.md).',
      severity: 'error',
      from: { path: PURE, pathNot: NOT_A_SPEC },
      to: { path: INFRASTRUCTURE.map(nodeModule) },
    },
    {
      name: 'domain-not-to-edge-or-shell',
      comment:
        "A capability's domain/ must not import its graphql/ edge, its services, reads or module (the top of the " +
        'capability folder) or any other non-domain folder: the edges and the shell depend on the domain, never the ' +
        'other way round.',
      severity: 'error',
      from: { path: '^src/[^/]+/domain/', pathNot: NOT_A_SPEC },
      to: { path: ['^src/[^/]+/(graphql|tokens|synthetic)/', '^src/[^/]+/[^/]+\\.ts$'], pathNot: PURE },
    },
    {
      name: 'pure-imports-only-pure',
      comment:
        'The pure part imports only the pure part (domain/ folders, feeds, identifiers, projections, the pure shared ' +
        'kernel listed in .dependency-cruiser.js) and Node built-ins or plain libraries; never a service, a store ' +
        'adapter, the clock, the GraphQL edge (e.g. the error normaliser) or an edge of another capability.',
      severity: 'error',
      from: { path: PURE, pathNot: NOT_A_SPEC },
      to: { pathNot: [...PURE, '(^|/)node_modules/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'application-not-to-graphql-edge',
      comment:
        "A capability's services, reads and other application files (the top of its folder) must not import its " +
        'graphql/ edge: GraphQL is one edge among FHIR, the ward page, the feed puller and the CLI, and they all use ' +
        'the same services. Only the Nest module wires the resolvers in.',
      severity: 'error',
      from: { path: '^src/([^/]+)/[^/]+\\.ts$', pathNot: ['\\.module\\.ts$', NOT_A_SPEC] },
      to: { path: '^src/$1/graphql/' },
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
