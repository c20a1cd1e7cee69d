import { Controller, Get, HttpCode, Inject, NotFoundException, Optional, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AUTH_CONFIG } from '../access/access.module';
import type { AuthConfig } from '../access/auth-config';
import { DEV_KEYS, type DevKeys, signDevToken } from '../access/dev-keys';
import { LOGGER } from '../observability/logger';
import { CLOCK, type Clock } from '../shared/clock';
import { NOT_BUILT_PAGE, WARD_ASSETS_DIR, type WardAsset, loadWardAssets } from './ward-assets';
import { clearedSessionCookie, sessionCookie } from './ward-cookies';
import { devLogin, parseDevLoginForm } from './ward-dev-login';
import { WardSessions } from './ward-sessions';

const header = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/**
 * The ward page (issue 20) and its backend-for-frontend routes:
 *  - GET  /ward, /ward/:file        the built page (index.html, ward.js, ward.css) from memory
 *  - GET  /ward/api/session         the session's state and CSRF token (opens an anonymous session if needed)
 *  - POST /ward/api/dev-login       AUTH_MODE=dev only: the sign-in form → a dev token kept in the session
 *  - POST /ward/api/ws-ticket       a one-time ticket for the page's WebSocket (subscriptions)
 *  - POST /ward/api/logout
 * Every POST needs the session's CSRF token in `x-csrf-token`, else 403 and nothing changes. The GraphQL calls the
 * page makes go to /graphql like any client's, authenticated at the edge from the session (edge-auth.ts).
 */
@Controller('ward')
export class WardController {
  private readonly assets: ReadonlyMap<string, WardAsset>;

  constructor(
    private readonly sessions: WardSessions,
    @Inject(WARD_ASSETS_DIR) assetsDir: string,
    @Inject(AUTH_CONFIG) private readonly auth: AuthConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(DEV_KEYS) private readonly devKeys?: DevKeys,
  ) {
    this.assets = loadWardAssets(assetsDir);
  }

  @Get()
  page(@Res() reply: FastifyReply): void {
    this.sendAsset(reply, 'index.html');
  }

  @Get('api/session')
  session(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const found = this.sessions.fromCookie(header(request.headers.cookie));
    const session = found ?? this.sessions.open();
    if (found === undefined) {
      void reply.header('set-cookie', sessionCookie(session.sessionId, 30 * 60));
    }
    void reply.header('cache-control', 'no-store').send({
      authMode: this.auth.keys.kind === 'dev' ? 'dev' : 'oidc',
      csrfToken: session.csrfToken,
      signedIn: found?.identity ?? null,
    });
  }

  @Post('api/dev-login')
  @HttpCode(200)
  async devLogin(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (this.devKeys === undefined) {
      throw new NotFoundException();
    }
    const sessionId = this.checkedSession(request, reply);
    if (sessionId === undefined) {
      return;
    }
    const result = devLogin(parseDevLoginForm(request.body));
    if (!result.ok) {
      void reply.code(400).header('cache-control', 'no-store').send({ invalid: result.invalid });
      return;
    }
    const now = this.clock.now();
    const token = await signDevToken(this.devKeys, result.token, now, randomUUID());
    const expiresAt = new Date(now.getTime() + result.token.expiresInSeconds * 1000);
    const session = this.sessions.signIn(sessionId, token, result.identity, expiresAt);
    this.logger.info({ role: result.identity.role }, 'ward page: dev sign-in');
    void reply
      .header('set-cookie', sessionCookie(session.sessionId, result.token.expiresInSeconds))
      .header('cache-control', 'no-store')
      .send({ csrfToken: session.csrfToken, signedIn: result.identity });
  }

  @Post('api/ws-ticket')
  @HttpCode(200)
  wsTicket(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const sessionId = this.checkedSession(request, reply);
    if (sessionId === undefined) {
      return;
    }
    const ticket = this.sessions.ticket(sessionId);
    void (ticket === undefined
      ? reply.code(401).send({ error: 'not signed in' })
      : reply.header('cache-control', 'no-store').send({ ticket }));
  }

  @Post('api/logout')
  @HttpCode(204)
  logout(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const sessionId = this.checkedSession(request, reply);
    if (sessionId === undefined) {
      return;
    }
    this.sessions.signOut(sessionId);
    void reply.code(204).header('set-cookie', clearedSessionCookie()).send();
  }

  @Get(':file')
  asset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    this.sendAsset(reply, file);
  }

  /** The session id when the request carries the session's CSRF token; otherwise answers 403 and returns undefined. */
  private checkedSession(request: FastifyRequest, reply: FastifyReply): string | undefined {
    const found = this.sessions.fromCookie(header(request.headers.cookie));
    if (found !== undefined && this.sessions.csrfMatches(found.sessionId, header(request.headers['x-csrf-token']))) {
      return found.sessionId;
    }
    this.logger.warn('ward page: request refused without a session and its CSRF token');
    void reply.code(403).header('cache-control', 'no-store').send({ error: 'CSRF_TOKEN_INVALID' });
    return undefined;
  }

  private sendAsset(reply: FastifyReply, name: string): void {
    const asset = this.assets.get(name);
    if (asset === undefined) {
      void (name === 'index.html'
        ? reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE)
        : reply.code(404).send({ error: 'not found' }));
      return;
    }
    // The page names its script and style without a content hash: revalidate rather than cache stale code.
    void reply.type(asset.contentType).header('cache-control', 'no-cache').send(asset.body);
  }
}
