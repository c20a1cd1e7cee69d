import { createHash } from 'node:crypto';
import { EmbeddedJWK, calculateJwkThumbprint, jwtVerify } from 'jose';
import type { Clock } from '../../shared/clock';
import { AuthenticationError } from '../domain/access.errors';
import { LRUCache } from 'lru-cache';

/**
 * DPoP proof verification at a resource server (RFC 9449 §4.3 and §7.1). HelseID issues DPoP-bound access tokens
 * (`cnf.jkt`) for the newer national APIs (domain.md); a stolen bound token is useless without the client's key.
 * Server-provided nonces (§8, §9) are not used: the replay cache and the short iat window stand in for them.
 */

/** Asymmetric algorithms only (§4.3 check 5): never `none`, never a MAC. */
export const ALLOWED_ALGORITHMS = ['ES256', 'PS256', 'RS256'] as const;

/**
 * Remembers proof `jti`s for as long as a proof is acceptable (§11.1). In memory, per replica: a proof replayed
 * against another replica within the window is not caught (documented in docs/security.md).
 *
 * Bounded at `maxEntries`, in insertion order (a lookup does not refresh an entry): every jti lives equally long, so
 * the oldest entry is the one that expires first, and expired ones are the first to go. A replay is refused as long
 * as fewer than `maxEntries` other proofs arrived after the original within its window; only a flood of that many
 * valid proofs inside the window evicts a live jti early (a bound on memory, weakening replay detection only).
 */
export class DpopReplayCache {
  /** jti → epoch ms its proof stops being acceptable (checked against the Clock, not the library's timer) */
  private readonly seen: LRUCache<string, number>;

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    maxEntries = 100_000,
  ) {
    this.seen = new LRUCache({ max: maxEntries });
  }

  /** false when the jti was seen within the TTL; otherwise remembers it and returns true. */
  remember(jti: string): boolean {
    const now = this.clock.now().getTime();
    const expiry = this.seen.peek(jti); // peek: a replay attempt does not refresh the entry's place
    if (expiry !== undefined && expiry > now) {
      return false;
    }
    this.seen.set(jti, now + this.ttlMs); // set moves a jti seen again after its window to the young end
    return true;
  }
}

export interface DpopCheck {
  /** the DPoP header value(s); more than one is an error (§4.3 check 1) */
  readonly proof: string | readonly string[] | undefined;
  readonly accessToken: string;
  /** `cnf.jkt` of the access token: base64url SHA-256 JWK thumbprint (RFC 7638) */
  readonly jkt: string;
  readonly method: string;
  /** the absolute target URI as the client addressed it */
  readonly url: string;
}

export interface DpopOptions {
  readonly clock: Clock;
  readonly clockSkewSeconds: number;
  /** how old a proof may be (iat), in seconds */
  readonly maxAgeSeconds: number;
  readonly replayCache: DpopReplayCache;
}

const invalidProof = (): AuthenticationError => new AuthenticationError('DPOP_PROOF_INVALID');

/** §4.3 check 9: compare without query and fragment, after URL normalisation (scheme and host case, default port). */
export const htuOf = (url: string): string | undefined => {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return undefined;
  }
};

/** §4.2: `ath` is the base64url SHA-256 of the ASCII access token. */
export const accessTokenHash = (accessToken: string): string =>
  createHash('sha256').update(accessToken, 'ascii').digest('base64url');

/** Verifies the proof for this request and bound token. Throws AuthenticationError on any failure. */
export const verifyDpopProof = async (check: DpopCheck, options: DpopOptions): Promise<void> => {
  const proofs = typeof check.proof === 'string' ? [check.proof] : (check.proof ?? []);
  const [proof] = proofs;
  if (proof === undefined || proofs.length !== 1) {
    throw new AuthenticationError(proofs.length === 0 ? 'DPOP_PROOF_REQUIRED' : 'DPOP_PROOF_INVALID');
  }
  const verified = await jwtVerify(proof, EmbeddedJWK, {
    // typ, alg allow-list, embedded public jwk, signature, iat window; jose rejects a private jwk (check 7).
    typ: 'dpop+jwt',
    algorithms: [...ALLOWED_ALGORITHMS],
    currentDate: options.clock.now(),
    clockTolerance: options.clockSkewSeconds,
    maxTokenAge: options.maxAgeSeconds,
    requiredClaims: ['jti', 'htm', 'htu', 'iat', 'ath'],
  }).catch(() => {
    throw invalidProof();
  });
  const { jwk } = verified.protectedHeader;
  const { jti, htm, htu, ath } = verified.payload;
  const expectedHtu = htuOf(check.url);
  const matches =
    jwk !== undefined &&
    typeof jti === 'string' &&
    jti !== '' &&
    htm === check.method.toUpperCase() &&
    typeof htu === 'string' &&
    expectedHtu !== undefined &&
    htuOf(htu) === expectedHtu &&
    ath === accessTokenHash(check.accessToken) &&
    (await calculateJwkThumbprint(jwk, 'sha256')) === check.jkt;
  if (!matches) {
    throw invalidProof();
  }
  // Remember only proofs that passed every check, so forged proofs cannot fill the cache.
  if (!options.replayCache.remember(`${check.jkt}:${jti}`)) {
    throw new AuthenticationError('DPOP_PROOF_REPLAYED');
  }
};
