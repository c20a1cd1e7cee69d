import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withEventSchemas } from '../../src/event-schemas';
import { EsdbEventStore } from '../../src/shared/event-sourcing/esdb.event-store';
import { InMemoryEventStore } from '../../src/shared/event-sourcing/in-memory.event-store';
import { SqliteEventStore } from '../../src/shared/event-sourcing/sqlite.event-store';
import { eventSchemasContract } from './event-schemas.contract';
import { eventStoreContract } from './event-store.contract';

/*
 * The event-schema contract on every adapter, and the event-store contract on every adapter as the app wraps it
 * (the wrapper must keep every promise of the port: order, positions, subscriptions, errors).
 */

describe('in memory', () => {
  eventSchemasContract('In-memory', () => new InMemoryEventStore());
  eventStoreContract('In-memory, read through the event schemas', () => withEventSchemas(new InMemoryEventStore()), {
    startsEmpty: true,
    unavailable: async () => {
      const store = withEventSchemas(new InMemoryEventStore());
      await store.close();
      return store;
    },
  });
});

describe('SQLite', () => {
  let dir: string;
  const open = (): SqliteEventStore =>
    new SqliteEventStore({ filename: join(dir, `${randomUUID()}.db`), pollIntervalMs: 10 });
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'event-schemas-contract-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  eventSchemasContract('SQLite', open);
  eventStoreContract('SQLite, read through the event schemas', () => withEventSchemas(open()), {
    startsEmpty: true,
    unavailable: async () => {
      const store = withEventSchemas(open());
      await store.close();
      return store;
    },
  });
});

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;
if (connectionString === undefined || connectionString === '') {
  describe.skip('EventStoreDB event-schema contract — SKIPPED: EVENTSTORE_CONNECTION_STRING not set', () => {
    it('runs the event-schema contract against a real server when EVENTSTORE_CONNECTION_STRING is set', () =>
      undefined);
  });
} else {
  describe.each(['eventstore', 'kurrentdb'] as const)('EventStoreDB through the %s client', (clientPackage) => {
    eventSchemasContract(
      `EventStoreDB (${clientPackage})`,
      () => new EsdbEventStore({ connectionString, clientPackage }),
    );
  });
}
