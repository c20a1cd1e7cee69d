import { type Env, integerOf, valueOf } from '../config/env';
import { ConfigError } from '../config/config-error';
import type { SecurityLevel } from './domain/caller';

/**
 * Authentication settings from the environment, validated as a whole like src/config/config.ts (every problem
 * reported, one line each). Self-contained so the app shell can merge it: call `parseAuthConfig(env)` from
 * `loadConfig`, append its problems and warnings, and put `config` on AppConfig as `auth`.
 *
 *   AUTH_MODE                 dev | jwks (default: dev, except jwks when NODE_ENV=production)
 *   AUTH_JWKS_URL             issuer JWKS over https (jwks mode; exactly one of URL and FILE)
 *   AUTH_JWKS_FILE            a JWKS file of public keys (jwks mode)
 *   AUTH_ISSUER               expected `iss` (jwks mode)
 *   AUTH_AUDIENCE             expected `aud` (jwks mode)
 *   AUTH_CLOCK_SKEW_SECONDS   exp/nbf/iat tolerance, 0–300 (default 30)
 *   AUTH_MIN_LEVEL_READ       minimum HelseID security level for reads, 2–4 (default 3)
 *   AUTH_MIN_LEVEL_WRITE      minimum security level for writes, 2–4 (default 4)
 *   AUTH_PUBLIC_BASE_URL      the URL clients use (behind a proxy), for the DPoP `htu` check (optional)
 *   ORGANISATION_REGISTER_FILE  CSV of the organisations the service trusts (organisation-register.ts); required in
 *                             production, a seeded one in dev mode
 */

export type AuthMode = 'dev' | 'jwks';

export type KeySource =
  | { readonly kind: 'dev' }
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'file'; readonly file: string };

export interface AuthConfig {
  readonly mode: AuthMode;
  readonly keys: KeySource;
  readonly issuer: string;
  readonly audience: string;
  readonly clockSkewSeconds: number;
  readonly minimumSecurityLevel: { readonly read: SecurityLevel; readonly write: SecurityLevel };
  readonly publicBaseUrl?: string;
  /** ORGANISATION_REGISTER_FILE: absent → the dev register in dev mode, an empty one otherwise */
  readonly organisationRegisterFile?: string;
}

/** The development issuer and audience (AUTH_MODE=dev): `npm run token` signs with these, the service expects them. */
export const DEV_ISSUER = 'http://localhost:3000/dev-issuer';
export const DEV_AUDIENCE = 'pll-api';

const isProduction = (env: Env): boolean => valueOf(env, 'NODE_ENV') === 'production';

const modeOf = (env: Env, problems: string[]): AuthMode => {
  const raw = valueOf(env, 'AUTH_MODE');
  if (raw === undefined) {
    return isProduction(env) ? 'jwks' : 'dev';
  }
  if (raw !== 'dev' && raw !== 'jwks') {
    problems.push(`AUTH_MODE must be one of dev, jwks (got "${raw}")`);
    // The config is rejected anyway; fall back quietly so the one real problem is not buried.
    return isProduction(env) ? 'jwks' : 'dev';
  }
  return raw;
};

const levelOf = (env: Env, name: string, fallback: SecurityLevel, problems: string[]): SecurityLevel => {
  const level = integerOf(env, name, { min: 2, max: 4, fallback }, problems);
  return level === 2 || level === 3 || level === 4 ? level : fallback;
};

const isHttpUrl = (value: string, httpsOnly: boolean): boolean => {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (!httpsOnly && url.protocol === 'http:');
  } catch {
    return false;
  }
};

/**
 * What production refuses (issue 5, "Development and production"): dev mode, or a missing JWKS, issuer or
 * audience. Also a plain-http JWKS URL: keys fetched without TLS could be swapped by anyone on the path.
 */
export const productionAuthProblems = (env: Env): string[] => {
  if (!isProduction(env)) {
    return [];
  }
  const problems: string[] = [];
  if (valueOf(env, 'AUTH_MODE') === 'dev') {
    problems.push('AUTH_MODE=dev is not allowed when NODE_ENV=production');
  }
  const url = valueOf(env, 'AUTH_JWKS_URL');
  if (url === undefined && valueOf(env, 'AUTH_JWKS_FILE') === undefined) {
    problems.push('AUTH_JWKS_URL or AUTH_JWKS_FILE is required in production');
  } else if (url !== undefined && !isHttpUrl(url, true)) {
    problems.push('AUTH_JWKS_URL must be an https URL in production');
  }
  // AUTH_PUBLIC_BASE_URL: the DPoP `htu` is checked against it, never against the request's Host header (issue 15).
  for (const name of ['AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_PUBLIC_BASE_URL', 'ORGANISATION_REGISTER_FILE']) {
    if (valueOf(env, name) === undefined) {
      problems.push(`${name} is required in production`);
    }
  }
  return problems;
};

/** Throws ConfigError at start-up when production would run with development or missing authentication. */
export const assertProductionAuthConfig = (env: Env): void => {
  const problems = productionAuthProblems(env);
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
};

const keySourceOf = (env: Env, mode: AuthMode, problems: string[]): KeySource => {
  const url = valueOf(env, 'AUTH_JWKS_URL');
  const file = valueOf(env, 'AUTH_JWKS_FILE');
  if (mode === 'dev') {
    return { kind: 'dev' };
  }
  if (url !== undefined && file !== undefined) {
    problems.push('set only one of AUTH_JWKS_URL and AUTH_JWKS_FILE');
  }
  if (url !== undefined) {
    if (!isHttpUrl(url, false)) {
      problems.push(`AUTH_JWKS_URL must be an http(s) URL (got "${url}")`);
    }
    return { kind: 'url', url };
  }
  if (file !== undefined) {
    return { kind: 'file', file };
  }
  if (!isProduction(env)) {
    problems.push('AUTH_MODE=jwks needs AUTH_JWKS_URL or AUTH_JWKS_FILE');
  }
  return { kind: 'file', file: '' };
};

export interface ParsedAuthConfig {
  readonly config: AuthConfig;
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}

/** Parses without throwing, for merging into the app's config loader. `config` is meaningful only without problems. */
export const parseAuthConfig = (env: Env): ParsedAuthConfig => {
  const problems = productionAuthProblems(env);
  const warnings: string[] = [];
  const mode = modeOf(env, problems);
  const keys = keySourceOf(env, mode, problems);
  const issuer = mode === 'dev' ? DEV_ISSUER : valueOf(env, 'AUTH_ISSUER');
  const audience = mode === 'dev' ? DEV_AUDIENCE : valueOf(env, 'AUTH_AUDIENCE');
  if (mode === 'jwks' && !isProduction(env)) {
    // In production productionAuthProblems already named these.
    if (issuer === undefined) {
      problems.push('AUTH_MODE=jwks needs AUTH_ISSUER');
    }
    if (audience === undefined) {
      problems.push('AUTH_MODE=jwks needs AUTH_AUDIENCE');
    }
  }
  if (mode === 'dev') {
    warnings.push(
      `AUTH_MODE=dev: tokens from "npm run token" are accepted (issuer ${DEV_ISSUER}). Never use with real patients.`,
    );
  }
  const publicBaseUrl = valueOf(env, 'AUTH_PUBLIC_BASE_URL');
  if (publicBaseUrl !== undefined && !isHttpUrl(publicBaseUrl, false)) {
    problems.push(`AUTH_PUBLIC_BASE_URL must be an http(s) URL (got "${publicBaseUrl}")`);
  }
  const registerFile = valueOf(env, 'ORGANISATION_REGISTER_FILE');
  const config: AuthConfig = {
    mode,
    keys,
    issuer: issuer ?? '',
    audience: audience ?? '',
    clockSkewSeconds: integerOf(env, 'AUTH_CLOCK_SKEW_SECONDS', { min: 0, max: 300, fallback: 30 }, problems),
    minimumSecurityLevel: {
      read: levelOf(env, 'AUTH_MIN_LEVEL_READ', 3, problems),
      write: levelOf(env, 'AUTH_MIN_LEVEL_WRITE', 4, problems),
    },
    ...(publicBaseUrl === undefined ? {} : { publicBaseUrl: publicBaseUrl.replace(/\/+$/, '') }),
    ...(registerFile === undefined ? {} : { organisationRegisterFile: registerFile }),
  };
  return { config, problems, warnings };
};

/** Parses and validates; throws ConfigError listing every problem. */
export const loadAuthConfig = (env: Env): AuthConfig => {
  const { config, problems } = parseAuthConfig(env);
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return config;
};
