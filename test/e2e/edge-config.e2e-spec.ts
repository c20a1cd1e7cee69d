import { type TestApp, type Who, bootTestApp } from './app.e2e-helpers';
import { syntheticPatientId } from './read-side.e2e-helpers';

/**
 * The edge as configured: the per-caller rate limit (RATE_LIMIT_PER_MINUTE) and CORS (CORS_ORIGINS), and
 * production (NODE_ENV=production, AUTH_MODE=jwks against an AUTH_JWKS_FILE): no GraphiQL, no introspection, no
 * dev JWKS endpoint, HSTS, and tokens verified against the configured issuer's keys.
 */

const PATIENT = syntheticPatientId(25);
const LIST = 'query L($patientId: String!) { medicationList(patientId: $patientId) { version } }';

describe('rate limit and CORS (RATE_LIMIT_PER_MINUTE=3, CORS_ORIGINS set)', () => {
  let t: TestApp;
  const pharmacy: Who = { role: 'pharmacy', org: '123456785' };

  beforeAll(async () => {
    t = await bootTestApp({ env: { RATE_LIMIT_PER_MINUTE: '3', CORS_ORIGINS: 'https://app.example' } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('lets a caller burst to the limit, then answers 429 RATE_LIMITED with Retry-After; others are unaffected', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push((await t.graphql(LIST, { patientId: PATIENT })).status);
    }
    const limited = await t.graphql(LIST, { patientId: PATIENT });
    const someoneElse = await t.graphql(LIST, { patientId: PATIENT }, { as: pharmacy });

    expect(statuses).toEqual([200, 200, 200]);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('20');
    expect(limited.body).toEqual({
      errors: [
        {
          message: expect.stringContaining('Too many requests'),
          extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 20 },
        },
      ],
    });
    expect(someoneElse.status).toBe(200);
  });

  it('refills over time (one token per 20 s at 3 per minute)', async () => {
    t.clock.advance(20_000);

    expect((await t.graphql(LIST, { patientId: PATIENT })).status).toBe(200);
    expect((await t.graphql(LIST, { patientId: PATIENT })).status).toBe(429);
  });

  it('answers a preflight from a configured origin, and not from others', async () => {
    const preflight = (origin: string): Promise<Response> =>
      fetch(`${t.baseUrl}/graphql`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });

    const allowed = await preflight('https://app.example');
    const other = await preflight('https://evil.example');

    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('production (NODE_ENV=production, AUTH_MODE=jwks with AUTH_JWKS_FILE)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp({ production: true });
  });

  afterAll(async () => {
    await t.close();
  });

  it('verifies tokens against the configured issuer keys', async () => {
    const response = await t.graphql(LIST, { patientId: PATIENT });

    expect(response.body).toEqual({ data: { medicationList: { version: 0 } } });
  });

  it('serves neither GraphiQL nor the dev JWKS, and answers no introspection', async () => {
    const introspection = await t.graphql('{ __schema { queryType { name } } }');

    expect((await fetch(`${t.baseUrl}/graphiql`)).status).toBe(404);
    expect((await fetch(`${t.baseUrl}/.well-known/jwks.json`)).status).toBe(404);
    expect(introspection.status).toBe(400);
    expect(introspection.body.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('sends Strict-Transport-Security', async () => {
    const response = await fetch(`${t.baseUrl}/health`);

    expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });
});
