import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import {
  SignJWT,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type KeyLike,
} from 'jose';
import { isValidHprNumber, isValidOrganisationNumber, isValidPatientId } from '../../identifiers/norwegian-identifiers';
import { DEV_AUDIENCE, DEV_ISSUER } from '../auth-config';
import {
  CALLER_ROLES,
  CARE_UNIT_CLAIM,
  type CallerRole,
  HELSEID_CLAIMS,
  PLL_SCOPES,
  type SecurityLevel,
} from '../domain/caller';

/**
 * AUTH_MODE=dev: a local ES256 signing key standing in for HelseID. The service and `npm run token` share it
 * through `${DATA_DIR}/dev-auth/`, so a token printed by one is accepted by the other, across restarts. The
 * public half is served at GET /.well-known/jwks.json (DevJwksController). Never for real patients: production
 * refuses AUTH_MODE=dev (auth-config.ts).
 */

export const DEV_KEYS = Symbol('DEV_KEYS');

export interface DevKeys {
  readonly kid: string;
  readonly privateKey: KeyLike;
  /** the public keys only */
  readonly jwks: JSONWebKeySet;
}

const KEY_FILE = 'signing-key.private.jwk.json';

/** `${DATA_DIR}/dev-auth`, with DATA_DIR resolved the way src/config/config.ts does (blank = ./data). */
export const devAuthDir = (env: Readonly<Record<string, string | undefined>>, cwd: string = process.cwd()): string => {
  const dataDir = env.DATA_DIR?.trim();
  return path.join(path.resolve(cwd, dataDir === undefined || dataDir === '' ? './data' : dataDir), 'dev-auth');
};

const publicJwkOf = ({ kty, crv, x, y }: JWK, kid: string): JWK => ({ kty, crv, x, y, kid, alg: 'ES256', use: 'sig' });

const keysFrom = async (privateJwk: JWK): Promise<DevKeys> => {
  if (privateJwk.kty !== 'EC' || privateJwk.crv !== 'P-256' || privateJwk.d === undefined) {
    throw new Error('the dev signing key is not an EC P-256 private key: delete the dev-auth directory to regenerate');
  }
  const kid = await calculateJwkThumbprint(privateJwk);
  const privateKey = await importJWK(privateJwk, 'ES256');
  if (privateKey instanceof Uint8Array) {
    throw new Error('the dev signing key is not an asymmetric key');
  }
  return { kid, privateKey, jwks: { keys: [publicJwkOf(privateJwk, kid)] } };
};

const hasCode = (error: unknown, code: string): boolean =>
  typeof error === 'object' && error !== null && 'code' in error && error.code === code;

/** Parses the key file at the boundary: only the EC fields we use, each a string. */
const readPrivateJwk = async (file: string): Promise<JWK> => {
  const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
  const field = (name: string): string | undefined => {
    const value: unknown = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, name) : undefined;
    return typeof value === 'string' ? value : undefined;
  };
  return { kty: field('kty') ?? '', crv: field('crv'), x: field('x'), y: field('y'), d: field('d') };
};

/** Loads the dev key from `dir`, creating it (owner-only file) on first use. Safe when two processes race. */
export const loadOrCreateDevKeys = async (dir: string): Promise<DevKeys> => {
  const file = path.join(dir, KEY_FILE);
  try {
    return await keysFrom(await readPrivateJwk(file));
  } catch (error) {
    if (!hasCode(error, 'ENOENT')) {
      throw error;
    }
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  try {
    // 'wx': fail if another process created it meanwhile; then use theirs so both agree.
    await writeFile(file, JSON.stringify(jwk), { flag: 'wx', mode: 0o600 });
    return await keysFrom(jwk);
  } catch (error) {
    if (hasCode(error, 'EEXIST')) {
      return keysFrom(await readPrivateJwk(file));
    }
    throw error;
  }
};

export interface DevTokenOptions {
  readonly role: CallerRole;
  readonly hpr?: string;
  /** orgnr_parent (legal entity) */
  readonly org?: string;
  /** orgnr_child (sub-unit) */
  readonly childOrg?: string;
  readonly unit?: string;
  readonly pid?: string;
  readonly level: SecurityLevel;
  readonly expiresInSeconds: number;
  readonly clientId: string;
  /** binds the token to a DPoP key (cnf.jkt) */
  readonly jkt?: string;
}

/** What each role must name, so a dev token passes the same identity checks as a real one. */
const REQUIRED_BY_ROLE: Readonly<Record<CallerRole, 'hpr' | 'org' | 'pid' | undefined>> = {
  prescriber: 'hpr',
  pharmacy: 'org',
  care: 'org',
  patient: 'pid',
  auditor: undefined,
  feed: 'org',
};

const DURATION = /^([1-9][0-9]*)(s|m|h|d)$/;
const SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

export const parseDuration = (text: string): number => {
  const match = DURATION.exec(text);
  const [, amount, unit] = match ?? [];
  if (amount === undefined || (unit !== 's' && unit !== 'm' && unit !== 'h' && unit !== 'd')) {
    throw new Error(`--expires must look like 30m, 1h or 2d (got "${text}")`);
  }
  return Number(amount) * SECONDS[unit];
};

export const TOKEN_USAGE = `usage: npm run token -- --role <${CALLER_ROLES.join('|')}> [options]
  --hpr <number>        HPR number (required for prescriber)
  --org <orgnr>         organisation number, orgnr_parent (required for pharmacy, care and feed)
  --child-org <orgnr>   sub-unit, orgnr_child
  --unit <name>         care unit (care role)
  --pid <fnr>           the patient's own id (required for patient)
  --level <2|3|4>       security level (default 4)
  --expires <duration>  e.g. 30m, 1h (default 1h)
  --jkt <thumbprint>    bind to a DPoP key (cnf.jkt)`;

/** Parses `npm run token` arguments. Throws Error with a message for the user. */
export const parseDevTokenArgs = (argv: readonly string[]): DevTokenOptions => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      role: { type: 'string' },
      hpr: { type: 'string' },
      org: { type: 'string' },
      'child-org': { type: 'string' },
      unit: { type: 'string' },
      pid: { type: 'string' },
      level: { type: 'string', default: '4' },
      expires: { type: 'string', default: '1h' },
      'client-id': { type: 'string', default: 'pll-dev-client' },
      jkt: { type: 'string' },
    },
    strict: true,
  });
  const role = CALLER_ROLES.find((candidate) => candidate === values.role);
  if (role === undefined) {
    throw new Error(TOKEN_USAGE);
  }
  const checks: readonly [string | undefined, (value: string) => boolean, string][] = [
    [values.hpr, isValidHprNumber, '--hpr must be 1 to 9 digits'],
    [values.org, isValidOrganisationNumber, '--org must be a valid organisation number'],
    [values['child-org'], isValidOrganisationNumber, '--child-org must be a valid organisation number'],
    [values.pid, isValidPatientId, '--pid must be a valid patient id'],
  ];
  for (const [value, valid, message] of checks) {
    if (value !== undefined && !valid(value)) {
      throw new Error(message);
    }
  }
  const required = REQUIRED_BY_ROLE[role];
  if (
    required !== undefined &&
    values[required] === undefined &&
    !(required === 'org' && values['child-org'] !== undefined)
  ) {
    throw new Error(`--role ${role} needs --${required}`);
  }
  if (role === 'feed' && (values.hpr !== undefined || values.pid !== undefined)) {
    // A feed is a client-credentials token: an organisation, no person (issue 15).
    throw new Error('--role feed names an organisation only (no --hpr, no --pid)');
  }
  const level = Number(values.level);
  if (level !== 2 && level !== 3 && level !== 4) {
    throw new Error('--level must be 2, 3 or 4');
  }
  return {
    role,
    level,
    expiresInSeconds: parseDuration(values.expires),
    clientId: values['client-id'],
    ...(values.hpr === undefined ? {} : { hpr: values.hpr }),
    ...(values.org === undefined ? {} : { org: values.org }),
    ...(values['child-org'] === undefined ? {} : { childOrg: values['child-org'] }),
    ...(values.unit === undefined ? {} : { unit: values.unit }),
    ...(values.pid === undefined ? {} : { pid: values.pid }),
    ...(values.jkt === undefined ? {} : { jkt: values.jkt }),
  };
};

/** Pure: the HelseID-shaped claims of a dev token issued at `now` (seconds). */
export const devTokenClaims = (options: DevTokenOptions, nowSeconds: number, jti: string): JWTPayload => ({
  iss: DEV_ISSUER,
  aud: DEV_AUDIENCE,
  iat: nowSeconds,
  nbf: nowSeconds,
  exp: nowSeconds + options.expiresInSeconds,
  jti,
  sub: `dev-${options.role}`,
  [HELSEID_CLAIMS.clientId]: options.clientId,
  [HELSEID_CLAIMS.scope]: PLL_SCOPES[options.role],
  // A client-credentials token (the feed role) has no person and so no security level.
  ...(options.role === 'feed' ? {} : { [HELSEID_CLAIMS.securityLevel]: String(options.level) }),
  ...(options.hpr === undefined ? {} : { [HELSEID_CLAIMS.hprNumber]: options.hpr }),
  ...(options.org === undefined ? {} : { [HELSEID_CLAIMS.orgnrParent]: options.org }),
  ...(options.childOrg === undefined ? {} : { [HELSEID_CLAIMS.orgnrChild]: options.childOrg }),
  ...(options.unit === undefined ? {} : { [CARE_UNIT_CLAIM]: options.unit }),
  ...(options.pid === undefined ? {} : { [HELSEID_CLAIMS.pid]: options.pid }),
  ...(options.jkt === undefined ? {} : { cnf: { jkt: options.jkt } }),
});

/** Signs a dev access token (typ at+jwt, RFC 9068) with the dev key. */
export const signDevToken = (
  keys: DevKeys,
  options: DevTokenOptions,
  now: Date,
  jti: string = randomUUID(),
): Promise<string> =>
  new SignJWT(devTokenClaims(options, Math.floor(now.getTime() / 1000), jti))
    .setProtectedHeader({ alg: 'ES256', kid: keys.kid, typ: 'at+jwt' })
    .sign(keys.privateKey);

/** Printed to stderr by `npm run token`, so `$(npm run token …)` captures the token alone. */
export const DEV_KEYS_HINT =
  'Send it as the header  Authorization: Bearer <token>  (GraphiQL: Headers tab). Accepted only with AUTH_MODE=dev.';
