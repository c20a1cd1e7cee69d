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
/**
 * Bounds memory against a flood of anonymous sessions (GET /ward/api/session opens one for anybody): the least
 * recently used anonymous ones are dropped first. Signed-in sessions are kept apart, so such a flood never signs a
 * nurse out.
 */
const MAX_ANONYMOUS_SESSIONS = 20_000;
/** Signed-in sessions: each took a real sign-in (rate-limited per address); the least recently used go first. */
const MAX_SIGNED_IN_SESSIONS = 20_000;
/** Tickets a session asked for and never redeemed expire; this bounds them meanwhile. */
const MAX_TICKETS = 20_000;

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
  private readonly anonymous = new LRUCache<string, Session>({ max: MAX_ANONYMOUS_SESSIONS });
  private readonly signedIn = new LRUCache<string, Session>({ max: MAX_SIGNED_IN_SESSIONS });
  private readonly tickets = new LRUCache<string, { readonly sessionId: string; readonly expiresAt: number }>({
    max: MAX_TICKETS,
  });

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
    this.drop(oldSessionId);
    const sessionId = randomId();
    const csrfToken = randomId();
    this.store(sessionId, { csrfToken, expiresAt: expiresAt.getTime(), signedIn: { accessToken, identity } });
    return { sessionId, csrfToken };
  }

  signOut(sessionId: string): void {
    this.drop(sessionId);
  }

  /** How many sessions are held, anonymous and signed in (for the specs of the flood bounds). */
  get size(): { readonly anonymous: number; readonly signedIn: number } {
    return { anonymous: this.anonymous.size, signedIn: this.signedIn.size };
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
    const session = this.signedIn.get(sessionId) ?? this.anonymous.get(sessionId);
    if (session !== undefined && session.expiresAt <= this.now()) {
      this.drop(sessionId);
      return undefined;
    }
    return session;
  }

  private store(sessionId: string, session: Session): void {
    (session.signedIn === undefined ? this.anonymous : this.signedIn).set(sessionId, session);
  }

  private drop(sessionId: string): void {
    this.anonymous.delete(sessionId);
    this.signedIn.delete(sessionId);
  }
}
