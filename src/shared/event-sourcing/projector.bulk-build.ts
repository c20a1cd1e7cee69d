import type { Projection } from '../../../projections/projection';
import type { SqliteReadModelStore } from '../../read-models/read-model.store';
import type { EventStorePort } from './event-store.port';
import { type ProjectorObserver, toProjectionEvent } from './projector.types';

/** Documents per transaction of a bulk build (~10 MB of current-list JSON). */
const BULK_CHUNK_DOCUMENTS = 1_000;

/** What a bulk build needs from the Projector running it. */
export interface BulkBuildContext {
  readonly eventStore: EventStorePort;
  readonly store: SqliteReadModelStore;
  /** every type some projection of the projector handles (the others are counted as unknown) */
  readonly knownTypes: ReadonlySet<string>;
  readonly isStopped: () => boolean;
  readonly notify: (call: (observer: ProjectorObserver) => void) => void;
  /** between chunks: let HTTP and the other projections in */
  readonly pause: () => Promise<unknown>;
}

/** A finished bulk build: the checkpoint it committed and what it wrote. */
export interface BulkBuildResult {
  readonly head: bigint;
  readonly documentIds: string[];
  readonly lastRecordedAt: number | undefined;
}

/**
 * A per-stream projection starting from zero (a new version, `npm run rebuild`) on a store that reads stream by
 * stream: each document is folded in memory from its whole stream and written once, instead of being read,
 * parsed, evolved and rewritten once per event in global order (events of 100k patients interleave, so a batch
 * touches as many documents as it has events). Documents go out in chunks WITHOUT a checkpoint; the last
 * transaction sets the checkpoint to the head the build started from, and the subscription continues there.
 * Interrupted, it leaves documents but no checkpoint: the next start builds again from initial documents, and
 * an ordinary catch-up over such documents would skip what they already hold (evolve skips replays).
 *
 * Returns undefined when it does not apply (not per-stream, a store without readStreamsByPrefix, an empty store)
 * or when stopped half-way.
 */
export const bulkBuild = async (
  projection: Projection<unknown>,
  handles: ReadonlySet<string>,
  context: BulkBuildContext,
): Promise<BulkBuildResult | undefined> => {
  const { eventStore, store, knownTypes, notify } = context;
  const read = eventStore.readStreamsByPrefix?.bind(eventStore);
  const head = await eventStore.headPosition();
  if (projection.perStream === undefined || read === undefined || head === undefined) {
    return undefined;
  }
  const built = new Set<string>();
  let chunk = new Map<string, unknown>();
  let stream = new Map<string, unknown>();
  let streamName: string | undefined;
  let events = 0;
  let lastRecordedAt: number | undefined;
  const finishStream = (): void => {
    for (const [id, document] of stream) {
      if (built.has(id)) {
        throw new Error(`${projection.name} declares perStream, but document ${id} gets events of two streams`);
      }
      built.add(id);
      chunk.set(id, document);
    }
    stream = new Map();
  };
  const writeChunk = async (): Promise<void> => {
    store.writeDocuments(projection.name, chunk);
    const count = events;
    notify((observer) => observer.onApplied(projection.name, count, 0));
    chunk = new Map();
    events = 0;
    await context.pause();
  };
  for await (const event of read(projection.perStream.streamPrefix, { toPosition: head })) {
    if (context.isStopped()) {
      return undefined; // no checkpoint yet: the next start builds again
    }
    if (event.streamName !== streamName) {
      finishStream();
      streamName = event.streamName;
      if (chunk.size >= BULK_CHUNK_DOCUMENTS) {
        await writeChunk();
      }
    }
    events += 1;
    if (!handles.has(event.type)) {
      if (!knownTypes.has(event.type) && !event.type.startsWith('$')) {
        notify((observer) => observer.onUnknownEvent(projection.name, event.type));
      }
      continue;
    }
    const recordedAt = Date.parse(event.metadata.recordedAt);
    lastRecordedAt = Number.isNaN(recordedAt) ? lastRecordedAt : Math.max(recordedAt, lastRecordedAt ?? recordedAt);
    const projectionEvent = toProjectionEvent(event);
    for (const id of projection.documentIds(projectionEvent)) {
      stream.set(id, projection.evolve(stream.get(id) ?? projection.initialDocument(id), projectionEvent));
    }
  }
  finishStream();
  if (context.isStopped()) {
    return undefined;
  }
  // the last chunk and the checkpoint in one transaction: the build counts as done only when both are on disk
  store.applyBatch(projection.name, chunk, head);
  const count = events;
  notify((observer) => observer.onApplied(projection.name, count, 0));
  return { head, documentIds: [...built], lastRecordedAt };
};
