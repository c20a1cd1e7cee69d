import { Subject } from 'rxjs';
import type { Observable } from 'rxjs';
import type { Projection } from '../../../projections/projection';
import type { SqliteReadModelStore } from '../../read-models/read-model.store';
import type { Clock } from '../clock';
import { systemClock } from '../clock';
import { DomainError } from '../errors/domain-error';
import type { EventStorePort, EventSubscription, RecordedEvent } from './event-store.port';
import { bulkBuild } from './projector.bulk-build';
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
  /** how long a checkpoint that moved only in memory may wait before it is written (default 1 s) */
  readonly checkpointDelayMs?: number;
}

interface Runner {
  /** the code it runs (under the served name: the previous version's code while adopted) */
  projection: Projection<unknown>;
  handles: ReadonlySet<string>;
  /** blue/green of a version: serving the previous version's copy with its code while this version is built */
  adoption?: { readonly previous: string; readonly projection: Projection<unknown> };
  /** the position applied so far; may be ahead of the stored one by events that changed no document */
  checkpoint: bigint | undefined;
  persistedCheckpoint: bigint | undefined;
  unpersistedEvents: number;
  flushTimer: NodeJS.Timeout | undefined;
  lastRecordedAt: number | undefined;
  subscription: EventSubscription | undefined;
  running: boolean;
  live: boolean;
  /** waiting for an event with every event taken applied (a server checkpoint may then move the checkpoint) */
  idle: boolean;
  loop: Promise<void> | undefined;
  /** an online rebuild's new copy: the projection it will replace, the copy's number, and how it ends */
  rebuild?: RebuildRun;
  /** ended by switchCopy/abandonRebuild: the loop stops, the projector goes on */
  retired: boolean;
  /** the documents the last batch changed (the switch notifies them: see switchCopy) */
  lastDocumentIds: readonly string[];
}

interface RebuildRun {
  readonly name: string;
  readonly generation: number;
  readonly switched: () => void;
}

/** An online rebuild of this projection is already in progress in this process. */
export class RebuildAlreadyRunningError extends DomainError {
  readonly code = 'REBUILD_ALREADY_RUNNING';
  readonly kind = 'conflict' as const;
  constructor(projection: string) {
    super(`A rebuild of ${projection} is already running`, { projection });
  }
}

/** A checkpoint that moved only in memory (batches that changed no document) is written at most this much later… */
const CHECKPOINT_DELAY_MS = 1_000;
/** …or once this many events went by without a write, so a restart never re-reads much. */
const MAX_UNPERSISTED_EVENTS = 5_000;

/** Documents of an unserved copy deleted per transaction (about 10 MB of current lists). */
const DROP_CHUNK_DOCUMENTS = 1_000;

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
  private readonly checkpointDelayMs: number;
  private readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  private stopped = false;
  /** whether the store's subscriptions report progress (EventStoreDB); unknown before the first subscription */
  private subscriptionsReportProgress: boolean | undefined;
  /** Online rebuilds in progress: the new copy's runner, by the name of the projection it will replace. */
  private readonly rebuilds = new Map<string, Runner>();
  /** One listener per wait in progress, removed when the wait ends (racing one long-lived promise would leak). */
  private readonly stopListeners = new Set<() => void>();

  /** Committed changes, in commit order per projection (GraphQL subscriptions, read-your-writes). */
  readonly changes: Observable<ProjectionChange> = this.changeSubject.asObservable();

  constructor(private readonly options: ProjectorOptions) {
    this.clock = options.clock ?? systemClock;
    this.batchSize = options.batchSize ?? 500;
    this.checkpointDelayMs = options.checkpointDelayMs ?? CHECKPOINT_DELAY_MS;
    this.backoff = options.backoff ?? { initialMs: 100, maxMs: 5_000 };
    this.knownTypes = new Set(
      options.knownEventTypes ?? options.projections.flatMap((p) => [...p.handles, ...(p.previous?.handles ?? [])]),
    );
    for (const projection of options.projections) {
      if (this.runners.has(projection.name)) {
        throw new Error(`Projection ${projection.name} registered twice`);
      }
      this.runners.set(projection.name, newRunner(projection));
    }
  }

  /** Starts every projection's loop; returns at once (the loops run until stop()). */
  start(): void {
    for (const runner of this.runners.values()) {
      if (runner.loop !== undefined) {
        continue;
      }
      const adopting = this.adoptPrevious(runner);
      this.options.store.register(runner.projection.name);
      runner.checkpoint = this.options.store.checkpoint(runner.projection.name);
      runner.persistedCheckpoint = runner.checkpoint;
      runner.loop = this.run(runner);
      if (adopting) {
        this.startRebuild(runner.projection.name).catch((error: unknown) => {
          if (!this.stopped) {
            this.notify((observer) => observer.onError(runner.projection.name, error));
          }
        });
      }
    }
  }

  /**
   * Blue/green of a new version (Projection.previous): a version never live in this file whose previous version
   * is live serves the previous version's copy, projected with the previous code, under its own name, and is
   * built beside it as an online rebuild (startRebuild) that switches once caught up. Readers, read-your-writes
   * and subscriptions see the previous version's documents until the switch, never an empty or partial list.
   */
  private adoptPrevious(runner: Runner): boolean {
    const { projection } = runner;
    const previous = projection.previous;
    const store = this.options.store;
    if (previous === undefined || store.status(projection.name) === 'live' || store.status(previous.name) !== 'live') {
      return false;
    }
    store.adopt(projection.name, previous.name);
    runner.adoption = { previous: previous.name, projection };
    runner.projection = { ...previous, name: projection.name };
    runner.handles = new Set(previous.handles);
    return true;
  }

  /** Closes the subscriptions, waits for the loops to end (no batch is cut mid-commit) and fails pending waits. */
  async stop(): Promise<void> {
    this.stopped = true;
    [...this.stopListeners].forEach((listener) => listener());
    const runners = [...this.runners.values(), ...this.rebuilds.values()];
    await Promise.allSettled(runners.map(async (runner) => runner.subscription?.close()));
    await Promise.allSettled(runners.map(async (runner) => runner.loop));
    runners.forEach((runner) => {
      this.flushCheckpoint(runner);
    });
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

  /**
   * Per projection: checkpoint, lag in events and seconds, and whether its subscription is up. Lag in events comes
   * from the subscription's own progress where the store reports it (EventStoreDB: no read at all; its positions
   * are byte offsets, not event counts), else from one head read for all projections (SQLite, in memory: there
   * positions count events).
   */
  async status(): Promise<Record<string, ProjectionStatus>> {
    // the served projections, and the copies online rebuilds are building (under their own keys)
    const runners = [...this.runners.values(), ...this.rebuilds.values()].map(
      (runner) => [runner.projection.name, runner] as const,
    );
    // Once the store's subscriptions are known to report progress, never read the head: not while a projection
    // is between subscriptions either (it is not running then, so not ready whatever the head is), which on
    // EventStoreDB would be backward reads on every /ready exactly when the server is in trouble.
    const needsHead = this.subscriptionsReportProgress !== true;
    const head = needsHead ? await this.options.eventStore.headPosition() : undefined;
    const now = this.clock.now().getTime();
    const result: Record<string, ProjectionStatus> = {};
    for (const [name, runner] of runners) {
      const checkpoint = runner.checkpoint ?? this.options.store.checkpoint(name);
      const progress = runner.subscription?.progress?.();
      const behind =
        progress !== undefined ? BigInt(progress.pendingEvents) : head === undefined ? 0n : head - (checkpoint ?? 0n);
      const caughtUp = progress !== undefined ? progress.caughtUp : needsHead && behind <= 0n;
      result[name] = {
        checkpoint,
        head,
        lagEvents: caughtUp ? 0 : Number(behind),
        lagSeconds: caughtUp
          ? 0
          : runner.lastRecordedAt === undefined
            ? null
            : secondsSince(runner.lastRecordedAt, now),
        running: runner.running,
      };
    }
    return result;
  }

  /**
   * Online rebuild (issue 23): builds a new copy of projection `name` from zero beside the served one, in this
   * process, as an ordinary projection under the copy's own key that readers never see. The served copy goes on
   * being projected and served meanwhile. Once the new copy has caught up with it (see switchIfCaughtUp), the
   * store switches copies in one transaction and the promise resolves. Rejects with RebuildAlreadyRunningError
   * (changing nothing) when one is in progress; rejects with ProjectionNotCaughtUpError if abandoned or stopped.
   */
  startRebuild(name: string): Promise<void> {
    const served = this.runners.get(this.resolveName(name));
    if (served === undefined || this.stopped) {
      return Promise.reject(new ProjectionNotCaughtUpError(name, 0n, undefined));
    }
    const projectionName = served.projection.name;
    if (this.rebuilds.has(projectionName)) {
      return Promise.reject(new RebuildAlreadyRunningError(projectionName));
    }
    const { generation, key } = this.options.store.prepareGeneration(projectionName);
    return new Promise<void>((resolve, reject) => {
      // the new copy runs this version's code (while a version is adopted, the served runner runs the previous one's)
      const runner = newRunner({ ...(served.adoption?.projection ?? served.projection), name: key });
      runner.rebuild = { name: projectionName, generation, switched: resolve };
      runner.loop = this.run(runner).then(() => {
        if (this.rebuilds.get(projectionName) === runner) {
          this.rebuilds.delete(projectionName);
        }
        if (!runner.live) {
          reject(new ProjectionNotCaughtUpError(key, 0n, runner.checkpoint));
        }
      });
      this.rebuilds.set(projectionName, runner);
    });
  }

  /** Ends an online rebuild before its switch (its CLI went away): the new copy is dropped, the served one untouched. */
  async abandonRebuild(name: string): Promise<void> {
    const runner = this.rebuilds.get(this.resolveName(name));
    if (runner === undefined) {
      return;
    }
    runner.retired = true;
    await runner.subscription?.close().catch(() => undefined);
    await runner.loop;
    await this.dropCopy(runner.projection.name);
  }

  /** Deletes a copy nobody reads in chunks, letting reads and commits in between (see store.switchGeneration). */
  private async dropCopy(key: string): Promise<void> {
    while (this.options.store.dropDocuments(key, DROP_CHUNK_DOCUMENTS) > 0) {
      await endOfTurn();
    }
  }

  /**
   * Called whenever the checkpoint of a new copy or of the served one moves (a commit, a bulk build, a server
   * checkpoint past a filtered stretch: checkpointMoved) and when the new copy is idle: once its checkpoint is at or
   * past the served copy's, the store switches copies in one transaction. Synchronous from check to switch, so the
   * served runner cannot commit in between. The served runner then goes on from the new copy's checkpoint (its
   * subscription's events up to there are skipped in applyBatch); everything between the two checkpoints lies in
   * the new copy's last batch, whose documents are notified as changed, so subscriptions miss nothing (a stretch a
   * server checkpoint moved over holds no event either copy takes, so it adds no document).
   */
  private switchIfCaughtUp(runner: Runner, idle: boolean): void {
    const rebuild = runner.rebuild;
    const served = rebuild === undefined ? undefined : this.runners.get(rebuild.name);
    if (rebuild === undefined || served === undefined || runner.retired) {
      return;
    }
    const built = runner.checkpoint;
    // The served copy without a checkpoint is empty only if the new one is too (an empty store, seen when idle);
    // otherwise it is being built itself (a start from zero), and its build would write into the switched copy.
    const behind =
      served.checkpoint === undefined ? built !== undefined || !idle : built === undefined || built < served.checkpoint;
    if (behind) {
      return;
    }
    this.flushCheckpoint(runner);
    if (runner.persistedCheckpoint !== built) {
      return; // the flush failed (reported): the next commit tries again
    }
    const old = this.options.store.switchGeneration(rebuild.name, rebuild.generation);
    if (served.adoption !== undefined) {
      // a new version: from now on the served runner projects with this version's code, the previous is retired
      this.options.store.endAdoption(rebuild.name, served.adoption.previous);
      served.projection = served.adoption.projection;
      served.handles = new Set(served.projection.handles);
      served.adoption = undefined;
      served.live = true;
    }
    this.persisted(served, built);
    served.checkpoint = built;
    runner.live = true;
    runner.retired = true;
    this.rebuilds.delete(rebuild.name);
    void runner.subscription?.close().catch(() => undefined);
    if (built !== undefined) {
      this.changeSubject.next({ projection: rebuild.name, documentIds: runner.lastDocumentIds, position: built });
      this.waiters.release(rebuild.name, built);
    }
    void this.dropCopy(old).then(rebuild.switched, rebuild.switched);
  }

  /** Subscribe, consume, and on any error resubscribe from the STORED checkpoint after an exponential backoff. */
  private async run(runner: Runner): Promise<void> {
    const name = runner.projection.name;
    let attempt = 0;
    while (!this.stopped && !runner.retired) {
      try {
        // The committed checkpoint is the truth: whatever was in flight when the error struck is re-read.
        runner.checkpoint = this.options.store.checkpoint(name);
        this.persisted(runner, runner.checkpoint);
        if (runner.checkpoint === undefined) {
          await this.bulkBuild(runner);
        }
        const subscription = this.options.eventStore.subscribeToAll({ fromPosition: runner.checkpoint });
        runner.subscription = subscription;
        this.subscriptionsReportProgress ??= subscription.progress !== undefined;
        subscription.onScanned?.(() => {
          if (runner.idle) {
            this.moveToScanned(runner, subscription);
          }
        });
        runner.running = true;
        await this.consume(runner, runner.subscription, () => {
          attempt = 0;
        });
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() or a switch may set them during the await
        if (!this.stopped && !runner.retired) {
          throw new Error(`Subscription of ${name} ended unexpectedly`);
        }
      } catch (error) {
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() or a switch may set them during the await
        if (!this.stopped && !runner.retired) {
          this.notify((observer) => observer.onError(name, error));
        }
      } finally {
        runner.running = false;
        runner.idle = false;
        await runner.subscription?.close().catch(() => undefined);
        runner.subscription = undefined;
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() or a switch may set them during the awaits
      if (!this.stopped && !runner.retired) {
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
    while (!this.stopped && !runner.retired) {
      const next = iterator.next();
      next.catch(() => undefined); // if we abandon it (stop, apply error), its later rejection is not unhandled
      let result = await Promise.race([next, turn]);
      if (result === WOULD_WAIT) {
        if (batch.length > 0) {
          this.applyBatch(runner, batch.splice(0));
          onCommitted();
        }
        this.moveToScanned(runner, subscription);
        await this.markLiveOnce(runner);
        if (runner.rebuild !== undefined) {
          this.switchIfCaughtUp(runner, true);
        }
        runner.idle = true;
        const idle = await this.untilStopped(next);
        runner.idle = false;
        if (idle === STOPPED) {
          return;
        }
        result = idle;
        turn = endOfTurn();
      }
      if (result.done === true) {
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a switch may retire the runner during the await
        if (batch.length > 0 && !runner.retired) {
          this.applyBatch(runner, batch.splice(0));
        }
        return;
      }
      batch.push(result.value);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a switch may retire the runner during the await
      if (batch.length >= this.batchSize && !runner.retired) {
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
  private applyBatch(runner: Runner, batch: readonly RecordedEvent[]): void {
    const { projection, handles } = runner;
    // After an online rebuild's switch the subscription may still hand over events the new copy already holds.
    const from = runner.checkpoint;
    const events = from === undefined ? batch : batch.filter((event) => event.position > from);
    const lastEvent = events.at(-1);
    if (lastEvent === undefined) {
      return;
    }
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
          documents.get(id) ??
          this.options.store.getDocumentForUpdate(projection.name, id) ??
          projection.initialDocument(id);
        documents.set(id, projection.evolve(current, projectionEvent));
      }
    }
    const position = lastEvent.position;
    runner.unpersistedEvents += events.length;
    const write = documents.size > 0 || runner.unpersistedEvents >= MAX_UNPERSISTED_EVENTS;
    if (write) {
      this.options.store.applyBatch(projection.name, documents, position);
      this.persisted(runner, position);
    } else {
      // Nothing changed: every document already is as of `position`. The checkpoint moves in memory (waits and
      // readiness see it) and reaches the disk with the next write, within CHECKPOINT_DELAY_MS, or on stop. A crash
      // before that re-reads events that change nothing. This spares a transaction (and a WAL page) per event for
      // every projection the event does not concern, which is most of them in live operation.
      runner.flushTimer ??= setTimeout(() => this.flushCheckpoint(runner), this.checkpointDelayMs).unref();
    }

    runner.checkpoint = position;
    runner.lastRecordedAt = lastRecordedAt ?? runner.lastRecordedAt;
    const now = this.clock.now().getTime();
    const lag = runner.lastRecordedAt === undefined ? 0 : secondsSince(runner.lastRecordedAt, now);
    this.notify((observer) => observer.onApplied(projection.name, events.length, lag));
    for (const type of unknownTypes) {
      this.notify((observer) => observer.onUnknownEvent(projection.name, type));
    }
    runner.lastDocumentIds = [...documents.keys()];
    if (write && runner.rebuild === undefined) {
      this.changeSubject.next({ projection: projection.name, documentIds: runner.lastDocumentIds, position });
    }
    this.checkpointMoved(runner, position, false);
  }

  /**
   * The runner's checkpoint moved to `position` (a batch, a bulk build, a server checkpoint): the waits it reached
   * end, and an online rebuild may switch now, this runner's new copy or, when it is one, this runner itself.
   * `idle`: every event the runner took is applied and it waits for the next (see switchIfCaughtUp).
   */
  private checkpointMoved(runner: Runner, position: bigint, idle: boolean): void {
    if (runner.rebuild !== undefined) {
      this.switchIfCaughtUp(runner, idle);
      return;
    }
    this.waiters.release(runner.projection.name, position);
    this.switchRebuildOf(runner.projection.name);
  }

  /** The served copy moved: a new copy waiting at or past it (nothing new to apply) can switch now. */
  private switchRebuildOf(name: string): void {
    const rebuild = this.rebuilds.get(name);
    if (rebuild !== undefined) {
      this.switchIfCaughtUp(rebuild, false);
    }
  }

  /**
   * Past a stretch the store filtered out on the server (EventStoreDB: the audit streams), the checkpoint moves to
   * the server's checkpoint once every event taken is applied, as for a batch that changed no document; an online
   * rebuild may then switch as after a batch (a new copy whose rest up to the served copy was all filtered out).
   */
  private moveToScanned(runner: Runner, subscription: EventSubscription): void {
    const scanned = subscription.progress?.().scannedThrough;
    if (scanned === undefined || (runner.checkpoint !== undefined && scanned <= runner.checkpoint)) {
      return;
    }
    runner.checkpoint = scanned;
    runner.flushTimer ??= setTimeout(() => this.flushCheckpoint(runner), this.checkpointDelayMs).unref();
    this.checkpointMoved(runner, scanned, true); // called only with every event taken applied
  }

  /** The stored checkpoint caught up with the one in memory. */
  private persisted(runner: Runner, position: bigint | undefined): void {
    runner.unpersistedEvents = 0;
    clearTimeout(runner.flushTimer);
    runner.flushTimer = undefined;
    runner.persistedCheckpoint = position;
  }

  /** Writes a checkpoint that only moved in memory (see applyBatch); a failure is reported, the loop goes on. */
  private flushCheckpoint(runner: Runner): void {
    runner.flushTimer = undefined;
    const { checkpoint, persistedCheckpoint } = runner;
    if (checkpoint === undefined || checkpoint === persistedCheckpoint) {
      return;
    }
    try {
      this.options.store.applyBatch(runner.projection.name, new Map(), checkpoint);
      this.persisted(runner, checkpoint);
      if (runner.rebuild === undefined) {
        this.changeSubject.next({ projection: runner.projection.name, documentIds: [], position: checkpoint });
      }
    } catch (error) {
      this.notify((observer) => observer.onError(runner.projection.name, error));
    }
  }

  /** A per-stream projection from zero, stream by stream when the store can (see bulkBuild). */
  private async bulkBuild(runner: Runner): Promise<void> {
    const { projection, handles } = runner;
    const built = await bulkBuild(projection, handles, {
      eventStore: this.options.eventStore,
      store: this.options.store,
      knownTypes: this.knownTypes,
      isStopped: () => this.stopped || runner.retired,
      notify: (call) => this.notify(call),
      pause: endOfTurn,
    });
    if (built === undefined) {
      return;
    }
    runner.checkpoint = built.head;
    this.persisted(runner, built.head);
    runner.lastRecordedAt = built.lastRecordedAt ?? runner.lastRecordedAt;
    runner.lastDocumentIds = built.documentIds;
    if (runner.rebuild === undefined) {
      this.changeSubject.next({ projection: projection.name, documentIds: built.documentIds, position: built.head });
    }
    this.checkpointMoved(runner, built.head, false);
  }

  /** First time the projection reaches the head: mark it live and drop older versions' documents (see store). */
  private async markLiveOnce(runner: Runner): Promise<void> {
    if (runner.live || runner.rebuild !== undefined || runner.adoption !== undefined) {
      return; // a new copy, or a version served from its previous one's copy: live with the switch
    }
    const subscription = runner.subscription;
    if (subscription?.progress !== undefined) {
      // The store's caught-up signal instead of a head read on every pause (EventStoreDB).
      if (subscription.progress().caughtUp) {
        runner.live = true;
        this.options.store.markLive(runner.projection.name);
      } else {
        // Caught up while idle (the server's message came after the last event): no event wakes the loop then.
        void subscription
          .whenCaughtUp?.()
          .then(async () => (this.stopped ? undefined : this.markLiveOnce(runner)))
          .catch((error: unknown) => {
            this.notify((observer) => observer.onError(runner.projection.name, error));
          });
      }
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

const newRunner = (projection: Projection<unknown>): Runner => ({
  projection,
  handles: new Set(projection.handles),
  checkpoint: undefined,
  persistedCheckpoint: undefined,
  unpersistedEvents: 0,
  flushTimer: undefined,
  lastRecordedAt: undefined,
  subscription: undefined,
  running: false,
  live: false,
  idle: false,
  loop: undefined,
  retired: false,
  lastDocumentIds: [],
});

const secondsSince = (epochMs: number, nowMs: number): number => Math.max(0, (nowMs - epochMs) / 1000);
