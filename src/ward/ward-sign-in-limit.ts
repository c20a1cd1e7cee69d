import type { Provider } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { TokenBucketLimiter } from '../graphql/rate-limit';
import { CLOCK, type Clock } from '../shared/clock';

/**
 * The rate limit of the ward page's sign-in routes (WARD_SIGN_IN_RATE_LIMIT_PER_MINUTE): /ward/login,
 * /ward/callback and, in dev mode, /ward/api/dev-login. They answer anyone, and each started login keeps a
 * transaction in a bounded map (ward-oidc.ts), so without a limit one client's flood would push out everyone else's
 * pending logins. A bucket per client address and route, in its own limiter: the API's per-caller buckets
 * (RATE_LIMIT_PER_MINUTE) are not touched by sign-in, nor sign-in by API calls.
 *
 * The address is Fastify's `request.ip`. The service does not set Fastify's `trustProxy`, so that is the peer of
 * the TCP connection and X-Forwarded-For is never believed: behind a reverse proxy every browser shares the proxy's
 * address, and the limit is the proxy's (docs/security.md, "Rate limits").
 */
export const WARD_SIGN_IN_LIMITER = Symbol('WARD_SIGN_IN_LIMITER');

export type WardSignInRoute = 'login' | 'callback' | 'dev-login';

/** Buckets kept at most (addresses × routes); the least recently used goes first, which only forgives it. */
const MAX_SIGN_IN_BUCKETS = 10_000;

/** A small burst: a quarter of a minute's allowance (5 at the default 20), at least one. */
export const signInBurstOf = (perMinute: number): number => Math.max(1, Math.ceil(perMinute / 4));

export const wardSignInLimiterProvider: Provider = {
  provide: WARD_SIGN_IN_LIMITER,
  inject: [APP_CONFIG, CLOCK],
  useFactory: (config: AppConfig, clock: Clock): TokenBucketLimiter =>
    new TokenBucketLimiter(
      config.wardSignInRateLimitPerMinute,
      clock,
      MAX_SIGN_IN_BUCKETS,
      signInBurstOf(config.wardSignInRateLimitPerMinute),
    ),
};

/** The bucket of a sign-in request: its route and the address Fastify resolved for it. */
export const signInLimitKey = (route: WardSignInRoute, request: FastifyRequest): string => `${route} ${request.ip}`;
