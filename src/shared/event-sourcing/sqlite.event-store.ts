import Database from 'better-sqlite3';
import { migrateSqliteFile } from '../sqlite-migrations';
import { WalCheckpointer } from '../wal-checkpointer';
import { CatchUpSubscriptions, CommitSignal, type CatchUpSource } from './catch-up-subscription';
import {
  EventIdConflictError,
  EventStoreLockedError,
  EventStoreUnavailableError,
  StreamRevisionConflictError,
} from './event-store.errors';
import {
  type AppendResult,
  type EventStorePort,
  type EventSubscription,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type RecordedEvent,
} from './event-store.port';
import {
  bigintOf,
  field,
  prepareStatements,
  settle,
  sqliteCodeOf,
  toRecordedEvent,
  toStreamEvent,
  toUnavailable,
} from './sqlite.event-store.sql';
import {
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_LOCK_WAIT_MS,
  DEFAULT_READY_PROBE_MS,
  isBusy,
  pauseBefore,
  retryWhileBusy,
} from './sqlite-lock-wait';
import { EVENT_FILE_MIGRATIONS } from './sqlite.event-store.migrations';

/** Where and how durably the embedded event store keeps its file. */
export interface SqliteEventStoreOptions {
  /** the database file (its directory must exist), or ':memory:' in tests */
  readonly filename: string;
  /** FULL (default): fsync on every commit, nothing acknowledged is lost on power failure */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /**
   * How long one attempt waits for another process's lock inside SQLite, on the event loop (default 5 ms); the
   * rest of the wait is asynchronous, between attempts (sqlite-lock-wait.ts).
   */
  readonly busyTimeoutMs?: number;
  /** how long an append or read waits in all for another process's lock before EventStoreLockedError (default 2 s) */
  readonly lockWaitMs?: number;
  /** how long `ping` (readiness) waits for the write lock before it reports the store locked (default 250 ms) */
  readonly readyProbeMs?: number;
  /** how often a caught-up subscription looks for appends made by another process on the same file */
  readonly pollIntervalMs?: number;
  /**
   * WAL checkpoints on a worker thread (see wal-checkpointer.ts) instead of inside the commit that fills the WAL
   * (a 10–45 ms stall of the event loop every few hundred appends). Default: on for a file.
   */
  readonly backgroundCheckpoints?: boolean;
  /** a background checkpoint failed (the writer's own automatic checkpoint stays as a backstop): the app logs it */
  readonly onCheckpointError?: (message: string) => void;
}

interface SerialisedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

interface PendingAppend {
  readonly streamName: string;
  /** serialised before the batch: a caller's unserialisable data fails that caller, not the whole batch */
  readonly events: readonly SerialisedEvent[];
  readonly expectedRevision: ExpectedRevision;
  /** Date.now() after which a foreign write lock fails this append instead of being waited for */
  readonly deadline: number;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

const STREAMS_PAGE = 1_000;

/** The least string above every string that starts with `prefix` (its last character plus one). */
const prefixEnd = (prefix: string): string => {
  if (prefix === '') {
    throw new TypeError('readStreamsByPrefix needs a non-empty prefix');
  }
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
};

type Outcome = { readonly result: AppendResult } | { readonly error: StreamRevisionConflictError };
/** An append with its outcome, in the order of the batch. */
type Settled = { readonly append: PendingAppend; readonly outcome: Outcome };

/**
 * The embedded event store: one SQLite file in WAL mode. Appends are group-committed: every append that arrives
 * in the same turn of the event loop joins one `BEGIN IMMEDIATE … COMMIT` (one fsync for the batch), and each is
 * checked against its own expected revision, so one conflict fails only its own caller.
 */
export class SqliteEventStore implements EventStorePort {
  private readonly db: Database.Database;
  private readonly sql: ReturnType<typeof prepareStatements>;
  private readonly source: CatchUpSource;
  private queue: PendingAppend[] = [];
  /** a flush is due: on the next turn (setImmediate), or after a pause while another process holds the lock */
  private flushScheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** consecutive batches refused with SQLITE_BUSY: the next pause doubles */
  private busyAttempts = 0;
  private readonly lockWaitMs: number;
  private readonly readyProbeMs: number;
  private closed = false;
  private readonly signal = new CommitSignal();
  private readonly subscriptions = new CatchUpSubscriptions();
  private readonly checkpointer: WalCheckpointer | undefined;
  /** The page the last catch-up read returned, while it may be shared (see sharedPageAfter). */
  private lastPage:
    | { readonly after: bigint; readonly limit: number; readonly commits: number; readonly events: RecordedEvent[] }
    | undefined;

  /** Opens (and creates) the file; throws EventStoreUnavailableError when it cannot. */
  constructor(options: SqliteEventStoreOptions) {
    // The poll covers appends by other processes on the same file (a projector in a child process).
    this.source = {
      readAfter: (after, limit) => this.sharedPageAfter(after, limit),
      signal: this.signal,
      pollMs: options.pollIntervalMs ?? 50,
    };
    this.lockWaitMs = options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS;
    this.readyProbeMs = options.readyProbeMs ?? DEFAULT_READY_PROBE_MS;
    let db: Database.Database | undefined;
    try {
      // `timeout` is better-sqlite3's busy_timeout: SQLite's own wait for another process's lock, which blocks the
      // event loop. Kept short; longer waits are asynchronous retries (flush, guard, ping).
      db = new Database(options.filename, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
      // The schema, created or brought forward. Opening may wait for the lock as long as a command would: two
      // processes opening a new file at once migrate it once, the second after the first, instead of failing.
      db.pragma(`busy_timeout = ${Math.max(this.lockWaitMs, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS)}`);
      migrateSqliteFile(db, 'event', EVENT_FILE_MIGRATIONS);
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS}`);
      this.sql = prepareStatements(db);
      this.db = db;
      if (options.backgroundCheckpoints ?? options.filename !== ':memory:') {
        this.checkpointer = WalCheckpointer.attach(db, options.filename, { onError: options.onCheckpointError });
      }
    } catch (error) {
      db?.close();
      throw toUnavailable(error);
    }
  }

  appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    if (events.length === 0 || new Set(events.map((event) => event.id)).size !== events.length) {
      return Promise.reject(new TypeError('an append needs at least one event and distinct event ids'));
    }
    if (this.closed) {
      return Promise.reject(new EventStoreUnavailableError('the SQLite event store is closed'));
    }
    return new Promise((resolve, reject) => {
      const rows = events.map(({ id, type, data, metadata }) => ({
        id,
        type,
        data: data === undefined ? 'null' : JSON.stringify(data),
        metadata: JSON.stringify(metadata),
      }));
      const deadline = Date.now() + this.lockWaitMs;
      this.queue.push({
        streamName,
        events: rows,
        expectedRevision: options.expectedRevision,
        deadline,
        resolve,
        reject,
      });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // setImmediate rather than a microtask: commands awaiting their reads in this turn still join the batch.
        setImmediate(() => {
          this.flush();
        });
      }
    });
  }

  readStream(streamName: string, options?: { readonly fromRevision?: number }): Promise<RecordedEvent[]> {
    const fromRevision = options?.fromRevision ?? 0;
    return this.guard(() => this.sql.readStream.all(streamName, fromRevision).map(toStreamEvent(streamName)));
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return settle(() => this.pageAfter(options?.fromPosition ?? 0n, options?.maxCount ?? -1));
  }

  subscribeToAll(options?: { readonly fromPosition?: bigint }): EventSubscription {
    return this.subscriptions.subscribe(this.source, options?.fromPosition ?? 0n);
  }

  /** Pages of 1,000 rows along the (stream_name, revision) index; each page is one synchronous read. */
  async *readStreamsByPrefix(prefix: string, options: { readonly toPosition: bigint }): AsyncIterable<RecordedEvent> {
    const end = prefixEnd(prefix);
    let after = { streamName: prefix, revision: -1 };
    for (;;) {
      const { streamName, revision } = after;
      const page = await this.guard(() =>
        this.sql.readStreamsPage.all(streamName, revision, end, options.toPosition, STREAMS_PAGE).map(toRecordedEvent),
      );
      yield* page;
      const last = page.at(-1);
      if (last === undefined || page.length < STREAMS_PAGE) {
        return;
      }
      after = { streamName: last.streamName, revision: last.revision };
    }
  }

  headPosition(): Promise<bigint | undefined> {
    return this.guard(() => {
      const position = field(this.sql.head.get(), 'position');
      return typeof position === 'bigint' ? position : undefined;
    });
  }

  /**
   * Readiness: the file answers AND this process could write now. Takes the write lock and lets it go at once (no
   * write, no fsync): when another process holds it past `readyProbeMs`, EventStoreLockedError.
   */
  async ping(): Promise<void> {
    try {
      await retryWhileBusy(() => {
        this.assertOpen();
        this.sql.begin.run();
        this.sql.rollback.run();
      }, this.readyProbeMs);
    } catch (error) {
      throw sqliteCodeOf(error) === undefined ? error : toUnavailable(error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.subscriptions.closeAll();
    this.flush(); // appends already queued are refused rather than left pending
    this.checkpointer?.stop();
    this.db.close();
  }

  /** commits so far through this instance (group commit: one per batch of appends) */
  get commitCount(): number {
    return this.signal.count;
  }

  private flush(): void {
    this.flushScheduled = false;
    this.retryTimer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) {
      return;
    }
    let outcomes: Settled[];
    try {
      this.assertOpen();
      outcomes = this.commitBatch(batch);
    } catch (error) {
      if (isBusy(error)) {
        this.retryLater(batch);
        return;
      }
      const failure = toUnavailable(error);
      batch.forEach((append) => {
        append.reject(failure);
      });
      return;
    }
    this.busyAttempts = 0;
    this.signal.notify();
    outcomes.forEach(({ append, outcome }) => {
      if ('result' in outcome) {
        append.resolve(outcome.result);
      } else {
        append.reject(outcome.error);
      }
    });
  }

  /**
   * One write transaction for the whole batch. Every check (idempotency, expected revision) runs before the
   * append writes anything and under the write lock, so a failed check leaves nothing to undo and an insert
   * cannot hit a constraint. What is left to fail is the database itself: then nothing of the batch is committed
   * and every caller gets EventStoreUnavailableError (and may retry: the event ids make a retry safe).
   */
  private commitBatch(batch: readonly PendingAppend[]): Settled[] {
    this.sql.begin.run();
    try {
      const outcomes = batch.map((append) => ({ append, outcome: this.appendInTransaction(append) }));
      this.sql.commit.run();
      return outcomes;
    } catch (error) {
      if (this.db.inTransaction) {
        this.sql.rollback.run();
      }
      throw error;
    }
  }

  /**
   * Another process holds the write lock and the batch was rolled back whole (commitBatch): appends past their
   * deadline fail with EventStoreLockedError, the others go back to the front of the queue, in order, and the
   * queue is flushed again after a pause (on a timer: the event loop stays free). Appends arriving meanwhile join
   * that flush. A retried batch is a new transaction that checks idempotency and revisions again.
   */
  private retryLater(batch: readonly PendingAppend[]): void {
    const now = Date.now();
    const waiting = batch.filter((append) => append.deadline > now);
    batch
      .filter((append) => append.deadline <= now)
      .forEach((append) => {
        append.reject(new EventStoreLockedError(this.lockWaitMs));
      });
    this.queue = [...waiting, ...this.queue];
    if (this.queue.length === 0) {
      return;
    }
    this.busyAttempts += 1;
    // reduce, not Math.min(...): a lock held under load can queue more appends than a call takes arguments
    const nearest = this.queue.reduce(
      (soonest, append) => Math.min(soonest, append.deadline),
      Number.POSITIVE_INFINITY,
    );
    this.flushScheduled = true;
    this.retryTimer = setTimeout(
      () => {
        this.flush();
      },
      pauseBefore(this.busyAttempts, nearest - now),
    );
  }

  /**
   * The checks of one append, under the write lock, then its inserts. Idempotency comes before the revision check
   * (a retry carries the expected revision of its first attempt) but costs nothing when the stream's head is the
   * expected revision: a retry's events would stand right after that revision, so none can be stored yet.
   */
  private appendInTransaction({ streamName, events, expectedRevision }: PendingAppend): Outcome {
    const head = field(this.sql.maxRevision.get(streamName), 'revision');
    const current = typeof head === 'bigint' ? Number(head) : -1;
    const expected = expectedRevision === 'no_stream' ? -1 : expectedRevision;
    if (expected !== current) {
      const stored = this.storedCopies(streamName, events, expected);
      if (stored.length === events.length) {
        const last = stored.reduce((a, b) => (b.revision > a.revision ? b : a));
        return { result: { nextExpectedRevision: last.revision, position: last.position, appended: false } };
      }
      if (stored.length > 0) {
        return { error: new EventIdConflictError(streamName, stored.length, events.length - stored.length) };
      }
      if (expected !== 'any') {
        const actual = current === -1 ? 'no_stream' : String(current);
        return { error: new StreamRevisionConflictError(streamName, String(expectedRevision), actual) };
      }
    }
    let position = 0n;
    events.forEach(({ id, type, data, metadata }, index) => {
      position = BigInt(this.sql.insert.run(streamName, current + 1 + index, id, type, data, metadata).lastInsertRowid);
    });
    return { result: { nextExpectedRevision: current + events.length, position, appended: true } };
  }

  /**
   * The append's events already in the stream. With an expected revision (-1 for `no_stream`), only where a retry
   * of this append put them: the rows right after that revision, as many as the append has (as EventStoreDB checks
   * a retry). With `any`, anywhere in the stream: its rows along the (stream_name, revision) index.
   */
  private storedCopies(
    streamName: string,
    events: readonly SerialisedEvent[],
    expected: number | 'any',
  ): { revision: number; position: bigint }[] {
    const located = (row: unknown) => ({ revision: Number(field(row, 'revision')), position: bigintOf(row) });
    if (expected === 'any') {
      return events.flatMap((event) => {
        const row = this.sql.findById.get(streamName, event.id);
        return row === undefined ? [] : [located(row)];
      });
    }
    const ids = new Set(events.map((event) => event.id));
    return this.sql.retryWindow
      .all(streamName, expected, events.length)
      .filter((row) => {
        const id = field(row, 'event_id');
        return typeof id === 'string' && ids.has(id);
      })
      .map(located);
  }

  private pageAfter(after: bigint, limit: number): RecordedEvent[] {
    return this.guardSync(() => this.sql.readAll.all(after, limit).map(toRecordedEvent));
  }

  /**
   * A catch-up subscription's page. The projector runs one subscription per read model, and a commit wakes them
   * all at once, at the same position: the first reads the page, and the others, resumed in the same run of
   * microtasks, get that page (the same event objects, which subscribers only read). The page is shared only until
   * that run ends and only while this process commits nothing, so a subscription that polls again at the same
   * position later (for another process's appends) reads the file again.
   */
  private sharedPageAfter(after: bigint, limit: number): RecordedEvent[] {
    const commits = this.signal.count;
    const last = this.lastPage;
    if (
      last !== undefined &&
      last.after === after &&
      last.limit === limit &&
      last.commits === commits &&
      !this.closed
    ) {
      return last.events;
    }
    const page = { after, limit, commits, events: this.pageAfter(after, limit) };
    this.lastPage = page;
    queueMicrotask(() => {
      if (this.lastPage === page) {
        this.lastPage = undefined;
      }
    });
    return page.events;
  }

  /**
   * Runs a read now and settles a promise with it (the port is async; SQLite answers synchronously). In WAL mode a
   * read takes no lock another writer holds; should SQLite still answer SQLITE_BUSY (a WAL being recovered), the
   * read is retried asynchronously up to the lock wait, as an append is.
   */
  private async guard<T>(read: () => T): Promise<T> {
    try {
      return await retryWhileBusy(() => {
        this.assertOpen();
        return read();
      }, this.lockWaitMs);
    } catch (error) {
      throw sqliteCodeOf(error) === undefined ? error : toUnavailable(error);
    }
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new EventStoreUnavailableError('the SQLite event store is closed');
    }
  }

  private guardSync<T>(read: () => T): T {
    this.assertOpen();
    try {
      return read();
    } catch (error) {
      throw sqliteCodeOf(error) === undefined ? error : toUnavailable(error);
    }
  }
}
