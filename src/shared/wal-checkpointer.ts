import { Worker } from 'node:worker_threads';

/*
 * WAL checkpoints of a SQLite file on a worker thread. SQLite's automatic checkpoint runs inside the commit that
 * crosses the WAL's size limit, on the committing connection. In the read-model file, with ~10 KB current-list
 * documents, that is every ~200 projected events, and it copies ~4 MB into the database file and fsyncs it,
 * blocking the event loop for 10–25 ms each time (the tail of the projection lag, B5). Here a second connection on its own thread runs
 * PASSIVE checkpoints, which never block the writer, every `intervalMs`; the writer's automatic checkpoint stays
 * as a backstop at a much larger WAL size, should the worker fall behind.
 */

/** The worker's code, evaluated as CommonJS; the driver is required by the path the main thread resolved. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 5000 });
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
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

/**
 * A running background checkpointer. `stop` returns once the worker has closed its connection, so whoever closes
 * the store next (and deletes the file, in tests) finds no second connection open.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  /** set to 1 by the worker once its connection is closed */
  private readonly closed = new Int32Array(new SharedArrayBuffer(4));
  private stopped = false;

  constructor(file: string, options: { readonly intervalMs?: number; readonly onError?: (message: string) => void } = {}) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        file,
        driver: require.resolve('better-sqlite3'),
        intervalMs: options.intervalMs ?? 100,
        closed: this.closed.buffer,
      },
    });
    this.worker.unref(); // never keeps the process alive
    this.worker.on('message', (message: { error?: string }) => {
      if (message.error !== undefined) {
        options.onError?.(message.error);
      }
    });
    this.worker.on('error', (error) => options.onError?.(error.message));
  }

  /**
   * Moves `db`'s own automatic checkpoint to the backstop size and starts the worker on `file`: what a store does
   * when it opens a file-backed database with background checkpoints.
   */
  static attach(db: { pragma(source: string): unknown }, file: string): WalCheckpointer {
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
    return new WalCheckpointer(file);
  }

  stop(): void {
    if (!this.stopped) {
      this.stopped = true;
      this.worker.postMessage('stop');
      Atomics.wait(this.closed, 0, 0, STOP_WAIT_MS);
    }
  }
}
