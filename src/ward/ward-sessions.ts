import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionCredentials } from '../graphql/edge-auth';
import { CLOCK, type Clock } from '../shared/clock';
import { SESSION_COOKIE, cookieValue } from './ward-cookies';
import { LRUCache } from 'lru-cache';

/** Who signed in, as the page shows it (no token, no patient data). */
export interface WardIdentity {
  readonly role: 'care' | 'prescriber';
  readonly organisationNumber?: string;
  readonly unit?: string;
  readonly hprNumber?: string;
}

interface Session {
  readonly csrfToken: string;
  readonly expiresAt: number;
  /** absent until signed in */
  readonly signedIn?: { readonly accessToken: string; readonly identity: WardIdentity };
}

/** An anonymous session (the sign-in form's CSRF token) lives this long. */
const ANONYMOUS_TTL_MS = 30 * 60 * 1000;
/** A WebSocket ticket must be redeemed this soon, once. */
const TICKET_TTL_MS = 30 * 1000;
/** Bounds memory against a flood of anonymous sessions: the least recently used are dropped first. */
const MAX_SESSIONS = 20_000;

const randomId = (): string => randomBytes(32).toString('base64url');

const sameSecret = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/**
 * Server-side sessions of the ward page (issue 20): the browser holds only a random session id in an HttpOnly
 * cookie; the access token stays here. Every state-changing request, and every GraphQL request made with the
 * cookie, must carry the session's CSRF token in `x-csrf-token` (the page reads it from /ward/api/session, which a
 * page on another origin cannot read). Signing in rotates the session id (no session fixation). WebSocket
 * connections cannot send headers: the page asks for a one-time ticket (a CSRF-checked POST) and sends it in
 * `connection_init`.
 *
 * In memory, per replica: behind a load balancer use sticky sessions (docs/ward.md).
 */
@Injectable()
export class WardSessions implements SessionCredentials {
  /** Recency order (each request's lookup refreshes its session): a flood of new sessions evicts idle ones first. */
  private readonly sessions = new LRUCache<string, Session>({ max: MAX_SESSIONS });
  private readonly tickets = new Map<string, { readonly sessionId: string; readonly expiresAt: number }>();

  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  /** A new anonymous session: its id (for the cookie) and CSRF token. */
  open(): { readonly sessionId: string; readonly csrfToken: string } {
    const sessionId = randomId();
    const csrfToken = randomId();
    this.store(sessionId, { csrfToken, expiresAt: this.now() + ANONYMOUS_TTL_MS });
    return { sessionId, csrfToken };
  }

  /** The live session a `Cookie` header names, with its id. */
  fromCookie(
    cookieHeader: string | undefined,
  ): { readonly sessionId: string; readonly csrfToken: string; readonly identity?: WardIdentity } | undefined {
    const sessionId = cookieValue(cookieHeader, SESSION_COOKIE);
    const session = sessionId === undefined ? undefined : this.live(sessionId);
    return sessionId === undefined || session === undefined
      ? undefined
      : {
          sessionId,
          csrfToken: session.csrfToken,
          ...(session.signedIn === undefined ? {} : { identity: session.signedIn.identity }),
        };
  }

  /** Whether `csrfToken` is the session's (constant time). */
  csrfMatches(sessionId: string, csrfToken: string | undefined): boolean {
    const session = this.live(sessionId);
    return session !== undefined && csrfToken !== undefined && sameSecret(session.csrfToken, csrfToken);
  }

  /** Replaces the session by a signed-in one under a NEW id and CSRF token; the old id is dead. */
  signIn(
    oldSessionId: string,
    accessToken: string,
    identity: WardIdentity,
    expiresAt: Date,
  ): { readonly sessionId: string; readonly csrfToken: string } {
    this.sessions.delete(oldSessionId);
    const sessionId = randomId();
    const csrfToken = randomId();
    this.store(sessionId, { csrfToken, expiresAt: expiresAt.getTime(), signedIn: { accessToken, identity } });
    return { sessionId, csrfToken };
  }

  signOut(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  /** A one-time ticket for a WebSocket connection of a signed-in session. */
  ticket(sessionId: string): string | undefined {
    if (this.live(sessionId)?.signedIn === undefined) {
      return undefined;
    }
    const ticket = randomId();
    this.tickets.set(ticket, { sessionId, expiresAt: this.now() + TICKET_TTL_MS });
    return ticket;
  }

  // ---- SessionCredentials (the GraphQL edge) ---------------------------------------------------------------------

  forRequest(
    cookieHeader: string | undefined,
    csrfHeader: string | undefined,
  ): { readonly authorization: string } | 'csrf-refused' | undefined {
    const found = this.fromCookie(cookieHeader);
    const session = found === undefined ? undefined : this.live(found.sessionId);
    if (found === undefined || session?.signedIn === undefined) {
      return undefined;
    }
    return this.csrfMatches(found.sessionId, csrfHeader)
      ? { authorization: `Bearer ${session.signedIn.accessToken}` }
      : 'csrf-refused';
  }

  forTicket(ticket: string): string | undefined {
    const entry = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    const session = entry === undefined || entry.expiresAt <= this.now() ? undefined : this.live(entry.sessionId);
    return session?.signedIn === undefined ? undefined : `Bearer ${session.signedIn.accessToken}`;
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  private live(sessionId: string): Session | undefined {
    const session = this.sessions.get(sessionId);
    if (session !== undefined && session.expiresAt <= this.now()) {
      this.sessions.delete(sessionId);
      return undefined;
    }
    return session;
  }

  private store(sessionId: string, session: Session): void {
    this.sessions.set(sessionId, session);
  }
}
