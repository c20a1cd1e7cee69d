import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command, CommandMeta, Decider, DomainEvent } from './decider';
import { ConcurrentModificationError, StaleVersionError } from './event-store.errors';
import type { AppendResult, EventStorePort, ExpectedRevision, NewEvent } from './event-store.port';
import { commandEventId, handleCommand, type CommandObserver } from './handle-command';
import { InMemoryEventStore } from './in-memory.event-store';
import { SqliteEventStore } from './sqlite.event-store';

/**
 * A tiny counter: `Increment` adds, `IncrementTwice` adds twice (two events), `Reset` to 0 is already done when the
 * counter is 0.
 */
type CounterCommand =
  | Command<'Increment', { by: number }>
  | Command<'IncrementTwice', { by: number }>
  | Command<'Reset', Record<string, never>>;
interface CounterIncremented extends DomainEvent {
  readonly type: 'CounterIncremented';
  readonly data: { readonly by: number };
}
interface CounterReset extends DomainEvent {
  readonly type: 'CounterReset';
  readonly data: Record<string, never>;
}
type CounterEvent = CounterIncremented | CounterReset;

const counter: Decider<CounterCommand, CounterEvent, number> = {
  initialState: () => 0,
  decide: (command, state) => {
    switch (command.type) {
      case 'Increment':
        return [{ type: 'CounterIncremented', data: { by: command.data.by } }];
      case 'IncrementTwice':
        return [
          { type: 'CounterIncremented', data: { by: command.data.by } },
          { type: 'CounterIncremented', data: { by: command.data.by } },
        ];
      case 'Reset':
        return state === 0 ? [] : [{ type: 'CounterReset', data: {} }];
    }
  },
  evolve: (state, event) => (event.type === 'CounterIncremented' ? state + event.data.by : 0),
  clinicalTimeOf: () => '2025-03-01T10:00:00.000Z',
};

const isCounterEvent = (event: DomainEvent): event is CounterEvent =>
  (event.type === 'CounterIncremented' &&
    typeof event.data === 'object' &&
    event.data !== null &&
    'by' in event.data &&
    typeof event.data.by === 'number') ||
  event.type === 'CounterReset';

const meta = (commandId: string): CommandMeta => ({
  commandId,
  correlationId: `correlation-${commandId}`,
  causationId: `cause-${commandId}`,
  actor: { role: 'prescriber', hprNumber: '9144900' },
  recordedAt: '2025-03-01T10:00:05.000Z',
});

const increment = (commandId: string, by = 1): CounterCommand => ({
  type: 'Increment',
  data: { by },
  meta: meta(commandId),
});

const incrementTwice = (commandId: string, by = 1): CounterCommand => ({
  type: 'IncrementTwice',
  data: { by },
  meta: meta(commandId),
});

/** Before each append, another writer slips an event in first (`times` times): a revision conflict on cue. */
class RacingStore extends InMemoryEventStore {
  races = 0;
  constructor(private remaining: number) {
    super();
  }

  override async appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    if (this.remaining > 0) {
      this.remaining -= 1;
      this.races += 1;
      const commandId = `rival-${this.races}`;
      const rival: NewEvent = {
        id: commandEventId(streamName, commandId, 0),
        type: 'CounterIncremented',
        data: { by: 10 },
        metadata: { ...events[0]!.metadata, commandId },
      };
      await super.appendToStream(streamName, [rival], { expectedRevision: 'any' });
    }
    return super.appendToStream(streamName, events, options);
  }
}

const recordingObserver = (): CommandObserver & { appends: number[]; conflicts: number } => {
  const observer = {
    appends: [] as number[],
    conflicts: 0,
    onAppend: (ms: number) => observer.appends.push(ms),
    onConflict: () => {
      observer.conflicts += 1;
    },
  };
  return observer;
};

const options = { isEvent: isCounterEvent };

describe('handleCommand', () => {
  let store: InMemoryEventStore;
  beforeEach(() => {
    store = new InMemoryEventStore();
  });

  it('reads, folds, decides and appends with metadata and deterministic ids', async () => {
    await handleCommand(store, counter, 'counter-1', increment('c1', 2), options);
    const result = await handleCommand(store, counter, 'counter-1', increment('c2', 3), {
      ...options,
      schemaVersion: 2,
    });
    const events = await store.readStream('counter-1');
    expect(result).toEqual({
      state: 5,
      version: 2,
      position: events[1]!.position,
      appendedEvents: 1,
      alreadyApplied: false,
      events,
    });
    expect(events[1]).toMatchObject({
      id: commandEventId('counter-1', 'c2', 0),
      type: 'CounterIncremented',
      data: { by: 3 },
      metadata: {
        commandId: 'c2',
        correlationId: 'correlation-c2',
        causationId: 'cause-c2',
        actor: { role: 'prescriber', hprNumber: '9144900' },
        clinicalTime: '2025-03-01T10:00:00.000Z',
        recordedAt: '2025-03-01T10:00:05.000Z',
        schemaVersion: 2,
      },
    });
  });

  it('event ids are UUID v5 shaped and differ per command, index and stream', () => {
    const id = commandEventId('s', 'c', 0);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const others = [commandEventId('s', 'c', 1), commandEventId('s', 'd', 0), commandEventId('t', 'c', 0)];
    expect(new Set([id, ...others]).size).toBe(4);
    expect(commandEventId('s', 'c', 0)).toBe(id);
  });

  it('a decision of [] appends nothing and returns the current state', async () => {
    const reset: CounterCommand = { type: 'Reset', data: {}, meta: meta('r1') };
    const result = await handleCommand(store, counter, 'counter-1', reset, options);
    expect(result).toEqual({
      state: 0,
      version: 0,
      position: undefined,
      appendedEvents: 0,
      alreadyApplied: false,
      events: [],
    });
    expect(await store.readStream('counter-1')).toEqual([]);
  });

  it('skips event types the decider does not know, but counts them in the version', async () => {
    const newer: NewEvent = {
      id: commandEventId('counter-1', 'x', 0),
      type: 'FromANewerBuild',
      data: {},
      metadata: { ...meta('x'), clinicalTime: '2025-03-01T09:00:00.000Z', schemaVersion: 9 },
    };
    await store.appendToStream('counter-1', [newer], { expectedRevision: 'no_stream' });
    const result = await handleCommand(store, counter, 'counter-1', increment('c1'), options);
    expect(result).toMatchObject({ state: 1, version: 2 });
  });

  it('a command id already in the stream returns the earlier result and appends nothing', async () => {
    const first = await handleCommand(store, counter, 'counter-1', increment('c1'), options);
    await handleCommand(store, counter, 'counter-1', increment('c2'), options);
    // A client retry after a lost answer still carries the version it saw first: no STALE_VERSION for it.
    const retry = await handleCommand(store, counter, 'counter-1', increment('c1'), { ...options, expectedVersion: 0 });
    const stream = await store.readStream('counter-1');
    // The events stop at the command's own: the retry's answer is the list as the first attempt left it.
    expect(retry).toEqual({
      state: 2,
      version: 2,
      position: first.position,
      appendedEvents: 0,
      alreadyApplied: true,
      events: stream.slice(0, 1),
    });
    expect(stream).toHaveLength(2);
  });

  it('a command id is still recognised after a restart (a new store instance on the same SQLite file)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'handle-command-'));
    const filename = join(dir, 'events.db');
    try {
      const before = new SqliteEventStore({ filename });
      const first = await handleCommand(before, counter, 'counter-1', increment('c1', 4), options);
      await before.close();
      const after = new SqliteEventStore({ filename });
      const retry = await handleCommand(after, counter, 'counter-1', increment('c1', 4), options);
      const events = await after.readStream('counter-1');
      await after.close();
      expect(retry).toEqual({
        state: 4,
        version: 1,
        position: first.position,
        appendedEvents: 0,
        alreadyApplied: true,
        events,
      });
      expect(events).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  interface OpenedStore {
    readonly store: EventStorePort;
    readonly cleanup: () => void;
  }
  it.each<[string, () => OpenedStore]>([
    ['in memory', () => ({ store: new InMemoryEventStore(), cleanup: () => undefined })],
    [
      'SQLite',
      () => {
        const dir = mkdtempSync(join(tmpdir(), 'handle-command-'));
        return {
          store: new SqliteEventStore({ filename: join(dir, 'events.db') }),
          cleanup: () => rmSync(dir, { recursive: true, force: true }),
        };
      },
    ],
  ])('returns the events read and appended exactly as a fresh read gives them (%s)', async (_name, open) => {
    const { store: opened, cleanup } = open();
    try {
      const one = await handleCommand(opened, counter, 'counter-1', increment('c1', 2), options);
      expect(one.events).toEqual(await opened.readStream('counter-1'));
      const two = await handleCommand(opened, counter, 'counter-1', incrementTwice('c2', 3), options);
      const stream = await opened.readStream('counter-1');
      expect(stream).toHaveLength(3);
      expect(two.events).toEqual(stream);
      expect(two.position).toBe(stream[2]!.position);
      // Another writer appends after c2: a retried c2 still stands on the stream up to its own last event.
      await handleCommand(opened, counter, 'counter-1', increment('c3'), options);
      const retry = await handleCommand(opened, counter, 'counter-1', incrementTwice('c2', 3), options);
      expect(retry.events).toEqual(stream);
      await opened.close();
    } finally {
      cleanup();
    }
  });

  it('a stale expectedVersion is StaleVersionError, without retry or append', async () => {
    await handleCommand(store, counter, 'counter-1', increment('c1'), options);
    const stale = handleCommand(store, counter, 'counter-1', increment('c2'), { ...options, expectedVersion: 0 });
    await expect(stale).rejects.toMatchObject({
      constructor: StaleVersionError,
      code: 'STALE_VERSION',
      details: { expected: 0, actual: 1 },
    });
    expect(await store.readStream('counter-1')).toHaveLength(1);
    const current = handleCommand(store, counter, 'counter-1', increment('c3'), { ...options, expectedVersion: 1 });
    await expect(current).resolves.toMatchObject({ version: 2 });
  });

  it('retries after a revision conflict, folding the rival event, and reports it to the observer', async () => {
    const racing = new RacingStore(2);
    const observer = recordingObserver();
    const result = await handleCommand(racing, counter, 'counter-1', increment('c1'), { ...options, observer });
    expect(result).toMatchObject({ state: 21, version: 3, appendedEvents: 1, alreadyApplied: false });
    expect(observer.conflicts).toBe(2);
    expect(observer.appends).toHaveLength(3);
  });

  it('gives up with ConcurrentModificationError after maxAttempts conflicts', async () => {
    const racing = new RacingStore(Number.POSITIVE_INFINITY);
    const observer = recordingObserver();
    const attempt = handleCommand(racing, counter, 'counter-1', increment('c1'), {
      ...options,
      observer,
      maxAttempts: 3,
    });
    await expect(attempt).rejects.toMatchObject({
      constructor: ConcurrentModificationError,
      code: 'CONCURRENT_MODIFICATION',
    });
    expect(observer.conflicts).toBe(3);
    expect((await racing.readStream('counter-1')).map((event) => event.metadata.commandId)).not.toContain('c1');
  });

  it('backs off between conflict retries: jittered pauses whose ceiling doubles, none after the last attempt', async () => {
    const pauses: number[] = [];
    const backoff = {
      baseMs: 4,
      capMs: 10,
      random: () => 0.5,
      sleep: (ms: number) => Promise.resolve(void pauses.push(ms)),
    };
    const racing = new RacingStore(3);
    const result = await handleCommand(racing, counter, 'counter-1', increment('c1'), { ...options, backoff });
    expect(result).toMatchObject({ state: 31, version: 4, appendedEvents: 1, alreadyApplied: false });
    expect(pauses).toEqual([2, 4, 5]); // half of 4, 8, and the cap 10

    pauses.length = 0;
    const giving = handleCommand(new RacingStore(Number.POSITIVE_INFINITY), counter, 'counter-1', increment('c1'), {
      ...options,
      backoff,
      maxAttempts: 3,
    });
    await expect(giving).rejects.toMatchObject({
      constructor: ConcurrentModificationError,
      code: 'CONCURRENT_MODIFICATION',
    });
    expect(pauses).toEqual([2, 4]);
  });

  it('two replicas racing on the same command append it once (same ids); the loser says alreadyApplied', async () => {
    const results = await Promise.all([
      handleCommand(store, counter, 'counter-1', increment('c1'), options),
      handleCommand(store, counter, 'counter-1', increment('c1'), options),
    ]);
    expect(results.map((result) => result.alreadyApplied).sort()).toEqual([false, true]);
    expect(results.map((result) => result.state)).toEqual([1, 1]);
    expect(await store.readStream('counter-1')).toHaveLength(1);
  });

  it('propagates other store errors unchanged (no retry)', async () => {
    const closed: EventStorePort = new InMemoryEventStore();
    await closed.close();
    await expect(handleCommand(closed, counter, 'counter-1', increment('c1'), options)).rejects.toMatchObject({
      code: 'EVENT_STORE_UNAVAILABLE',
    });
  });
});
