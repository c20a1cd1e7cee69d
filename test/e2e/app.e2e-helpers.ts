import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { type Client, createClient } from 'graphql-ws';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import WebSocket from 'ws';
import { DEV_AUDIENCE, DEV_ISSUER } from '../../src/access/auth-config';
import {
  DEV_KEYS,
  type DevKeys,
  type DevTokenOptions,
  loadOrCreateDevKeys,
  signDevToken,
} from '../../src/access/tokens/dev-keys';
import { type RegisteredOrganisation, organisationRegisterCsv } from '../../src/access/organisation-register';
import { AppModule } from '../../src/app.module';
import { NURSING_HOME_ORG, PHARMACY_HER_ID } from '../../src/medication-list/domain/medication-list.fixtures';
import { DEV_FEED, DEV_PHARMACY_CHAIN } from '../../src/access/dev-organisations';
import { syntheticPharmacies } from '../../src/cli/synthetic-patients';
import { loadConfig } from '../../src/config/config';
import { PinoNestLogger, createLogger } from '../../src/observability/logger';
import { CLOCK, fixedClock } from '../../src/shared/clock';
import { PROJECTOR, type Projector } from '../../src/shared/event-sourcing/projector';

/**
 * The one way e2e specs boot the service: the real AppModule over real HTTP (Fastify on an ephemeral port), the
 * SQLite store in a temp dir, a fixed clock, and dev authentication (AUTH_MODE=dev, the default outside
 * production). Requests carry a dev token minted per request at the clock's "now" (so moving the clock never
 * expires them), signed with the key the app itself loaded: the same path as `npm run token`.
 */

export interface GraphqlResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    readonly data?: Record<string, unknown> | null;
    readonly errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
  };
  readonly text: string;
}

/** Who a request acts as: the claims of a dev token (role plus HPR number, organisation, pid, level …). */
export type Who = Pick<DevTokenOptions, 'role'> & Partial<Omit<DevTokenOptions, 'role'>>;

/**
 * The default caller of the specs: a prescriber with the HPR number the service's development actor had before
 * authentication existed, so the specs' expectations about "who changed it" still hold.
 */
export const PRESCRIBER: Who = { role: 'prescriber', hpr: '999999999' };

const devPharmacy = syntheticPharmacies().find((pharmacy) => pharmacy.herId === PHARMACY_HER_ID);
/**
 * A pharmacy of the dev organisation register (AUTH_MODE=dev) whose HER-id is PHARMACY_HER_ID: a dispensing is
 * attributed to the caller's organisation's HER-id (issue 15), so the specs record dispensings as it.
 */
export const DEV_PHARMACY: Who = {
  role: 'pharmacy',
  org: DEV_PHARMACY_CHAIN.organisationNumber,
  ...(devPharmacy === undefined ? {} : { childOrg: devPharmacy.organisationNumber }),
};

/** The dev register's feed organisation: a client-credentials token of the feed role (issue 15). */
export const DEV_FEED_CLIENT: Who = { role: 'feed', org: DEV_FEED.organisationNumber, clientId: 'e2e-feed-client' };

export interface RequestOptions {
  /** the caller (default PRESCRIBER); null sends no Authorization header */
  readonly as?: Who | null;
  readonly headers?: Record<string, string>;
}

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly baseUrl: string;
  readonly clock: ReturnType<typeof fixedClock>;
  readonly projector: Projector;
  readonly logLines: string[];
  /** the key tokens are signed with (the dev key, or the production stand-in issuer's) */
  readonly keys: DevKeys;
  /** every response text so far */
  readonly responses: string[];
  /** a dev access token for `who`, valid at the clock's now */
  token(who?: Who): Promise<string>;
  /** POSTs one GraphQL operation */
  graphql(query: string, variables?: Record<string, unknown>, options?: RequestOptions): Promise<GraphqlResponse>;
  /** a graphql-ws client whose connection_init carries `who`'s token (null: none) */
  ws(who?: Who | null): Client;
  close(): Promise<void>;
}

export interface BootOptions {
  /** the fixed clock's start (default 2026-03-02T09:15:00Z) */
  readonly now?: string;
  /** extra environment for loadConfig (e.g. RATE_LIMIT_PER_MINUTE) */
  readonly env?: Readonly<Record<string, string>>;
  /** swap providers before compiling (the clock is already swapped) */
  readonly override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /**
   * NODE_ENV=production with AUTH_MODE=jwks: a stand-in issuer's public keys in an AUTH_JWKS_FILE (the path a
   * HelseID deployment takes, minus the HTTPS fetch); tokens are signed with the stand-in's private key.
   */
  readonly production?: boolean;
  /** the port to listen on (default: any free one); a redirect URI registered before the boot needs it */
  readonly port?: number;
  /** production only: the organisation register written to ORGANISATION_REGISTER_FILE (default E2E_ORGANISATIONS) */
  readonly organisations?: readonly RegisteredOrganisation[];
}

/** The municipality the e2e nursing home (NURSING_HOME_ORG) belongs to in the production boots' register. */
export const E2E_MUNICIPALITY = '974633574';

export const E2E_ORGANISATIONS: readonly RegisteredOrganisation[] = [
  { organisationNumber: E2E_MUNICIPALITY, name: 'Nordby kommune' },
  { organisationNumber: NURSING_HOME_ORG, parentOrganisationNumber: E2E_MUNICIPALITY, name: 'Solbakken sykehjem' },
];

/** A stand-in token issuer for production-mode boots: its key pair and the JWKS file the app is pointed at. */
const standInIssuer = async (
  dataDir: string,
  organisations: readonly RegisteredOrganisation[],
): Promise<{ keys: DevKeys; env: Record<string, string> }> => {
  // A key pair generated for this boot (not the dev key the app would make for itself).
  const keys = await loadOrCreateDevKeys(path.join(dataDir, 'stand-in-issuer'));
  const jwksFile = path.join(dataDir, 'stand-in-issuer', 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify(keys.jwks));
  const registerFile = path.join(dataDir, 'organisations.csv');
  writeFileSync(registerFile, organisationRegisterCsv(organisations));
  return {
    keys,
    env: {
      NODE_ENV: 'production',
      PATIENT_ID_SECRET: 'e2e-production-secret-of-at-least-32-characters',
      AUTH_JWKS_FILE: jwksFile,
      AUTH_ISSUER: DEV_ISSUER,
      AUTH_AUDIENCE: DEV_AUDIENCE,
      // Bearer tokens do not use it; a DPoP proof must name this URL, never the request's Host.
      AUTH_PUBLIC_BASE_URL: 'https://pll.e2e.example',
      ORGANISATION_REGISTER_FILE: registerFile,
    },
  };
};

export const DEFAULT_NOW = '2026-03-02T09:15:00.000Z';

/**
 * Test runs make many requests from one caller and sign in often from 127.0.0.1: the defaults would throttle the
 * suite, not protect it.
 */
const TEST_RATE_LIMIT = '100000';

export const bootTestApp = async (options: BootOptions = {}): Promise<TestApp> => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'medication-list-e2e-'));
  const logLines: string[] = [];
  const responses: string[] = [];
  const issuer =
    options.production === true ? await standInIssuer(dataDir, options.organisations ?? E2E_ORGANISATIONS) : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_MINUTE: TEST_RATE_LIMIT,
    WARD_SIGN_IN_RATE_LIMIT_PER_MINUTE: TEST_RATE_LIMIT,
    ...issuer?.env,
    ...options.env,
  });
  const logger = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(chunk.toString());
        callback();
      },
    }),
  });
  const clock = fixedClock(options.now ?? DEFAULT_NOW);
  const builder = Test.createTestingModule({ imports: [AppModule.forRoot({ config, logger })] })
    .overrideProvider(CLOCK)
    .useValue(clock);
  const moduleRef = await (options.override?.(builder) ?? builder).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
    logger: new PinoNestLogger(logger),
  });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const baseUrl = await app.getUrl();
  // AUTH_MODE=jwks outside production (a spec's own issuer): no dev key in the app, so a key pair of the test's own.
  const keys =
    issuer?.keys ??
    (config.auth.keys.kind === 'dev'
      ? app.get<DevKeys>(DEV_KEYS)
      : await loadOrCreateDevKeys(path.join(dataDir, 'test-issuer')));

  const token = (who: Who = PRESCRIBER): Promise<string> =>
    signDevToken(keys, { level: 4, expiresInSeconds: 3600, clientId: 'e2e-client', ...who }, clock.now());

  const graphql = async (
    query: string,
    variables: Record<string, unknown> = {},
    { as = PRESCRIBER, headers = {} }: RequestOptions = {},
  ): Promise<GraphqlResponse> => {
    const authorization: Record<string, string> = as === null ? {} : { authorization: `Bearer ${await token(as)}` };
    const response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authorization, ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    responses.push(text);
    return {
      status: response.status,
      headers: response.headers,
      body: JSON.parse(text) as GraphqlResponse['body'],
      text,
    };
  };

  const ws = (who: Who | null = PRESCRIBER): Client =>
    createClient({
      url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
      connectionParams: async () => (who === null ? {} : { authorization: `Bearer ${await token(who)}` }),
    });

  return {
    app,
    baseUrl,
    clock,
    projector: app.get<Projector>(PROJECTOR),
    logLines,
    keys,
    responses,
    token,
    graphql,
    ws,
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
