import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { NURSING_HOME_ORG, STARTED_ON } from '../../src/medication-list/domain/medication-list.fixtures';
import { SESSION_COOKIE } from '../../src/ward/ward-cookies';
import { type TestApp, bootTestApp } from './app.e2e-helpers';
import { dataOf, subscribe, syntheticPatientId } from './read-side.e2e-helpers';

/**
 * The ward page's backend-for-frontend (issue 20) over real HTTP and WebSocket: the session cookie, the CSRF token
 * on every state-changing request and on GraphQL calls made with the cookie, the dev sign-in, and that a look
 * through the page is audited like any other (same caller, same policy).
 */

const NOW = '2026-03-02T09:15:00.000Z';
const PATIENT = syntheticPatientId(12);
const UNIT = 'Avdeling 2';
const NURSE_FORM = { organisationNumber: NURSING_HOME_ORG, unit: UNIT };
const LIST = `query L($p: String!) { medicationList(patientId: $p) { version } }`;
const ACCESS_LOG = `query A($p: String!) { accessLog(patientId: $p, first: 10) { entries { operation outcome callerRole callerOrganisation } } }`;

interface Browser {
  cookie?: string;
  csrf: string;
}

describe('ward page sessions (BFF): cookie, CSRF, dev sign-in, audit', () => {
  let t: TestApp;

  const request = async (path: string, init: RequestInit & { browser?: Browser; csrf?: string } = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (init.browser?.cookie !== undefined) {
      headers.cookie = init.browser.cookie;
    }
    if (init.csrf !== undefined) {
      headers['x-csrf-token'] = init.csrf;
    }
    // as the page does: a JSON body on every POST, `{}` when there is nothing to say
    const body = init.method === 'POST' ? (init.body ?? '{}') : undefined;
    const response = await fetch(`${t.baseUrl}${path}`, { ...init, headers, body });
    const setCookie = response.headers.get('set-cookie');
    if (init.browser !== undefined && setCookie !== null) {
      init.browser.cookie = setCookie.split(';')[0];
    }
    return response;
  };
  const openBrowser = async (): Promise<Browser> => {
    const browser: Browser = { csrf: '' };
    const session = (await (await request('/ward/api/session', { browser })).json()) as {
      csrfToken: string;
      authMode: string;
    };
    expect(session.authMode).toBe('dev');
    browser.csrf = session.csrfToken;
    return browser;
  };
  const signIn = async (browser: Browser, form: Record<string, string> = NURSE_FORM) => {
    const response = await request('/ward/api/dev-login', {
      method: 'POST',
      browser,
      csrf: browser.csrf,
      body: JSON.stringify(form),
    });
    expect(response.status).toBe(200);
    browser.csrf = ((await response.json()) as { csrfToken: string }).csrfToken;
  };
  const graphqlAs = (browser: Browser, query: string, variables: Record<string, unknown>, withCsrf = true) =>
    request('/graphql', {
      method: 'POST',
      browser,
      ...(withCsrf ? { csrf: browser.csrf } : {}),
      body: JSON.stringify({ query, variables }),
    });

  beforeAll(async () => {
    t = await bootTestApp({ now: NOW });
    const started = await t.graphql(
      `mutation C($input: StartCareRelationInput!) { startCareRelation(input: $input) { position } }`,
      {
        input: {
          patientId: PATIENT,
          relationId: 'rel-ward',
          organisationNumber: NURSING_HOME_ORG,
          unit: UNIT,
          from: STARTED_ON,
        },
      },
    );
    const { position } = dataOf(started).startCareRelation as { position: string };
    await t.projector.waitForPosition('currentMedicationList', BigInt(position), 5_000);
    await t.projector.waitForPosition('careUnitOverview', BigInt(position), 5_000);
  });
  afterAll(async () => {
    await t.close();
  });

  it('has no OpenID Connect sign-in in dev mode: /ward/login says so plainly, the session says so too', async () => {
    const login = await fetch(`${t.baseUrl}/ward/login`, { redirect: 'manual' });
    expect(login.status).toBe(404);
    expect(await login.text()).toContain('utviklerinnlogging (AUTH_MODE=dev)');
    const session = (await (await request('/ward/api/session')).json()) as Record<string, unknown>;
    expect(session).toMatchObject({ authMode: 'dev', oidcSignIn: false });
    expect((await fetch(`${t.baseUrl}/ward/callback?code=x&state=y`, { redirect: 'manual' })).status).toBe(404);
  });

  it('sets an HttpOnly, Secure, SameSite=Strict session cookie and rotates it on sign-in', async () => {
    const browser: Browser = { csrf: '' };
    const first = await request('/ward/api/session', { browser });
    expect(first.headers.get('set-cookie')).toMatch(
      new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}; Path=/; Max-Age=\\d+; HttpOnly; Secure; SameSite=Strict$`),
    );
    browser.csrf = ((await first.json()) as { csrfToken: string }).csrfToken;
    const before = browser.cookie;
    await signIn(browser);
    expect(browser.cookie).not.toBe(before);
    const session = (await (await request('/ward/api/session', { browser })).json()) as Record<string, unknown>;
    expect(session.signedIn).toEqual({ role: 'care', organisationNumber: NURSING_HOME_ORG, unit: UNIT });
  });

  it('refuses every state-changing request without the session’s CSRF token, changing nothing', async () => {
    const browser = await openBrowser();
    const noToken = await request('/ward/api/dev-login', { method: 'POST', browser, body: JSON.stringify(NURSE_FORM) });
    const wrongToken = await request('/ward/api/dev-login', {
      method: 'POST',
      browser,
      csrf: 'x'.repeat(43),
      body: JSON.stringify(NURSE_FORM),
    });
    expect([noToken.status, wrongToken.status]).toEqual([403, 403]);
    expect(noToken.headers.get('set-cookie')).toBeNull();

    await signIn(browser);
    const graphqlWithoutToken = await graphqlAs(browser, LIST, { p: PATIENT }, false);
    expect(graphqlWithoutToken.status).toBe(403);
    expect(await graphqlWithoutToken.json()).toMatchObject({
      errors: [{ extensions: { code: 'FORBIDDEN', errorCode: 'CSRF_TOKEN_INVALID' } }],
    });
    const ticket = await request('/ward/api/ws-ticket', { method: 'POST', browser });
    const logout = await request('/ward/api/logout', { method: 'POST', browser });
    expect([ticket.status, logout.status]).toEqual([403, 403]);
    expect((await graphqlAs(browser, LIST, { p: PATIENT })).status).toBe(200);
  });

  it('answers the page’s GraphQL with the session’s token: same policy, and every look is in the patient’s access log', async () => {
    const nurse = await openBrowser();
    await signIn(nurse);
    const read = (await (await graphqlAs(nurse, LIST, { p: PATIENT })).json()) as { data?: unknown; errors?: unknown };
    expect(read).toEqual({ data: { medicationList: { version: 1 } } });

    const otherHome = await openBrowser();
    await signIn(otherHome, { organisationNumber: '974812002' });
    const refused = (await (await graphqlAs(otherHome, LIST, { p: PATIENT })).json()) as { errors?: unknown };
    expect(refused.errors).toMatchObject([{ extensions: { code: 'FORBIDDEN' } }]);

    const log = dataOf(await t.graphql(ACCESS_LOG, { p: PATIENT }, { as: { role: 'patient', pid: PATIENT } }));
    // lower-cased: the outcome may become an enum (issue 22)
    const entries = (log.accessLog as { entries: { outcome: string }[] }).entries.map((e) => ({
      ...e,
      outcome: e.outcome.toLowerCase(),
    }));
    expect(entries).toEqual(
      expect.arrayContaining([
        { operation: 'medicationList', outcome: 'allowed', callerRole: 'care', callerOrganisation: NURSING_HOME_ORG },
        { operation: 'medicationList', outcome: 'denied', callerRole: 'care', callerOrganisation: '974812002' },
      ]),
    );
  });

  it('opens a subscription with a one-time ticket from the session, and refuses a spent ticket', async () => {
    const nurse = await openBrowser();
    await signIn(nurse);
    const ticketOf = async () =>
      (
        (await (await request('/ward/api/ws-ticket', { method: 'POST', browser: nurse, csrf: nurse.csrf })).json()) as {
          ticket: string;
        }
      ).ticket;
    const ticket = await ticketOf();
    const client = (wardTicket: string) =>
      createClient({
        url: `${t.baseUrl.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        connectionParams: { wardTicket },
      });
    const first = client(ticket);
    const live = subscribe(first, `subscription U($p: String!) { medicationListChanged(patientId: $p) { version } }`, {
      p: PATIENT,
    });
    expect(await live.next()).toEqual({ medicationListChanged: { version: 1 } });
    await first.dispose();

    const replay = client(ticket);
    const refused = subscribe(
      replay,
      `subscription U($p: String!) { medicationListChanged(patientId: $p) { version } }`,
      { p: PATIENT },
    );
    await expect(refused.next()).rejects.toThrow();
    await replay.dispose();
  });

  it('signs out: the cookie is cleared and the old session reads nothing', async () => {
    const nurse = await openBrowser();
    await signIn(nurse);
    const stale = { ...nurse };
    const out = await request('/ward/api/logout', { method: 'POST', browser: nurse, csrf: nurse.csrf });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=; Path=/; Max-Age=0`));
    expect((await graphqlAs(stale, LIST, { p: PATIENT })).status).toBe(401);
  });
});

describe('ward page in production mode', () => {
  it('has no dev sign-in (404) and says the sign-in is OpenID Connect', async () => {
    const t = await bootTestApp({ production: true });
    try {
      const response = await fetch(`${t.baseUrl}/ward/api/session`);
      const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!; // split returns at least one part
      const { csrfToken, authMode } = (await response.json()) as { csrfToken: string; authMode: string };
      expect(authMode).toBe('oidc');
      const login = await fetch(`${t.baseUrl}/ward/api/dev-login`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify(NURSE_FORM),
      });
      expect(login.status).toBe(404);
      // Production without WARD_OIDC_*: the service starts, and /ward/login says sign-in is not configured.
      const oidcLogin = await fetch(`${t.baseUrl}/ward/login`, { redirect: 'manual' });
      expect(oidcLogin.status).toBe(404);
      expect(await oidcLogin.text()).toContain('WARD_OIDC_* mangler');
    } finally {
      await t.close();
    }
  });
});
