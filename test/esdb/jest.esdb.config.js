// `npm run test:esdb`: the contract suite and the EventStoreDB adapter's specs against a real server that
// test/esdb/esdb-server.ts starts in Docker (Testcontainers). docs/eventstoredb.md.
const base = require('../../jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/src/shared/event-sourcing', '<rootDir>/test/contract'],
  testRegex: '(esdb\\..*\\.spec|\\.contract-spec)\\.ts$',
  globalSetup: '<rootDir>/test/esdb/esdb-server.ts',
  globalTeardown: '<rootDir>/test/esdb/stop-server.ts',
  testTimeout: 60000,
};
