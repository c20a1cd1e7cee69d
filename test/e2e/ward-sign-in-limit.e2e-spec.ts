import { DEFAULT_WARD_SIGN_IN_RATE_LIMIT_PER_MINUTE } from '../../src/config/config';
import { LOGIN_COOKIE, SESSION_COOKIE } from '../../src/ward/ward-cookies';
import { WardOidc } from '../../src/ward/ward-oidc';
import { signInBurstOf } from '../../src/ward/ward-sign-in-limit';
import { type TestApp, bootTestApp } from './app.e2e-helpers';
import { type LocalProvider, startLocalProvider } from './oidc/local-provider.e2e-helpers';

/**
 * The ward page's sign-in routes are rate-limited per client address (src/ward/ward-sign-in-limit.ts), at the
 * default WARD_SIGN_IN_RATE_LIMIT_PER_MINUTE. The client address is Fastify's `request.ip` (no trustProxy): the
 * requests are injected with their peer address, and X-Forwarded-For changes nothing. Time moves on the app's
 * clock, never by waiting.
 */

const REDIRECT_URI = 'https://pll.e2e.example/ward/callback';
const BURST = signInBurstOf(DEFAULT_WARD_SIGN_IN_RATE_LIMIT_PER_MINUTE);
const FLOODER = '192.0.2.10';
const NEIGHBOUR = '192.0.2.20';

const DEFAULT_LIMIT = { WARD_SIGN_IN_RATE_LIMIT_PER_MINUTE: String(DEFAULT_WARD_SIGN_IN_RATE_LIMIT_PER_MINUTE) };

const setCookies = (headers: Record<string, unknown>): string[] => {
  const value = headers['set-cookie'];
  return value === undefined ? [] : ([] as string[]).concat(value as string | string[]);
};

/** The statuses of a burst of the limit's size, sent one after another. */
const burstStatuses = async (send: () => Promise<{ statusCode: number }>): Promise<number[]> => {
  const statuses = [];
  for (let i = 0; i < BURST; i += 1) {
    statuses.push((await send()).statusCode);
  }
  return statuses;
};

const allOf = (status: number): number[] => Array.from({ length: BURST }, () => status);

describe('ward page sign-in: rate limit per client address (OpenID Connect configured)', () => {
  let t: TestApp;
  let provider: LocalProvider;
  let oidc: WardOidc;

  const login = (remoteAddress: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url: '/ward/login', remoteAddress, headers });

  beforeAll(async () => {
    provider = await startLocalProvider(REDIRECT_URI);
    t = await bootTestApp({ now: new Date().toISOString(), env: { ...provider.serviceEnv, ...DEFAULT_LIMIT } });
    oidc = t.app.get(WardOidc);
  });
  afterAll(async () => {
    await t.close();
    provider.stop();
  });

  it('a burst beyond the limit from one address gets 429 with Retry-After and starts no login; another address is still served; the bucket refills with time', async () => {
    const before = oidc.pendingLogins;
    expect(await burstStatuses(() => login(FLOODER))).toEqual(allOf(303));
    expect(oidc.pendingLogins).toBe(before + BURST);

    // X-Forwarded-For is not believed: the service does not trust a proxy, so the peer address is the client.
    const over = [await login(FLOODER), await login(FLOODER, { 'x-forwarded-for': NEIGHBOUR })];
    for (const response of over) {
      expect(response.statusCode).toBe(429);
      expect(response.headers['retry-after']).toBe('3');
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers.location).toBeUndefined();
      expect(setCookies(response.headers)).toEqual([]);
      expect(response.body).toContain('<h1>For mange innloggingsforsøk</h1>');
      expect(response.body).toContain('Prøv igjen om 3 sekunder');
    }
    expect(oidc.pendingLogins).toBe(before + BURST);

    const neighbour = await login(NEIGHBOUR);
    expect(neighbour.statusCode).toBe(303);
    expect(setCookies(neighbour.headers)).toEqual([expect.stringMatching(new RegExp(`^${LOGIN_COOKIE}=`))]);
    expect(oidc.pendingLogins).toBe(before + BURST + 1);

    // 20 a minute: one token every 3 s (a refused request does not reset the refill).
    t.clock.advance(1_500);
    const early = await login(FLOODER);
    expect([early.statusCode, early.headers['retry-after']]).toEqual([429, '2']);
    t.clock.advance(2_000);
    expect((await login(FLOODER)).statusCode).toBe(303);
    expect((await login(FLOODER)).statusCode).toBe(429);
    expect(oidc.pendingLogins).toBe(before + BURST + 2);

    const refusals = t.logLines.filter((line) => line.includes('ward page: sign-in refused: rate limit'));
    expect(refusals).toHaveLength(4);
    expect(JSON.parse(refusals[0] ?? '{}')).toMatchObject({ level: 'warn', route: 'login', retryAfterSeconds: 3 });
    expect(refusals.join('')).not.toContain('192.0.2.');
  });

  it('limits the callback in a bucket of its own: over it, 429 before the transaction is looked at, and no session', async () => {
    const address = '192.0.2.30';
    const callback = () =>
      t.app.inject({ method: 'GET', url: '/ward/callback?code=x&state=y', remoteAddress: address });
    expect(await burstStatuses(callback)).toEqual(allOf(400));

    const limited = await callback();
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('3');
    expect(setCookies(limited.headers)).toEqual([]);
    expect(limited.body).toContain('For mange innloggingsforsøk');

    // The callback's bucket is not the start's: this address may still start a login.
    expect((await login(address)).statusCode).toBe(303);
  });
});

describe('ward page sign-in: rate limit of the dev login (AUTH_MODE=dev)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp({ env: DEFAULT_LIMIT });
  });
  afterAll(async () => {
    await t.close();
  });

  it('over the limit the dev login answers 429 JSON with Retry-After and signs no one in; the session endpoint is not limited', async () => {
    const address = '192.0.2.40';
    const opened = await t.app.inject({ method: 'GET', url: '/ward/api/session', remoteAddress: address });
    const cookie = (setCookies(opened.headers)[0] ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    const { csrfToken } = JSON.parse(opened.body) as { csrfToken: string };
    const devLogin = () =>
      t.app.inject({
        method: 'POST',
        url: '/ward/api/dev-login',
        remoteAddress: address,
        headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
        // invalid on purpose: served requests answer 400 and change nothing either
        payload: JSON.stringify({ role: 'care' }),
      });
    expect(await burstStatuses(devLogin)).toEqual(allOf(400));

    const limited = await devLogin();
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('3');
    expect(JSON.parse(limited.body)).toEqual({ error: 'RATE_LIMITED', retryAfterSeconds: 3 });
    expect(setCookies(limited.headers)).toEqual([]);

    const session = await t.app.inject({
      method: 'GET',
      url: '/ward/api/session',
      remoteAddress: address,
      headers: { cookie },
    });
    expect(session.statusCode).toBe(200);
    expect(JSON.parse(session.body)).toMatchObject({ signedIn: null });
  });
});
