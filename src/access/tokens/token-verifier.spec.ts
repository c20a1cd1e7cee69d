import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWK,
  type JWSHeaderParameters,
  type JWTPayload,
  type KeyLike,
  SignJWT,
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  exportSPKI,
  generateKeyPair,
} from 'jose';
import { fixedClock } from '../../shared/clock';
import { AuthenticationError, AuthenticationUnavailableError } from '../domain/access.errors';
import { accessTokenHash } from './dpop';
import { TokenVerifier, remoteKeySet } from './token-verifier';

const ISSUER = 'https://helseid-sts.test.nhn.no';
const AUDIENCE = 'e-helse:pll';
const NOW = new Date('2025-06-01T10:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const URL_ = 'https://pll.example.no/graphql';

interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: KeyLike;
  readonly publicKey: KeyLike;
  readonly jwk: JWK;
}

const signingKey = async (kid: string, alg = 'ES256'): Promise<SigningKey> => {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
};

let keyA: SigningKey;
let keyB: SigningKey;
let rsaKey: SigningKey;
let dpopKey: SigningKey;
let dpopJkt: string;

beforeAll(async () => {
  [keyA, keyB, rsaKey, dpopKey] = await Promise.all([
    signingKey('key-a'),
    signingKey('key-b'),
    signingKey('key-rsa', 'PS256'),
    signingKey('dpop'),
  ]);
  dpopJkt = await calculateJwkThumbprint(dpopKey.jwk);
});

const claims = (overrides: JWTPayload = {}): JWTPayload => ({
  iss: ISSUER,
  aud: AUDIENCE,
  iat: NOW_S - 60,
  exp: NOW_S + 300,
  client_id: 'gp-system',
  scope: 'openid e-helse:pll/prescriber',
  'helseid://claims/identity/security_level': '4',
  'helseid://claims/hpr/hpr_number': '1234567',
  'helseid://claims/client/claims/orgnr_parent': '123456785',
  ...overrides,
});

const sign = (payload: JWTPayload, key: SigningKey = keyA, header: Record<string, string> = {}): Promise<string> =>
  new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header })
    .sign(key.privateKey);

const verifierWith = (keys: JSONWebKeySet): TokenVerifier =>
  new TokenVerifier({
    keys: createLocalJWKSet(keys),
    issuer: ISSUER,
    audience: AUDIENCE,
    clockSkewSeconds: 30,
    clock: fixedClock(NOW),
  });

const localVerifier = (): TokenVerifier => verifierWith({ keys: [keyA.jwk, rsaKey.jwk] });

const request = (
  token: string | undefined,
  extra: { dpop?: string | string[]; scheme?: string; method?: string; url?: string } = {},
) => ({
  authorization: token === undefined ? undefined : `${extra.scheme ?? 'Bearer'} ${token}`,
  ...(extra.dpop === undefined ? {} : { dpop: extra.dpop }),
  method: extra.method ?? 'POST',
  url: extra.url ?? URL_,
});

/** 'passed' or the AuthenticationError failure code: assertions stay outside any catch. */
const outcome = (verification: Promise<unknown>): Promise<string> =>
  verification.then(
    () => 'passed',
    (error: unknown) =>
      error instanceof AuthenticationError
        ? error.failure
        : error instanceof AuthenticationUnavailableError
          ? error.code
          : `unexpected: ${String(error)}`,
  );

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('TokenVerifier: access token', () => {
  it('accepts a valid token and maps the HelseID claims to a caller', async () => {
    const caller = await localVerifier().verify(request(await sign(claims())));
    expect(caller).toEqual({
      clientId: 'gp-system',
      securityLevel: 4,
      hprNumber: '1234567',
      organisation: { parent: '123456785' },
      scopes: ['openid', 'e-helse:pll/prescriber'],
      roles: ['prescriber'],
      expiresAt: claims().exp,
    });
  });

  it('accepts PS256 and a scope array', async () => {
    const token = await sign(claims({ scope: ['e-helse:pll/pharmacy'] }), rsaKey);
    expect((await localVerifier().verify(request(token))).roles).toEqual(['pharmacy']);
  });

  it.each([
    ['expired beyond the skew', 'TOKEN_EXPIRED', { exp: NOW_S - 31 }],
    ['expired within the 30 s skew', 'passed', { exp: NOW_S - 29 }],
    ['not yet valid beyond the skew', 'TOKEN_NOT_YET_VALID', { nbf: NOW_S + 31 }],
    ['not yet valid within the skew', 'passed', { nbf: NOW_S + 29 }],
    ['for another audience', 'TOKEN_CLAIMS_INVALID', { aud: 'some-other-api' }],
    ['from another issuer', 'TOKEN_CLAIMS_INVALID', { iss: 'https://evil.example' }],
    ['without exp', 'TOKEN_CLAIMS_INVALID', { exp: undefined }],
    ['without client_id', 'TOKEN_CLAIMS_INVALID', { client_id: undefined }],
    ['without scope', 'TOKEN_CLAIMS_INVALID', { scope: undefined }],
    ['with security level 5', 'TOKEN_CLAIMS_INVALID', { 'helseid://claims/identity/security_level': '5' }],
    [
      'with a bad organisation number',
      'TOKEN_CLAIMS_INVALID',
      { 'helseid://claims/client/claims/orgnr_parent': '123456789' },
    ],
    ['with a cnf we cannot check (mTLS)', 'TOKEN_CLAIMS_INVALID', { cnf: { 'x5t#S256': 'abc' } }],
  ])('token %s → %s', async (_name, expected, overrides) => {
    expect(await outcome(localVerifier().verify(request(await sign(claims(overrides)))))).toBe(expected);
  });

  it('rejects a forged signature (right kid, wrong key) and a tampered payload', async () => {
    const forged = await sign(claims(), { ...keyB, kid: keyA.kid });
    expect(await outcome(localVerifier().verify(request(forged)))).toBe('TOKEN_SIGNATURE_INVALID');
    const [header, , signature] = (await sign(claims())).split('.');
    const tampered = `${header!}.${b64(claims({ 'helseid://claims/hpr/hpr_number': '7777777' }))}.${signature!}`;
    expect(await outcome(localVerifier().verify(request(tampered)))).toBe('TOKEN_SIGNATURE_INVALID');
  });

  it('rejects alg none', async () => {
    const unsigned = `${b64({ alg: 'none', kid: keyA.kid, typ: 'JWT' })}.${b64(claims())}.`;
    expect(await outcome(localVerifier().verify(request(unsigned)))).toBe('TOKEN_ALGORITHM_NOT_ALLOWED');
  });

  it('rejects HS256 signed with the public key bytes (algorithm confusion)', async () => {
    const publicPem = new TextEncoder().encode(await exportSPKI(keyA.publicKey));
    const confused = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: keyA.kid }).sign(publicPem);
    expect(await outcome(localVerifier().verify(request(confused)))).toBe('TOKEN_ALGORITHM_NOT_ALLOWED');
  });

  it.each([
    ['no Authorization header', 'TOKEN_MISSING', undefined],
    ['an empty header', 'TOKEN_MISSING', '  '],
    ['Basic credentials', 'TOKEN_MALFORMED', 'Basic dXNlcjpwYXNz'],
    ['Bearer without a token', 'TOKEN_MALFORMED', 'Bearer'],
    ['a token that is not a JWT', 'TOKEN_MALFORMED', 'Bearer abc.def'],
  ])('%s → %s', async (_name, expected, authorization) => {
    expect(await outcome(localVerifier().verify({ authorization, method: 'POST', url: URL_ }))).toBe(expected);
  });

  it('answers a missing token with a Bearer/DPoP challenge and a generic message', async () => {
    const error = await localVerifier()
      .verify(request(undefined))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', httpStatus: 401, message: 'Authentication required' });
    expect((error as AuthenticationError).challenge).toMatch(/^Bearer, DPoP algs="/);
  });

  it('rejects an unknown kid in a local key set', async () => {
    expect(await outcome(localVerifier().verify(request(await sign(claims(), keyB))))).toBe('TOKEN_UNKNOWN_KEY');
  });
});

describe('TokenVerifier: remote JWKS', () => {
  let server: Server;
  let served: JWK[];
  let fetches: number;
  let jwksUrl: string;

  beforeEach(async () => {
    served = [keyA.jwk];
    fetches = 0;
    server = createServer((_req, res) => {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: served }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const remoteVerifier = (): TokenVerifier =>
    new TokenVerifier({
      // cooldown 0 so the test need not wait out jose's 30 s between re-fetches
      keys: remoteKeySet(jwksUrl, { cooldownMs: 0 }),
      issuer: ISSUER,
      audience: AUDIENCE,
      clockSkewSeconds: 30,
      clock: fixedClock(NOW),
    });

  it('fetches once, caches, and re-fetches when a token names an unknown kid (key rotation)', async () => {
    const verifier = remoteVerifier();
    await verifier.verify(request(await sign(claims())));
    await verifier.verify(request(await sign(claims())));
    expect(fetches).toBe(1);
    served = [keyA.jwk, keyB.jwk];
    expect(await outcome(verifier.verify(request(await sign(claims(), keyB))))).toBe('passed');
    expect(fetches).toBe(2);
  });

  it('rejects a kid the issuer does not publish even after a re-fetch', async () => {
    const verifier = remoteVerifier();
    expect(await outcome(verifier.verify(request(await sign(claims(), keyB))))).toBe('TOKEN_UNKNOWN_KEY');
    expect(fetches).toBe(2);
  });

  it('fails closed as unavailable (503) when the JWKS cannot be fetched', async () => {
    const verifier = remoteVerifier();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    expect(await outcome(verifier.verify(request(await sign(claims()))))).toBe('AUTHENTICATION_UNAVAILABLE');
  });
});

describe('TokenVerifier: DPoP-bound tokens (RFC 9449)', () => {
  const boundToken = (): Promise<string> => sign(claims({ cnf: { jkt: dpopJkt } }));

  let jtiCounter = 0;
  const proof = (
    token: string,
    overrides: JWTPayload = {},
    options: { key?: SigningKey; typ?: string } = {},
  ): Promise<string> => {
    const key = options.key ?? dpopKey;
    jtiCounter += 1;
    return new SignJWT({
      htm: 'POST',
      htu: URL_,
      ath: accessTokenHash(token),
      jti: `proof-${jtiCounter}`,
      iat: NOW_S,
      ...overrides,
    })
      .setProtectedHeader({
        alg: 'ES256',
        typ: options.typ ?? 'dpop+jwt',
        jwk: { kty: key.jwk.kty, crv: key.jwk.crv, x: key.jwk.x, y: key.jwk.y },
      })
      .sign(key.privateKey);
  };

  it('accepts a bound token with a valid proof', async () => {
    const token = await boundToken();
    const caller = await localVerifier().verify(request(token, { scheme: 'DPoP', dpop: await proof(token) }));
    expect(caller.hprNumber).toBe('1234567');
  });

  it('ignores the query string of the URL (htu)', async () => {
    const token = await boundToken();
    const dpop = await proof(token);
    expect(await outcome(localVerifier().verify(request(token, { scheme: 'DPoP', dpop, url: `${URL_}?op=x` })))).toBe(
      'passed',
    );
  });

  it.each([
    ['without a proof (DPoP scheme)', 'DPoP', false, 'DPOP_PROOF_REQUIRED'],
    ['as a plain Bearer token (downgrade)', 'Bearer', false, 'DPOP_PROOF_REQUIRED'],
    ['as a Bearer token even with a proof', 'Bearer', true, 'DPOP_PROOF_REQUIRED'],
  ])('rejects a bound token %s', async (_name, scheme, withProof, expected) => {
    const token = await boundToken();
    const dpop = withProof ? await proof(token) : undefined;
    expect(
      await outcome(localVerifier().verify(request(token, { scheme, ...(dpop === undefined ? {} : { dpop }) }))),
    ).toBe(expected);
  });

  it.each([
    ['a wrong ath (another token)', { ath: accessTokenHash('another-token') }, {}],
    ['a wrong htu', { htu: 'https://pll.example.no/other' }, {}],
    ['another host in htu', { htu: 'https://evil.example/graphql' }, {}],
    ['a wrong htm', { htm: 'GET' }, {}],
    ['an old iat', { iat: NOW_S - 120 }, {}],
    ['an iat in the future', { iat: NOW_S + 120 }, {}],
    ['no jti', { jti: undefined }, {}],
    ['a key other than cnf.jkt', {}, { otherKey: true }],
    ['typ JWT', {}, { typ: 'JWT' }],
  ])('rejects a proof with %s', async (_name, overrides: JWTPayload, options: { otherKey?: boolean; typ?: string }) => {
    const token = await boundToken();
    // keys exist only after beforeAll: pick inside the test
    const dpop = await proof(token, overrides, { ...options, ...(options.otherKey === true ? { key: keyB } : {}) });
    expect(await outcome(localVerifier().verify(request(token, { scheme: 'DPoP', dpop })))).toBe('DPOP_PROOF_INVALID');
  });

  it('rejects two proofs and a replayed proof', async () => {
    const token = await boundToken();
    const verifier = localVerifier();
    const dpop = await proof(token);
    expect(await outcome(verifier.verify(request(token, { scheme: 'DPoP', dpop: [dpop, dpop] })))).toBe(
      'DPOP_PROOF_INVALID',
    );
    expect(await outcome(verifier.verify(request(token, { scheme: 'DPoP', dpop })))).toBe('passed');
    expect(await outcome(verifier.verify(request(token, { scheme: 'DPoP', dpop })))).toBe('DPOP_PROOF_REPLAYED');
  });

  it('rejects the DPoP scheme with an unbound token', async () => {
    const token = await sign(claims());
    expect(await outcome(localVerifier().verify(request(token, { scheme: 'DPoP', dpop: await proof(token) })))).toBe(
      'DPOP_SCHEME_WITHOUT_BINDING',
    );
  });
});

describe('TokenVerifier: verified-token cache', () => {
  /** Local keys that count how often jose asks for a key (once per full signature check) and can withdraw one. */
  const countingKeys = (jwks: JSONWebKeySet) => {
    let current = createLocalJWKSet(jwks);
    const counter = {
      lookups: 0,
      keys: (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
        counter.lookups += 1;
        return current(header, token);
      },
      replace: (next: JSONWebKeySet) => {
        current = createLocalJWKSet(next);
      },
    };
    return counter;
  };

  const cachingVerifier = (keys: ReturnType<typeof countingKeys>, clock = fixedClock(NOW), maxEntries?: number) =>
    new TokenVerifier({
      keys: keys.keys,
      issuer: ISSUER,
      audience: AUDIENCE,
      clockSkewSeconds: 30,
      clock,
      tokenCache: { maxAgeSeconds: 300, ...(maxEntries === undefined ? {} : { maxEntries }) },
    });

  it('checks the signature of a token once and answers repeats from the cache', async () => {
    const keys = countingKeys({ keys: [keyA.jwk] });
    const verifier = cachingVerifier(keys);
    const token = await sign(claims());
    const first = await verifier.verify(request(token));
    const second = await verifier.verify(request(token));
    expect(second).toEqual(first);
    expect(keys.lookups).toBe(1);
  });

  it('never caches a token with a bad signature: the same claims under a forged signature fail every time', async () => {
    const keys = countingKeys({ keys: [keyA.jwk] });
    const verifier = cachingVerifier(keys);
    const genuine = await sign(claims());
    const [header, payload] = genuine.split('.');
    const [, , forgedSignature] = (await sign(claims(), { ...keyB, kid: keyA.kid })).split('.');
    const forged = `${header!}.${payload!}.${forgedSignature!}`;
    expect(await outcome(verifier.verify(request(genuine)))).toBe('passed');
    expect(await outcome(verifier.verify(request(forged)))).toBe('TOKEN_SIGNATURE_INVALID');
    expect(await outcome(verifier.verify(request(forged)))).toBe('TOKEN_SIGNATURE_INVALID');
    // the genuine token once, the forged one checked in full both times
    expect(keys.lookups).toBe(3);
  });

  it('applies exp with the skew to a cached token', async () => {
    const clock = fixedClock(NOW);
    const verifier = cachingVerifier(countingKeys({ keys: [keyA.jwk] }), clock);
    const token = await sign(claims({ exp: NOW_S + 60 }));
    expect(await outcome(verifier.verify(request(token)))).toBe('passed');
    clock.set(new Date((NOW_S + 60 + 29) * 1000));
    expect(await outcome(verifier.verify(request(token)))).toBe('passed');
    clock.set(new Date((NOW_S + 60 + 30) * 1000));
    expect(await outcome(verifier.verify(request(token)))).toBe('TOKEN_EXPIRED');
  });

  it('applies nbf to a cached token when the clock is set back', async () => {
    const clock = fixedClock(NOW);
    const verifier = cachingVerifier(countingKeys({ keys: [keyA.jwk] }), clock);
    const token = await sign(claims({ nbf: NOW_S + 20 }));
    expect(await outcome(verifier.verify(request(token)))).toBe('passed');
    clock.set(new Date((NOW_S - 20) * 1000));
    expect(await outcome(verifier.verify(request(token)))).toBe('TOKEN_NOT_YET_VALID');
  });

  it('re-checks a cached token after maxAge, so a key the issuer withdrew stops counting', async () => {
    const clock = fixedClock(NOW);
    const keys = countingKeys({ keys: [keyA.jwk] });
    const verifier = cachingVerifier(keys, clock);
    const token = await sign(claims({ exp: NOW_S + 3600 }));
    expect(await outcome(verifier.verify(request(token)))).toBe('passed');
    keys.replace({ keys: [keyB.jwk] });
    clock.advance(299_000);
    expect(await outcome(verifier.verify(request(token)))).toBe('passed');
    clock.advance(1_000);
    expect(await outcome(verifier.verify(request(token)))).toBe('TOKEN_UNKNOWN_KEY');
  });

  it('keeps different tokens apart: each token string maps to its own caller', async () => {
    const verifier = cachingVerifier(countingKeys({ keys: [keyA.jwk] }));
    const gp = await sign(claims({ 'helseid://claims/hpr/hpr_number': '1234567' }));
    const other = await sign(claims({ 'helseid://claims/hpr/hpr_number': '7654321' }));
    expect((await verifier.verify(request(gp))).hprNumber).toBe('1234567');
    expect((await verifier.verify(request(other))).hprNumber).toBe('7654321');
    expect((await verifier.verify(request(gp))).hprNumber).toBe('1234567');
  });

  it('still asks a cached bound token for a fresh DPoP proof on every request', async () => {
    const verifier = cachingVerifier(countingKeys({ keys: [keyA.jwk] }));
    const token = await sign(claims({ cnf: { jkt: dpopJkt } }));
    const dpop = await new SignJWT({
      htm: 'POST',
      htu: URL_,
      ath: accessTokenHash(token),
      jti: 'cached-proof',
      iat: NOW_S,
    })
      .setProtectedHeader({
        alg: 'ES256',
        typ: 'dpop+jwt',
        jwk: { kty: 'EC', crv: dpopKey.jwk.crv, x: dpopKey.jwk.x, y: dpopKey.jwk.y },
      })
      .sign(dpopKey.privateKey);
    expect(await outcome(verifier.verify(request(token, { scheme: 'DPoP', dpop })))).toBe('passed');
    expect(await outcome(verifier.verify(request(token, { scheme: 'DPoP', dpop })))).toBe('DPOP_PROOF_REPLAYED');
    expect(await outcome(verifier.verify(request(token, { scheme: 'DPoP' })))).toBe('DPOP_PROOF_REQUIRED');
    expect(await outcome(verifier.verify(request(token)))).toBe('DPOP_PROOF_REQUIRED');
  });

  it('is bounded: past maxEntries the oldest token is checked in full again', async () => {
    const keys = countingKeys({ keys: [keyA.jwk] });
    const verifier = cachingVerifier(keys, fixedClock(NOW), 2);
    const tokens = await Promise.all(['a', 'b', 'c'].map((client) => sign(claims({ client_id: client }))));
    for (const token of tokens) {
      await verifier.verify(request(token));
    }
    expect(keys.lookups).toBe(3);
    await verifier.verify(request(tokens[2]));
    expect(keys.lookups).toBe(3);
    await verifier.verify(request(tokens[0]));
    expect(keys.lookups).toBe(4);
  });
});
