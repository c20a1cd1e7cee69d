import type { Projection } from '../../../projections/projection';
import { SqliteReadModelStore } from '../../read-models/read-model.store';
import type { EventStorePort } from './event-store.port';
import { InMemoryEventStore } from './in-memory.event-store';
import { countedEvent } from './projector.spec-helpers';
import { Projector, RebuildAlreadyRunningError, eraseDocumentType } from './projector';
import type { ProjectionChange } from './projector';
import { SqliteEventStore } from './sqlite.event-store';

/*
 * Online rebuild (issue 23, part 1): a new copy of a projection built beside the served one in the same projector,
 * switched in one transaction once caught up. The test projection lists every position it was given WITHOUT
 * skipping replays, so a double apply or a gap at the switch shows in the documents.
 */

interface Positions {
  readonly positions: readonly string[];
}

const NAME = 'positions.v1';
const PREFIX = 'list-';
const positionsProjection: Projection<Positions> = {
  name: NAME,
  handles: ['Counted'],
  documentIds: (event) => (event.streamName.startsWith(PREFIX) ? [event.streamName.slice(PREFIX.length)] : []),
  initialDocument: () => ({ positions: [] }),
  evolve: (document, event) => ({ positions: [...document.positions, event.position] }),
  perStream: { streamPrefix: PREFIX },
};

const event = countedEvent;

describe.each([
  ['in memory', (): EventStorePort => new InMemoryEventStore()],
  ['SQLite', (): EventStorePort => new SqliteEventStore({ filename: ':memory:', synchronous: 'NORMAL' })],
])('Projector: online rebuild on the %s store', (_name, createEventStore) => {
  let events: EventStorePort;
  let store: SqliteReadModelStore;
  let projector: Projector;
  /** per stream, every position appended (what a correct document lists, in order) */
  const appended = new Map<string, string[]>();

  const append = async (stream: number): Promise<bigint> => {
    const { position } = await events.appendToStream(`${PREFIX}${stream}`, [event()], { expectedRevision: 'any' });
    const list = appended.get(String(stream)) ?? [];
    appended.set(String(stream), [...list, position.toString()]);
    return position;
  };
  const served = (): Record<string, readonly string[]> =>
    Object.fromEntries(store.listDocuments<Positions>(NAME).map(({ id, document }) => [id, document.positions]));

  beforeEach(async () => {
    appended.clear();
    events = createEventStore();
    store = new SqliteReadModelStore({ file: ':memory:' });
    for (let round = 0; round < 20; round += 1) {
      for (let stream = 0; stream < 10; stream += 1) {
        await append(stream);
      }
    }
    projector = new Projector({ eventStore: events, store, projections: [eraseDocumentType(positionsProjection)], batchSize: 7 });
    projector.start();
    await projector.waitForPosition(NAME, (await events.headPosition()) ?? 0n, 5_000);
  });
  afterEach(async () => {
    await projector.stop();
    store.close();
    await events.close();
  });

  it('given a served projection under writes, when rebuilt online, then every read is complete and the switch loses nothing', async () => {
    const changes: ProjectionChange[] = [];
    const subscription = projector.changes.subscribe((change) => changes.push(change));
    let switched = false;
    const rebuild = projector.startRebuild('positions').then(() => (switched = true));

    // Writes while the new copy builds: each acknowledged write is read back at once, complete, from the served copy.
    for (let i = 0; (i < 5 || !switched) && i < 2_000; i += 1) {
      const stream = i % 10;
      const position = await append(stream);
      await projector.waitForPosition(NAME, position, 5_000);
      expect(store.getDocument<Positions>(NAME, String(stream))?.positions).toEqual(appended.get(String(stream)));
    }
    await rebuild;
    expect(store.servedGeneration(NAME)).toBe(1);
    expect(served()).toEqual(Object.fromEntries(appended));

    // after the switch the served runner goes on in the new copy and notifies as before
    const after = await append(3);
    await projector.waitForPosition(NAME, after, 5_000);
    expect(served()).toEqual(Object.fromEntries(appended));
    expect(changes.at(-1)).toEqual({ projection: NAME, documentIds: ['3'], position: after });
    expect(store.listDocuments(`${NAME}#g1`)).toHaveLength(10); // the served copy is the new one; the old is gone
    expect(store.listDocuments(`${NAME}#g0`)).toHaveLength(0);
    subscription.unsubscribe();
  });

  it('given a rebuild in progress, when a second one starts, then it is refused with REBUILD_ALREADY_RUNNING', async () => {
    const first = projector.startRebuild(NAME);
    await expect(projector.startRebuild(NAME)).rejects.toBeInstanceOf(RebuildAlreadyRunningError);
    await first;
    expect(store.servedGeneration(NAME)).toBe(1); // one switch, not two
    expect(served()).toEqual(Object.fromEntries(appended));
  });

  it('given a rebuild in progress, when it is abandoned, then the served copy is untouched and the new copy dropped', async () => {
    const before = served();
    const rebuild = projector.startRebuild(NAME);
    await projector.abandonRebuild(NAME);
    await expect(rebuild).rejects.toThrow();
    expect(store.servedGeneration(NAME)).toBe(0);
    expect(served()).toEqual(before);
    expect(store.listDocuments(`${NAME}#g1`)).toEqual([]);
    expect(store.checkpoint(`${NAME}#g1`)).toBeUndefined();

    // and a rebuild after it works
    await projector.startRebuild(NAME);
    expect(store.servedGeneration(NAME)).toBe(1);
    expect(served()).toEqual(before);
  });

  it('given a rebuild in progress, when the projector stops (the service ends), then the served copy is untouched', async () => {
    const before = served();
    const rebuild = projector.startRebuild(NAME);
    await projector.stop();
    await expect(rebuild).rejects.toThrow();
    expect(store.servedGeneration(NAME)).toBe(0);
    expect(served()).toEqual(before);
    expect(store.checkpoint(NAME)).toBe(await events.headPosition());
  });
});
