// Compiled to CommonJS for Jest (see the transform below): ESM-only packages, and packages that load one with a
// dynamic import() (Jest on Node 20 cannot run import() without --experimental-vm-modules).
// openid-client 6 (the ward page's OpenID Connect sign-in) is ESM-only, with its oauth4webapi and its own jose 6
// (node_modules/openid-client/node_modules/jose; `jose/dist/webapi` leaves the project's CommonJS jose 5 alone).
const ESM_ONLY = ['content-disposition', 'quick-lru', 'mercurius', 'openid-client', 'oauth4webapi', 'jose/dist/webapi'];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/projections', '<rootDir>/test', '<rootDir>/bench', '<rootDir>/web'],
  testRegex: '.*\\.(spec|e2e-spec|contract-spec)\\.ts$',
  transform: {
    // isolatedModules (transpile only, no type check: `npm run lint` runs tsc) as a tsconfig override, merged over
    // tsconfig.json; ts-jest's own `isolatedModules` option is deprecated.
    '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true } }],
    // content-disposition 3 (via @fastify/static, which Mercurius loads for GraphiQL) and quick-lru (Mercurius's
    // query cache) are ESM-only. Node 20 loads them itself (require(esm)); Jest on Node 20 does not. Add a package
    // to ESM_ONLY when Jest reports "Must use import to load ES Module" or "dynamic import callback".
    '^.+/node_modules/.+\\.js$': [
      'ts-jest',
      { tsconfig: { isolatedModules: true, allowJs: true, module: 'commonjs', target: 'ES2022', sourceMap: false } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 30000,
};
