import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Clock } from '../../shared/clock';
import { AuthenticationError, AuthenticationUnavailableError } from '../domain/access.errors';
import { type Caller, callerFromClaims } from '../domain/caller';
import { ALLOWED_ALGORITHMS, DpopReplayCache, verifyDpopProof } from './dpop';
import { type VerifiedToken, VerifiedTokenCache } from './verified-token-cache';

/**
 * Verifies the access token of one request (issue 5, "Authentication"): a JWT from HelseID checked against the
 * issuer's JWKS with an algorithm allow-list, issuer, audience, exp/nbf with a small clock skew, and, for tokens
 * bound to a key (`cnf.jkt`), a DPoP proof (RFC 9449). Returns the Caller or throws AuthenticationError (401) /
 * AuthenticationUnavailableError (503 when the issuer's keys cannot be fetched). A token that passed is remembered
 * (verified-token-cache.ts) until it expires, so its signature is checked once, not on every request; the scheme
 * and the DPoP proof are checked on every request.
 */

/** What the verifier needs from an HTTP request (or a WebSocket connection_init payload). */
export interface TokenRequest {
  /** the Authorization header: `Bearer <token>` or `DPoP <token>` */
  readonly authorization: string | undefined;
  /** the DPoP header value(s) */
  readonly dpop?: string | readonly string[];
  readonly method: string;
  /** the absolute URL the client addressed (public base URL + path), for the DPoP `htu` check */
  readonly url: string;
}

export interface TokenVerifierOptions {
  readonly keys: JWTVerifyGetKey;
  readonly issuer: string;
  readonly audience: string;
  readonly clockSkewSeconds: number;
  readonly clock: Clock;
  /** how old a DPoP proof may be; default 60 s */
  readonly dpopMaxAgeSeconds?: number;
  /** bounds of the verified-token cache (verified-token-cache.ts); defaults there */
  readonly tokenCache?: { readonly maxEntries?: number; readonly maxAgeSeconds?: number };
}

/** Claims every access token must carry besides iss/aud (checked by value). HelseID always sends these. */
export const REQUIRED_CLAIMS = ['exp', 'client_id', 'scope'] as const;

// RFC 6750 §2.1 b64token; the scheme is case-insensitive (RFC 9110 §11.1).
const AUTHORIZATION = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*)$/i;

interface PresentedToken {
  readonly scheme: 'bearer' | 'dpop';
  readonly token: string;
}

export const parseAuthorization = (header: string | undefined): PresentedToken => {
  if (header === undefined || header.trim() === '') {
    throw new AuthenticationError('TOKEN_MISSING');
  }
  const match = AUTHORIZATION.exec(header.trim());
  const [, scheme, token] = match ?? [];
  if (scheme === undefined || token === undefined) {
    throw new AuthenticationError('TOKEN_MALFORMED');
  }
  return { scheme: scheme.toLowerCase() === 'dpop' ? 'dpop' : 'bearer', token };
};

/** jose's errors → our failure codes. Key-fetch problems are the issuer's, not the caller's: 503. */
const mapVerificationError = (error: unknown): Error => {
  if (error instanceof errors.JWTExpired) {
    return new AuthenticationError('TOKEN_EXPIRED');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new AuthenticationError(error.claim === 'nbf' ? 'TOKEN_NOT_YET_VALID' : 'TOKEN_CLAIMS_INVALID');
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new AuthenticationError('TOKEN_ALGORITHM_NOT_ALLOWED');
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new AuthenticationError('TOKEN_SIGNATURE_INVALID');
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new AuthenticationError('TOKEN_UNKNOWN_KEY');
  }
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JWKInvalid ||
    error instanceof errors.JOSENotSupported
  ) {
    return new AuthenticationError('TOKEN_MALFORMED');
  }
  // JWKSTimeout, JWKSInvalid, a non-200 JWKS response, a network error: fail closed, but as "unavailable".
  return new AuthenticationUnavailableError();
};

/** `cnf.jkt` (RFC 9449 §6.1). A `cnf` we cannot check (e.g. mTLS `x5t#S256`) is rejected: fail closed. */
const boundKeyThumbprint = (payload: JWTPayload): string | undefined => {
  const { cnf } = payload;
  if (cnf === undefined) {
    return undefined;
  }
  if (typeof cnf === 'object' && cnf !== null && 'jkt' in cnf && typeof cnf.jkt === 'string' && cnf.jkt !== '') {
    return cnf.jkt;
  }
  throw new AuthenticationError('TOKEN_CLAIMS_INVALID');
};

export class TokenVerifier {
  private readonly replayCache: DpopReplayCache;
  private readonly dpopMaxAgeSeconds: number;
  private readonly verifiedTokens: VerifiedTokenCache;

  constructor(private readonly options: TokenVerifierOptions) {
    this.dpopMaxAgeSeconds = options.dpopMaxAgeSeconds ?? 60;
    // A proof is acceptable for maxAge + skew (and up to skew ahead): remember its jti that long.
    this.replayCache = new DpopReplayCache(
      options.clock,
      (this.dpopMaxAgeSeconds + 2 * options.clockSkewSeconds) * 1000,
    );
    this.verifiedTokens = new VerifiedTokenCache({
      clock: options.clock,
      clockSkewSeconds: options.clockSkewSeconds,
      ...options.tokenCache,
    });
  }

  async verify(request: TokenRequest): Promise<Caller> {
    const { scheme, token } = parseAuthorization(request.authorization);
    const { jkt, caller } = await this.verifiedToken(token);
    if (jkt === undefined && scheme === 'dpop') {
      // RFC 9449 §7.1: the DPoP scheme is for bound tokens only.
      throw new AuthenticationError('DPOP_SCHEME_WITHOUT_BINDING');
    }
    if (jkt !== undefined) {
      if (scheme !== 'dpop') {
        // RFC 9449 §7.2: a bound token presented as a plain bearer token is a downgrade: reject.
        throw new AuthenticationError('DPOP_PROOF_REQUIRED');
      }
      await verifyDpopProof(
        { proof: request.dpop, accessToken: token, jkt, method: request.method, url: request.url },
        {
          clock: this.options.clock,
          clockSkewSeconds: this.options.clockSkewSeconds,
          maxAgeSeconds: this.dpopMaxAgeSeconds,
          replayCache: this.replayCache,
        },
      );
    }
    return caller;
  }

  /**
   * The token's signature and claims, checked once per token string and then taken from the cache until the
   * token expires (or the cache's maxAge passes). Only a token that passed every check here is cached.
   */
  private async verifiedToken(token: string): Promise<VerifiedToken> {
    const key = VerifiedTokenCache.keyOf(token);
    const cached = this.verifiedTokens.get(key);
    if (cached !== undefined) {
      return cached;
    }
    const payload = await this.verifyAccessToken(token);
    const jkt = boundKeyThumbprint(payload);
    // Frozen: one Caller now serves every request that presents this token.
    const caller = callerFromClaims(payload);
    Object.freeze(caller.organisation);
    Object.freeze(caller.scopes);
    Object.freeze(caller.roles);
    const verified: VerifiedToken = { payload, ...(jkt === undefined ? {} : { jkt }), caller: Object.freeze(caller) };
    this.verifiedTokens.set(key, verified);
    return verified;
  }

  private async verifyAccessToken(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.options.keys, {
        // An explicit allow-list defeats `alg: none` and HS256-with-the-public-key (RFC 8725 §2.1, §3.1).
        algorithms: [...ALLOWED_ALGORITHMS],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockSkewSeconds,
        currentDate: this.options.clock.now(),
        requiredClaims: [...REQUIRED_CLAIMS],
      });
      return payload;
    } catch (error) {
      throw mapVerificationError(error);
    }
  }
}

export interface RemoteKeySetOptions {
  /** minimum time between two re-fetches on an unknown kid; jose's default is 30 s */
  readonly cooldownMs?: number;
  /** how long fetched keys are trusted before a refresh; jose's default is 10 min */
  readonly cacheMaxAgeMs?: number;
  readonly timeoutMs?: number;
}

/**
 * The issuer's keys over HTTPS (HelseID publishes them at its jwks_uri). jose caches them and re-fetches when a
 * token names an unknown `kid` (key rotation), at most once per cooldown, so junk kids cannot hammer the issuer.
 */
export const remoteKeySet = (url: string, options: RemoteKeySetOptions = {}): JWTVerifyGetKey =>
  createRemoteJWKSet(new URL(url), {
    ...(options.cooldownMs === undefined ? {} : { cooldownDuration: options.cooldownMs }),
    ...(options.cacheMaxAgeMs === undefined ? {} : { cacheMaxAge: options.cacheMaxAgeMs }),
    timeoutDuration: options.timeoutMs ?? 5000,
  });
