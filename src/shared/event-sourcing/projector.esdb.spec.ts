import type { Projection } from '../../../projections/projection';
import { SqliteReadModelStore } from '../../read-models/read-model.store';
import { fixedClock } from '../clock';
import { EsdbEventStore } from './esdb.event-store';
import { FakeEsdbClient, storedEvent, type FakeSubscription } from './esdb.fake-client.spec-helpers';
import { EventSchemas } from './event-schemas';
import type { EventStorePort } from './event-store.port';
import { Projector, eraseDocumentType } from './projector';
import { UpcastingEventStore } from './upcasting.event-store';

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

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Waits (for at most 100 turns of the event loop, no clock) until `condition` holds. */
const until = async (condition: () => boolean | Promise<boolean>): Promise<void> => {
  for (let turn = 0; turn < 100 && !(await condition()); turn += 1) {
    await nextTurn();
  }
};

/** The `count`-th subscription the client was asked for (a restart of the shared subscription makes a new one). */
const subscribed = async (client: FakeEsdbClient, count = 1): Promise<FakeSubscription> => {
  await until(() => client.subscriptions.length >= count);
  expect(client.subscriptions).toHaveLength(count);
  return client.subscriptions[count - 1]!;
};

// The adapter itself, and wrapped as the app runs it (every read through the event schemas; an empty catalogue
// here, so events pass unchanged): the wrapper must hand the subscription's progress signals on.
describe.each([
  ['EsdbEventStore', (events: EventStorePort): EventStorePort => events],
  [
    'EsdbEventStore wrapped by UpcastingEventStore',
    (events: EventStorePort): EventStorePort => new UpcastingEventStore(events, { schemas: new EventSchemas([]) }),
  ],
])('Projector on %s over a FAKE client: a filtered subscription', (_name, wrap) => {
  let readModels: SqliteReadModelStore;
  const running: { projector: Projector; events: EsdbEventStore }[] = [];

  const start = (client: FakeEsdbClient): Projector => {
    const events = new EsdbEventStore({ connectionString: 'esdb://fake:2113?tls=false', client });
    const projector = new Projector({
      eventStore: wrap(events),
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

  it('a projection waiting for its next event moves to a server checkpoint past a filtered stretch, no event after', async () => {
    const client = new FakeEsdbClient();
    const projector = start(client);
    const server = await subscribed(client);
    server.send(storedEvent(0)); // position 100
    server.caughtUp();
    await projector.waitForPosition(NAME, 100n, 2_000);
    await nextTurn(); // it waits for its next event now, with every event taken applied
    server.checkpoint(3_200n); // audit events up to 3 200, and no event after them
    const checkpoint = async (): Promise<bigint | undefined> => (await projector.status())[NAME]?.checkpoint;
    await until(async () => (await checkpoint()) === 3_200n);
    expect(await checkpoint()).toBe(3_200n);
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

  it('an online rebuild whose remaining stretch is filtered switches on the server checkpoint past it, no event after', async () => {
    const client = new FakeEsdbClient();
    const projector = start(client);
    const first = await subscribed(client);
    first.send(storedEvent(0)); // position 100
    first.checkpoint(3_200n); // audit events up to 3 200: the served copy is there
    first.caughtUp();
    await projector.waitForPosition(NAME, 3_200n, 2_000);

    const rebuild = projector.startRebuild(NAME);
    rebuild.catch(() => undefined); // rejected by the stop in afterEach when it never switches
    // the new copy starts from zero, behind the shared subscription: it restarts from the start
    const second = await subscribed(client, 2);
    const copy = `${NAME}#g1`;
    const copyCheckpoint = async (): Promise<bigint | undefined> => (await projector.status())[copy]?.checkpoint;
    second.send(storedEvent(0)); // the new copy applies it: at 100, behind the served copy's 3 200
    await until(async () => (await copyCheckpoint()) === 100n);
    expect(await copyCheckpoint()).toBe(100n);
    await nextTurn(); // the new copy waits for its next event now, with every event taken applied
    expect(readModels.servedGeneration(NAME)).toBe(0);

    second.checkpoint(3_200n); // the rest is audit: caught up with the served copy, and no event will come
    // the new copy's checkpoint moves there (that is done already), and with it the copy must switch in
    await until(async () => readModels.servedGeneration(NAME) === 1 || (await copyCheckpoint()) === 3_200n);
    expect(readModels.servedGeneration(NAME)).toBe(1);
    await rebuild;
    expect(readModels.listDocuments(NAME)).toEqual([{ id: 'medicationList-1', document: { count: 1 } }]);
    expect(readModels.checkpoint(NAME)).toBe(3_200n);
  });
});
