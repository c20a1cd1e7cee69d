import type { FastifyReply, FastifyRequest, RequestPayload } from 'fastify';
import type { Logger } from 'pino';
import { AuthenticationError, AuthenticationUnavailableError } from '../access/domain/access.errors';
import type { AuthConfig } from '../access/auth-config';
import type { Caller } from '../access/domain/caller';
import type { TokenVerifier } from '../access/tokens/token-verifier';
import { type TokenBucketLimiter, rateLimitKey } from './rate-limit';

/**
 * Authentication at the edge (issue 5): no GraphQL runs without a verified caller.
 *  - HTTP: a `preParsing` hook on the /graphql routes (Mercurius `additionalRouteOptions`; it keeps `onRequest`
 *    for itself). It runs before the body is even read: a missing or invalid token gets 401 with
 *    `WWW-Authenticate` and a GraphQL-shaped body, an unreachable JWKS 503; then the per-caller rate limit (429).
 *  - WebSocket: the upgrade request passes (browsers cannot send headers on it); `onConnect` verifies the token in
 *    the `connection_init` payload, `{ authorization: 'Bearer …', dpop?: '…' }`, and refuses the connection
 *    otherwise. A DPoP-bound token over WebSocket needs AUTH_PUBLIC_BASE_URL: the proof is checked with htm GET and
 *    htu `<AUTH_PUBLIC_BASE_URL>/graphql` (onConnect does not see the upgrade request); without it, refused.
 * The verified caller reaches the GraphQL context through `callerOf(request)` / the connection context.
 */

const callers = new WeakMap<FastifyRequest, Caller>();

/** The caller the edge verified for this HTTP request (undefined: never authenticated, so nothing runs). */
export const callerOf = (request: FastifyRequest): Caller | undefined => callers.get(request);

/**
 * The ward page's browser sessions (src/ward, issue 20): the page holds a session cookie, the service holds the
 * token. A request without an Authorization header is authenticated with the token of the session its cookie names,
 * provided it carries the session's CSRF token; a WebSocket with a one-time ticket from that session. Either way
 * the token is then verified here exactly like a bearer token: same verifier, same caller, same policy and audit.
 */
export interface SessionCredentials {
  /** `Bearer …` of the signed-in session the cookie names; 'csrf-refused' when the CSRF token is wrong; else undefined */
  forRequest(
    cookieHeader: string | undefined,
    csrfHeader: string | undefined,
  ): { readonly authorization: string } | 'csrf-refused' | undefined;
  /** `Bearer …` of the session a one-time WebSocket ticket was issued to (the ticket is spent either way) */
  forTicket(ticket: string): string | undefined;
}

export interface EdgeAuthOptions {
  readonly verifier: TokenVerifier;
  readonly auth: AuthConfig;
  readonly limiter: TokenBucketLimiter;
  readonly logger: Logger;
  readonly sessions?: SessionCredentials;
}

type PreParsingDone = (error?: Error | null, payload?: RequestPayload) => void;

interface GraphqlErrorBody {
  readonly errors: readonly { readonly message: string; readonly extensions: Record<string, string | number> }[];
}

const errorBody = (message: string, extensions: Record<string, string | number>): GraphqlErrorBody => ({
  errors: [{ message, extensions }],
});

const headerOf = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/** @fastify/websocket marks upgrade requests with `request.ws`; they are authenticated in onConnect instead. */
const isWebSocketUpgrade = (request: FastifyRequest): boolean => Reflect.get(request, 'ws') === true;

const RATE_LIMITED = 'Too many requests: slow down and retry after the number of seconds in Retry-After';

const CSRF_REFUSED = errorBody('The request lacks the CSRF token of its session', {
  code: 'FORBIDDEN',
  errorCode: 'CSRF_TOKEN_INVALID',
});

export const createEdgeAuth = ({ verifier, auth, limiter, logger, sessions }: EdgeAuthOptions) => {
  const refuse = (reply: FastifyReply, error: unknown): void => {
    if (error instanceof AuthenticationError) {
      logger.info({ failure: error.failure }, 'request refused: no valid access token');
      void reply
        .code(401)
        .header('www-authenticate', error.challenge)
        .header('cache-control', 'no-store')
        .send(errorBody(error.message, { code: 'UNAUTHENTICATED' }));
      return;
    }
    const unavailable = error instanceof AuthenticationUnavailableError;
    logger.error(
      { err: error },
      unavailable ? 'token issuer keys unavailable' : 'token verification failed unexpectedly',
    );
    void reply
      .code(unavailable ? 503 : 500)
      .send(
        unavailable
          ? errorBody(error.message, { code: 'SERVICE_UNAVAILABLE', errorCode: error.code })
          : errorBody('Internal server error', { code: 'INTERNAL_SERVER_ERROR' }),
      );
  };

  const admit = (caller: Caller, reply?: FastifyReply): boolean => {
    const decision = limiter.take(rateLimitKey(caller));
    if (decision.allowed) {
      return true;
    }
    logger.warn({ clientId: caller.clientId }, 'request refused: rate limit');
    void reply
      ?.code(429)
      .header('retry-after', String(decision.retryAfterSeconds))
      .send(errorBody(RATE_LIMITED, { code: 'RATE_LIMITED', retryAfterSeconds: decision.retryAfterSeconds }));
    return false;
  };

  /** Callback style on purpose: after a refusal `done` is never called, so the body is never read or executed. */
  const preParsing = (
    request: FastifyRequest,
    reply: FastifyReply,
    payload: RequestPayload,
    done: PreParsingDone,
  ): void => {
    if (isWebSocketUpgrade(request)) {
      done(null, payload);
      return;
    }
    // Never the request's Host header: a proof for http://evil.example/graphql sent with `Host: evil.example` would
    // match it (issue 15). Without AUTH_PUBLIC_BASE_URL (development only; production requires it) a DPoP proof
    // cannot match, so bound tokens are refused; bearer tokens do not use the URL.
    const base = auth.publicBaseUrl ?? 'urn:pll:set-AUTH_PUBLIC_BASE_URL-for-dpop';
    const bearer = headerOf(request.headers.authorization);
    const fromSession =
      bearer === undefined
        ? sessions?.forRequest(headerOf(request.headers.cookie), headerOf(request.headers['x-csrf-token']))
        : undefined;
    if (fromSession === 'csrf-refused') {
      logger.warn('request refused: session cookie without its CSRF token');
      void reply.code(403).header('cache-control', 'no-store').send(CSRF_REFUSED);
      return;
    }
    verifier
      .verify({
        authorization: bearer ?? fromSession?.authorization,
        ...(request.headers.dpop === undefined ? {} : { dpop: request.headers.dpop }),
        method: request.method,
        url: `${base}${request.url}`,
      })
      .then(
        (caller) => {
          if (admit(caller, reply)) {
            callers.set(request, caller);
            done(null, payload);
          }
        },
        (error: unknown) => refuse(reply, error),
      );
  };

  /** Mercurius `subscription.onConnect`: `{ caller }` joins the connection's context; false refuses it. */
  const onConnect = async ({ payload }: { readonly payload: unknown }): Promise<{ caller: Caller } | false> => {
    const field = (name: string): string | undefined => {
      const value: unknown = typeof payload === 'object' && payload !== null ? Reflect.get(payload, name) : undefined;
      return typeof value === 'string' ? value : undefined;
    };
    const dpop = field('dpop') ?? field('DPoP');
    const ticket = field('wardTicket');
    try {
      const caller = await verifier.verify({
        authorization:
          field('authorization') ??
          field('Authorization') ??
          (ticket === undefined ? undefined : sessions?.forTicket(ticket)),
        ...(dpop === undefined ? {} : { dpop }),
        method: 'GET',
        url: `${auth.publicBaseUrl ?? 'urn:pll:set-AUTH_PUBLIC_BASE_URL-for-dpop'}/graphql`,
      });
      return admit(caller) ? { caller } : false;
    } catch (error) {
      logger.info(
        { failure: error instanceof AuthenticationError ? error.failure : 'UNAVAILABLE' },
        'WebSocket connection refused: no valid access token',
      );
      return false;
    }
  };

  return { preParsing, onConnect };
};
