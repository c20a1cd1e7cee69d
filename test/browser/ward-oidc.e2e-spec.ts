import type { Browser } from 'playwright-core';
import { NURSING_HOME_ORG } from '../../src/medication-list/domain/medication-list.fixtures';
import { WARD_ASSETS_DIR } from '../../src/ward/ward-assets';
import { LOGIN_COOKIE, SESSION_COOKIE } from '../../src/ward/ward-cookies';
import { type TestApp, bootTestApp } from '../e2e/app.e2e-helpers';
import { type LocalProvider, NURSE_UNIT, startLocalProvider } from '../e2e/oidc/local-provider.e2e-helpers';
import { dataOf, syntheticPatientId } from '../e2e/read-side.e2e-helpers';
import { freePort } from '../integration/service-process';
import { BROWSER_REQUIRED, SKIP_REASON, axeViolations, browserAvailable, buildWardInto, launch } from './ward-browser';

/**
 * The ward page's production sign-in in a real browser (issue 20): Chromium opens the page served at
 * http://localhost, follows the "Logg inn med HelseID" link to a real OpenID provider (oidc-provider on
 * 127.0.0.1, another site), submits its login and consent forms there, and comes back to the nurse's unit. What only
 * a browser can show: the login cookie is sent on the callback, a navigation the provider's site started
 * (SameSite=Lax; a Strict one is not sent there, and this test fails with it), the Strict session cookie on the
 * page's own calls afterwards, and the service leaves only its HttpOnly session cookie in the browser.
 */

const run = browserAvailable();
if (!run && BROWSER_REQUIRED) {
  it('has Chromium (WARD_BROWSER_REQUIRED=1)', () => {
    throw new Error(SKIP_REASON);
  });
}

(run ? describe : describe.skip)(run ? 'the ward page’s OpenID Connect sign-in in Chromium' : SKIP_REASON, () => {
  let t: TestApp;
  let provider: LocalProvider;
  let browser: Browser;
  let service: string;

  beforeAll(async () => {
    const port = await freePort();
    service = `http://localhost:${port}`;
    provider = await startLocalProvider(`${service}/ward/callback`);
    const assets = buildWardInto();
    t = await bootTestApp({
      now: new Date().toISOString(),
      port,
      env: provider.serviceEnv,
      override: (builder) => builder.overrideProvider(WARD_ASSETS_DIR).useValue(assets),
    });
    const started = await t.graphql(
      `mutation C($input: StartCareRelationInput!) { startCareRelation(input: $input) { position } }`,
      {
        input: {
          patientId: syntheticPatientId(16),
          relationId: 'rel-browser-oidc',
          organisationNumber: NURSING_HOME_ORG,
          unit: NURSE_UNIT,
          from: t.clock.now().toISOString().slice(0, 10),
          residentName: 'Sigrid Lunde',
          room: 'Rom 301',
        },
      },
      { as: null, headers: { authorization: `Bearer ${await provider.prescriberToken()}` } },
    );
    const { position } = dataOf(started).startCareRelation as { position: string };
    await t.projector.waitForPosition('careUnitOverview', BigInt(position), 10_000);
    browser = await launch();
  });
  afterAll(async () => {
    await browser.close();
    await t.close();
    provider.stop();
  });

  it('signs a nurse in through the provider by the page’s link and shows her unit; “Logg ut” signs her out', async () => {
    const context = await browser.newContext({ locale: 'nb-NO', timezoneId: 'Europe/Oslo' });
    const page = await context.newPage();
    // Fail with Playwright's message (what it waited for) before Jest's own 30 s timeout.
    page.setDefaultTimeout(10_000);
    const hosts = new Set<string>();
    page.on('request', (request) => hosts.add(new URL(request.url()).host));

    await page.goto(`${service}/ward`);
    await page.getByRole('link', { name: 'Logg inn med HelseID' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Logg inn med HelseID' }).click();
    // The provider's own screens (local-provider.mjs): the nurse signs in and consents, on the provider's site.
    await page.getByRole('button', { name: 'Logg inn som nurse-1' }).click();
    await page.getByRole('button', { name: 'Godta' }).click();
    await page.waitForURL(`${service}/ward`);
    await page.getByRole('heading', { name: new RegExp(NURSE_UNIT) }).waitFor();
    await page.getByRole('button', { name: 'Sigrid Lunde' }).waitFor();

    const serviceCookies = (await context.cookies(service)).map(({ name, httpOnly, secure, sameSite }) => ({
      name,
      httpOnly,
      secure,
      sameSite,
    }));
    expect(serviceCookies).toEqual([{ name: SESSION_COOKIE, httpOnly: true, secure: true, sameSite: 'Strict' }]);
    expect((await context.cookies(`${service}/ward/callback`)).map((c) => c.name)).not.toContain(LOGIN_COOKIE);
    expect([...hosts].sort()).toEqual([new URL(provider.issuer).host, new URL(service).host].sort());

    const signedInSession = (await context.cookies(service))[0]?.value;
    await page.getByRole('button', { name: 'Logg ut' }).click();
    await page.getByRole('link', { name: 'Logg inn med HelseID' }).waitFor();
    // The page asks for a fresh (anonymous) session after signing out: the signed-in one is gone.
    const after = (await (await context.request.get(`${service}/ward/api/session`)).json()) as { signedIn: unknown };
    expect(after.signedIn).toBeNull();
    expect((await context.cookies(service)).map((c) => c.value)).not.toContain(signedInSession);
    await context.close();
  });
});
