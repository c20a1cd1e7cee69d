import { type DynamicModule, Global, Module } from '@nestjs/common';
import * as path from 'node:path';
import { type AuthConfig, parseAuthConfig } from '../access/auth-config';
import { ConfigError } from './config-error';
import { type Env, integerOf, valueOf } from './env';
import { type ReconciliationConfig, reconciliationConfigOf } from '../reconciliation/reconciliation.config';
import { type WardOidcConfig, parseWardOidcConfig } from '../ward/ward-oidc.config';

/**
 * Service configuration, read from environment variables once at start-up and validated as a whole: every bad
 * value is reported (one line each) before the process exits with code 1, so an operator fixes them in one go.
 * The parsed config is handed to Nest as the `APP_CONFIG` provider; nothing reads `process.env` after this.
 */

export const APP_CONFIG = Symbol('APP_CONFIG');

export type NodeEnv = 'development' | 'test' | 'production';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type EventStoreConfig =
  /** lockWaitMs: how long a request waits for another process's lock on the file before SERVICE_UNAVAILABLE */
  | { readonly kind: 'sqlite'; readonly file: string; readonly lockWaitMs: number }
  | {
      readonly kind: 'eventstoredb';
      readonly connectionString: string;
      /** EVENTSTORE_CLIENT: `eventstore` (@eventstore/db-client, default) or `kurrentdb` (@kurrent/kurrentdb-client) */
      readonly clientPackage: 'eventstore' | 'kurrentdb';
      /** EVENTSTORE_DEADLINE_MS: the gRPC deadline of every append, read and ping */
      readonly deadlineMs: number;
    };

export interface AppConfig {
  readonly port: number;
  readonly nodeEnv: NodeEnv;
  readonly logLevel: LogLevel;
  /** where the embedded event file (sqlite) and the read-model database live; absolute */
  readonly dataDir: string;
  /**
   * this process's read models and their checkpoints (READ_MODELS_FILE, default `<dataDir>/read-models.db`);
   * absolute. One service process owns it (a lock); several processes on one machine share the events but each
   * needs its own file.
   */
  readonly readModelsFile: string;
  readonly eventStore: EventStoreConfig;
  /** key of the HMAC that turns a patient id into a stream name (design.md, decision 1) */
  readonly patientIdSecret: string;
  /** token verification and minimum security levels (src/access/auth-config.ts) */
  readonly auth: AuthConfig;
  /** the scheduled feed pull (off unless RECONCILE_PULL_URL is set) */
  readonly reconciliation: ReconciliationConfig;
  /** the ward page's OpenID Connect sign-in (src/ward/ward-oidc.config.ts); absent: not configured */
  readonly wardOidc?: WardOidcConfig;
  /** GraphQL requests per caller per minute (token bucket); excess gets 429 RATE_LIMITED */
  readonly rateLimitPerMinute: number;
  /** ward page sign-in requests (/ward/login, /ward/callback, dev login) per client address per minute */
  readonly wardSignInRateLimitPerMinute: number;
  /** browser origins allowed by CORS; empty: no CORS headers, so browsers refuse cross-origin calls */
  readonly corsOrigins: readonly string[];
  /** start-up warnings to log once the logger exists (e.g. the development secret is in use) */
  readonly warnings: readonly string[];
}

// Its own file so src/access/auth-config.ts can throw it without importing this module (no import cycle).
export { ConfigError } from './config-error';

/**
 * Used only outside production so `npm start` works on a fresh clone. Stream names derived with it are not secret:
 * never point a development instance at real patient data.
 */
export const DEVELOPMENT_PATIENT_ID_SECRET = 'development-only-patient-id-secret-not-for-production';

export const MIN_SECRET_LENGTH = 32;

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;
/** WARD_SIGN_IN_RATE_LIMIT_PER_MINUTE's default: a ward's shift change, not a flood (src/ward/ward-sign-in-limit.ts) */
export const DEFAULT_WARD_SIGN_IN_RATE_LIMIT_PER_MINUTE = 20;

/** EVENT_STORE_LOCK_WAIT_MS's default: the longest a request waits for a foreign lock on the event file (issue 14). */
export const DEFAULT_EVENT_STORE_LOCK_WAIT_MS = 2_000;

const NODE_ENVS: readonly NodeEnv[] = ['development', 'test', 'production'];
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const ESDB_SCHEMES = ['esdb://', 'esdb+discover://', 'kurrentdb://', 'kurrentdb+discover://'];
/** The one setting that lets production talk to EventStoreDB without TLS (docs/eventstoredb.md). */
export const ALLOW_INSECURE_EVENTSTORE = 'EVENTSTORE_ALLOW_INSECURE';
const DEFAULT_DEADLINE_MS = 10_000;

/** `tls=false` in the query of a connection string (case-insensitive, as the clients read it). */
const disablesTls = (connectionString: string): boolean => /[?&]tls=false(&|$)/i.test(connectionString);

const oneOf = <T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T, problems: string[]): T => {
  const raw = valueOf(env, name);
  if (raw === undefined) {
    return fallback;
  }
  const match = allowed.find((candidate) => candidate === raw);
  if (match === undefined) {
    problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return fallback;
  }
  return match;
};

const portOf = (env: Env, problems: string[]): number =>
  integerOf(env, 'PORT', { min: 1, max: 65535, fallback: 3000 }, problems);

const lockWaitOf = (env: Env, problems: string[]): number =>
  integerOf(
    env,
    'EVENT_STORE_LOCK_WAIT_MS',
    { min: 1, max: 60_000, fallback: DEFAULT_EVENT_STORE_LOCK_WAIT_MS },
    problems,
  );

const deadlineOf = (env: Env, problems: string[]): number =>
  integerOf(env, 'EVENTSTORE_DEADLINE_MS', { min: 100, max: 600_000, fallback: DEFAULT_DEADLINE_MS }, problems);

const eventStoreOf = (
  env: Env,
  nodeEnv: NodeEnv,
  dataDir: string,
  problems: string[],
  warnings: string[],
): EventStoreConfig => {
  const kind = oneOf(env, 'EVENT_STORE', ['sqlite', 'eventstoredb'] as const, 'sqlite', problems);
  if (kind === 'sqlite') {
    return { kind, file: path.join(dataDir, 'events.db'), lockWaitMs: lockWaitOf(env, problems) };
  }
  const connectionString = valueOf(env, 'EVENTSTORE_CONNECTION_STRING');
  if (connectionString === undefined) {
    problems.push('EVENTSTORE_CONNECTION_STRING is required when EVENT_STORE=eventstoredb');
  } else if (!ESDB_SCHEMES.some((scheme) => connectionString.startsWith(scheme))) {
    // The connection string may hold credentials: name the rule, not the value.
    problems.push(`EVENTSTORE_CONNECTION_STRING must start with ${ESDB_SCHEMES.join(', ')}`);
  } else if (disablesTls(connectionString)) {
    // Patient data in clear text on the network: production refuses it unless the operator says otherwise.
    if (nodeEnv !== 'production') {
      warnings.push('EVENTSTORE_CONNECTION_STRING has tls=false: events travel unencrypted (development only).');
    } else if (valueOf(env, ALLOW_INSECURE_EVENTSTORE) === 'true') {
      warnings.push(
        `EVENTSTORE_CONNECTION_STRING has tls=false in production, allowed by ${ALLOW_INSECURE_EVENTSTORE}=true.`,
      );
    } else {
      problems.push(
        `EVENTSTORE_CONNECTION_STRING has tls=false: production requires TLS (set ${ALLOW_INSECURE_EVENTSTORE}=true ` +
          'only where the network itself is protected, see docs/eventstoredb.md)',
      );
    }
  }
  const clientPackage = oneOf(env, 'EVENTSTORE_CLIENT', ['eventstore', 'kurrentdb'] as const, 'eventstore', problems);
  return { kind, connectionString: connectionString ?? '', clientPackage, deadlineMs: deadlineOf(env, problems) };
};

const secretOf = (env: Env, nodeEnv: NodeEnv, problems: string[], warnings: string[]): string => {
  const secret = valueOf(env, 'PATIENT_ID_SECRET');
  if (secret === undefined) {
    if (nodeEnv === 'production') {
      problems.push(`PATIENT_ID_SECRET is required in production (at least ${MIN_SECRET_LENGTH} characters)`);
      return '';
    }
    warnings.push(
      'PATIENT_ID_SECRET is not set: using the fixed development secret. Never use this instance for real patients.',
    );
    return DEVELOPMENT_PATIENT_ID_SECRET;
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    // Never echo a secret, not even a short one.
    problems.push(`PATIENT_ID_SECRET must be at least ${MIN_SECRET_LENGTH} characters (got ${secret.length})`);
  } else if (nodeEnv === 'production' && secret === DEVELOPMENT_PATIENT_ID_SECRET) {
    problems.push('PATIENT_ID_SECRET must not be the published development secret in production');
  }
  return secret;
};

const rateLimitOf = (env: Env, name: string, fallback: number, problems: string[]): number =>
  integerOf(env, name, { min: 1, max: 1_000_000, fallback }, problems);

/** `CORS_ORIGINS=https://a.example,https://b.example`: exact origins only (no wildcard: the API carries health data). */
const corsOriginsOf = (env: Env, problems: string[]): string[] => {
  const origins = (valueOf(env, 'CORS_ORIGINS') ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of origins) {
    if (!/^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?$/.test(origin)) {
      problems.push(
        `CORS_ORIGINS must be a comma-separated list of origins like https://app.example (got "${origin}")`,
      );
    }
  }
  return origins;
};

/**
 * Parses and validates the environment. Pure: takes the environment and the working directory, returns the
 * config or throws a ConfigError listing every problem.
 */
export const loadConfig = (env: Env, cwd: string = process.cwd()): AppConfig => {
  const problems: string[] = [];
  const warnings: string[] = [];
  const nodeEnv = oneOf(env, 'NODE_ENV', NODE_ENVS, 'development', problems);
  const logLevel = oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info', problems);
  const port = portOf(env, problems);
  const dataDir = path.resolve(cwd, valueOf(env, 'DATA_DIR') ?? './data');
  const readModelsFile = path.resolve(cwd, valueOf(env, 'READ_MODELS_FILE') ?? path.join(dataDir, 'read-models.db'));
  const eventStore = eventStoreOf(env, nodeEnv, dataDir, problems, warnings);
  const patientIdSecret = secretOf(env, nodeEnv, problems, warnings);
  // Production refuses dev auth or a missing JWKS / issuer / audience (assertProductionAuthConfig's rules).
  const auth = parseAuthConfig(env);
  problems.push(...auth.problems);
  warnings.push(...auth.warnings);
  const wardOidc = parseWardOidcConfig(env, auth.config.mode, nodeEnv === 'production');
  problems.push(...wardOidc.problems);
  warnings.push(...wardOidc.warnings);
  const rateLimitPerMinute = rateLimitOf(env, 'RATE_LIMIT_PER_MINUTE', DEFAULT_RATE_LIMIT_PER_MINUTE, problems);
  const wardSignInRateLimitPerMinute = rateLimitOf(
    env,
    'WARD_SIGN_IN_RATE_LIMIT_PER_MINUTE',
    DEFAULT_WARD_SIGN_IN_RATE_LIMIT_PER_MINUTE,
    problems,
  );
  const corsOrigins = corsOriginsOf(env, problems);
  const reconciliation = reconciliationConfigOf(env, nodeEnv, problems);
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return {
    port,
    nodeEnv,
    logLevel,
    dataDir,
    readModelsFile,
    eventStore,
    patientIdSecret,
    auth: auth.config,
    rateLimitPerMinute,
    wardSignInRateLimitPerMinute,
    corsOrigins,
    reconciliation,
    ...(wardOidc.config === undefined
      ? {}
      : {
          wardOidc:
            wardOidc.config.clientAuth.kind === 'private_key_jwt'
              ? {
                  ...wardOidc.config,
                  clientAuth: {
                    ...wardOidc.config.clientAuth,
                    jwkFile: path.resolve(cwd, wardOidc.config.clientAuth.jwkFile),
                  },
                }
              : wardOidc.config,
        }),
    warnings,
  };
};

/** How the event store is described in the start-up log line; never includes credentials. */
export const describeEventStore = (config: AppConfig, cwd: string = process.cwd()): string =>
  config.eventStore.kind === 'sqlite'
    ? `sqlite at ${displayPath(config.dataDir, cwd)}`
    : `eventstoredb at ${redactConnectionString(config.eventStore.connectionString)}`;

/** `./data` for a directory under the working directory, the absolute path otherwise. */
const displayPath = (dir: string, cwd: string): string => {
  const relative = path.relative(cwd, dir);
  if (relative === '') {
    return '.';
  }
  return relative.startsWith('..') || path.isAbsolute(relative) ? dir : `./${relative}`;
};

/** `esdb://admin:changeit@host:2113?tls=false` → `esdb://***@host:2113` */
export const redactConnectionString = (connectionString: string): string =>
  connectionString.replace(/\/\/[^@/]*@/, '//***@').replace(/\?.*$/, '');

/** Makes the validated config injectable everywhere as `APP_CONFIG`. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
