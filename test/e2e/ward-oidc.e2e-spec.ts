import { AuditService } from '../../src/access/audit';
import { PLL_SCOPES } from '../../src/access/domain/caller';
import { APP_CONFIG, type AppConfig } from '../../src/config/config';
import { NURSING_HOME_ORG } from '../../src/medication-list/domain/medication-list.fixtures';
import { patientKeyOf } from '../../src/medication-list/patient-stream';
import { LOGIN_COOKIE, SESSION_COOKIE } from '../../src/ward/ward-cookies';
import { E2E_MUNICIPALITY, type TestApp, bootTestApp } from './app.e2e-helpers';
import {
  API_RESOURCE,
  type LocalProvider,
  NURSE_UNIT,
  WARD_CLIENT_ID,
  startLocalProvider,
} from './oidc/local-provider.e2e-helpers';
import { dataOf, syntheticPatientId } from './read-side.e2e-helpers';

/**
 * The ward page's production sign-in (issue 20) end to end against a REAL OpenID provider: oidc-provider run
 * locally (test/e2e/oidc/local-provider.mjs), the service in AUTH_MODE=jwks verifying the provider's access tokens
 * with its own verifier, and a "browser" made of fetch with manual redirects and a cookie jar. The service's public
 * URL (the registered redirect URI) is https://pll.e2e.example; the browser reaches it at the test's port, as a
 * reverse proxy would, so the callback is checked against the configured URI and never the Host header.
 */

const PUBLIC_BASE = 'https://pll.e2e.example';
const REDIRECT_URI = `${PUBLIC_BASE}/ward/callback`;
const CLIENT_ID = WARD_CLIENT_ID;
const RESOURCE = API_RESOURCE;
const UNIT = NURSE_UNIT;
const PATIENT = syntheticPatientId(14);

const CARE_UNIT = `query U($org: String!, $unit: String) { careUnit(organisationNumber: $org, unit: $unit) { patients { patientId } } }`;
const LIST = `query L($p: String!) { medicationList(patientId: $p) { version } }`;

/** A browser: cookies per host (name → value and path), redirects followed by hand. */
class Browser {
  private readonly cookies = new Map<string, Map<string, { value: string; path: string }>>();
  /** every Set-Cookie the service sent, raw, for the attribute checks */
  readonly serviceSetCookies: string[] = [];
  /** every body the service sent, to check no token ever reaches the browser */
  readonly serviceBodies: string[] = [];

  constructor(private readonly serviceBase: string) {}

  /** One request; the public host is reached at the test's port (the reverse proxy). */
  async request(
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<Response> {
    const target = new URL(url);
    const actual =
      target.origin === PUBLIC_BASE ? new URL(`${target.pathname}${target.search}`, this.serviceBase) : target;
    const jar = this.cookies.get(target.host);
    const cookie = [...(jar?.entries() ?? [])]
      .filter(([, c]) => target.pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
    const response = await fetch(actual, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: { ...(cookie === '' ? {} : { cookie }), ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    for (const line of response.headers.getSetCookie()) {
      if (target.origin === PUBLIC_BASE) {
        this.serviceSetCookies.push(line);
      }
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const pathAttribute = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const maxAge = attributes.find((a) => a.toLowerCase().startsWith('max-age='))?.slice(8);
      const hostJar = this.cookies.get(target.host) ?? new Map<string, { value: string; path: string }>();
      this.cookies.set(target.host, hostJar);
      if (maxAge === '0' || value === '') {
        hostJar.delete(name);
      } else {
        hostJar.set(name, { value, path: pathAttribute });
      }
    }
    if (target.origin === PUBLIC_BASE) {
      this.serviceBodies.push(await response.clone().text());
    }
    return response;
  }

  /**
   * Follows redirects from `url`, submitting the provider's login and consent forms (one button each) as a user
   * would, until a redirect points at the service's callback: that URL is returned, not visited. Also returns the
   * authorization URL the service's /ward/login sent the browser to, when the walk passed there.
   */
  async untilCallback(url: string): Promise<{ callbackUrl: URL; authorizationUrl: URL }> {
    let current = new URL(url);
    let response = await this.request(current.href);
    let authorizationUrl: URL | undefined;
    for (let hop = 0; hop < 16; hop += 1) {
      const location = response.headers.get('location');
      if (response.status === 200 && location === null) {
        const action = /<form method="post" action="([^"]+)">/.exec(await response.text())?.[1];
        if (action === undefined) {
          throw new Error(`no form on ${current.pathname}`);
        }
        current = new URL(action, current);
        response = await this.request(current.href, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: '',
        });
        continue;
      }
      if (response.status < 300 || response.status >= 400 || location === null) {
        throw new Error(`no redirect from ${current.pathname}: ${response.status} ${await response.text()}`);
      }
      const next = new URL(location, current);
      if (current.origin === PUBLIC_BASE && current.pathname === '/ward/login') {
        authorizationUrl = next;
      }
      if (next.href.startsWith(REDIRECT_URI)) {
        return { callbackUrl: next, authorizationUrl: authorizationUrl ?? next };
      }
      current = next;
      response = await this.request(current.href);
    }
    throw new Error('too many redirects');
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(new URL(PUBLIC_BASE).host)?.get(name)?.value;
  }
}

describe('ward page production sign-in: OpenID Connect code flow with PKCE against a real provider', () => {
  let t: TestApp;
  let provider: LocalProvider;
  let issuer: string;

  const signIn = async (): Promise<{ browser: Browser; csrf: string }> => {
    const browser = new Browser(t.baseUrl);
    const { callbackUrl } = await browser.untilCallback(`${PUBLIC_BASE}/ward/login`);
    const callback = await browser.request(callbackUrl.href);
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/ward');
    const session = (await (await browser.request(`${PUBLIC_BASE}/ward/api/session`)).json()) as {
      csrfToken: string;
      signedIn: unknown;
    };
    expect(session.signedIn).toEqual({ role: 'care', organisationNumber: NURSING_HOME_ORG, unit: UNIT });
    return { browser, csrf: session.csrfToken };
  };
  const graphqlAs = async (
    browser: Browser,
    csrf: string | undefined,
    query: string,
    variables: Record<string, unknown>,
  ) => {
    const response = await browser.request(`${PUBLIC_BASE}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(csrf === undefined ? {} : { 'x-csrf-token': csrf }) },
      body: JSON.stringify({ query, variables }),
    });
    return {
      status: response.status,
      body: (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] },
    };
  };

  beforeAll(async () => {
    provider = await startLocalProvider(REDIRECT_URI);
    issuer = provider.issuer;
    // The provider signs at the real time; the service's clock must agree within the skew.
    t = await bootTestApp({ now: new Date().toISOString(), env: provider.serviceEnv });
    // The resident: a prescriber (a client-credentials token from the same provider) starts the care relation of
    // the nurse's unit.
    const seederToken = await provider.prescriberToken();
    const today = t.clock.now().toISOString().slice(0, 10);
    const started = await t.graphql(
      `mutation C($input: StartCareRelationInput!) { startCareRelation(input: $input) { position } }`,
      {
        input: {
          patientId: PATIENT,
          relationId: 'rel-oidc',
          organisationNumber: NURSING_HOME_ORG,
          unit: UNIT,
          from: today,
        },
      },
      { as: null, headers: { authorization: `Bearer ${seederToken}` } },
    );
    const { position } = dataOf(started).startCareRelation as { position: string };
    await t.projector.waitForPosition('currentMedicationList', BigInt(position), 5_000);
    await t.projector.waitForPosition('careUnitOverview', BigInt(position), 5_000);
  });
  afterAll(async () => {
    await t.close();
    provider.stop();
  });

  it('signs a nurse in through the provider; her session cookie reads her unit, and the look is in the patient’s access log', async () => {
    const browser = new Browser(t.baseUrl);
    // The page offers the HelseID link (web/ward/signin.tsx) when the service says sign-in is configured.
    const anonymous = (await (await browser.request(`${PUBLIC_BASE}/ward/api/session`)).json()) as Record<
      string,
      unknown
    >;
    expect(anonymous).toMatchObject({ authMode: 'oidc', oidcSignIn: true, signedIn: null });
    const { callbackUrl, authorizationUrl } = await browser.untilCallback(`${PUBLIC_BASE}/ward/login`);
    // The authorization request: code flow, PKCE S256, state and nonce, the configured redirect URI and resource.
    expect(authorizationUrl.origin).toBe(issuer);
    expect(Object.fromEntries(authorizationUrl.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      code_challenge_method: 'S256',
      scope: `openid ${PLL_SCOPES.care}`,
      resource: RESOURCE,
    });
    for (const name of ['code_challenge', 'state', 'nonce']) {
      expect(authorizationUrl.searchParams.get(name)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    expect(callbackUrl.searchParams.get('code')).toEqual(expect.any(String));

    const callback = await browser.request(callbackUrl.href);
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/ward');
    // Cookies: the login transaction Lax and only for the callback; the session Strict; both HttpOnly and Secure.
    expect(browser.serviceSetCookies).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `^${LOGIN_COOKIE}=[A-Za-z0-9_-]{43}; Path=/ward/callback; Max-Age=600; HttpOnly; Secure; SameSite=Lax$`,
          ),
        ),
        `${LOGIN_COOKIE}=; Path=/ward/callback; Max-Age=0; HttpOnly; Secure; SameSite=Lax`,
        expect.stringMatching(
          new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}; Path=/; Max-Age=\\d+; HttpOnly; Secure; SameSite=Strict$`),
        ),
      ]),
    );
    expect(browser.cookie(SESSION_COOKIE)).toBeDefined();

    const session = (await (await browser.request(`${PUBLIC_BASE}/ward/api/session`)).json()) as {
      csrfToken: string;
      signedIn: unknown;
    };
    expect(session.signedIn).toEqual({ role: 'care', organisationNumber: NURSING_HOME_ORG, unit: UNIT });
    const unit = await graphqlAs(browser, session.csrfToken, CARE_UNIT, { org: NURSING_HOME_ORG, unit: UNIT });
    expect(unit.body).toEqual({ data: { careUnit: { patients: [{ patientId: PATIENT }] } } });
    const list = await graphqlAs(browser, session.csrfToken, LIST, { p: PATIENT });
    expect(list.body).toEqual({ data: { medicationList: { version: 1 } } });
    // The provider's tokens never reach the browser, nor the log; nor does the patient's number.
    expect(browser.serviceBodies.join('\n')).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
    expect(t.logLines.join('')).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
    expect(t.logLines.join('')).not.toContain(PATIENT);
    expect(t.logLines.join('')).toContain('ward page: OpenID Connect sign-in');

    const log = await t.app
      .get(AuditService)
      .readAccessLog(patientKeyOf(PATIENT, t.app.get<AppConfig>(APP_CONFIG).patientIdSecret));
    expect(log.entries.map((e) => e.event)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          operation: 'medicationList',
          outcome: 'allowed',
          callerRole: 'care',
          callerOrganisation: NURSING_HOME_ORG,
          callerParentOrganisation: E2E_MUNICIPALITY,
          clientId: CLIENT_ID,
        }),
      ]),
    );
  });

  it('refuses a callback whose state is not the browser’s, and one without the browser’s login transaction', async () => {
    const browser = new Browser(t.baseUrl);
    const { callbackUrl } = await browser.untilCallback(`${PUBLIC_BASE}/ward/login`);
    const forged = new URL(callbackUrl);
    forged.searchParams.set('state', 'x'.repeat(43));
    const refused = await browser.request(forged.href);
    expect(refused.status).toBe(400);
    expect(browser.cookie(SESSION_COOKIE)).toBeUndefined();

    // Login CSRF: the victim's browser never started this login, so it has no transaction for it.
    const other = new Browser(t.baseUrl);
    const { callbackUrl: attackers } = await other.untilCallback(`${PUBLIC_BASE}/ward/login`);
    const victim = new Browser(t.baseUrl);
    const planted = await victim.request(attackers.href);
    expect(planted.status).toBe(400);
    expect(victim.cookie(SESSION_COOKIE)).toBeUndefined();
  });

  it('refuses a replayed callback, and a code issued for another PKCE challenge (code injection)', async () => {
    const browser = new Browser(t.baseUrl);
    const { callbackUrl } = await browser.untilCallback(`${PUBLIC_BASE}/ward/login`);
    expect((await browser.request(callbackUrl.href)).status).toBe(303);
    const replayer = new Browser(t.baseUrl);
    await replayer.untilCallback(`${PUBLIC_BASE}/ward/login`); // a transaction of its own
    expect((await replayer.request(callbackUrl.href)).status).toBe(400);
    expect((await browser.request(callbackUrl.href)).status).toBe(400);

    // The victim starts a login; an attacker who learned its state and nonce gets a code at the provider for the
    // same client and redirect URI but its OWN challenge, and plants it. The state matches; PKCE does not.
    const victim = new Browser(t.baseUrl);
    // untilCallback stops before the callback: the victim's transaction stays open for the planted code.
    const { authorizationUrl } = await victim.untilCallback(`${PUBLIC_BASE}/ward/login`);
    const attacker = new Browser(t.baseUrl);
    const injected = new URL(authorizationUrl);
    injected.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    // the attacker's own trip through the provider, from the authorization URL (not through the service)
    const { callbackUrl: attackersCode } = await attacker.untilCallback(injected.href);
    expect(attackersCode.searchParams.get('state')).toBe(authorizationUrl.searchParams.get('state'));
    const planted = await victim.request(attackersCode.href);
    expect(planted.status).toBe(400);
    expect(await planted.text()).toContain('TOKEN_REQUEST_REFUSED_INVALID_GRANT');
    expect(victim.cookie(SESSION_COOKIE)).toBeUndefined();
  });

  it('opens no session when the API would refuse the access token (the service expects another audience)', async () => {
    // Same provider, same client, same code flow; only the service's own verifier setting differs. openid-client
    // accepts the response (the ID token is fine); the service's TokenVerifier refuses the access token.
    const strict = await bootTestApp({
      now: new Date().toISOString(),
      env: { ...provider.serviceEnv, AUTH_AUDIENCE: 'https://another-api.e2e.example' },
    });
    try {
      const browser = new Browser(strict.baseUrl);
      const { callbackUrl } = await browser.untilCallback(`${PUBLIC_BASE}/ward/login`);
      const refused = await browser.request(callbackUrl.href);
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain('TOKEN_CLAIMS_INVALID');
      expect(browser.cookie(SESSION_COOKIE)).toBeUndefined();
      expect(strict.logLines.join('')).toContain('"failure":"TOKEN_CLAIMS_INVALID"');
    } finally {
      await strict.close();
    }
  });

  it('signs out only with the session’s CSRF token; afterwards the cookie reads nothing', async () => {
    const { browser, csrf } = await signIn();
    const stale = browser.cookie(SESSION_COOKIE) ?? '';
    expect(stale).not.toBe('');
    const withoutToken = await browser.request(`${PUBLIC_BASE}/ward/api/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(withoutToken.status).toBe(403);
    expect((await graphqlAs(browser, csrf, LIST, { p: PATIENT })).body).toEqual({
      data: { medicationList: { version: 1 } },
    });
    const withoutCsrfGraphql = await graphqlAs(browser, undefined, LIST, { p: PATIENT });
    expect(withoutCsrfGraphql.status).toBe(403);

    const logout = await browser.request(`${PUBLIC_BASE}/ward/api/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: '{}',
    });
    expect(logout.status).toBe(204);
    expect(browser.cookie(SESSION_COOKIE)).toBeUndefined();
    // The old cookie, kept by someone: the session is gone on the server too.
    const after = await fetch(`${t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `${SESSION_COOKIE}=${stale}`, 'x-csrf-token': csrf },
      body: JSON.stringify({ query: LIST, variables: { p: PATIENT } }),
    });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { data?: unknown }).data ?? null).toBeNull();
  });
});
