import type { Projection } from '../../projections/projection';
import { SqliteReadModelStore } from '../read-models/read-model.store';
import type { NewEvent } from '../shared/event-sourcing/event-store.port';
import { InMemoryEventStore } from '../shared/event-sourcing/in-memory.event-store';
import { UnknownProjectionError, eraseDocumentType, findProjection } from '../shared/event-sourcing/projector';
import { rebuildProjection } from './rebuild';

const counter: Projection<number> = {
  name: 'counter.v2',
  handles: ['Counted'],
  documentIds: (event) => [event.streamName],
  initialDocument: () => 0,
  evolve: (count) => count + 1,
};

const counted = (n: number): NewEvent => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type: n % 5 === 0 ? 'Other' : 'Counted',
  data: {},
  metadata: {
    commandId: `c${n}`,
    correlationId: `c${n}`,
    causationId: `c${n}`,
    actor: { role: 'system' },
    clinicalTime: '2026-01-05T08:00:00.000Z',
    recordedAt: '2026-01-05T08:00:00.000Z',
    schemaVersion: 1,
  },
});

describe('rebuildProjection', () => {
  it('drops what was there and rebuilds from position zero to the head, reporting progress', async () => {
    const events = new InMemoryEventStore();
    for (let n = 1; n <= 1200; n += 1) {
      await events.appendToStream(`s${n % 3}`, [counted(n)], { expectedRevision: 'any' });
    }
    const store = new SqliteReadModelStore({ file: ':memory:' });
    store.applyBatch(
      'counter.v2',
      new Map([
        ['s0', 999],
        ['stale', 1],
      ]),
      1200n,
    ); // a corrupt read model
    const progress: bigint[] = [];

    const summary = await rebuildProjection({
      eventStore: events,
      store,
      projection: eraseDocumentType(counter),
      onProgress: (position) => progress.push(position),
    });

    expect(summary).toMatchObject({ projection: 'counter.v2', events: 1200, head: 1200n });
    expect(progress).toEqual([500n, 1000n, 1200n]);
    expect(store.listDocuments('counter.v2')).toEqual([
      { id: 's0', document: 320 },
      { id: 's1', document: 320 },
      { id: 's2', document: 320 },
    ]);
    expect(store.checkpoint('counter.v2')).toBe(1200n);
    store.close();
  });

  it('leaves an empty read model when the store is empty', async () => {
    const store = new SqliteReadModelStore({ file: ':memory:' });
    store.applyBatch('counter.v2', new Map([['s0', 1]]), 1n);
    const summary = await rebuildProjection({
      eventStore: new InMemoryEventStore(),
      store,
      projection: eraseDocumentType(counter),
    });
    expect(summary).toMatchObject({ events: 0, head: undefined });
    expect(store.listDocuments('counter.v2')).toEqual([]);
    expect(store.checkpoint('counter.v2')).toBeUndefined();
    store.close();
  });

  it.each(['counter', 'counter.v2'])('finds the projection named %s', (name) => {
    expect(findProjection([counter], name)).toBe(counter);
  });

  it('rejects a name it does not know, or an old version', () => {
    expect(() => findProjection([counter], 'counter.v1')).toThrow(UnknownProjectionError);
    expect(() => findProjection([counter], 'count')).toThrow(UnknownProjectionError);
  });
});
