import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Caller } from '../access/domain/caller';
import { loadClientKey, wardIdentityOf } from './ward-oidc';

const caller = (over: Partial<Caller>): Caller => ({ clientId: 'c', organisation: {}, scopes: [], roles: [], ...over });

describe('wardIdentityOf (who the page shows as signed in, from the verified access token)', () => {
  it.each([
    [
      'a nurse: the trusted sub-unit, the unit and any HPR number',
      caller({
        roles: ['care'],
        organisation: { parent: '974633574', child: '123456785' },
        careUnit: 'Avdeling 3',
        hprNumber: '12345',
      }),
      { role: 'care', organisationNumber: '123456785', unit: 'Avdeling 3', hprNumber: '12345' },
    ],
    [
      'a care client of the legal entity only',
      caller({ roles: ['care'], organisation: { parent: '974633574' } }),
      { role: 'care', organisationNumber: '974633574' },
    ],
    [
      'a prescriber',
      caller({ roles: ['prescriber'], hprNumber: '999999999' }),
      { role: 'prescriber', hprNumber: '999999999' },
    ],
    [
      'a nurse who is also a prescriber signs in as the nurse',
      caller({ roles: ['prescriber', 'care'], hprNumber: '1', organisation: { child: '123456785' } }),
      { role: 'care', organisationNumber: '123456785', hprNumber: '1' },
    ],
    ['a pharmacy: no page role', caller({ roles: ['pharmacy'], organisation: { child: '123456785' } }), undefined],
    ['a patient: no page role', caller({ roles: ['patient'], pid: '15034712345' }), undefined],
    ['a prescriber without an HPR number', caller({ roles: ['prescriber'] }), undefined],
  ])('%s', (_name, who, expected) => {
    expect(wardIdentityOf(who)).toEqual(expected);
  });
});

describe('loadClientKey (WARD_OIDC_CLIENT_JWK_FILE, private_key_jwt)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const file = (jwk: unknown): string => {
    const name = path.join(mkdtempSync(path.join(tmpdir(), 'ward-jwk-')), 'key.json');
    writeFileSync(name, JSON.stringify(jwk));
    return name;
  };

  it('reads a private ES256 JWK as a signing key with its kid', async () => {
    const key = await loadClientKey(file({ ...privateKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256' }));
    expect(key.kid).toBe('k1');
    expect(key.key.usages).toEqual(['sign']);
  });

  it.each([
    ['a public key', { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256' }],
    ['a key without alg', { ...privateKey.export({ format: 'jwk' }), kid: 'k1' }],
    ['an HMAC algorithm', { ...privateKey.export({ format: 'jwk' }), kid: 'k1', alg: 'HS256' }],
  ])('refuses %s', async (_name, jwk) => {
    await expect(loadClientKey(file(jwk))).rejects.toThrow('WARD_OIDC_CLIENT_JWK_FILE must hold a private JWK');
  });
});
