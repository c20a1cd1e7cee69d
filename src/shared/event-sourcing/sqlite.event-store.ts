import Database from 'better-sqlite3';
import { migrateSqliteFile } from '../sqlite-migrations';
import { WalCheckpointer } from '../wal-checkpointer';
import { CatchUpSubscription, CommitSignal, type CatchUpSource } from './catch-up-subscription';
import { EventIdConflictError, EventStoreUnavailableError, StreamRevisionConflictError } from './event-store.errors';
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
import { EVENT_FILE_MIGRATIONS } from './sqlite.event-store.migrations';

/** Where and how durably the embedded event store keeps its file. */
export interface SqliteEventStoreOptions {
  /** the database file (its directory must exist), or ':memory:' in tests */
  readonly filename: string;
  /** FULL (default): fsync on every commit, nothing acknowledged is lost on power failure */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** how long a write waits for another process's write lock before the store counts as unavailable */
  readonly busyTimeoutMs?: number;
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
  private flushScheduled = false;
  private closed = false;
  private readonly signal = new CommitSignal();
  private readonly subscriptions = new Set<CatchUpSubscription>();
  private readonly checkpointer: WalCheckpointer | undefined;
  /** The page the last catch-up read returned, while it may be shared (see sharedPageAfter). */
  private lastPage: { readonly after: bigint; readonly limit: number; readonly commits: number; readonly events: RecordedEvent[] } | undefined;

  /** Opens (and creates) the file; throws EventStoreUnavailableError when it cannot. */
  constructor(options: SqliteEventStoreOptions) {
    // The poll covers appends by other processes on the same file (a projector in a child process).
    this.source = {
      readAfter: (after, limit) => this.sharedPageAfter(after, limit),
      signal: this.signal,
      pollMs: options.pollIntervalMs ?? 50,
    };
    let db: Database.Database | undefined;
    try {
      // `timeout` is better-sqlite3's busy_timeout: wait for another process's write lock instead of failing.
      db = new Database(options.filename, { timeout: options.busyTimeoutMs ?? 5000 });
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
      migrateSqliteFile(db, 'event', EVENT_FILE_MIGRATIONS); // the schema, created or brought forward
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
      this.queue.push({ streamName, events: rows, expectedRevision: options.expectedRevision, resolve, reject });
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
    const subscription = new CatchUpSubscription(this.source, options?.fromPosition ?? 0n, () => {
      this.subscriptions.delete(subscription);
    });
    this.subscriptions.add(subscription);
    return subscription;
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

  ping(): Promise<void> {
    return this.guard(() => {
      this.sql.ping.get();
    });
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
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
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) {
      return;
    }
    let outcomes: Outcome[];
    try {
      if (this.closed) {
        throw new EventStoreUnavailableError('the SQLite event store is closed');
      }
      outcomes = this.commitBatch(batch);
    } catch (error) {
      const failure = toUnavailable(error);
      batch.forEach((append) => {
        append.reject(failure);
      });
      return;
    }
    this.signal.notify();
    batch.forEach((append, index) => {
      const outcome = outcomes[index];
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
  private commitBatch(batch: readonly PendingAppend[]): Outcome[] {
    this.sql.begin.run();
    try {
      const outcomes = batch.map((append) => this.appendInTransaction(append));
      this.sql.commit.run();
      return outcomes;
    } catch (error) {
      if (this.db.inTransaction) {
        this.sql.rollback.run();
      }
      throw error;
    }
  }

  private appendInTransaction({ streamName, events, expectedRevision }: PendingAppend): Outcome {
    // Idempotency before the revision check: a retry carries the expected revision of its first attempt.
    const stored = events.flatMap((event) => {
      const row = this.sql.findById.get(streamName, event.id);
      return row === undefined ? [] : [{ revision: Number(field(row, 'revision')), position: bigintOf(row) }];
    });
    if (stored.length === events.length) {
      const last = stored.reduce((a, b) => (b.revision > a.revision ? b : a));
      return { result: { nextExpectedRevision: last.revision, position: last.position, appended: false } };
    }
    if (stored.length > 0) {
      return { error: new EventIdConflictError(streamName, stored.length, events.length - stored.length) };
    }
    const head = field(this.sql.maxRevision.get(streamName), 'revision');
    const current = typeof head === 'bigint' ? Number(head) : -1;
    const ok =
      expectedRevision === 'any' ||
      (expectedRevision === 'no_stream' ? current === -1 : expectedRevision === current);
    if (!ok) {
      const actual = current === -1 ? 'no_stream' : String(current);
      return { error: new StreamRevisionConflictError(streamName, String(expectedRevision), actual) };
    }
    let position = 0n;
    events.forEach(({ id, type, data, metadata }, index) => {
      position = BigInt(this.sql.insert.run(streamName, current + 1 + index, id, type, data, metadata).lastInsertRowid);
    });
    return { result: { nextExpectedRevision: current + events.length, position, appended: true } };
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
    if (last !== undefined && last.after === after && last.limit === limit && last.commits === commits && !this.closed) {
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

  /** runs a read now and settles a promise with it (the port is async; SQLite answers synchronously) */
  private guard<T>(read: () => T): Promise<T> {
    return settle(() => this.guardSync(read));
  }

  private guardSync<T>(read: () => T): T {
    if (this.closed) {
      throw new EventStoreUnavailableError('the SQLite event store is closed');
    }
    try {
      return read();
    } catch (error) {
      throw sqliteCodeOf(error) === undefined ? error : toUnavailable(error);
    }
  }
}

