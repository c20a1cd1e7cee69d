import type { Projection } from '../../../projections/projection';
import { SqliteReadModelStore } from '../../read-models/read-model.store';
import { fixedClock } from '../clock';
import { EsdbEventStore } from './esdb.event-store';
import { FakeEsdbClient, storedEvent, type FakeSubscription } from './esdb.fake-client.spec-helpers';
import { Projector, eraseDocumentType } from './projector';

/*
 * The projector over the EventStoreDB adapter on a FAKE gRPC client: what the projector does with the server's
 * messages as the client hands them over (events, checkpoints of a filtered subscription, caught up). The fake
 * filters nothing and models no server: the test sends what a server that filtered out audit streams would send.
 */

const NAME = 'startedCount.v1';
const startedCount: Projection<{ readonly count: number }> = {
  name: NAME,
  handles: ['MedicationStarted'],
  documentIds: (event) => [event.streamName],
  initialDocument: () => ({ count: 0 }),
  evolve: (document) => ({ count: document.count + 1 }),
};

const subscribed = async (client: FakeEsdbClient): Promise<FakeSubscription> => {
  for (let turn = 0; turn < 100 && client.subscriptions.length === 0; turn += 1) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(client.subscriptions).toHaveLength(1);
  return client.subscriptions[0]!;
};

describe('Projector on EsdbEventStore over a FAKE client: a filtered subscription', () => {
  let readModels: SqliteReadModelStore;
  const running: { projector: Projector; events: EsdbEventStore }[] = [];

  const start = (client: FakeEsdbClient): Projector => {
    const events = new EsdbEventStore({ connectionString: 'esdb://fake:2113?tls=false', client });
    const projector = new Projector({
      eventStore: events,
      store: readModels,
      projections: [eraseDocumentType(startedCount)],
      clock: fixedClock('2025-03-01T10:00:31.000Z'),
      checkpointDelayMs: 10,
    });
    running.push({ projector, events });
    projector.start();
    return projector;
  };

  beforeEach(() => {
    readModels = new SqliteReadModelStore({ file: ':memory:' });
  });
  afterEach(async () => {
    for (const { projector, events } of running.splice(0)) {
      await projector.stop();
      await events.close();
    }
    readModels.close();
  });

  it('moves the checkpoint to a server checkpoint past a filtered stretch, and resumes there after a restart', async () => {
    const client = new FakeEsdbClient();
    const projector = start(client);
    const server = await subscribed(client);
    server.send(storedEvent(0)); // position 100
    server.checkpoint(3_200n); // the server went through audit events up to 3 200 and sent none of them
    server.caughtUp();
    // a wait for a position inside the filtered stretch (an audit append's) ends: without the checkpoint it
    // would wait for the next projected event
    await projector.waitForPosition(NAME, 3_200n, 2_000);
    expect(readModels.listDocuments(NAME)).toEqual([{ id: 'medicationList-1', document: { count: 1 } }]);
    await projector.stop();
    expect(readModels.checkpoint(NAME)).toBe(3_200n);

    const restarted = new FakeEsdbClient();
    start(restarted);
    await subscribed(restarted);
    expect(restarted.made('subscribeToAll').map((call) => call.from)).toEqual([{ commit: 3_200n, prepare: 3_200n }]);
  });

  it('a checkpoint sent while the events before it are unapplied moves nothing past them', async () => {
    const client = new FakeEsdbClient();
    const projector = start(client);
    const server = await subscribed(client);
    [0, 1, 2].forEach((index) => {
      server.send(storedEvent(index)); // 100, 200, 300
    });
    server.checkpoint(1_000n);
    server.send(storedEvent(19)); // 2 000
    await projector.waitForPosition(NAME, 2_000n, 2_000);
    expect(readModels.listDocuments(NAME)).toEqual([{ id: 'medicationList-1', document: { count: 4 } }]);
  });

  it('status() reads no head: lag from the subscription, also while a projection is between subscriptions', async () => {
    const client = new FakeEsdbClient();
    const projector = start(client);
    const server = await subscribed(client);
    server.send(storedEvent(0));
    server.caughtUp();
    await projector.waitForPosition(NAME, 100n, 2_000);
    const readsBefore = client.made('readAll').length; // the start's one head read (bulk build)
    expect((await projector.status())[NAME]).toMatchObject({
      checkpoint: 100n,
      head: undefined,
      lagEvents: 0,
      running: true,
    });
    await projector.stop(); // no subscription now
    expect((await projector.status())[NAME]).toMatchObject({ checkpoint: 100n, head: undefined, running: false });
    expect(client.made('readAll')).toHaveLength(readsBefore);
  });
});
