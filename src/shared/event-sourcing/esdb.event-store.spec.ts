import { AUDIT_STREAM_PREFIXES } from '../../access/audit';
import { EsdbEventStore } from './esdb.event-store';
import { FakeEsdbClient, metadata, storedEvent, type FakeSubscription } from './esdb.fake-client.spec-helpers';
import type { ForeignEvent } from './esdb.mapping';
import { EventStoreUnavailableError } from './event-store.errors';
import type { EventSubscription, NewEvent, RecordedEvent } from './event-store.port';

/*
 * The adapter against a FAKE client: the call shape only (which reads, how bounded, with which deadline and
 * filter), never the server's behaviour. That is the contract suite's, against a real server (npm run test:esdb).
 */

const newEvent = (index: number): NewEvent => ({
  id: storedEvent(index).id,
  type: 'MedicationStarted',
  data: { n: index },
  metadata,
});

const storeOn = (
  client: FakeEsdbClient,
  options: { deadlineMs?: number; foreign?: ForeignEvent[]; excludeStreamPrefixes?: readonly string[] } = {},
) =>
  new EsdbEventStore({
    connectionString: 'esdb://fake:2113?tls=false',
    client,
    deadlineMs: options.deadlineMs,
    onForeignEvent: (event) => options.foreign?.push(event),
    subscriptionExcludesStreamPrefixes: options.excludeStreamPrefixes,
  });

/** the next `count` events of a subscription */
const take = async (subscription: EventSubscription, count: number): Promise<RecordedEvent[]> => {
  const taken: RecordedEvent[] = [];
  const iterator = subscription[Symbol.asyncIterator]();
  while (taken.length < count) {
    const next = await iterator.next();
    if (next.done === true) {
      break;
    }
    taken.push(next.value);
  }
  return taken;
};

describe('EsdbEventStore on a FAKE client: idempotency reads only the window a retry would have written', () => {
  const longStream = Array.from({ length: 5_000 }, (_, index) => storedEvent(index));

  it('expected revision any: one backward read of the last k events, never the stream from revision 0', async () => {
    const client = new FakeEsdbClient(longStream);
    await storeOn(client).appendToStream('medicationList-1', [newEvent(9_001), newEvent(9_002)], {
      expectedRevision: 'any',
    });
    expect(client.made('readStream').map((call) => call.options)).toEqual([
      { fromRevision: 'end', direction: 'backwards', maxCount: 2, deadline: 10_000 },
    ]);
    expect(client.made('appendToStream')).toHaveLength(1);
  });

  it('expected revision any: a retry whose events are the stream’s last is not appended again', async () => {
    const client = new FakeEsdbClient(longStream);
    const retry = await storeOn(client).appendToStream('medicationList-1', [newEvent(4_998), newEvent(4_999)], {
      expectedRevision: 'any',
    });
    expect(retry).toEqual({ nextExpectedRevision: 4_999, position: 500_000n, appended: false });
    expect(client.made('appendToStream')).toEqual([]);
  });

  it('an exact revision n: reads k events forward from n + 1; no_stream: k events from the start', async () => {
    const client = new FakeEsdbClient(longStream);
    const store = storeOn(client);
    await store.appendToStream('medicationList-1', [newEvent(9_001)], { expectedRevision: 4_999 });
    await store.appendToStream('medicationList-2', [newEvent(9_002), newEvent(9_003)], {
      expectedRevision: 'no_stream',
    });
    expect(client.made('readStream').map((call) => call.options)).toEqual([
      { fromRevision: 5_000n, maxCount: 1, deadline: 10_000 },
      { fromRevision: 'start', maxCount: 2, deadline: 10_000 },
    ]);
  });
});

describe('EsdbEventStore on a FAKE client: deadlines and empty reads', () => {
  it('every append, read, head read and ping carries the configured deadline', async () => {
    const client = new FakeEsdbClient([storedEvent(0)]);
    const store = storeOn(client, { deadlineMs: 1_234 });
    await store.appendToStream('medicationList-1', [newEvent(7)], { expectedRevision: 0 });
    await store.readStream('medicationList-1');
    await store.readAll();
    await store.headPosition();
    await store.ping();
    const deadlines = client.calls.map((call) =>
      'options' in call ? call.options.deadline : 'deadline' in call ? call.deadline : 'none',
    );
    expect(deadlines).toHaveLength(6);
    expect(new Set(deadlines)).toEqual(new Set([1_234]));
  });

  it('an append answered without a position whose event cannot be read back is EventStoreUnavailableError', async () => {
    const client = new FakeEsdbClient();
    client.appendAnswer = { nextExpectedRevision: 0n }; // a server before 22.6; the read back finds nothing
    const append = storeOn(client).appendToStream('medicationList-9', [newEvent(1)], { expectedRevision: 'no_stream' });
    await expect(append).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });
});

describe('EsdbEventStore on a FAKE client: events this service did not write', () => {
  const log = [
    storedEvent(0),
    storedEvent(1, { metadata: { $correlationId: 'other-app' } }), // another application's
    storedEvent(2, { isJson: false, data: new Uint8Array([1]), metadata: new Uint8Array() }), // bytes
    storedEvent(3, { type: '$>', isJson: false, data: new Uint8Array(), metadata: undefined }), // a link
    storedEvent(4),
  ];

  it.each(['readAll', 'readStream'] as const)('%s skips them and reports each non-system one', async (read) => {
    const foreign: ForeignEvent[] = [];
    const store = storeOn(new FakeEsdbClient(log), { foreign });
    const events = read === 'readAll' ? await store.readAll() : await store.readStream('medicationList-1');
    expect(events.map((event) => event.revision)).toEqual([0, 4]);
    expect(foreign.map((event) => event.reason)).toEqual(['no-metadata-envelope', 'not-json']);
  });

  it('headPosition is the newest event of this service’s, past foreign events', async () => {
    const store = storeOn(new FakeEsdbClient(log.slice(0, 4)));
    expect(await store.headPosition()).toBe(100n);
  });
});

describe('EsdbEventStore on a FAKE client: one shared $all subscription', () => {
  const started = async (client: FakeEsdbClient): Promise<FakeSubscription> => {
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.subscriptions).toHaveLength(1);
    return client.subscriptions[0]!;
  };

  it('subscribers of one turn share one server subscription, filtered on the server, each from its own position', async () => {
    const client = new FakeEsdbClient();
    const foreign: ForeignEvent[] = [];
    const store = storeOn(client, { foreign });
    const [a, b] = [store.subscribeToAll({ fromPosition: 200n }), store.subscribeToAll({ fromPosition: 100n })];
    const server = await started(client);
    expect(client.made('subscribeToAll')).toEqual([
      {
        call: 'subscribeToAll',
        from: { commit: 100n, prepare: 100n },
        filter: {
          filterOn: 'streamName',
          regex: '^(?!(?:\\$))',
          checkpointInterval: 1,
          checkpointReached: expect.any(Function),
        },
      },
    ]);
    server.send(storedEvent(1)); // position 200: b only
    server.send(storedEvent(2, { metadata: {} })); // foreign: neither, reported once
    server.send(storedEvent(3));
    expect((await take(a, 1)).map((event) => event.position)).toEqual([400n]);
    expect((await take(b, 2)).map((event) => event.position)).toEqual([200n, 400n]);
    expect(foreign).toHaveLength(1);
    await store.close();
  });

  it('a subscriber that joins behind restarts the server subscription from its position; nobody gets an event twice', async () => {
    const client = new FakeEsdbClient();
    const store = storeOn(client);
    const ahead = store.subscribeToAll({ fromPosition: 100n });
    const first = await started(client);
    first.send(storedEvent(1));
    expect((await take(ahead, 1)).map((event) => event.position)).toEqual([200n]);
    const behind = store.subscribeToAll();
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.made('subscribeToAll').map((call) => call.from)).toEqual([{ commit: 100n, prepare: 100n }, 'start']);
    const second = client.subscriptions[1]!;
    [0, 1, 2].forEach((index) => {
      second.send(storedEvent(index));
    });
    expect((await take(behind, 3)).map((event) => event.position)).toEqual([100n, 200n, 300n]);
    expect((await take(ahead, 1)).map((event) => event.position)).toEqual([300n]);
    await store.close();
  });

  it('caught up once the server says so and the events it sent before are taken; never from a head read', async () => {
    const client = new FakeEsdbClient();
    const store = storeOn(client);
    const subscription = store.subscribeToAll();
    const server = await started(client);
    server.send(storedEvent(0));
    server.send(storedEvent(1));
    const iterator = subscription[Symbol.asyncIterator]();
    await iterator.next(); // the first is handed on; the second waits in the client's buffer or the queue
    server.caughtUp();
    const caughtUp = subscription.whenCaughtUp?.();
    expect(subscription.progress?.().caughtUp).toBe(false);
    await iterator.next();
    await caughtUp;
    expect(subscription.progress?.()).toEqual({ caughtUp: true, pendingEvents: 0, scannedThrough: undefined });
    expect(client.made('readAll')).toEqual([]);
    await store.close();
  });
});

describe('EsdbEventStore on a FAKE client: the server-side filter (call shape; the server applies it)', () => {
  const started = async (client: FakeEsdbClient): Promise<FakeSubscription> => {
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.subscriptions).toHaveLength(1);
    return client.subscriptions[0]!;
  };

  // The server evaluates the regex with .NET's engine; this pattern (a lookahead of literal alternatives) means
  // the same in JavaScript's, which is what this table checks. Not verified against a running server here.
  it.each([
    ['medicationList-0b6c4c5e-1f0e-4f57-8d0e-2a3f1c9d7e11', true],
    ['reconciliationCursor-0b6c4c5e', true],
    ['reconciliation-0b6c4c5e', true],
    ['reconciliationRun-0b6c4c5e', true],
    ['accessLog-0b6c4c5e-1f0e-4f57-8d0e-2a3f1c9d7e11', false],
    ['accessAudit-general', false],
    ['$ce-medicationList', false],
    ['$$medicationList-1', false],
    ['$et-MedicationStarted', false],
    ['$projections-$all', false],
  ])('on stream names, audit streams and $-streams out: %s is sent: %s', async (stream, sent) => {
    const client = new FakeEsdbClient();
    const store = storeOn(client, { excludeStreamPrefixes: AUDIT_STREAM_PREFIXES });
    store.subscribeToAll();
    await started(client);
    const { filter } = client.made('subscribeToAll')[0]!;
    expect(filter).toMatchObject({
      filterOn: 'streamName',
      checkpointInterval: 1,
      regex: '^(?!(?:\\$|accessLog-|accessAudit-))',
    });
    expect(new RegExp(filter?.regex ?? '').test(stream)).toBe(sent);
    await store.close();
  });

  it('a server checkpoint counts for a subscriber only once the events sent before it are taken', async () => {
    const client = new FakeEsdbClient();
    const store = storeOn(client);
    const subscription = store.subscribeToAll();
    const server = await started(client);
    const scanned = new Promise<void>((resolve) => subscription.onScanned?.(resolve));
    server.send(storedEvent(0)); // position 100
    server.checkpoint(3_200n); // the server considered everything through 3 200: audit events it filtered out
    const iterator = subscription[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ position: 100n });
    expect(subscription.progress?.().scannedThrough).toBeUndefined(); // the event before it is taken, not applied
    const next = iterator.next(); // the subscriber asks for more: the checkpoint is passed
    await scanned;
    expect(subscription.progress?.()).toMatchObject({ scannedThrough: 3_200n, pendingEvents: 0 });
    server.send(storedEvent(40)); // position 4 100: after the checkpoint
    expect((await next).value).toMatchObject({ position: 4_100n });
    await store.close();
  });

  it('a subscriber that joins after a checkpoint and before it restarts the server subscription; one at it does not', async () => {
    const client = new FakeEsdbClient();
    const store = storeOn(client);
    const first = store.subscribeToAll({ fromPosition: 100n });
    const server = await started(client);
    const scanned = new Promise<void>((resolve) => first.onScanned?.(resolve));
    server.checkpoint(3_200n);
    const next = first[Symbol.asyncIterator]().next();
    await scanned;
    store.subscribeToAll({ fromPosition: 3_200n }); // at the checkpoint: shares the running subscription
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.made('subscribeToAll')).toHaveLength(1);
    store.subscribeToAll({ fromPosition: 1_000n }); // before it: the server must send 1 000 … 3 200 again
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.made('subscribeToAll').map((call) => call.from)).toEqual([
      { commit: 100n, prepare: 100n },
      { commit: 1_000n, prepare: 1_000n },
    ]);
    await store.close();
    await next;
  });
});
