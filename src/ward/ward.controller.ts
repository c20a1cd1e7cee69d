import { Controller, Get, HttpCode, Inject, NotFoundException, Optional, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AUTH_CONFIG } from '../access/access.module';
import type { AuthConfig } from '../access/auth-config';
import { DEV_KEYS, type DevKeys, signDevToken } from '../access/tokens/dev-keys';
import type { TokenBucketLimiter } from '../graphql/rate-limit';
import { LOGGER } from '../observability/logger';
import { CLOCK, type Clock } from '../shared/clock';
import { NOT_BUILT_PAGE, WARD_ASSETS_DIR, type WardAsset, loadWardAssets } from './ward-assets';
import { LOGIN_COOKIE, clearedSessionCookie, cookieValue, loginCookie, sessionCookie } from './ward-cookies';
import { devLogin, parseDevLoginForm } from './ward-dev-login';
import { WardOidc, WardOidcProviderUnavailableError } from './ward-oidc';
import { WardSessions } from './ward-sessions';
import { WARD_SIGN_IN_LIMITER, type WardSignInRoute, signInLimitKey } from './ward-sign-in-limit';

const header = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** A plain page for the sign-in routes' answers (a browser navigates to them); no script, the page's own style. */
const messagePage = (title: string, text: string, link?: { readonly href: string; readonly label: string }): string =>
  `<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
  `<link rel="stylesheet" href="/ward/ward.css"></head><body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>` +
  (link === undefined ? '' : `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>`) +
  `</main></body></html>`;

/** How long the provider may take to send the browser back (ward-oidc.ts keeps the transaction as long). */
const LOGIN_COOKIE_SECONDS = 10 * 60;

/**
 * The ward page (issue 20) and its backend-for-frontend routes:
 *  - GET  /ward, /ward/:file        the built page (index.html, ward.js, ward.css) from memory
 *  - GET  /ward/api/session         the session's state and CSRF token (opens an anonymous session if needed)
 *  - POST /ward/api/dev-login       AUTH_MODE=dev only: the sign-in form → a dev token kept in the session
 *  - POST /ward/api/ws-ticket       a one-time ticket for the page's WebSocket (subscriptions)
 *  - POST /ward/api/logout
 *  - GET  /ward/login               AUTH_MODE=jwks with WARD_OIDC_*: starts the OpenID Connect sign-in (PKCE)
 *  - GET  /ward/callback            the provider's redirect back: code exchange, token verified, session opened
 * Every POST needs the session's CSRF token in `x-csrf-token`, else 403 and nothing changes. The sign-in routes
 * (login, callback, dev-login) are rate-limited per client address (ward-sign-in-limit.ts): over it, 429 with
 * Retry-After before any work, so no login transaction and no session. The GraphQL calls the page makes go to
 * /graphql like any client's, authenticated at the edge from the session (edge-auth.ts).
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
    private readonly oidc: WardOidc,
    @Inject(WARD_SIGN_IN_LIMITER) private readonly signInLimiter: TokenBucketLimiter,
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
      oidcSignIn: this.oidc.configured,
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
    const retryAfter = this.signInRefusal('dev-login', request);
    if (retryAfter !== undefined) {
      void reply
        .code(429)
        .header('retry-after', String(retryAfter))
        .header('cache-control', 'no-store')
        .send({ error: 'RATE_LIMITED', retryAfterSeconds: retryAfter });
      return;
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

  /**
   * Starts the OpenID Connect sign-in: the browser gets the login-transaction cookie and goes to the provider. A GET
   * (a link on the page) that changes nothing but a short-lived, server-side transaction; the callback refuses a
   * code without that browser's transaction (login CSRF).
   */
  @Get('login')
  async login(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (!this.oidc.configured) {
      this.sendPage(
        reply,
        404,
        'Innlogging er ikke satt opp',
        this.auth.keys.kind === 'dev'
          ? 'Denne tjenesten kjører med utviklerinnlogging (AUTH_MODE=dev): bruk skjemaet på avdelingssiden.'
          : 'Innlogging med OpenID Connect (HelseID) er ikke satt opp på denne tjenesten (WARD_OIDC_* mangler).',
        { href: '/ward', label: 'Til avdelingssiden' },
      );
      return;
    }
    if (this.signInLimited('login', request, reply)) {
      return;
    }
    try {
      const { transactionId, authorizationUrl } = await this.oidc.start();
      void reply
        .code(303)
        .header('set-cookie', loginCookie(transactionId, LOGIN_COOKIE_SECONDS))
        .header('cache-control', 'no-store')
        .header('location', authorizationUrl)
        .send();
    } catch (error) {
      if (!(error instanceof WardOidcProviderUnavailableError)) {
        throw error;
      }
      this.logger.warn({ err: error }, 'ward page: OpenID provider unavailable');
      this.sendPage(
        reply,
        503,
        'Innlogging er ikke tilgjengelig',
        'Innloggingstjenesten svarer ikke. Prøv igjen om litt.',
        { href: '/ward/login', label: 'Prøv igjen' },
      );
    }
  }

  /** The provider's redirect back. Success: a new signed-in session (new id and CSRF token), then the page. */
  @Get('callback')
  async callback(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (!this.oidc.configured) {
      throw new NotFoundException();
    }
    if (this.signInLimited('callback', request, reply)) {
      return;
    }
    const transactionId = cookieValue(header(request.headers.cookie), LOGIN_COOKIE);
    const queryStart = request.url.indexOf('?');
    const result = await this.oidc.finish(transactionId, queryStart === -1 ? '' : request.url.slice(queryStart + 1));
    void reply.header('set-cookie', loginCookie('', 0)).header('cache-control', 'no-store');
    if (!result.ok) {
      this.logger.warn({ failure: result.failure }, 'ward page: OpenID Connect sign-in refused');
      this.sendPage(reply, result.status, 'Innloggingen mislyktes', `Du ble ikke logget inn (${result.failure}).`, {
        href: '/ward/login',
        label: 'Logg inn på nytt',
      });
      return;
    }
    const session = this.sessions.signIn(
      this.sessions.open().sessionId,
      result.accessToken,
      result.identity,
      result.expiresAt,
    );
    this.logger.info(
      { role: result.identity.role, clientId: result.caller.clientId },
      'ward page: OpenID Connect sign-in',
    );
    const seconds = (result.expiresAt.getTime() - this.clock.now().getTime()) / 1000;
    void reply
      .header('set-cookie', sessionCookie(session.sessionId, seconds))
      .code(303)
      .header('location', '/ward')
      .send();
  }

  @Get(':file')
  asset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    this.sendAsset(reply, file);
  }

  /**
   * Takes a token from the request's sign-in bucket; undefined when there was one, else the seconds until there is.
   * The refusal is logged with the route only (no address: request lines are not logged either).
   */
  private signInRefusal(route: WardSignInRoute, request: FastifyRequest): number | undefined {
    const decision = this.signInLimiter.take(signInLimitKey(route, request));
    if (decision.allowed) {
      return undefined;
    }
    this.logger.warn(
      { route, retryAfterSeconds: decision.retryAfterSeconds },
      'ward page: sign-in refused: rate limit',
    );
    return decision.retryAfterSeconds;
  }

  /** For the routes a browser navigates to: over the limit, answers 429 with Retry-After and a page, returns true. */
  private signInLimited(route: WardSignInRoute, request: FastifyRequest, reply: FastifyReply): boolean {
    const retryAfter = this.signInRefusal(route, request);
    if (retryAfter === undefined) {
      return false;
    }
    void reply.header('retry-after', String(retryAfter));
    this.sendPage(
      reply,
      429,
      'For mange innloggingsforsøk',
      `Det har kommet for mange innloggingsforsøk herfra. Prøv igjen om ${retryAfter} sekunder.`,
      { href: '/ward', label: 'Til avdelingssiden' },
    );
    return true;
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

  private sendPage(
    reply: FastifyReply,
    status: number,
    title: string,
    text: string,
    link?: { readonly href: string; readonly label: string },
  ): void {
    void reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(messagePage(title, text, link));
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
