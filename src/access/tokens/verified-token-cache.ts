import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { Clock } from '../../shared/clock';
import type { Caller } from '../domain/caller';
import { LRUCache } from 'lru-cache';

/**
 * Access tokens whose signature and claims were verified, remembered so that the next request with the same token
 * skips the ES256 check (5–8% of the service's CPU under load, docs/performance.md). Only a token that passed
 * every check of TokenVerifier is put here; a failure is never remembered, so a forged or tampered token (another
 * string, another key) is always checked in full. Per request the verifier still checks the scheme, and a DPoP
 * proof for a bound token (cnf.jkt): proofs are per request, with their own replay cache.
 *
 * An entry counts only while the token itself would pass: `exp` and `nbf` are checked against the Clock with the
 * same skew and the same arithmetic as jose (whole seconds: expired when exp ≤ now − skew, not yet valid when
 * nbf > now + skew). It also counts for at most `maxAgeSeconds` after its check, so a key the issuer withdraws
 * from its JWKS stops being trusted within that time, as jose's key cache does. Keyed by a SHA-256 of the token,
 * so no bearer token is kept in memory beyond its request and equal keys mean equal tokens; bounded in size, the
 * oldest entry going first.
 */

/** What one verification established about a token: its claims, its bound key and the caller they map to. */
export interface VerifiedToken {
  readonly payload: JWTPayload;
  /** `cnf.jkt` when the token is bound to a key (DPoP) */
  readonly jkt?: string;
  readonly caller: Caller;
}

export interface VerifiedTokenCacheOptions {
  readonly clock: Clock;
  readonly clockSkewSeconds: number;
  /** entries kept at most; default 10,000 */
  readonly maxEntries?: number;
  /** how long after its check an entry is trusted at most (even when exp is later); default 300 s */
  readonly maxAgeSeconds?: number;
}

interface Entry {
  readonly verified: VerifiedToken;
  /** epoch ms after which the entry is not used, whatever the token's exp says */
  readonly checkedUntil: number;
}

const epochSeconds = (ms: number): number => Math.floor(ms / 1000);

export class VerifiedTokenCache {
  /** Insertion order (a hit does not refresh an entry): check order, so the first to go is the first whose maxAge runs out. */
  private readonly entries: LRUCache<string, Entry>;
  private readonly maxAgeMs: number;

  constructor(private readonly options: VerifiedTokenCacheOptions) {
    this.entries = new LRUCache({ max: options.maxEntries ?? 10_000 });
    this.maxAgeMs = (options.maxAgeSeconds ?? 300) * 1000;
  }

  /** The cache key of a token string: its SHA-256 (the token itself is not kept). */
  static keyOf(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }

  /** The verified token under `key` if it would still pass its time checks now; a stale entry is dropped. */
  get(key: string): VerifiedToken | undefined {
    const entry = this.entries.peek(key);
    if (entry === undefined) {
      return undefined;
    }
    const nowMs = this.options.clock.now().getTime();
    if (this.usable(entry, nowMs)) {
      return entry.verified;
    }
    this.entries.delete(key);
    return undefined;
  }

  /** Remembers a token that has just passed every check. */
  set(key: string, verified: VerifiedToken): void {
    const nowMs = this.options.clock.now().getTime();
    // set moves a re-checked key to the young end: insertion order stays check order.
    this.entries.set(key, { verified, checkedUntil: nowMs + this.maxAgeMs });
  }

  get size(): number {
    return this.entries.size;
  }

  private usable(entry: Entry, nowMs: number): boolean {
    const now = epochSeconds(nowMs);
    const skew = this.options.clockSkewSeconds;
    const { exp, nbf } = entry.verified.payload;
    return (
      nowMs < entry.checkedUntil &&
      // exp is a required claim: a payload without a numeric one is never usable from the cache.
      typeof exp === 'number' &&
      exp > now - skew &&
      (nbf === undefined || (typeof nbf === 'number' && nbf <= now + skew))
    );
  }
}
