import { fixedClock } from '../shared/clock';
import { SESSION_COOKIE, cookieValue, sessionCookie } from './ward-cookies';
import { WardSessions } from './ward-sessions';

const NURSE = { role: 'care', organisationNumber: '974812002', unit: 'Avdeling 2' } as const;
const cookieOf = (sessionId: string): string => `other=1; ${SESSION_COOKIE}=${sessionId}`;

const setup = () => {
  const clock = fixedClock('2026-11-20T08:00:00Z');
  const sessions = new WardSessions(clock);
  const anonymous = sessions.open();
  const signedIn = sessions.signIn(anonymous.sessionId, 'the-token', NURSE, new Date('2026-11-20T16:00:00Z'));
  return { clock, sessions, anonymous, signedIn };
};

describe('WardSessions (the ward page keeps tokens on the server)', () => {
  it('authenticates a request with the cookie of a signed-in session and its CSRF token', () => {
    const { sessions, signedIn } = setup();
    expect(sessions.forRequest(cookieOf(signedIn.sessionId), signedIn.csrfToken)).toEqual({
      authorization: 'Bearer the-token',
    });
    expect(sessions.fromCookie(cookieOf(signedIn.sessionId))).toEqual({ ...signedIn, identity: NURSE });
  });

  it('refuses the cookie without the CSRF token, or with another session’s', () => {
    const { sessions, signedIn } = setup();
    const other = sessions.open();
    expect(sessions.forRequest(cookieOf(signedIn.sessionId), undefined)).toBe('csrf-refused');
    expect(sessions.forRequest(cookieOf(signedIn.sessionId), other.csrfToken)).toBe('csrf-refused');
  });

  it('gives nothing for no cookie, an unknown id, an anonymous session or the id used before signing in', () => {
    const { sessions, anonymous } = setup();
    const stillAnonymous = sessions.open();
    expect(sessions.forRequest(undefined, undefined)).toBeUndefined();
    expect(sessions.forRequest(cookieOf('unknown'), 'x')).toBeUndefined();
    expect(sessions.forRequest(cookieOf(stillAnonymous.sessionId), stillAnonymous.csrfToken)).toBeUndefined();
    // signing in rotated the id: the pre-login id (which an attacker could have planted) is dead
    expect(sessions.fromCookie(cookieOf(anonymous.sessionId))).toBeUndefined();
  });

  it('ends a session when its token expires, and on sign-out', () => {
    const { clock, sessions, signedIn } = setup();
    clock.set('2026-11-20T15:59:59Z');
    expect(sessions.forRequest(cookieOf(signedIn.sessionId), signedIn.csrfToken)).toEqual({
      authorization: 'Bearer the-token',
    });
    clock.set('2026-11-20T16:00:00Z');
    expect(sessions.forRequest(cookieOf(signedIn.sessionId), signedIn.csrfToken)).toBeUndefined();

    const again = setup();
    again.sessions.signOut(again.signedIn.sessionId);
    expect(again.sessions.forRequest(cookieOf(again.signedIn.sessionId), again.signedIn.csrfToken)).toBeUndefined();
  });

  it('issues WebSocket tickets to signed-in sessions only, each good once and for 30 seconds', () => {
    const { clock, sessions, signedIn } = setup();
    expect(sessions.ticket(sessions.open().sessionId)).toBeUndefined();
    const ticket = sessions.ticket(signedIn.sessionId) ?? '';
    expect(sessions.forTicket(ticket)).toBe('Bearer the-token');
    expect(sessions.forTicket(ticket)).toBeUndefined();
    const late = sessions.ticket(signedIn.sessionId) ?? '';
    clock.advance(30_000);
    expect(sessions.forTicket(late)).toBeUndefined();
  });

  it('keeps signed-in sessions through a flood of anonymous ones (anybody can open one)', () => {
    const { sessions, signedIn } = setup();
    for (let i = 0; i < 20_001; i += 1) {
      sessions.open();
    }
    expect(sessions.size).toEqual({ anonymous: 20_000, signedIn: 1 });
    expect(sessions.forRequest(cookieOf(signedIn.sessionId), signedIn.csrfToken)).toEqual({
      authorization: 'Bearer the-token',
    });
  });
});

describe('the session cookie', () => {
  it('is HttpOnly, Secure and SameSite=Strict, for the whole origin', () => {
    expect(sessionCookie('abc', 60)).toBe(
      `${SESSION_COOKIE}=abc; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Strict`,
    );
  });

  it.each([
    ['a = b; pll_ward_session=abc_-1', 'abc_-1'],
    ['pll_ward_session=ab;c', 'ab'],
    ['pll_ward_session=a%20b', undefined],
    ['xpll_ward_session=abc', undefined],
    ['', undefined],
  ])('reads %j', (header, expected) => {
    expect(cookieValue(header, SESSION_COOKIE)).toBe(expected);
  });
});
