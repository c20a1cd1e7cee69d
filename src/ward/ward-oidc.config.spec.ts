import { DEFAULT_WARD_OIDC_SCOPE, parseWardOidcConfig } from './ward-oidc.config';

const COMPLETE = {
  WARD_OIDC_ISSUER: 'https://helseid-sts.nhn.no',
  WARD_OIDC_CLIENT_ID: 'pll-ward',
  WARD_OIDC_CLIENT_JWK_FILE: '/run/secrets/ward-client.jwk.json',
  WARD_OIDC_REDIRECT_URI: 'https://pll.example/ward/callback',
};

describe('parseWardOidcConfig (WARD_OIDC_*)', () => {
  it('reads a complete private_key_jwt configuration with the default scope', () => {
    expect(parseWardOidcConfig(COMPLETE, 'jwks', true)).toEqual({
      problems: [],
      warnings: [],
      config: {
        issuer: 'https://helseid-sts.nhn.no',
        clientId: 'pll-ward',
        clientAuth: { kind: 'private_key_jwt', jwkFile: '/run/secrets/ward-client.jwk.json' },
        redirectUri: 'https://pll.example/ward/callback',
        scope: DEFAULT_WARD_OIDC_SCOPE,
      },
    });
  });

  it('reads a client secret, a scope and a resource indicator', () => {
    const { WARD_OIDC_CLIENT_JWK_FILE: _file, ...rest } = COMPLETE;
    const env = {
      ...rest,
      WARD_OIDC_CLIENT_SECRET: 's3cret',
      WARD_OIDC_SCOPE: 'openid e-helse:pll/prescriber',
      WARD_OIDC_RESOURCE: 'e-helse:pll',
    };
    expect(parseWardOidcConfig(env, 'jwks', false).config).toMatchObject({
      clientAuth: { kind: 'client_secret_basic', secret: 's3cret' },
      scope: 'openid e-helse:pll/prescriber',
      resource: 'e-helse:pll',
    });
  });

  it('is simply absent without WARD_OIDC_ISSUER (the page says sign-in is not configured), and ignored in dev mode', () => {
    expect(parseWardOidcConfig({}, 'jwks', true)).toEqual({ problems: [], warnings: [] });
    const dev = parseWardOidcConfig(COMPLETE, 'dev', false);
    expect(dev.config).toBeUndefined();
    expect(dev.problems).toEqual([]);
    expect(dev.warnings).toEqual([expect.stringContaining('ignored with AUTH_MODE=dev')]);
  });

  it.each([
    ['settings without an issuer', { WARD_OIDC_CLIENT_ID: 'x' }, 'WARD_OIDC_CLIENT_ID set without WARD_OIDC_ISSUER'],
    ['no client id', { ...COMPLETE, WARD_OIDC_CLIENT_ID: '' }, 'WARD_OIDC_ISSUER needs WARD_OIDC_CLIENT_ID'],
    [
      'both client authentications',
      { ...COMPLETE, WARD_OIDC_CLIENT_SECRET: 's' },
      'exactly one of WARD_OIDC_CLIENT_JWK_FILE',
    ],
    [
      'an http issuer in production',
      { ...COMPLETE, WARD_OIDC_ISSUER: 'http://idp.example' },
      'WARD_OIDC_ISSUER must be an https URL',
    ],
    [
      'another callback path',
      { ...COMPLETE, WARD_OIDC_REDIRECT_URI: 'https://pll.example/cb' },
      'must end in /ward/callback',
    ],
    [
      'a scope without openid',
      { ...COMPLETE, WARD_OIDC_SCOPE: 'e-helse:pll/care' },
      'WARD_OIDC_SCOPE must include openid',
    ],
  ])('refuses %s', (_name, env, problem) => {
    const parsed = parseWardOidcConfig(env, 'jwks', true);
    expect(parsed.config).toBeUndefined();
    expect(parsed.problems).toEqual([expect.stringContaining(problem)]);
  });
});
