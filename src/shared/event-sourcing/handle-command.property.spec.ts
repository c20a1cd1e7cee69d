import fc from 'fast-check';
import type { Command, Decider, DomainEvent } from './decider';
import type { EventStorePort } from './event-store.port';
import { handleCommand } from './handle-command';
import { InMemoryEventStore } from './in-memory.event-store';
import { SqliteEventStore } from './sqlite.event-store';

type Increment = Command<'Increment', Record<string, never>>;
interface CounterSet extends DomainEvent {
  readonly type: 'CounterSet';
  readonly data: { readonly value: number };
}

/**
 * Read–modify–write on purpose: the event carries the new value computed from the state the command saw, so an
 * append that ignored the expected revision would overwrite a concurrent increment (the lost update).
 */
const counter: Decider<Increment, CounterSet, number> = {
  initialState: () => 0,
  decide: (_, state) => [{ type: 'CounterSet', data: { value: state + 1 } }],
  evolve: (_, event) => event.data.value,
  clinicalTimeOf: () => '2025-03-01T10:00:00.000Z',
};

const isCounterSet = (event: DomainEvent): event is CounterSet =>
  event.type === 'CounterSet' &&
  typeof event.data === 'object' &&
  event.data !== null &&
  'value' in event.data &&
  typeof event.data.value === 'number';

const increment = (commandId: string): Increment => ({
  type: 'Increment',
  data: {},
  meta: {
    commandId,
    correlationId: commandId,
    causationId: commandId,
    actor: { role: 'system' },
    recordedAt: '2025-03-01T10:00:05.000Z',
  },
});

const range = (n: number): number[] => Array.from({ length: n }, (_, index) => index);

/**
 * N distinct commands, some of them sent twice (client retries), in a random order, cut into batches that run
 * concurrently (Promise.all) one batch after another.
 */
const scenario = fc.integer({ min: 1, max: 12 }).chain((distinct) =>
  fc.array(fc.nat({ max: distinct - 1 }), { maxLength: 4 }).chain((retries) => {
    const issued = [...range(distinct), ...retries];
    return fc.record({
      distinct: fc.constant(distinct),
      order: fc.shuffledSubarray(issued, { minLength: issued.length, maxLength: issued.length }),
      newBatch: fc.array(fc.boolean(), { minLength: issued.length, maxLength: issued.length }),
    });
  }),
);

const batchesOf = (order: readonly number[], newBatch: readonly boolean[]): number[][] =>
  order.reduce<number[][]>((batches, command, index) => {
    if (index === 0 || newBatch[index]) {
      batches.push([]);
    }
    batches.at(-1)!.push(command); // index 0 opened the first batch
    return batches;
  }, []);

const noUpdateLost = (open: () => EventStorePort) =>
  fc.asyncProperty(scenario, async ({ distinct, order, newBatch }) => {
    const store = open();
    const stream = 'counter-property';
    try {
      const results = [];
      for (const batch of batchesOf(order, newBatch)) {
        results.push(
          ...(await Promise.all(
            batch.map((command) =>
              handleCommand(store, counter, stream, increment(`command-${command}`), {
                isEvent: isCounterSet,
                // Each round at least one racer wins, so this many attempts always suffice.
                maxAttempts: order.length + 1,
              }),
            ),
          )),
        );
      }
      const events = await store.readStream(stream);
      const commandIds = events.map((event) => event.metadata.commandId).sort();
      const applied = results.filter((result) => !result.alreadyApplied);
      const known = events.flatMap((event) => (isCounterSet(event) ? [event] : []));
      expect(known.reduce((state, event) => counter.evolve(state, event), 0)).toBe(distinct);
      expect(commandIds).toEqual(
        range(distinct)
          .map((command) => `command-${command}`)
          .sort(),
      );
      // Every command was applied exactly once, each at its own version: no lost and no doubled update.
      expect(applied.map((result) => result.version).sort((a, b) => a - b)).toEqual(range(distinct).map((n) => n + 1));
    } finally {
      await store.close();
    }
  });

describe('handleCommand under concurrency (property)', () => {
  it('in memory: any interleaving of concurrent commands loses no update and applies each command once', async () => {
    await fc.assert(
      noUpdateLost(() => new InMemoryEventStore()),
      { numRuns: 100 },
    );
  });

  it('SQLite (group commit): any interleaving loses no update and applies each command once', async () => {
    await fc.assert(
      noUpdateLost(() => new SqliteEventStore({ filename: ':memory:' })),
      { numRuns: 40 },
    );
  });
});
