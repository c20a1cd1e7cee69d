import { Subject } from 'rxjs';
import type { Observable } from 'rxjs';
import type { Projection } from '../../../projections/projection';
import type { SqliteReadModelStore } from '../../read-models/read-model.store';
import type { Clock } from '../clock';
import { systemClock } from '../clock';
import type { EventStorePort, EventSubscription, RecordedEvent } from './event-store.port';
import {
  PositionWaiters,
  ProjectionNotCaughtUpError,
  backoffDelay,
  findProjection,
  toProjectionEvent,
  type ProjectionChange,
  type ProjectionStatus,
  type ProjectorObserver,
} from './projector.types';

export {
  ProjectionNotCaughtUpError,
  UnknownProjectionError,
  backoffDelay,
  eraseDocumentType,
  findProjection,
  parseProjectionName,
  toProjectionEvent,
} from './projector.types';
export type { ProjectionChange, ProjectionStatus, ProjectorObserver } from './projector.types';

/** Injection token of the Projector. */
export const PROJECTOR = Symbol('PROJECTOR');

/** What a projector runs on. `knownEventTypes` defaults to the union of every projection's `handles`. */
export interface ProjectorOptions {
  readonly eventStore: EventStorePort;
  readonly store: SqliteReadModelStore;
  readonly projections: readonly Projection<unknown>[];
  readonly observer?: ProjectorObserver;
  readonly clock?: Clock;
  readonly batchSize?: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  readonly knownEventTypes?: Iterable<string>;
}

interface Runner {
  readonly projection: Projection<unknown>;
  readonly handles: ReadonlySet<string>;
  checkpoint: bigint | undefined;
  lastRecordedAt: number | undefined;
  subscription: EventSubscription | undefined;
  running: boolean;
  live: boolean;
  loop: Promise<void> | undefined;
}

/** Documents per transaction of a bulk build (~10 MB of current-list JSON). */
const BULK_CHUNK_DOCUMENTS = 1_000;

const WOULD_WAIT = Symbol('WOULD_WAIT');
const STOPPED = Symbol('STOPPED');
/** Settles after pending I/O callbacks: whatever the iterator can hand over without waiting arrives before it. */
const endOfTurn = (): Promise<typeof WOULD_WAIT> => new Promise((resolve) => setImmediate(() => resolve(WOULD_WAIT)));

/**
 * Keeps read models up to date: one catch-up subscription per projection from its stored checkpoint. Events
 * already available are applied in batches; each batch's documents and checkpoint commit in one transaction
 * (SqliteReadModelStore.applyBatch), so after any crash the projector resumes exactly after the last commit.
 */
export class Projector {
  private readonly runners = new Map<string, Runner>();
  private readonly waiters = new PositionWaiters();
  private readonly changeSubject = new Subject<ProjectionChange>();
  private readonly knownTypes: ReadonlySet<string>;
  private readonly clock: Clock;
  private readonly batchSize: number;
  private readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  private stopped = false;
  /** One listener per wait in progress, removed when the wait ends (racing one long-lived promise would leak). */
  private readonly stopListeners = new Set<() => void>();

  /** Committed changes, in commit order per projection (GraphQL subscriptions, read-your-writes). */
  readonly changes: Observable<ProjectionChange> = this.changeSubject.asObservable();

  constructor(private readonly options: ProjectorOptions) {
    this.clock = options.clock ?? systemClock;
    this.batchSize = options.batchSize ?? 500;
    this.backoff = options.backoff ?? { initialMs: 100, maxMs: 5_000 };
    this.knownTypes = new Set(options.knownEventTypes ?? options.projections.flatMap((p) => p.handles));
    for (const projection of options.projections) {
      if (this.runners.has(projection.name)) {
        throw new Error(`Projection ${projection.name} registered twice`);
      }
      this.runners.set(projection.name, {
        projection,
        handles: new Set(projection.handles),
        checkpoint: undefined,
        lastRecordedAt: undefined,
        subscription: undefined,
        running: false,
        live: false,
        loop: undefined,
      });
    }
  }

  /** Starts every projection's loop; returns at once (the loops run until stop()). */
  start(): void {
    for (const runner of this.runners.values()) {
      this.options.store.register(runner.projection.name);
      runner.checkpoint = this.options.store.checkpoint(runner.projection.name);
      runner.loop ??= this.run(runner);
    }
  }

  /** Closes the subscriptions, waits for the loops to end (no batch is cut mid-commit) and fails pending waits. */
  async stop(): Promise<void> {
    this.stopped = true;
    [...this.stopListeners].forEach((listener) => listener());
    const runners = [...this.runners.values()];
    await Promise.allSettled(runners.map(async (runner) => runner.subscription?.close()));
    await Promise.allSettled(runners.map(async (runner) => runner.loop));
    this.waiters.rejectAll((name) => this.runners.get(name)?.checkpoint);
    this.changeSubject.complete();
  }

  /** The full versioned name for `name` or its base (`currentMedicationList` → `currentMedicationList.v1`). */
  resolveName(name: string): string {
    return findProjection(this.options.projections, name).name;
  }

  /** Resolves once the projection's checkpoint is ≥ position; rejects with ProjectionNotCaughtUpError after timeoutMs. */
  waitForPosition(projection: string, position: bigint, timeoutMs: number): Promise<void> {
    const name = this.resolveName(projection);
    const checkpoint = this.runners.get(name)?.checkpoint ?? this.options.store.checkpoint(name);
    if (checkpoint !== undefined && checkpoint >= position) {
      return Promise.resolve();
    }
    if (this.stopped) {
      return Promise.reject(new ProjectionNotCaughtUpError(name, position, checkpoint));
    }
    return this.waiters.wait(name, position, timeoutMs, () => this.runners.get(name)?.checkpoint);
  }

  /** Per projection: checkpoint, event-store head, lag, and whether its subscription is up. */
  async status(): Promise<Record<string, ProjectionStatus>> {
    const head = await this.options.eventStore.headPosition();
    const now = this.clock.now().getTime();
    const result: Record<string, ProjectionStatus> = {};
    for (const [name, runner] of this.runners) {
      const checkpoint = runner.checkpoint ?? this.options.store.checkpoint(name);
      const behind = head === undefined ? 0n : head - (checkpoint ?? 0n);
      const caughtUp = behind <= 0n;
      result[name] = {
        checkpoint,
        head,
        lagEvents: caughtUp ? 0 : Number(behind),
        lagSeconds: caughtUp ? 0 : runner.lastRecordedAt === undefined ? null : secondsSince(runner.lastRecordedAt, now),
        running: runner.running,
      };
    }
    return result;
  }

  /** Subscribe, consume, and on any error resubscribe from the STORED checkpoint after an exponential backoff. */
  private async run(runner: Runner): Promise<void> {
    const name = runner.projection.name;
    let attempt = 0;
    while (!this.stopped) {
      try {
        // The committed checkpoint is the truth: whatever was in flight when the error struck is re-read.
        runner.checkpoint = this.options.store.checkpoint(name);
        if (runner.checkpoint === undefined) {
          await this.bulkBuild(runner);
        }
        runner.subscription = this.options.eventStore.subscribeToAll({ fromPosition: runner.checkpoint });
        runner.running = true;
        await this.consume(runner, runner.subscription, () => {
          attempt = 0;
        });
        if (!this.stopped) {
          throw new Error(`Subscription of ${name} ended unexpectedly`);
        }
      } catch (error) {
        if (!this.stopped) {
          this.notify((observer) => observer.onError(name, error));
        }
      } finally {
        runner.running = false;
        await runner.subscription?.close().catch(() => undefined);
        runner.subscription = undefined;
      }
      if (!this.stopped) {
        const delay = backoffDelay(attempt, this.backoff);
        attempt += 1;
        let timer: NodeJS.Timeout | undefined;
        await this.untilStopped(new Promise((resolve) => (timer = setTimeout(resolve, delay))));
        clearTimeout(timer);
      }
    }
  }

  /**
   * Takes events while the iterator hands them over without waiting (until the end of the current turn of the
   * event loop, or batchSize), then commits them as one batch. When it would wait, the projection is caught up.
   */
  private async consume(runner: Runner, subscription: EventSubscription, onCommitted: () => void): Promise<void> {
    const iterator = subscription[Symbol.asyncIterator]();
    const batch: RecordedEvent[] = [];
    let turn = endOfTurn();
    while (!this.stopped) {
      const next = iterator.next();
      next.catch(() => undefined); // if we abandon it (stop, apply error), its later rejection is not unhandled
      let result = await Promise.race([next, turn]);
      if (result === WOULD_WAIT) {
        if (batch.length > 0) {
          this.applyBatch(runner, batch.splice(0));
          onCommitted();
        }
        await this.markLiveOnce(runner);
        const idle = await this.untilStopped(next);
        if (idle === STOPPED) {
          return;
        }
        result = idle;
        turn = endOfTurn();
      }
      if (result.done === true) {
        if (batch.length > 0) {
          this.applyBatch(runner, batch.splice(0));
        }
        return;
      }
      batch.push(result.value);
      if (batch.length >= this.batchSize) {
        this.applyBatch(runner, batch.splice(0));
        onCommitted();
        await endOfTurn(); // during a long catch-up, let HTTP and other projections in between batches
        turn = endOfTurn();
      }
    }
    // stopped: uncommitted events are dropped; they are re-read from the checkpoint next time
  }

  /**
   * Folds a batch into the affected documents and commits them with the checkpoint of its LAST event, skipped
   * ones included (a batch of unhandled events still moves the checkpoint). Synchronous from first read to
   * commit, so nothing else interleaves. Notifications go out only after the commit.
   */
  private applyBatch(runner: Runner, events: readonly RecordedEvent[]): void {
    const { projection, handles } = runner;
    const documents = new Map<string, unknown>();
    const unknownTypes: string[] = [];
    let lastRecordedAt: number | undefined;
    for (const event of events) {
      const recordedAt = Date.parse(event.metadata.recordedAt);
      lastRecordedAt = Number.isNaN(recordedAt) ? lastRecordedAt : recordedAt;
      if (!handles.has(event.type)) {
        // `$`-prefixed system events are not the domain's: neither applied nor counted
        if (!this.knownTypes.has(event.type) && !event.type.startsWith('$')) {
          unknownTypes.push(event.type);
        }
        continue;
      }
      const projectionEvent = toProjectionEvent(event);
      for (const id of projection.documentIds(projectionEvent)) {
        const current =
          documents.get(id) ?? this.options.store.getDocument(projection.name, id) ?? projection.initialDocument(id);
        documents.set(id, projection.evolve(current, projectionEvent));
      }
    }
    const position = events[events.length - 1].position;
    this.options.store.applyBatch(projection.name, documents, position);

    runner.checkpoint = position;
    runner.lastRecordedAt = lastRecordedAt ?? runner.lastRecordedAt;
    const now = this.clock.now().getTime();
    const lag = runner.lastRecordedAt === undefined ? 0 : secondsSince(runner.lastRecordedAt, now);
    this.notify((observer) => observer.onApplied(projection.name, events.length, lag));
    for (const type of unknownTypes) {
      this.notify((observer) => observer.onUnknownEvent(projection.name, type));
    }
    this.changeSubject.next({ projection: projection.name, documentIds: [...documents.keys()], position });
    this.waiters.release(projection.name, position);
  }

  /**
   * A per-stream projection starting from zero (a new version, `npm run rebuild`) on a store that reads stream by
   * stream: each document is folded in memory from its whole stream and written once, instead of being read,
   * parsed, evolved and rewritten once per event in global order (events of 100k patients interleave, so a batch
   * touches as many documents as it has events). Documents go out in chunks WITHOUT a checkpoint; the last
   * transaction sets the checkpoint to the head the build started from, and the subscription continues there.
   * Interrupted, it leaves documents but no checkpoint: the next start builds again from initial documents, and
   * an ordinary catch-up over such documents would skip what they already hold (evolve skips replays).
   */
  private async bulkBuild(runner: Runner): Promise<void> {
    const { projection, handles } = runner;
    const read = this.options.eventStore.readStreamsByPrefix?.bind(this.options.eventStore);
    const head = await this.options.eventStore.headPosition();
    if (projection.perStream === undefined || read === undefined || head === undefined) {
      return;
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
      this.options.store.writeDocuments(projection.name, chunk);
      this.notify((observer) => observer.onApplied(projection.name, events, 0));
      chunk = new Map();
      events = 0;
      await endOfTurn(); // let HTTP and the other projections in between chunks
    };
    for await (const event of read(projection.perStream.streamPrefix, { toPosition: head })) {
      if (this.stopped) {
        return; // no checkpoint yet: the next start builds again
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
        if (!this.knownTypes.has(event.type) && !event.type.startsWith('$')) {
          this.notify((observer) => observer.onUnknownEvent(projection.name, event.type));
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
    if (this.stopped) {
      return;
    }
    // the last chunk and the checkpoint in one transaction: the build counts as done only when both are on disk
    this.options.store.applyBatch(projection.name, chunk, head);
    this.notify((observer) => observer.onApplied(projection.name, events, 0));
    runner.checkpoint = head;
    runner.lastRecordedAt = lastRecordedAt ?? runner.lastRecordedAt;
    this.changeSubject.next({ projection: projection.name, documentIds: [...built], position: head });
    this.waiters.release(projection.name, head);
  }

  /** First time the projection reaches the head: mark it live and drop older versions' documents (see store). */
  private async markLiveOnce(runner: Runner): Promise<void> {
    if (runner.live) {
      return;
    }
    const head = await this.options.eventStore.headPosition();
    if (head === undefined || (runner.checkpoint !== undefined && runner.checkpoint >= head)) {
      runner.live = true;
      this.options.store.markLive(runner.projection.name);
    }
  }

  private untilStopped<T>(promise: Promise<T>): Promise<T | typeof STOPPED> {
    if (this.stopped) {
      return Promise.resolve(STOPPED);
    }
    let listener: () => void = () => undefined;
    const stopped = new Promise<typeof STOPPED>((resolve) => {
      listener = () => resolve(STOPPED);
      this.stopListeners.add(listener);
    });
    return Promise.race([promise, stopped]).finally(() => this.stopListeners.delete(listener));
  }

  private notify(call: (observer: ProjectorObserver) => void): void {
    if (this.options.observer) {
      try {
        call(this.options.observer);
      } catch {
        // an observer (metrics) must never stop the projection
      }
    }
  }
}

const secondsSince = (epochMs: number, nowMs: number): number => Math.max(0, (nowMs - epochMs) / 1000);
