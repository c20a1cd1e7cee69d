import {
  ConfigError,
  DEFAULT_EVENT_STORE_LOCK_WAIT_MS,
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  DEFAULT_WARD_SIGN_IN_RATE_LIMIT_PER_MINUTE,
  DEVELOPMENT_PATIENT_ID_SECRET,
  describeEventStore,
  loadConfig,
  redactConnectionString,
} from './config';

const CWD = '/srv/app';
const SECRET = 'a-production-secret-of-at-least-32-characters';
/** What production needs for authentication (AUTH_MODE defaults to jwks there). */
const INSECURE_ESDB = { EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://esdb:2113?tls=false' };
const PRODUCTION_AUTH = {
  AUTH_JWKS_URL: 'https://helseid-sts.example/.well-known/openid-configuration/jwks',
  AUTH_ISSUER: 'https://helseid-sts.example',
  AUTH_AUDIENCE: 'e-helse:pll',
  AUTH_PUBLIC_BASE_URL: 'https://pll.example',
  ORGANISATION_REGISTER_FILE: '/etc/pll/organisations.csv',
};

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig(env, CWD);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems;
    }
    throw error;
  }
  return [];
};

describe('loadConfig', () => {
  it('gives a fresh clone a working development setup: port 3000, sqlite under ./data, the development secret', () => {
    const config = loadConfig({}, CWD);

    expect(config).toEqual({
      port: 3000,
      nodeEnv: 'development',
      logLevel: 'info',
      dataDir: '/srv/app/data',
      readModelsFile: '/srv/app/data/read-models.db',
      eventStore: { kind: 'sqlite', file: '/srv/app/data/events.db', lockWaitMs: DEFAULT_EVENT_STORE_LOCK_WAIT_MS },
      patientIdSecret: DEVELOPMENT_PATIENT_ID_SECRET,
      auth: expect.objectContaining({
        mode: 'dev',
        keys: { kind: 'dev' },
        minimumSecurityLevel: { read: 3, write: 4 },
      }),
      rateLimitPerMinute: DEFAULT_RATE_LIMIT_PER_MINUTE,
      wardSignInRateLimitPerMinute: DEFAULT_WARD_SIGN_IN_RATE_LIMIT_PER_MINUTE,
      corsOrigins: [],
      reconciliation: {},
      warnings: [expect.stringContaining('PATIENT_ID_SECRET is not set'), expect.stringContaining('AUTH_MODE=dev')],
    });
    expect(describeEventStore(config, CWD)).toBe('sqlite at ./data');
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        PORT: '8080',
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        DATA_DIR: '/var/lib/pll',
        READ_MODELS_FILE: 'replica-2/read-models.db',
        EVENT_STORE: 'eventstoredb',
        EVENTSTORE_CONNECTION_STRING: 'esdb://admin:changeit@esdb:2113?tls=true',
        EVENTSTORE_CLIENT: 'kurrentdb',
        EVENTSTORE_DEADLINE_MS: '5000',
        PATIENT_ID_SECRET: SECRET,
        ...PRODUCTION_AUTH,
        RATE_LIMIT_PER_MINUTE: '120',
        WARD_SIGN_IN_RATE_LIMIT_PER_MINUTE: '60',
        CORS_ORIGINS: 'https://app.example, http://localhost:5173',
        RECONCILE_PULL_URL: 'https://feeds.example/eprescription',
        RECONCILE_PULL_SOURCE: 'eprescription',
        RECONCILE_PULL_INTERVAL_SECONDS: '60',
      },
      CWD,
    );

    expect(config).toEqual({
      port: 8080,
      nodeEnv: 'production',
      logLevel: 'warn',
      dataDir: '/var/lib/pll',
      readModelsFile: '/srv/app/replica-2/read-models.db',
      eventStore: {
        kind: 'eventstoredb',
        connectionString: 'esdb://admin:changeit@esdb:2113?tls=true',
        clientPackage: 'kurrentdb',
        deadlineMs: 5000,
      },
      patientIdSecret: SECRET,
      auth: {
        mode: 'jwks',
        keys: { kind: 'url', url: PRODUCTION_AUTH.AUTH_JWKS_URL },
        issuer: PRODUCTION_AUTH.AUTH_ISSUER,
        audience: PRODUCTION_AUTH.AUTH_AUDIENCE,
        clockSkewSeconds: 30,
        minimumSecurityLevel: { read: 3, write: 4 },
        publicBaseUrl: 'https://pll.example',
        organisationRegisterFile: '/etc/pll/organisations.csv',
      },
      rateLimitPerMinute: 120,
      wardSignInRateLimitPerMinute: 60,
      corsOrigins: ['https://app.example', 'http://localhost:5173'],
      reconciliation: {
        pull: { url: 'https://feeds.example/eprescription', source: 'eprescription', intervalSeconds: 60 },
      },
      warnings: [],
    });
    expect(describeEventStore(config)).toBe('eventstoredb at esdb://***@esdb:2113');
  });

  it('production takes tls=false only with EVENTSTORE_ALLOW_INSECURE=true, and says so; development warns', () => {
    const production = { NODE_ENV: 'production', PATIENT_ID_SECRET: SECRET, ...PRODUCTION_AUTH, ...INSECURE_ESDB };
    expect(loadConfig({ ...production, EVENTSTORE_ALLOW_INSECURE: 'true' }, CWD).warnings).toEqual([
      'EVENTSTORE_CONNECTION_STRING has tls=false in production, allowed by EVENTSTORE_ALLOW_INSECURE=true.',
    ]);
    expect(problemsOf({ ...production, EVENTSTORE_ALLOW_INSECURE: 'yes' })).toHaveLength(1);
    expect(loadConfig(INSECURE_ESDB, CWD).warnings).toContain(
      'EVENTSTORE_CONNECTION_STRING has tls=false: events travel unencrypted (development only).',
    );
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ EVENT_STORE_LOCK_WAIT_MS: '750' }, CWD).eventStore).toMatchObject({ lockWaitMs: 750 });
    expect(loadConfig({ PORT: ' ', EVENT_STORE: '' }, CWD)).toMatchObject({
      port: 3000,
      eventStore: { kind: 'sqlite' },
    });
  });

  it.each([
    [{ PORT: '0' }, 'PORT must be an integer from 1 to 65535 (got "0")'],
    [{ PORT: '65536' }, 'PORT must be an integer from 1 to 65535 (got "65536")'],
    [{ PORT: '80.5' }, 'PORT must be an integer from 1 to 65535 (got "80.5")'],
    [{ PORT: 'http' }, 'PORT must be an integer from 1 to 65535 (got "http")'],
    [{ EVENT_STORE: 'postgres' }, 'EVENT_STORE must be one of sqlite, eventstoredb (got "postgres")'],
    [{ EVENT_STORE: 'eventstoredb' }, 'EVENTSTORE_CONNECTION_STRING is required when EVENT_STORE=eventstoredb'],
    [
      { EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'http://admin:pw@host:2113' },
      'EVENTSTORE_CONNECTION_STRING must start with esdb://, esdb+discover://, kurrentdb://, kurrentdb+discover://',
    ],
    [{ EVENT_STORE_LOCK_WAIT_MS: '0' }, 'EVENT_STORE_LOCK_WAIT_MS must be an integer from 1 to 60000 (got "0")'],
    [{ EVENT_STORE_LOCK_WAIT_MS: '2s' }, 'EVENT_STORE_LOCK_WAIT_MS must be an integer from 1 to 60000 (got "2s")'],
    [
      { NODE_ENV: 'production', PATIENT_ID_SECRET: SECRET, ...PRODUCTION_AUTH, ...INSECURE_ESDB },
      'EVENTSTORE_CONNECTION_STRING has tls=false: production requires TLS (set EVENTSTORE_ALLOW_INSECURE=true only ' +
        'where the network itself is protected, see docs/eventstoredb.md)',
    ],
    [
      { ...INSECURE_ESDB, EVENTSTORE_DEADLINE_MS: '0' },
      'EVENTSTORE_DEADLINE_MS must be an integer from 100 to 600000 (got "0")',
    ],
    [
      { ...INSECURE_ESDB, EVENTSTORE_CLIENT: 'grpc' },
      'EVENTSTORE_CLIENT must be one of eventstore, kurrentdb (got "grpc")',
    ],
    [{ PATIENT_ID_SECRET: 'short' }, 'PATIENT_ID_SECRET must be at least 32 characters (got 5)'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV must be one of development, test, production (got "staging")'],
    [
      { LOG_LEVEL: 'verbose' },
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")',
    ],
    [
      { NODE_ENV: 'production', ...PRODUCTION_AUTH },
      'PATIENT_ID_SECRET is required in production (at least 32 characters)',
    ],
    [
      { NODE_ENV: 'production', PATIENT_ID_SECRET: DEVELOPMENT_PATIENT_ID_SECRET, ...PRODUCTION_AUTH },
      'PATIENT_ID_SECRET must not be the published development secret in production',
    ],
    [{ RATE_LIMIT_PER_MINUTE: '0' }, 'RATE_LIMIT_PER_MINUTE must be an integer from 1 to 1000000 (got "0")'],
    [
      { WARD_SIGN_IN_RATE_LIMIT_PER_MINUTE: '20/min' },
      'WARD_SIGN_IN_RATE_LIMIT_PER_MINUTE must be an integer from 1 to 1000000 (got "20/min")',
    ],
    [
      { CORS_ORIGINS: '*' },
      'CORS_ORIGINS must be a comma-separated list of origins like https://app.example (got "*")',
    ],
    [
      { NODE_ENV: 'production', PATIENT_ID_SECRET: SECRET, ...PRODUCTION_AUTH, AUTH_MODE: 'dev' },
      'AUTH_MODE=dev is not allowed when NODE_ENV=production',
    ],
  ])('rejects %j with one clear message', (env, message) => {
    expect(problemsOf(env)).toEqual([message]);
  });

  it('collects every problem before failing', () => {
    expect(problemsOf({ PORT: '-1', EVENT_STORE: 'eventstoredb', NODE_ENV: 'production' })).toEqual([
      'PORT must be an integer from 1 to 65535 (got "-1")',
      'EVENTSTORE_CONNECTION_STRING is required when EVENT_STORE=eventstoredb',
      'PATIENT_ID_SECRET is required in production (at least 32 characters)',
      'AUTH_JWKS_URL or AUTH_JWKS_FILE is required in production',
      'AUTH_ISSUER is required in production',
      'AUTH_AUDIENCE is required in production',
      'AUTH_PUBLIC_BASE_URL is required in production',
      'ORGANISATION_REGISTER_FILE is required in production',
    ]);
  });

  it('never echoes a secret or connection-string credentials in a problem', () => {
    const problems = problemsOf({
      PATIENT_ID_SECRET: 'tooShortSecret',
      EVENT_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: 'tcp://admin:hunter2@host',
    });

    expect(problems.join('\n')).not.toMatch(/tooShortSecret|hunter2/);
  });

  it('accepts esdb+discover:// for a cluster', () => {
    const config = loadConfig(
      { EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb+discover://cluster.local:2113' },
      CWD,
    );
    expect(config.eventStore).toEqual({
      kind: 'eventstoredb',
      connectionString: 'esdb+discover://cluster.local:2113',
      clientPackage: 'eventstore',
      deadlineMs: 10_000,
    });
  });
});

describe('redactConnectionString', () => {
  it('removes credentials and query options', () => {
    expect(redactConnectionString('esdb://admin:changeit@localhost:2113?tls=false')).toBe('esdb://***@localhost:2113');
    expect(redactConnectionString('esdb://localhost:2113')).toBe('esdb://localhost:2113');
  });
});
