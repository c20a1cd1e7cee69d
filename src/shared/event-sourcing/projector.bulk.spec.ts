import type { Projection } from '../../../projections/projection';
import { SqliteReadModelStore } from '../../read-models/read-model.store';
import type { EventStorePort } from './event-store.port';
import { InMemoryEventStore } from './in-memory.event-store';
import { countedEvent } from './projector.spec-helpers';
import { Projector, eraseDocumentType } from './projector';
import type { ProjectionChange } from './projector';
import { SqliteEventStore } from './sqlite.event-store';

/*
 * A per-stream projection built from zero stream by stream (Projector.bulkBuild), on the real in-memory and
 * SQLite stores. The test projection lists every position it was given WITHOUT skipping replays, so a double
 * apply, a gap or a wrong order shows in the documents.
 */

interface Positions {
  readonly positions: readonly string[];
}

const PREFIX = 'list-';

const positionsProjection = (perStream: boolean, name = 'positions.v1'): Projection<Positions> => ({
  name,
  handles: ['Counted'],
  documentIds: (event) => (event.streamName.startsWith(PREFIX) ? [event.streamName.slice(PREFIX.length)] : []),
  initialDocument: () => ({ positions: [] }),
  evolve: (document, event) => ({ positions: [...document.positions, event.position] }),
  ...(perStream ? { perStream: { streamPrefix: PREFIX } } : {}),
});

const event = countedEvent;

/** `streams` streams, interleaved as patients are in the log, plus events the projection must ignore. */
const interleave = async (events: EventStorePort, streams: number, rounds: number): Promise<void> => {
  for (let round = 0; round < rounds; round += 1) {
    for (let stream = 0; stream < streams; stream += 1) {
      await events.appendToStream(`${PREFIX}${stream}`, [event()], { expectedRevision: 'any' });
    }
    await events.appendToStream('other-1', [event()], { expectedRevision: 'any' });
    await events.appendToStream(`${PREFIX}0`, [event('NotHandled')], { expectedRevision: 'any' });
  }
};

const documents = (store: SqliteReadModelStore, name: string): Record<string, readonly string[]> =>
  Object.fromEntries(store.listDocuments<Positions>(name).map(({ id, document }) => [id, document.positions]));

describe.each([
  ['in memory', (): EventStorePort => new InMemoryEventStore()],
  ['SQLite', (): EventStorePort => new SqliteEventStore({ filename: ':memory:', synchronous: 'NORMAL' })],
])('Projector: a per-stream projection from zero on the %s store', (_name, createEventStore) => {
  let events: EventStorePort;
  let store: SqliteReadModelStore;
  const projectors: Projector[] = [];

  const projectorFor = (projection: Projection<Positions>, onError?: (error: unknown) => void): Projector => {
    const projector = new Projector({
      eventStore: events,
      store,
      projections: [eraseDocumentType(projection)],
      observer: {
        onApplied: () => undefined,
        onUnknownEvent: () => undefined,
        onError: (_p, error) => onError?.(error),
      },
      backoff: { initialMs: 1, maxMs: 4 },
    });
    projectors.push(projector);
    return projector;
  };

  /** The reference: the same projection folded in global order by the ordinary path, into its own store. */
  const globalOrderFold = async (): Promise<Record<string, readonly string[]>> => {
    const reference = new SqliteReadModelStore({ file: ':memory:' });
    const projector = new Projector({
      eventStore: events,
      store: reference,
      projections: [eraseDocumentType(positionsProjection(false))],
    });
    projector.start();
    const head = await events.headPosition();
    await projector.waitForPosition('positions.v1', head ?? 0n, 5000);
    await projector.stop();
    const folded = documents(reference, 'positions.v1');
    reference.close();
    return folded;
  };

  beforeEach(() => {
    events = createEventStore();
    store = new SqliteReadModelStore({ file: ':memory:' });
  });
  afterEach(async () => {
    await Promise.all(projectors.splice(0).map((projector) => projector.stop()));
    store.close();
    await events.close();
  });

  it('builds every document once from its whole stream: the same documents as the global-order fold', async () => {
    await interleave(events, 1_200, 3);
    const head = await events.headPosition();
    const written: number[] = [];
    const writeDocuments = store.writeDocuments.bind(store);
    jest.spyOn(store, 'writeDocuments').mockImplementation((name, docs) => {
      written.push(docs.size);
      writeDocuments(name, docs);
    });
    const changes: ProjectionChange[] = [];
    const projector = projectorFor(positionsProjection(true));
    projector.changes.subscribe((change) => changes.push(change));

    projector.start();
    await projector.waitForPosition('positions.v1', head ?? 0n, 5000);

    expect(documents(store, 'positions.v1')).toEqual(await globalOrderFold());
    expect(Object.keys(documents(store, 'positions.v1'))).toHaveLength(1_200);
    expect(written).toEqual([1_000]); // one chunk without checkpoint; the last 200 commit with the checkpoint
    expect(store.checkpoint('positions.v1')).toBe(head);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ projection: 'positions.v1', position: head });
    expect(changes[0]!.documentIds).toHaveLength(1_200);
  });

  it('continues with the ordinary subscription from the head it built to', async () => {
    await interleave(events, 3, 2);
    const projector = projectorFor(positionsProjection(true));
    projector.start();
    await projector.waitForPosition('positions.v1', (await events.headPosition()) ?? 0n, 5000);

    const live = await events.appendToStream(`${PREFIX}1`, [event()], { expectedRevision: 'any' });
    await projector.waitForPosition('positions.v1', live.position, 5000);

    expect(documents(store, 'positions.v1')).toEqual(await globalOrderFold());
    expect(documents(store, 'positions.v1')['1']!.at(-1)).toBe(live.position.toString());
  });

  it('stopped half-way, it leaves no checkpoint, and the next start builds again without applying anything twice', async () => {
    await interleave(events, 2_500, 2);
    const head = (await events.headPosition()) ?? 0n;
    const first = projectorFor(positionsProjection(true));
    let stopping: Promise<void> | undefined;
    const writeDocuments = store.writeDocuments.bind(store);
    jest.spyOn(store, 'writeDocuments').mockImplementation((name, docs) => {
      writeDocuments(name, docs);
      stopping ??= first.stop(); // stop after the first chunk is on disk
    });
    first.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await stopping;
    expect(store.listDocuments('positions.v1')).toHaveLength(1_000);
    expect(store.checkpoint('positions.v1')).toBeUndefined();

    jest.restoreAllMocks();
    const second = projectorFor(positionsProjection(true));
    second.start();
    await second.waitForPosition('positions.v1', head, 5000);
    expect(documents(store, 'positions.v1')).toEqual(await globalOrderFold());
  });

  it('fails, without a checkpoint, when a projection that declares perStream feeds one document from two streams', async () => {
    await interleave(events, 3, 1);
    const broken: Projection<Positions> = { ...positionsProjection(true), documentIds: () => ['same'] };
    const errors: string[] = [];
    const projector = projectorFor(broken, (error) =>
      errors.push(error instanceof Error ? error.message : String(error)),
    );
    projector.start();
    while (errors.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(errors[0]).toContain('gets events of two streams');
    expect(store.checkpoint('positions.v1')).toBeUndefined();
  });
});
