import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createLocalJWKSet } from 'jose';
import { fixedClock } from '../../shared/clock';
import { DEV_AUDIENCE, DEV_ISSUER } from '../auth-config';
import { devAuthDir, loadOrCreateDevKeys, parseDevTokenArgs, parseDuration, signDevToken } from './dev-keys';
import { TokenVerifier } from './token-verifier';

const NOW = new Date('2025-06-01T10:00:00Z');
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'pll-dev-keys-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadOrCreateDevKeys', () => {
  it('creates an owner-only private key once and loads the same key afterwards', async () => {
    const dir = path.join(root, 'once', 'dev-auth');
    const created = await loadOrCreateDevKeys(dir);
    const loaded = await loadOrCreateDevKeys(dir);
    expect(loaded.kid).toBe(created.kid);
    expect((await stat(path.join(dir, 'signing-key.private.jwk.json'))).mode & 0o777).toBe(0o600);
    expect(created.jwks.keys).toEqual([
      expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: created.kid }),
    ]);
    expect(created.jwks.keys[0]).not.toHaveProperty('d');
  });

  it('agrees on one key when the service and `npm run token` start together', async () => {
    const dir = path.join(root, 'race', 'dev-auth');
    const [a, b, c] = await Promise.all([loadOrCreateDevKeys(dir), loadOrCreateDevKeys(dir), loadOrCreateDevKeys(dir)]);
    expect(new Set([a.kid, b.kid, c.kid]).size).toBe(1);
  });
});

describe('devAuthDir', () => {
  it.each([
    [{}, '/srv/app/data/dev-auth'],
    [{ DATA_DIR: '  ' }, '/srv/app/data/dev-auth'],
    [{ DATA_DIR: 'var' }, '/srv/app/var/dev-auth'],
    [{ DATA_DIR: '/data' }, '/data/dev-auth'],
  ])('resolves %j like the service config', (env, expected) => {
    expect(devAuthDir(env, '/srv/app')).toBe(expected);
  });
});

describe('dev tokens', () => {
  const verify = async (argv: string[]) => {
    const keys = await loadOrCreateDevKeys(path.join(root, 'tokens'));
    const verifier = new TokenVerifier({
      keys: createLocalJWKSet(keys.jwks),
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      clockSkewSeconds: 30,
      clock: fixedClock(NOW),
    });
    const token = await signDevToken(keys, parseDevTokenArgs(argv), NOW, 'fixed-jti');
    return verifier.verify({ authorization: `Bearer ${token}`, method: 'POST', url: 'http://localhost:3000/graphql' });
  };

  it.each([
    [['--role', 'prescriber', '--hpr', '1234567'], { roles: ['prescriber'], hprNumber: '1234567', securityLevel: 4 }],
    [['--role', 'pharmacy', '--org', '987654325'], { roles: ['pharmacy'], organisation: { parent: '987654325' } }],
    [
      ['--role', 'care', '--org', '998877660', '--child-org', '123456785', '--unit', 'Sjøsiden 2'],
      { roles: ['care'], organisation: { parent: '998877660', child: '123456785' }, careUnit: 'Sjøsiden 2' },
    ],
    [
      ['--role', 'patient', '--pid', '31129956715', '--level', '3'],
      { roles: ['patient'], pid: '31129956715', securityLevel: 3 },
    ],
    [['--role', 'auditor'], { roles: ['auditor'], clientId: 'pll-dev-client' }],
  ])('%j is accepted by the dev verifier', async (argv, expected) => {
    expect(await verify(argv)).toMatchObject(expected);
  });

  it('expires after --expires', async () => {
    const keys = await loadOrCreateDevKeys(path.join(root, 'tokens'));
    const options = parseDevTokenArgs(['--role', 'auditor', '--expires', '30m']);
    const token = await signDevToken(keys, options, NOW);
    const later = new TokenVerifier({
      keys: createLocalJWKSet(keys.jwks),
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      clockSkewSeconds: 30,
      clock: fixedClock(new Date(NOW.getTime() + 31 * 60_000)),
    });
    await expect(
      later.verify({ authorization: `Bearer ${token}`, method: 'POST', url: 'http://x/graphql' }),
    ).rejects.toMatchObject({
      failure: 'TOKEN_EXPIRED',
    });
  });
});

describe('parseDevTokenArgs', () => {
  it.each([
    [[], 'usage: npm run token'],
    [['--role', 'admin'], 'usage: npm run token'],
    [['--role', 'prescriber'], '--role prescriber needs --hpr'],
    [['--role', 'pharmacy'], '--role pharmacy needs --org'],
    [['--role', 'patient'], '--role patient needs --pid'],
    [['--role', 'prescriber', '--hpr', '12ab'], '--hpr must be 1 to 9 digits'],
    [['--role', 'care', '--org', '123456789'], '--org must be a valid organisation number'],
    [['--role', 'patient', '--pid', '12345678901'], '--pid must be a valid patient id'],
    [['--role', 'auditor', '--level', '5'], '--level must be 2, 3 or 4'],
    [['--role', 'auditor', '--expires', 'soon'], '--expires must look like'],
    [['--role', 'auditor', '--bogus'], 'Unknown option'],
  ])('%j → %s', (argv, message) => {
    expect(() => parseDevTokenArgs(argv)).toThrow(message);
  });

  it('accepts --child-org alone for an organisation role', () => {
    expect(parseDevTokenArgs(['--role', 'care', '--child-org', '123456785'])).toMatchObject({ childOrg: '123456785' });
  });

  it.each([
    ['45s', 45],
    ['30m', 1800],
    ['1h', 3600],
    ['2d', 172_800],
  ])('parses the duration %s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });
});
