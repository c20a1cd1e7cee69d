import { createHash } from 'node:crypto';
import type { Caller } from '../access/domain/caller';
import type { Clock } from '../shared/clock';
import { LRUCache } from 'lru-cache';

/**
 * A token bucket per key (issue 5, "Hardening"): per caller for /graphql and /fhir, per client address for the ward
 * page's sign-in (src/ward/ward-sign-in-limit.ts). Each key may burst up to `burst` requests (by default
 * `perMinute`) and then gets `perMinute` per minute, refilled continuously. Kept in memory per replica, so behind a
 * load balancer the effective limit is per replica; a shared limiter (at the gateway) is future work. Time comes
 * from the Clock.
 */

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

interface Bucket {
  readonly tokens: number;
  /** epoch ms of the last update */
  readonly at: number;
}

/** Buckets kept at most; the least recently used goes first (a full bucket is the same as no bucket). */
const MAX_BUCKETS = 100_000;

export class TokenBucketLimiter {
  /** Recency order (LRU): each take re-sets its bucket, so the callers idle longest go first. */
  private readonly buckets: LRUCache<string, Bucket>;
  private readonly perMs: number;

  constructor(
    perMinute: number,
    private readonly clock: Clock,
    maxBuckets: number = MAX_BUCKETS,
    /** tokens a bucket holds at most (a fresh bucket's), so the longest burst */
    private readonly burst: number = perMinute,
  ) {
    this.perMs = perMinute / 60_000;
    this.buckets = new LRUCache({ max: maxBuckets });
  }

  /** Takes one token from `key`'s bucket, or says how long until one is there. */
  take(key: string): RateDecision {
    const now = this.clock.now().getTime();
    const previous = this.buckets.get(key);
    const available =
      previous === undefined
        ? this.burst
        : Math.min(this.burst, previous.tokens + Math.max(0, now - previous.at) * this.perMs);
    const allowed = available >= 1;
    this.buckets.set(key, { tokens: allowed ? available - 1 : available, at: now });
    return allowed
      ? { allowed }
      : { allowed, retryAfterSeconds: Math.max(1, Math.ceil((1 - available) / this.perMs / 1000)) };
  }
}

const keys = new WeakMap<Caller, string>();

/**
 * The bucket of a caller: who they are (client, HPR number, organisation, person), hashed so the key held in
 * memory carries no fødselsnummer. Remembered per Caller object: the token verifier hands out one (frozen) Caller
 * per verified token, so the hash is computed once per token rather than once per request.
 */
export const rateLimitKey = (caller: Caller): string => {
  const known = keys.get(caller);
  if (known !== undefined) {
    return known;
  }
  const key = createHash('sha256')
    .update(
      JSON.stringify([
        caller.clientId,
        caller.hprNumber ?? '',
        caller.organisation.parent ?? '',
        caller.organisation.child ?? '',
        caller.careUnit ?? '',
        caller.pid ?? '',
      ]),
    )
    .digest('base64url');
  keys.set(caller, key);
  return key;
};
