import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { CORRELATION_HEADER, correlationIdOf } from './request-context';

/**
 * Response headers on every route (issue 5, "Hardening"), and CORS only for configured origins. Set in `onRequest`
 * so that refusals (401, 413, 429) carry them too. Every response also carries `x-correlation-id`: the request's
 * (its own header when that is a UUID, else a new one), the id its log lines and audit events carry. Helmet is not a dependency; these are the few headers an API
 * that serves JSON (and, in development, the GraphiQL page) needs.
 */

/** The API serves JSON only: nothing may load, frame or be framed. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * GraphiQL (development only): its page, React and GraphiQL come from the service (graphiql-local.ts), styles
 * inline; it talks to /graphql over HTTP and WebSocket. Nothing from another host (issue 20).
 */
export const GRAPHIQL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "worker-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The ward page (issue 20): its own script and style only, no inline code, GraphQL over HTTP and WebSocket to the
 * same origin, no frames. Every asset is served by the service, so nothing else needs allowing.
 */
export const WARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const isWard = (path: string): boolean => path === '/ward' || path.startsWith('/ward/');

const contentSecurityPolicy = (path: string, production: boolean): string =>
  isWard(path)
    ? WARD_CSP
    : !production && (path === '/graphiql' || path.startsWith('/graphiql/'))
      ? GRAPHIQL_CSP
      : API_CSP;

/** Pure: the security headers of a response to `path` (without the query). */
export const securityHeaders = (path: string, production: boolean): Readonly<Record<string, string>> => ({
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': contentSecurityPolicy(path, production),
  // Patient data must not sit in a browser or proxy cache.
  ...(path === '/graphql' ? { 'cache-control': 'no-store' } : {}),
  // Behind TLS termination in production: browsers must never fall back to plain HTTP.
  ...(production ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
});

/** The CORS options for `CORS_ORIGINS` (exact origins; headers the API reads and the ones clients must see). */
export const corsOptions = (origins: readonly string[]) => ({
  origin: [...origins],
  methods: ['GET', 'POST'],
  allowedHeaders: ['authorization', 'content-type', 'dpop', 'x-correlation-id'],
  exposedHeaders: ['www-authenticate', 'retry-after', 'x-correlation-id'],
  credentials: false,
  maxAge: 600,
});

@Injectable()
export class SecurityHeaders implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost<FastifyAdapter>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    const production = this.config.nodeEnv === 'production';
    // The headers of /graphql (nearly every request) are the same each time: built once.
    const graphqlHeaders = securityHeaders('/graphql', production);
    adapter
      .getInstance()
      .addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
        const query = request.url.indexOf('?');
        const path = query === -1 ? request.url : request.url.slice(0, query);
        void reply.headers(path === '/graphql' ? graphqlHeaders : securityHeaders(path, production));
        void reply.header(CORRELATION_HEADER, correlationIdOf(request));
        done();
      });
    if (this.config.corsOrigins.length > 0) {
      adapter.enableCors(corsOptions(this.config.corsOrigins));
    }
  }
}
