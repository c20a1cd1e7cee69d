import { SignJWT, generateKeyPair } from 'jose';
import { GENERAL_AUDIT_STREAM, accessLogStreamName } from '../../src/access/audit';
import { devTokenClaims } from '../../src/access/tokens/dev-keys';
import { APP_CONFIG, type AppConfig } from '../../src/config/config';
import { EVENT_STORE, type EventStorePort } from '../../src/shared/event-sourcing/event-store.port';
import { PRESCRIBER, type TestApp, bootTestApp } from './app.e2e-helpers';
import { syntheticPatientId } from './read-side.e2e-helpers';

/**
 * The edge (issue 5): no valid token, no GraphQL (401 before the body is even read, nothing read, nothing
 * audited); WebSocket connections need a token in connection_init; hostile documents are refused before
 * execution; security headers; CORS closed by default; GraphiQL's page loads without a token; every response
 * carries its correlation id, and a refusal is logged as a refusal (warn, codes only), not as a fault.
 */

const PATIENT = syntheticPatientId(22);
const LIST = 'query L($patientId: String!) { medicationList(patientId: $patientId) { version } }';
const nowSeconds = (t: TestApp): number => Math.floor(t.clock.now().getTime() / 1000);
const base64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the edge: authentication and hardening (issue 5)', () => {
  let t: TestApp;
  let store: EventStorePort;
  let secret: string;

  const auditCount = async (): Promise<number> =>
    (await store.readStream(accessLogStreamName(PATIENT, secret))).length +
    (await store.readStream(GENERAL_AUDIT_STREAM)).length;

  const post = (body: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  const signed = async (overrides: Record<string, unknown>, key = t.keys.privateKey): Promise<string> =>
    new SignJWT({
      ...devTokenClaims({ ...PRESCRIBER, level: 4, expiresInSeconds: 3600, clientId: 'e2e' }, nowSeconds(t), 'jti-1'),
      ...overrides,
    })
      .setProtectedHeader({ alg: 'ES256', kid: t.keys.kid, typ: 'at+jwt' })
      .sign(key);

  beforeAll(async () => {
    t = await bootTestApp();
    store = t.app.get<EventStorePort>(EVENT_STORE);
    secret = t.app.get<AppConfig>(APP_CONFIG).patientIdSecret;
  });

  afterAll(async () => {
    await t.close();
  });

  describe('a request without a valid token gets 401 and nothing is read or audited', () => {
    const cases: readonly [string, (t: TestApp) => Promise<string | undefined>][] = [
      ['missing token', () => Promise.resolve(undefined)],
      ['not a bearer token', () => Promise.resolve('Basic cHJlc2NyaWJlcjpwdw==')],
      [
        'forged signature (another key, the dev key id)',
        async () => {
          const { privateKey } = await generateKeyPair('ES256');
          return `Bearer ${await signed({}, privateKey)}`;
        },
      ],
      [
        'expired',
        async () =>
          `Bearer ${await signed({ iat: nowSeconds(t) - 7200, nbf: nowSeconds(t) - 7200, exp: nowSeconds(t) - 3600 })}`,
      ],
      ['wrong audience', async () => `Bearer ${await signed({ aud: 'another-api' })}`],
      ['wrong issuer', async () => `Bearer ${await signed({ iss: 'https://evil.example' })}`],
      [
        'alg: none',
        () => {
          const claims = devTokenClaims(
            { ...PRESCRIBER, level: 4, expiresInSeconds: 3600, clientId: 'e2e' },
            nowSeconds(t),
            'jti-2',
          );
          return Promise.resolve(`Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`);
        },
      ],
    ];

    it.each(cases)('%s', async (_title, authorization) => {
      const before = await auditCount();
      const header = await authorization(t);

      const response = await post(JSON.stringify({ query: LIST, variables: { patientId: PATIENT } }), {
        ...(header === undefined ? {} : { authorization: header }),
      });
      const body = (await response.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };

      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^(Bearer|DPoP)/);
      expect(body.data).toBeUndefined();
      expect(body.errors.map((error) => error.extensions.code)).toEqual(['UNAUTHENTICATED']);
      expect(await auditCount()).toBe(before);
    });

    it('accepts the same request with a valid token (and audits the read)', async () => {
      const before = await auditCount();
      const response = await t.graphql(LIST, { patientId: PATIENT });

      expect(response.status).toBe(200);
      expect(response.body.data).toEqual({ medicationList: { version: 0 } });
      expect(await auditCount()).toBe(before + 1);
    });

    it('refuses a GET query without a token too', async () => {
      const response = await fetch(`${t.baseUrl}/graphql?query=${encodeURIComponent('{ __typename }')}`);

      expect(response.status).toBe(401);
    });
  });

  describe('WebSocket connections', () => {
    const firstResult = async (who: Parameters<TestApp['ws']>[0]): Promise<string> => {
      const client = t.ws(who);
      try {
        return await new Promise<string>((resolve) => {
          client.subscribe(
            {
              query: 'subscription S($patientId: String!) { medicationListChanged(patientId: $patientId) { version } }',
              variables: { patientId: PATIENT },
            },
            { next: () => resolve('data'), error: () => resolve('refused'), complete: () => resolve('complete') },
          );
        });
      } finally {
        await client.dispose();
      }
    };

    it('refuses a connection without a token in connection_init', async () => {
      expect(await firstResult(null)).toBe('refused');
    });

    it('accepts a connection with a token', async () => {
      expect(await firstResult(PRESCRIBER)).toBe('data');
    });
  });

  describe('hostile documents are refused before execution', () => {
    it('depth 50', async () => {
      const before = await auditCount();
      const deep = `{ __schema { types { fields { type ${'{ ofType '.repeat(46)}{ name }${' }'.repeat(46)} } } } }`;

      const response = await t.graphql(deep);

      expect(response.status).toBe(400);
      expect(response.body.errors?.[0]?.message).toMatch(/depth/);
      expect(await auditCount()).toBe(before);
    });

    it('1,000 aliases', async () => {
      const before = await auditCount();
      const aliases = Array.from(
        { length: 1000 },
        (_, i) => `a${i}: medicationList(patientId: "${PATIENT}") { version }`,
      );

      const response = await t.graphql(`{ ${aliases.join(' ')} }`);

      expect(response.status).toBe(400);
      expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
      expect(response.body.errors?.[0]?.message).toMatch(/too many aliases/);
      expect(await auditCount()).toBe(before);
    });

    it('1 MiB of variables (over the body limit): 413', async () => {
      const before = await auditCount();
      const body = JSON.stringify({ query: LIST, variables: { patientId: PATIENT, padding: 'x'.repeat(1024 * 1024) } });

      const response = await post(body, { authorization: `Bearer ${await t.token()}` });

      expect(response.status).toBe(413);
      expect(await auditCount()).toBe(before);
    });

    it('a batch of operations (batching is off)', async () => {
      const before = await auditCount();
      const operation = { query: LIST, variables: { patientId: PATIENT } };

      const response = await post(JSON.stringify([operation, operation]), {
        authorization: `Bearer ${await t.token()}`,
      });

      expect(response.status).toBe(400);
      expect(await auditCount()).toBe(before);
    });
  });

  describe('headers', () => {
    it('sends security headers on API responses, refusals included', async () => {
      for (const response of [await fetch(`${t.baseUrl}/health`), await post('{}')]) {
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('x-frame-options')).toBe('DENY');
        expect(response.headers.get('referrer-policy')).toBe('no-referrer');
        expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
        expect(response.headers.get('strict-transport-security')).toBeNull(); // production only
      }
      expect((await post('{}')).headers.get('cache-control')).toBe('no-store');
    });

    it('serves the GraphiQL page without a token, every asset from the service itself (no unpkg.com)', async () => {
      const response = await fetch(`${t.baseUrl}/graphiql`);

      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
      expect(response.headers.get('content-security-policy')).not.toMatch(/https?:/);
      const main = await (await fetch(`${t.baseUrl}/graphiql/main.js`)).text();
      const worker = await (await fetch(`${t.baseUrl}/graphiql/sw.js`)).text();
      expect(`${main}${worker}`).not.toContain('unpkg');
      const assets = [...main.matchAll(/'(\/graphiql\/vendor\/[^']+)'/g)].map((match) => match[1]!); // group 1 is not optional
      expect(assets).toEqual(
        expect.arrayContaining([
          '/graphiql/vendor/react.production.min.js',
          '/graphiql/vendor/graphiql.min.js',
          '/graphiql/vendor/graphiql.min.css',
        ]),
      );
      for (const asset of assets) {
        const vendor = await fetch(`${t.baseUrl}${asset}`);
        expect([asset, vendor.status]).toEqual([asset, 200]);
        expect((await vendor.arrayBuffer()).byteLength).toBeGreaterThan(1000);
      }
      expect(await (await fetch(`${t.baseUrl}/graphiql/config.js`)).text()).toContain(
        "window.GRAPHQL_ENDPOINT = '/graphql'",
      );
    });

    it("answers with x-correlation-id: the client's UUID, else a new one; the audit event and the log carry it", async () => {
      const chosen = '6F1C2F0E-6A4B-4F51-9D0A-3C1C3F6F2A10';
      const before = new Set((await store.readStream(accessLogStreamName(PATIENT, secret))).map((event) => event.id));

      // an auditor may not read the list: denied, audited, logged
      const own = await t.graphql(
        LIST,
        { patientId: PATIENT },
        { as: { role: 'auditor' }, headers: { 'x-correlation-id': chosen } },
      );
      const junk = await t.graphql(LIST, { patientId: PATIENT }, { headers: { 'x-correlation-id': PATIENT } });
      const none = await t.graphql(LIST, { patientId: PATIENT });
      const refused = await post('{}');

      expect(own.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(own.headers.get('x-correlation-id')).toBe(chosen.toLowerCase());
      for (const response of [junk, none, refused]) {
        expect(response.headers.get('x-correlation-id')).toMatch(UUID);
      }
      expect(junk.headers.get('x-correlation-id')).not.toContain(PATIENT);
      expect(new Set([junk, none, refused].map((response) => response.headers.get('x-correlation-id'))).size).toBe(3);
      const fresh = (await store.readStream(accessLogStreamName(PATIENT, secret))).filter(
        (event) => !before.has(event.id),
      );
      expect(fresh.map((event) => event.metadata.correlationId)).toEqual([
        chosen.toLowerCase(),
        junk.headers.get('x-correlation-id'),
        none.headers.get('x-correlation-id'),
      ]);

      const lines = t.logLines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.correlationId === chosen.toLowerCase());
      expect(lines).toEqual([
        expect.objectContaining({
          level: 'warn',
          code: 'FORBIDDEN',
          errorCode: 'ACCESS_DENIED',
          operation: 'query:medicationList',
        }),
      ]);
      expect(lines[0]).not.toHaveProperty('err');
      expect(t.logLines.join('')).not.toMatch(/"level":"error"[^\n]*AccessDeniedError/);
    });

    it('sends no CORS headers by default (CORS_ORIGINS unset)', async () => {
      const response = await fetch(`${t.baseUrl}/graphql`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });

      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
