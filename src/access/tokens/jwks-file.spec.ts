import { ConfigError } from '../../config/config-error';
import { parseJwksFile } from './jwks-file';

const EC = {
  kty: 'EC',
  crv: 'P-256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
};

const problemOf = (text: string): string | undefined => {
  try {
    parseJwksFile(text, '/etc/pll/jwks.json');
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems.join('; ');
    }
    throw error;
  }
  return undefined;
};

describe('AUTH_JWKS_FILE', () => {
  it.each([
    ['truncated JSON', '{"keys": [', 'AUTH_JWKS_FILE /etc/pll/jwks.json is not valid JSON'],
    ['not a JWKS', '[]', 'AUTH_JWKS_FILE /etc/pll/jwks.json is not a JWKS (an object with a "keys" array of keys)'],
    [
      'an empty JWKS',
      '{"keys": []}',
      'AUTH_JWKS_FILE /etc/pll/jwks.json has no usable public key (EC or RSA, for ES256, PS256, RS256); symmetric keys are not accepted',
    ],
    [
      'only symmetric keys',
      '{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}',
      'AUTH_JWKS_FILE /etc/pll/jwks.json has no usable public key (EC or RSA, for ES256, PS256, RS256); symmetric keys are not accepted',
    ],
    [
      'a private key',
      JSON.stringify({ keys: [{ ...EC, d: 'secret' }] }),
      'AUTH_JWKS_FILE /etc/pll/jwks.json holds a private key: give the public keys only',
    ],
  ])('refuses %s, naming the variable and the file', (_name, text, problem) => {
    expect(problemOf(text)).toBe(problem);
  });

  it('keeps only the usable public keys', () => {
    expect(parseJwksFile(JSON.stringify({ keys: [EC, { kty: 'oct', k: 'c2VjcmV0' }] }), 'f')).toEqual({ keys: [EC] });
  });
});
