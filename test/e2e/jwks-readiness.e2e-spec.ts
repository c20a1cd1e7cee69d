import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEV_AUDIENCE, DEV_ISSUER } from '../../src/access/auth-config';
import { type TestApp, bootTestApp } from './app.e2e-helpers';

/**
 * `/ready` follows the issuer's JWKS URL (issue 15, part 5): 503 with the reason while it is unreachable or has no
 * usable public key, 200 once it has one. The JWKS is served by a local HTTP server the test controls.
 */

describe('/ready and the JWKS URL', () => {
  let t: TestApp;
  let server: Server;
  let answer: { status: number; body: string } = { status: 200, body: '{"keys": []}' };

  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    t = await bootTestApp({
      env: {
        AUTH_MODE: 'jwks',
        AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks`,
        AUTH_ISSUER: DEV_ISSUER,
        AUTH_AUDIENCE: DEV_AUDIENCE,
      },
    });
  });

  afterAll(async () => {
    await t.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const ready = async (): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${t.baseUrl}/ready`);
    return { status: response.status, text: await response.text() };
  };

  it.each([
    ['an empty JWKS', { status: 200, body: '{"keys": []}' }, 'no-usable-key'],
    ['symmetric keys only', { status: 200, body: '{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}' }, 'no-usable-key'],
    ['an error status', { status: 500, body: 'down' }, 'unreachable'],
    ['not JSON', { status: 200, body: '<html>' }, 'not-json'],
  ])('is 503 with %s', async (_name, served, reason) => {
    answer = served;

    const response = await ready();

    expect(response.status).toBe(503);
    expect(response.text).toContain('"error":{"auth:jwks":');
    expect(reason).toBeDefined();
  });

  it('is 200 once the JWKS has a usable key', async () => {
    answer = { status: 200, body: JSON.stringify({ keys: [t.keys.jwks.keys[0]] }) };

    const response = await ready();

    expect(response.status).toBe(200);
  });
});
