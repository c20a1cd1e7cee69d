import { DomainError, isDomainError } from '../../shared/errors/domain-error';

/**
 * Errors of the access slice. Messages are generic and carry codes only: never a token, a claim value or a
 * patient identifier (house-style.md, "Errors").
 */

/** Why a token was rejected. For logs and metrics only: the client sees one generic message (RFC 6750 §3). */
export type AuthenticationFailure =
  | 'TOKEN_MISSING'
  | 'TOKEN_MALFORMED'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'TOKEN_ALGORITHM_NOT_ALLOWED'
  | 'TOKEN_SIGNATURE_INVALID'
  | 'TOKEN_UNKNOWN_KEY'
  | 'TOKEN_CLAIMS_INVALID'
  | 'DPOP_PROOF_REQUIRED'
  | 'DPOP_PROOF_INVALID'
  | 'DPOP_PROOF_REPLAYED'
  | 'DPOP_SCHEME_WITHOUT_BINDING';

/**
 * The request carries no valid credentials: the edge answers HTTP 401 with `WWW-Authenticate`.
 *
 * Deliberately NOT a DomainError. DomainError kinds map to GraphQL errors inside a 200 response (the normaliser),
 * and "unauthenticated" must never be executed at all: the edge rejects the request before GraphQL runs. If one
 * ever reaches the normaliser unhandled it becomes INTERNAL_SERVER_ERROR, which still reveals nothing (fail closed).
 */
export class AuthenticationError extends Error {
  readonly code = 'UNAUTHENTICATED';
  readonly httpStatus = 401;

  constructor(
    readonly failure: AuthenticationFailure,
    /** the `WWW-Authenticate` challenge (RFC 6750 §3, RFC 9449 §7.1) */
    readonly challenge: string = challengeFor(failure),
  ) {
    super(failure === 'TOKEN_MISSING' ? 'Authentication required' : 'Invalid access token');
    this.name = 'AuthenticationError';
  }
}

const ALGORITHMS = 'ES256 PS256 RS256';

/** RFC 6750 §3.1 error codes; DPoP failures use the DPoP scheme and `invalid_dpop_proof` (RFC 9449 §7.1, §12.2). */
const challengeFor = (failure: AuthenticationFailure): string => {
  if (failure === 'TOKEN_MISSING') {
    return `Bearer, DPoP algs="${ALGORITHMS}"`;
  }
  if (failure === 'DPOP_PROOF_REQUIRED' || failure === 'DPOP_PROOF_INVALID' || failure === 'DPOP_PROOF_REPLAYED') {
    return `DPoP error="invalid_dpop_proof", algs="${ALGORITHMS}"`;
  }
  return 'Bearer error="invalid_token"';
};

/** The token could not be checked because the issuer's keys could not be fetched: 503, not 401 (not the caller's fault). */
export class AuthenticationUnavailableError extends DomainError {
  readonly code = 'AUTHENTICATION_UNAVAILABLE';
  readonly kind = 'unavailable' as const;
  constructor() {
    super('The token issuer keys are unavailable; try again later');
  }
}

/** The policy denied the request (FORBIDDEN). `reasonCode` is the policy's denial reason, safe to show. */
export class AccessDeniedError extends DomainError {
  readonly code = 'ACCESS_DENIED';
  readonly kind = 'forbidden' as const;
  constructor(
    readonly operation: string,
    readonly reasonCode: string,
  ) {
    super(`Access denied to ${operation}: ${reasonCode}`, { operation, reasonCode });
  }
}

/**
 * A subscription's token ended (exp plus the clock skew) while it was open: nothing more is pushed, and the
 * connection is closed with 4401 (src/graphql/ws-connection.ts).
 */
export class SubscriptionTokenExpiredError extends DomainError {
  readonly code = 'TOKEN_EXPIRED';
  readonly kind = 'forbidden' as const;
  constructor() {
    super('The access token has expired; connect again with a fresh token');
  }
}

/**
 * The audit event could not be stored durably. The request must fail (fail closed, issue 5): no answer leaves
 * without its audit record. A typed cause shows in `details` (`reason: EVENT_STORE_LOCKED, waitedMs`: another
 * process held the event file's lock), so a client can tell a lock worth retrying from an outage; its details are
 * codes and numbers only.
 */
export class AuditUnavailableError extends DomainError {
  readonly code = 'AUDIT_UNAVAILABLE';
  readonly kind = 'unavailable' as const;
  constructor(options?: { readonly cause?: unknown }) {
    const cause = options?.cause;
    super(
      'The access log is unavailable; the request was not carried out',
      isDomainError(cause) ? { ...cause.details, reason: cause.code } : {},
    );
    if (options?.cause !== undefined) {
      this.cause = options.cause;
    }
  }
}

/** A malformed `after` cursor or page size for accessLog. */
export class InvalidAccessLogPageError extends DomainError {
  readonly code = 'INVALID_ACCESS_LOG_PAGE';
  readonly kind = 'invalid' as const;
  constructor(field: 'first' | 'after') {
    super(`Invalid access log page argument: ${field}`, { field });
  }
}
