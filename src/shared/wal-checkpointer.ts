import { Worker } from 'node:worker_threads';

/*
 * WAL checkpoints of a SQLite file on a worker thread. SQLite's automatic checkpoint runs inside the commit that
 * crosses the WAL's size limit, on the committing connection. In the read-model file, with ~10 KB current-list
 * documents, that is every ~200 projected events, and it copies ~4 MB into the database file and fsyncs it,
 * blocking the event loop for 10–25 ms each time (the tail of the projection lag, B5). Here a second connection on
 * its own thread runs PASSIVE checkpoints, which never block the writer, every `intervalMs`; the writer's automatic
 * checkpoint stays as a backstop at a much larger WAL size, should the worker fall behind.
 *
 * A PASSIVE checkpoint alone never lets the WAL start over while the writer keeps writing: SQLite rewinds the WAL
 * only at the start of a write once every frame in it has been copied, and frames written during the worker's
 * checkpoint are always left over. The WAL then grew to the backstop (100 MB), each commit extended the file (a
 * dearer fsync) and the backstop's checkpoint was one long stall; B1 lost a quarter of its throughput to it. So
 * once the WAL holds `restartFrames` frames and the worker has copied nearly all of them, it tells the writer's
 * thread, which copies the few frames left with its own PASSIVE checkpoint between two transactions; the next
 * write then rewinds the WAL. That checkpoint reaches the end of the WAL, so it is the one that fsyncs the
 * database file (SQLite syncs it only then): the writer pays that fsync once per `restartFrames`, as it does
 * with SQLite's default automatic checkpoint, but not the copying. (An fsync of the database file on the worker
 * instead, before it asks, queued in front of the writer's WAL fsyncs: B1's p99 went from ~1.5 ms to ~5 ms.)
 */

/** The worker's code, evaluated as CommonJS; the driver is required by the path the main thread resolved. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 5000 });
// After asking the writer to finish, keep off the checkpoint lock until it answers (or a while has passed):
// a checkpoint of ours running at that moment would make the writer's PASSIVE one give up at once.
let askedAt = 0;
let askedLog = 0;
const checkpoint = () => {
  if (askedAt !== 0 && Date.now() - askedAt < 20 * workerData.intervalMs) {
    return;
  }
  askedAt = 0;
  try {
    let [state] = db.pragma('wal_checkpoint(PASSIVE)');
    // Catch up with what the writer added meanwhile, so the writer's own finishing checkpoint stays small.
    for (let round = 0; round < 3 && state.log - state.checkpointed > workerData.leftoverFrames; round += 1) {
      [state] = db.pragma('wal_checkpoint(PASSIVE)');
    }
    const left = state.log - state.checkpointed;
    // Asked even when nothing is left: under steady writes each of the writer's transactions starts while frames
    // are still uncopied, and only one that starts with none left rewinds the WAL. Once per WAL, not every round.
    if (state.log >= workerData.restartFrames && left <= workerData.leftoverFrames && state.log !== askedLog) {
      askedLog = state.log;
      askedAt = Date.now();
      parentPort.postMessage({ finish: true });
    }
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'finished') {
    askedAt = 0;
    return;
  }
  clearInterval(timer);
  db.close();
  const closed = new Int32Array(workerData.closed);
  Atomics.store(closed, 0, 1);
  Atomics.notify(closed, 0);
  parentPort.close();
});
`;

/** How long `stop` waits for the worker to close its connection (it may be in the middle of a checkpoint). */
const STOP_WAIT_MS = 2_000;

/** How the writer connection's own automatic checkpoint is set while the worker runs (pages, 4 KiB each). */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 25_000;

/** A row of `PRAGMA wal_checkpoint`: busy (1 when it could not run), frames in the WAL, frames copied. */
interface CheckpointState {
  readonly busy: number;
  readonly log: number;
  readonly checkpointed: number;
}

/** The one row `PRAGMA wal_checkpoint` returns, parsed (the driver types it `unknown`), or undefined. */
const checkpointStateOf = (rows: unknown): CheckpointState | undefined => {
  const row: unknown = Array.isArray(rows) ? rows[0] : undefined;
  if (typeof row !== 'object' || row === null || !('busy' in row) || !('log' in row) || !('checkpointed' in row)) {
    return undefined;
  }
  const { busy, log, checkpointed } = row;
  return typeof busy === 'number' && typeof log === 'number' && typeof checkpointed === 'number'
    ? { busy, log, checkpointed }
    : undefined;
};

/** The writer's connection, as far as the checkpointer uses it (a better-sqlite3 Database). */
export interface WriterConnection {
  pragma(source: string): unknown;
  readonly inTransaction: boolean;
  readonly open: boolean;
}

export interface WalCheckpointerOptions {
  /** how often the worker checkpoints; default 100 ms */
  readonly intervalMs?: number;
  /** the writer's connection: it finishes a nearly complete checkpoint so the WAL can start over (see above) */
  readonly writer?: WriterConnection;
  /** WAL size (frames) from which the writer is asked to finish a checkpoint; default 1,000 (SQLite's default) */
  readonly restartFrames?: number;
  /** at most this many frames left for the writer to copy; default 64 */
  readonly leftoverFrames?: number;
  readonly onError?: (message: string) => void;
}

/**
 * A running background checkpointer. `stop` returns once the worker has closed its connection, so whoever closes
 * the store next (and deletes the file, in tests) finds no second connection open.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  /** set to 1 by the worker once its connection is closed */
  private readonly closed = new Int32Array(new SharedArrayBuffer(4));
  private stopped = false;
  private finishes = 0;

  constructor(file: string, options: WalCheckpointerOptions = {}) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        file,
        driver: require.resolve('better-sqlite3'),
        intervalMs: options.intervalMs ?? 100,
        restartFrames: options.restartFrames ?? 1_000,
        leftoverFrames: options.leftoverFrames ?? 64,
        closed: this.closed.buffer,
      },
    });
    this.worker.unref(); // never keeps the process alive
    this.worker.on('message', (message: { error?: string; finish?: boolean }) => {
      if (message.error !== undefined) {
        options.onError?.(message.error);
      } else if (message.finish === true && options.writer !== undefined) {
        this.finish(options.writer, options.onError);
      }
    });
    this.worker.on('error', (error) => options.onError?.(error.message));
  }

  /**
   * Moves `db`'s own automatic checkpoint to the backstop size and starts the worker on `file`, with `db` as the
   * writer that finishes checkpoints: what a store does when it opens a file-backed database.
   */
  static attach(
    db: WriterConnection,
    file: string,
    options: Omit<WalCheckpointerOptions, 'writer'> = {},
  ): WalCheckpointer {
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
    return new WalCheckpointer(file, { ...options, writer: db });
  }

  /** checkpoints the writer has taken to the end of the WAL (so the next write starts it over) */
  get finishedCheckpoints(): number {
    return this.finishes;
  }

  stop(): void {
    if (!this.stopped) {
      this.stopped = true;
      this.worker.postMessage('stop');
      Atomics.wait(this.closed, 0, 0, STOP_WAIT_MS);
    }
  }

  /** Between two of the writer's transactions (messages never arrive inside one: they are synchronous). */
  private finish(writer: WriterConnection, onError: ((message: string) => void) | undefined): void {
    if (this.stopped) {
      return;
    }
    if (writer.open && !writer.inTransaction) {
      try {
        const state = checkpointStateOf(writer.pragma('wal_checkpoint(PASSIVE)'));
        if (state !== undefined && state.busy === 0 && state.checkpointed === state.log) {
          this.finishes += 1;
        }
      } catch (error) {
        onError?.(error instanceof Error ? error.message : String(error));
      }
    }
    this.worker.postMessage('finished');
  }
}
