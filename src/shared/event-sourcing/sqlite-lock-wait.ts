import { EventStoreLockedError } from './event-store.errors';
import { sqliteCodeOf } from './sqlite.event-store.sql';

/*
 * Waiting for another process's write lock without freezing the process (issue 14, part 4). better-sqlite3 waits
 * for a busy file inside SQLite's busy handler, synchronously, on the event loop: with the old 5 s busy timeout,
 * one append behind a foreign lock stalled every request, `/health` included. Now each attempt waits only a few
 * milliseconds in SQLite (enough for another process's ordinary commit) and the rest of the wait happens here,
 * between attempts, on timers: the event loop serves other requests meanwhile, and the wait ends at a deadline.
 */

/** How long one attempt waits inside SQLite (busy_timeout): the longest the event loop is held per attempt. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5;
/** How long a write waits in all for a foreign lock before it fails with EventStoreLockedError. */
export const DEFAULT_LOCK_WAIT_MS = 2_000;
/** How long a readiness probe waits for the write lock: a foreign lock shows in `/ready` this soon. */
export const DEFAULT_READY_PROBE_MS = 250;

const FIRST_PAUSE_MS = 2;
const MAX_PAUSE_MS = 50;

/** SQLITE_BUSY and its extended codes (SQLITE_BUSY_RECOVERY, SQLITE_BUSY_SNAPSHOT, …): another connection's lock. */
export const isBusy = (error: unknown): boolean => sqliteCodeOf(error)?.startsWith('SQLITE_BUSY') === true;

/** The pause before retry `attempt` (1, 2, …): doubling from 2 ms, at most 50 ms, and never past the deadline. */
export const pauseBefore = (attempt: number, msToDeadline: number): number =>
  Math.max(0, Math.min(FIRST_PAUSE_MS * 2 ** Math.min(attempt - 1, 10), MAX_PAUSE_MS, msToDeadline));

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * Runs `attempt` (one synchronous SQLite call, which must undo itself when it throws) until it does not fail with
 * SQLITE_BUSY; between tries it waits on a timer. Past `waitMs` the last busy failure becomes EventStoreLockedError.
 * Any other error is thrown as is.
 */
export const retryWhileBusy = async <T>(attempt: () => T, waitMs: number): Promise<T> => {
  const deadline = Date.now() + waitMs;
  for (let tries = 1; ; tries += 1) {
    try {
      return attempt();
    } catch (error) {
      const left = deadline - Date.now();
      if (!isBusy(error)) {
        throw error;
      }
      if (left <= 0) {
        throw new EventStoreLockedError(waitMs);
      }
      await sleep(pauseBefore(tries, left));
    }
  }
};
