import { ConfigError } from '../config/config';
import { DEV_AUDIENCE, DEV_ISSUER, assertProductionAuthConfig, loadAuthConfig, parseAuthConfig } from './auth-config';

const PRODUCTION = {
  NODE_ENV: 'production',
  AUTH_JWKS_URL: 'https://helseid-sts.nhn.no/.well-known/openid-configuration/jwks',
  AUTH_ISSUER: 'https://helseid-sts.nhn.no',
  AUTH_AUDIENCE: 'e-helse:pll',
  AUTH_PUBLIC_BASE_URL: 'https://pll.example',
  ORGANISATION_REGISTER_FILE: '/etc/pll/organisations.csv',
};

/** The error a function throws (or undefined): assertions stay outside any catch. */
const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error;
  }
};

const problemsOf = (env: Record<string, string>): readonly string[] => parseAuthConfig(env).problems;

describe('loadAuthConfig', () => {
  it('defaults to dev mode outside production, with the dev issuer and audience', () => {
    expect(loadAuthConfig({})).toEqual({
      mode: 'dev',
      keys: { kind: 'dev' },
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      clockSkewSeconds: 30,
      minimumSecurityLevel: { read: 3, write: 4 },
    });
    expect(parseAuthConfig({}).warnings).toEqual([expect.stringContaining('AUTH_MODE=dev')]);
  });

  it('reads jwks mode with a URL and every tunable', () => {
    expect(
      loadAuthConfig({
        AUTH_MODE: 'jwks',
        AUTH_JWKS_URL: 'http://127.0.0.1:8080/jwks',
        AUTH_ISSUER: 'https://issuer.test',
        AUTH_AUDIENCE: 'pll',
        AUTH_CLOCK_SKEW_SECONDS: '10',
        AUTH_MIN_LEVEL_READ: '4',
        AUTH_MIN_LEVEL_WRITE: '4',
        AUTH_PUBLIC_BASE_URL: 'https://pll.example.no/',
      }),
    ).toEqual({
      mode: 'jwks',
      keys: { kind: 'url', url: 'http://127.0.0.1:8080/jwks' },
      issuer: 'https://issuer.test',
      audience: 'pll',
      clockSkewSeconds: 10,
      minimumSecurityLevel: { read: 4, write: 4 },
      publicBaseUrl: 'https://pll.example.no',
    });
  });

  it('reads a JWKS file', () => {
    const config = loadAuthConfig({
      AUTH_MODE: 'jwks',
      AUTH_JWKS_FILE: '/etc/pll/jwks.json',
      AUTH_ISSUER: 'i',
      AUTH_AUDIENCE: 'a',
    });
    expect(config.keys).toEqual({ kind: 'file', file: '/etc/pll/jwks.json' });
  });

  it.each([
    [{ AUTH_MODE: 'helseid' }, 'AUTH_MODE must be one of dev, jwks'],
    [
      { AUTH_MODE: 'jwks', AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' },
      'AUTH_MODE=jwks needs AUTH_JWKS_URL or AUTH_JWKS_FILE',
    ],
    [{ AUTH_MODE: 'jwks', AUTH_JWKS_FILE: 'f', AUTH_AUDIENCE: 'a' }, 'AUTH_MODE=jwks needs AUTH_ISSUER'],
    [{ AUTH_MODE: 'jwks', AUTH_JWKS_FILE: 'f', AUTH_ISSUER: 'i' }, 'AUTH_MODE=jwks needs AUTH_AUDIENCE'],
    [
      { AUTH_MODE: 'jwks', AUTH_JWKS_FILE: 'f', AUTH_JWKS_URL: 'https://x', AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' },
      'only one of',
    ],
    [
      { AUTH_MODE: 'jwks', AUTH_JWKS_URL: 'ftp://x', AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' },
      'AUTH_JWKS_URL must be an http(s) URL',
    ],
    [{ AUTH_CLOCK_SKEW_SECONDS: '301' }, 'AUTH_CLOCK_SKEW_SECONDS must be an integer from 0 to 300'],
    [{ AUTH_CLOCK_SKEW_SECONDS: '-1' }, 'AUTH_CLOCK_SKEW_SECONDS must be an integer from 0 to 300'],
    [{ AUTH_MIN_LEVEL_READ: '1' }, 'AUTH_MIN_LEVEL_READ must be an integer from 2 to 4'],
    [{ AUTH_MIN_LEVEL_WRITE: 'four' }, 'AUTH_MIN_LEVEL_WRITE must be an integer from 2 to 4'],
    [{ AUTH_PUBLIC_BASE_URL: 'pll.example.no' }, 'AUTH_PUBLIC_BASE_URL must be an http(s) URL'],
  ])('reports %j', (env, problem) => {
    expect(problemsOf(env)).toEqual([expect.stringContaining(problem)]);
  });

  it('throws one ConfigError listing every problem', () => {
    expect(() => loadAuthConfig({ AUTH_MIN_LEVEL_READ: '9', AUTH_CLOCK_SKEW_SECONDS: 'x' })).toThrow(ConfigError);
    expect(thrown(() => loadAuthConfig({ AUTH_MIN_LEVEL_READ: '9', AUTH_CLOCK_SKEW_SECONDS: 'x' }))).toMatchObject({
      problems: [expect.stringContaining('SKEW'), expect.stringContaining('READ')],
    });
  });
});

describe('assertProductionAuthConfig', () => {
  it('accepts a complete production configuration', () => {
    expect(() => assertProductionAuthConfig(PRODUCTION)).not.toThrow();
    expect(loadAuthConfig(PRODUCTION)).toMatchObject({ mode: 'jwks', keys: { kind: 'url' } });
  });

  it('ignores everything outside production', () => {
    expect(() => assertProductionAuthConfig({ AUTH_MODE: 'dev' })).not.toThrow();
  });

  it.each([
    ['dev mode', { AUTH_MODE: 'dev' }, 'AUTH_MODE=dev is not allowed when NODE_ENV=production'],
    ['no JWKS', { AUTH_JWKS_URL: '' }, 'AUTH_JWKS_URL or AUTH_JWKS_FILE is required in production'],
    ['a plain-http JWKS', { AUTH_JWKS_URL: 'http://helseid/jwks' }, 'AUTH_JWKS_URL must be an https URL in production'],
    ['no issuer', { AUTH_ISSUER: '' }, 'AUTH_ISSUER is required in production'],
    ['no audience', { AUTH_AUDIENCE: ' ' }, 'AUTH_AUDIENCE is required in production'],
    ['no public base URL (DPoP htu)', { AUTH_PUBLIC_BASE_URL: '' }, 'AUTH_PUBLIC_BASE_URL is required in production'],
    [
      'no organisation register',
      { ORGANISATION_REGISTER_FILE: '' },
      'ORGANISATION_REGISTER_FILE is required in production',
    ],
  ])('refuses to start with %s', (_name, override, problem) => {
    const env = { ...PRODUCTION, ...override };
    expect(thrown(() => assertProductionAuthConfig(env))).toMatchObject({ problems: [problem] });
    expect(() => loadAuthConfig(env)).toThrow(ConfigError);
  });

  it('refuses a production start with no authentication settings at all, naming each', () => {
    expect(thrown(() => assertProductionAuthConfig({ NODE_ENV: 'production' }))).toMatchObject({
      problems: [
        'AUTH_JWKS_URL or AUTH_JWKS_FILE is required in production',
        'AUTH_ISSUER is required in production',
        'AUTH_AUDIENCE is required in production',
        'AUTH_PUBLIC_BASE_URL is required in production',
        'ORGANISATION_REGISTER_FILE is required in production',
      ],
    });
  });
});
