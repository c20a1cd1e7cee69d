import Database from 'better-sqlite3';
import { mkdirSync, realpathSync } from 'node:fs';
import { basename, dirname, sep } from 'node:path';
import { DomainError } from '../shared/errors/domain-error';

/**
 * Exclusive ownership of a read-model file (issue 23, part 2). Two projectors on one read model overwrite each
 * other's documents and subscriptions stop firing; so a service holds its file for as long as it runs, and a second
 * one on the same file refuses to start.
 *
 * The lock is SQLite's own: a dedicated, empty file beside the read models (`read-models.db.lock`), opened with
 * `locking_mode = EXCLUSIVE` and an EXCLUSIVE transaction that stays open for the life of the process. SQLite takes
 * it with POSIX advisory locks, which the kernel drops when the process ends however it ends (SIGKILL, OOM kill),
 * so a crashed owner never leaves a stale lock and nothing needs a heartbeat. It is a separate file so that it never
 * blocks a read or write of the read models themselves (the lock is about who projects, not about SQLite's write
 * lock, which stays short-lived), and apart from the event store's locks altogether.
 *
 * The same kind of lock, on `<file>.rebuild-<projection>.lock`, admits one `npm run rebuild` per projection.
 */
/**
 * Lock files held by this process. POSIX locks do not exclude within one process, and SQLite's own in-process
 * bookkeeping proved unreliable once another thread of the process had used SQLite (the WAL checkpointer's worker:
 * a second in-process EXCLUSIVE lock then succeeded). Checked before SQLite is asked; shared through a global symbol
 * so that two copies of this module (a test's module registry) see the same set.
 */
const HELD: Set<string> = ((globalThis as { [key: symbol]: Set<string> | undefined })[
  Symbol.for('pll.heldFileLocks')
] ??= new Set());

export class FileLock {
  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
    private readonly key: string,
  ) {}

  /** Takes the lock, retrying every 50 ms for up to `waitMs`; undefined if another process still holds it. */
  static async tryAcquire(path: string, waitMs = 0): Promise<FileLock | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const lock = FileLock.tryOnce(path);
      if (lock !== undefined || Date.now() >= deadline) {
        return lock;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private static tryOnce(path: string): FileLock | undefined {
    mkdirSync(dirname(path), { recursive: true });
    const key = realpathSync(dirname(path)) + sep + basename(path);
    if (HELD.has(key)) {
      return undefined;
    }
    const db = new Database(path);
    try {
      db.pragma('busy_timeout = 0'); // a held lock answers at once: waiting is the caller's choice
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
      HELD.add(key);
      return new FileLock(path, db, key);
    } catch (error) {
      db.close();
      if (error instanceof Database.SqliteError && (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_LOCKED')) {
        return undefined;
      }
      throw error;
    }
  }

  /** Gives the lock up (closing the connection ends the transaction and SQLite drops its file locks). */
  release(): void {
    if (this.db.open) {
      this.db.close();
      HELD.delete(this.key);
    }
  }
}

/** The lock file that says which process owns (projects into) a read-model file. */
export const ownerLockFile = (readModelsFile: string): string => `${readModelsFile}.lock`;

/** A second service (or a tool that must own the file) found the read-model file held by another process. */
export class ReadModelFileLockedError extends DomainError {
  readonly code = 'READ_MODEL_FILE_LOCKED';
  readonly kind = 'unavailable' as const;
  constructor(readonly file: string) {
    super(
      `Read-model file ${file} is held by another process (a service running on it). ` +
        'Each service process needs its own READ_MODELS_FILE.',
      { file },
    );
  }
}

/**
 * Owns `file` for this process: resolves with the lock, or throws ReadModelFileLockedError when another process
 * holds it for longer than `waitMs` (a short wait covers the moment an offline rebuild switches copies).
 */
export const acquireReadModelFile = async (file: string, waitMs: number): Promise<FileLock> => {
  const lock = await FileLock.tryAcquire(ownerLockFile(file), waitMs);
  if (lock === undefined) {
    throw new ReadModelFileLockedError(file);
  }
  return lock;
};
