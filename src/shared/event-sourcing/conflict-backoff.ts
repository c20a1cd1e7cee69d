import { backoffDelay } from './projector.types';

/*
 * The pause before a command starts over after an optimistic-concurrency conflict (issue 17). Retrying at once lets
 * the writers that just collided collide again on the next round; an exponential backoff with full jitter (a random
 * pause between 0 and base · 2^(retry−1), capped) spreads them out, so most rounds have one winner.
 */

/** How long to pause between conflict retries; the randomness and the clock are injectable for specs. */
export interface ConflictBackoff {
  /** the ceiling of the first pause; doubles with each retry. Default 3 ms */
  readonly baseMs?: number;
  /** the highest ceiling a pause can reach. Default 100 ms */
  readonly capMs?: number;
  /** uniform in [0, 1); default Math.random */
  readonly random?: () => number;
  /** waits this many milliseconds; default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_CONFLICT_BASE_MS = 3;
export const DEFAULT_CONFLICT_CAP_MS = 100;

/** The ceiling of the pause before retry `retry` (1, 2, …): base · 2^(retry−1), at most cap. */
export const conflictDelayCeiling = (
  retry: number,
  baseMs = DEFAULT_CONFLICT_BASE_MS,
  capMs = DEFAULT_CONFLICT_CAP_MS,
): number => backoffDelay(Math.max(retry - 1, 0), { initialMs: baseMs, maxMs: capMs });

/** The pause before retry `retry` (1, 2, …): full jitter, uniform in [0, ceiling). */
export const conflictDelay = (retry: number, backoff: ConflictBackoff = {}): number =>
  (backoff.random ?? Math.random)() * conflictDelayCeiling(retry, backoff.baseMs, backoff.capMs);

const sleepOnTimer = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** Waits the jittered pause before retry `retry` (1 after the first conflict). */
export const backOffBeforeRetry = (retry: number, backoff: ConflictBackoff = {}): Promise<void> =>
  (backoff.sleep ?? sleepOnTimer)(conflictDelay(retry, backoff));
