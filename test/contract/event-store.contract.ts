import { randomUUID } from 'node:crypto';
import {
  EventStoreUnavailableError,
  StreamRevisionConflictError,
} from '../../src/shared/event-sourcing/event-store.errors';
import type {
  EventMetadata,
  EventStorePort,
  EventSubscription,
  ExpectedRevision,
  NewEvent,
  RecordedEvent,
} from '../../src/shared/event-sourcing/event-store.port';

type Factory = () => EventStorePort | Promise<EventStorePort>;

/** What the contract needs to know about an adapter beyond its factory. */
export interface EventStoreContractOptions {
  /** each store from the factory starts empty (fresh file, memory); false for a shared EventStoreDB */
  readonly startsEmpty: boolean;
  /** a store that cannot answer: closed, or pointed at a port nothing listens on */
  readonly unavailable: Factory;
}

/** Failure guard only: every wait below ends as soon as its condition holds. */
const GUARD_MS = 5000;

const metadata: EventMetadata = {
  commandId: 'contract-command',
  correlationId: 'contract-correlation',
  causationId: 'contract-causation',
  actor: { role: 'system', name: 'contract suite' },
  clinicalTime: '2025-03-01T10:00:00.000Z',
  recordedAt: '2025-03-01T10:00:01.000Z',
  schemaVersion: 1,
};

/** A new event with a fresh id and fixed metadata. */
export const contractEvent = (type = 'ContractEventRecorded', data: unknown = { n: 1 }): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata,
});

/** Unique per test, so the suite can run against a shared EventStoreDB. */
export const uniqueStream = (): string => `contract-${randomUUID()}`;

/** The error a promise rejects with; fails when it resolves (no `expect` inside a `catch`). */
export const rejectionOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );

/** Awaits a promise, failing after `ms` instead of hanging the suite. */
export const withGuard = async <T>(promise: Promise<T>, what: string, ms = GUARD_MS): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
};

/** Drains a subscription in the background (with `for await`) and lets a test wait for the n-th accepted event. */
export class Collector {
  readonly events: RecordedEvent[] = [];
  /** settles when the iteration ends; rejects with its error */
  readonly done: Promise<void>;
  private waiters: { count: number; wake: () => void }[] = [];

  constructor(subscription: EventSubscription, accept: (event: RecordedEvent) => boolean) {
    this.done = (async () => {
      for await (const event of subscription) {
        if (accept(event)) {
          this.events.push(event);
          this.waiters
            .filter((waiter) => this.events.length >= waiter.count)
            .forEach((waiter) => {
              waiter.wake();
            });
        }
      }
    })();
    this.done.catch(() => undefined); // observed by the tests that await it
  }

  /** resolves with the first `count` accepted events once they have arrived */
  async until(count: number): Promise<RecordedEvent[]> {
    if (this.events.length < count) {
      const arrived = new Promise<void>((wake) => this.waiters.push({ count, wake }));
      await withGuard(Promise.race([arrived, this.done]), `${count} events (have ${this.events.length})`);
    }
    return this.events.slice(0, count);
  }
}

const ids = (events: readonly { id: string }[]): string[] => events.map((event) => event.id);

const expectConflict = (error: unknown): void => {
  expect(error).toBeInstanceOf(StreamRevisionConflictError);
  expect(error).toMatchObject({ code: 'STREAM_REVISION_CONFLICT', kind: 'conflict' });
};

/** The facts every adapter keeps, run once per adapter (test/contract/event-store.contract-spec.ts). */
export function eventStoreContract(name: string, factory: Factory, options: EventStoreContractOptions): void {
  describe(`${name} event store contract`, () => {
    let store: EventStorePort;
    let stream: string;

    beforeEach(async () => {
      store = await factory();
      stream = uniqueStream();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('append and read', () => {
      it('appends to a new stream and reads the events back in revision order', async () => {
        const events = [
          contractEvent('ContractStarted', { at: 1 }),
          contractEvent('ContractChanged', { at: 2 }),
        ] as const;
        const result = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        const read = await store.readStream(stream);
        expect(result).toMatchObject({ nextExpectedRevision: 1, appended: true });
        expect(read.map(({ position: _, ...event }) => event)).toEqual([
          { id: events[0].id, streamName: stream, revision: 0, type: 'ContractStarted', data: { at: 1 }, metadata },
          { id: events[1].id, streamName: stream, revision: 1, type: 'ContractChanged', data: { at: 2 }, metadata },
        ]);
        expect(read[0]!.position < read[1]!.position).toBe(true);
        expect(read[1]!.position).toBe(result.position);
      });

      it('reads from a revision, and a missing stream as []', async () => {
        const three = [contractEvent(), contractEvent(), contractEvent()];
        await store.appendToStream(stream, three, { expectedRevision: 'no_stream' });
        expect((await store.readStream(stream, { fromRevision: 1 })).map((event) => event.revision)).toEqual([1, 2]);
        expect(await store.readStream(uniqueStream())).toEqual([]);
      });

      it('passes unknown event types and their data through unchanged', async () => {
        const data = { nested: { list: [1, 'two', null], flag: true }, text: 'blå resept' };
        const newer = contractEvent('SomethingFromANewerBuild', data);
        await store.appendToStream(stream, [newer], { expectedRevision: 'any' });
        expect(await store.readStream(stream)).toMatchObject([{ type: 'SomethingFromANewerBuild', data }]);
      });
    });

    describe('expected revision', () => {
      it('no_stream: appends to a new stream, conflicts on an existing one', async () => {
        await store.appendToStream(stream, [contractEvent()], { expectedRevision: 'no_stream' });
        const again = store.appendToStream(stream, [contractEvent()], { expectedRevision: 'no_stream' });
        expectConflict(await rejectionOf(again));
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('any: appends to a new and to an existing stream', async () => {
        await store.appendToStream(stream, [contractEvent()], { expectedRevision: 'any' });
        const result = await store.appendToStream(stream, [contractEvent()], { expectedRevision: 'any' });
        expect(result.nextExpectedRevision).toBe(1);
      });

      it('exact: appends at the current revision, conflicts on a stale one and on a missing stream', async () => {
        await store.appendToStream(stream, [contractEvent(), contractEvent()], { expectedRevision: 'no_stream' });
        const result = await store.appendToStream(stream, [contractEvent()], { expectedRevision: 1 });
        expect(result).toMatchObject({ nextExpectedRevision: 2, appended: true });
        expectConflict(await rejectionOf(store.appendToStream(stream, [contractEvent()], { expectedRevision: 1 })));
        const missing = store.appendToStream(uniqueStream(), [contractEvent()], { expectedRevision: 0 });
        expectConflict(await rejectionOf(missing));
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('concurrent appends with the same expected revision: exactly one wins', async () => {
        await store.appendToStream(stream, [contractEvent()], { expectedRevision: 'no_stream' });
        const attempts = Array.from({ length: 8 }, () =>
          store.appendToStream(stream, [contractEvent()], { expectedRevision: 0 }),
        );
        const settled = await Promise.allSettled(attempts);
        const rejected = settled.flatMap((outcome): unknown[] => {
          const reason: unknown = outcome.status === 'rejected' ? outcome.reason : undefined;
          return reason === undefined ? [] : [reason];
        });
        expect(settled.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        rejected.forEach(expectConflict);
        expect(await store.readStream(stream)).toHaveLength(2);
      });
    });

    describe('idempotent append by event id', () => {
      it.each<{ label: string; seed: number; expected: (current: number) => ExpectedRevision }>([
        { label: 'no_stream', seed: 0, expected: () => 'no_stream' },
        { label: 'an exact revision', seed: 1, expected: (current) => current },
        { label: 'any', seed: 1, expected: () => 'any' },
      ])('a retry with the same ids and $label appends nothing, returns the first result', async (scenario) => {
        const { seed, expected } = scenario;
        if (seed > 0) {
          await store.appendToStream(stream, [contractEvent()], { expectedRevision: 'no_stream' });
        }
        const events = [contractEvent(), contractEvent()];
        const first = await store.appendToStream(stream, events, { expectedRevision: expected(seed - 1) });
        const before = await store.readStream(stream);
        const retry = await store.appendToStream(stream, events, { expectedRevision: expected(seed - 1) });
        expect(retry).toEqual({ ...first, appended: false });
        expect(await store.readStream(stream)).toEqual(before);
      });

      it('a retry with its first expected revision appends nothing after others have appended to the stream', async () => {
        await store.appendToStream(stream, [contractEvent()], { expectedRevision: 'no_stream' });
        const events = [contractEvent(), contractEvent()];
        const first = await store.appendToStream(stream, events, { expectedRevision: 0 });
        await store.appendToStream(stream, [contractEvent()], { expectedRevision: 2 });
        const before = await store.readStream(stream);
        const retry = await store.appendToStream(stream, events, { expectedRevision: 0 });
        expect(retry).toEqual({ ...first, appended: false });
        expect(await store.readStream(stream)).toEqual(before);
      });

      it('a batch mixing stored and new ids is a revision conflict and writes nothing', async () => {
        const stored = contractEvent();
        await store.appendToStream(stream, [stored], { expectedRevision: 'no_stream' });
        const mixed = store.appendToStream(stream, [stored, contractEvent()], { expectedRevision: 'no_stream' });
        expectConflict(await rejectionOf(mixed));
        expect(ids(await store.readStream(stream))).toEqual([stored.id]);
      });
    });

    describe('global order', () => {
      it('reads all streams in commit order after an exclusive position, with maxCount', async () => {
        const other = uniqueStream();
        const start = await store.headPosition();
        const [a1, b1, a2] = [contractEvent(), contractEvent(), contractEvent()];
        await store.appendToStream(stream, [a1], { expectedRevision: 'no_stream' });
        await store.appendToStream(other, [b1], { expectedRevision: 'no_stream' });
        await store.appendToStream(stream, [a2], { expectedRevision: 0 });
        const ours = (events: RecordedEvent[]) => events.filter((event) => [stream, other].includes(event.streamName));
        const all = ours(await store.readAll({ fromPosition: start }));
        expect(ids(all)).toEqual([a1.id, b1.id, a2.id]);
        expect(all.every((event, index) => index === 0 || event.position > all[index - 1]!.position)).toBe(true);
        expect(ids(ours(await store.readAll({ fromPosition: all[0]!.position })))).toEqual([b1.id, a2.id]);
        expect(ours(await store.readAll({ fromPosition: all[2]!.position }))).toEqual([]);
        const page = await store.readAll({ fromPosition: start, maxCount: 2 });
        expect(page).toHaveLength(2);
        expect(page.every((event) => start === undefined || event.position > start)).toBe(true);
      });

      it('headPosition is the position of the newest event', async () => {
        if (options.startsEmpty) {
          expect(await store.headPosition()).toBeUndefined();
        }
        const result = await store.appendToStream(stream, [contractEvent(), contractEvent()], {
          expectedRevision: 'any',
        });
        const head = await store.headPosition();
        if (options.startsEmpty) {
          expect(head).toBe(result.position);
        } else {
          // A shared EventStoreDB may have newer events from other writers.
          expect(head !== undefined && head >= result.position).toBe(true);
        }
      });
    });

    describe('streams by prefix (optional: adapters that can list a category)', () => {
      const collect = async (events: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> => {
        const all: RecordedEvent[] = [];
        for await (const event of events) {
          all.push(event);
        }
        return all;
      };

      it('yields stream after stream in name order, each in revision order, up to a position; nothing else', async () => {
        if (store.readStreamsByPrefix === undefined) {
          return; // EventStoreDB: the projector folds in global order instead
        }
        const category = `grouped${randomUUID().replace(/-/g, '')}-`;
        const [a, b, c] = [`${category}a`, `${category}b`, `${category}c`];
        const lookalike = `${category.slice(0, -1)}x-a`; // shares all but the last character of the prefix
        await store.appendToStream(b, [contractEvent(), contractEvent()], { expectedRevision: 'no_stream' });
        await store.appendToStream(a, [contractEvent()], { expectedRevision: 'no_stream' });
        await store.appendToStream(lookalike, [contractEvent()], { expectedRevision: 'no_stream' });
        const head = await store.appendToStream(b, [contractEvent()], { expectedRevision: 1 });
        await store.appendToStream(c, [contractEvent()], { expectedRevision: 'no_stream' }); // after toPosition
        await store.appendToStream(a, [contractEvent()], { expectedRevision: 0 }); // after toPosition

        const grouped = await collect(store.readStreamsByPrefix(category, { toPosition: head.position }));

        expect(grouped.map((event) => [event.streamName, event.revision])).toEqual([
          [a, 0],
          [b, 0],
          [b, 1],
          [b, 2],
        ]);
        expect(grouped.every((event) => event.position <= head.position)).toBe(true);
        await expect(collect(store.readStreamsByPrefix('', { toPosition: head.position }))).rejects.toThrow(TypeError);
      });

      it('pages through more events than one read returns', async () => {
        if (store.readStreamsByPrefix === undefined) {
          return;
        }
        const category = `paged${randomUUID().replace(/-/g, '')}-`;
        for (let n = 0; n < 5; n += 1) {
          const events = Array.from({ length: 250 }, () => contractEvent());
          await store.appendToStream(`${category}${n}`, events, { expectedRevision: 'no_stream' });
        }
        const head = await store.headPosition();
        const grouped = await collect(store.readStreamsByPrefix(category, { toPosition: head ?? 0n }));
        expect(grouped).toHaveLength(1_250);
        const keys = grouped.map((event) => `${event.streamName}/${String(event.revision).padStart(4, '0')}`);
        expect(keys).toEqual([...keys].sort());
        expect(new Set(keys).size).toBe(1_250);
      });
    });

    describe('catch-up subscription', () => {
      it('delivers each event after the position once, in order, also those appended while it runs', async () => {
        const other = uniqueStream();
        const [e1, e2, e3, e4, e5, sentinel] = [
          contractEvent(),
          contractEvent(),
          contractEvent(),
          contractEvent(),
          contractEvent(),
          contractEvent(),
        ];
        const seeded = await store.appendToStream(stream, [e1], { expectedRevision: 'no_stream' });
        await store.appendToStream(stream, [e2], { expectedRevision: 0 });
        const subscription = store.subscribeToAll({ fromPosition: seeded.position });
        const collector = new Collector(subscription, (event) => [stream, other].includes(event.streamName));
        expect(ids(await collector.until(1))).toEqual([e2.id]);
        await store.appendToStream(stream, [e3, e4], { expectedRevision: 1 });
        await store.appendToStream(other, [e5], { expectedRevision: 'no_stream' });
        expect(ids(await collector.until(4))).toEqual([e2.id, e3.id, e4.id, e5.id]);
        // Once the sentinel is in, anything delivered twice would have been delivered before it.
        await store.appendToStream(other, [sentinel], { expectedRevision: 0 });
        await collector.until(5);
        await subscription.close();
        await withGuard(collector.done, 'the iteration to end after close()');
        expect(ids(collector.events)).toEqual([e2.id, e3.id, e4.id, e5.id, sentinel.id]);
        const positions = collector.events.map((event) => event.position);
        expect(positions.every((position, index) => index === 0 || position > positions[index - 1]!)).toBe(true);
      });

      it('without a position, starts at the beginning', async () => {
        if (!options.startsEmpty) {
          return; // from the start of a shared store's $all would be everything ever written
        }
        const first = contractEvent();
        await store.appendToStream(stream, [first], { expectedRevision: 'no_stream' });
        const subscription = store.subscribeToAll();
        const collector = new Collector(subscription, () => true);
        expect(ids(await collector.until(1))).toEqual([first.id]);
        await subscription.close();
        await withGuard(collector.done, 'the iteration to end after close()');
      });

      it('close() ends an iteration that waits for new events', async () => {
        const subscription = store.subscribeToAll({ fromPosition: await store.headPosition() });
        const collector = new Collector(subscription, () => true);
        await subscription.close();
        await withGuard(collector.done, 'the iteration to end after close()');
      });
    });
  });

  unavailableStoreContract(name, options.unavailable);
}

/** An unreachable or closed store answers every call with EventStoreUnavailableError. */
export function unavailableStoreContract(name: string, factory: Factory): void {
  describe(`${name} event store, unavailable`, () => {
    it.each<[string, (store: EventStorePort) => Promise<unknown>]>([
      [
        'appendToStream',
        (store) => store.appendToStream(uniqueStream(), [contractEvent()], { expectedRevision: 'any' }),
      ],
      ['readStream', (store) => store.readStream(uniqueStream())],
      ['readAll', (store) => store.readAll({ maxCount: 1 })],
      ['headPosition', (store) => store.headPosition()],
      ['ping', (store) => store.ping()],
    ])('%s rejects with EventStoreUnavailableError', async (_, call) => {
      const store = await factory();
      try {
        const error = await withGuard(rejectionOf(call(store)), 'the call to fail');
        expect(error).toBeInstanceOf(EventStoreUnavailableError);
        expect(error).toMatchObject({ code: 'EVENT_STORE_UNAVAILABLE', kind: 'unavailable' });
      } finally {
        await store.close();
      }
    });
  });
}
