import { Global, Module, type INestApplication } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigModule, loadConfig } from '../config/config';
import { CLOCK, fixedClock } from '../shared/clock';
import { EVENT_STORE } from '../shared/event-sourcing/event-store.port';
import { InMemoryEventStore } from '../shared/event-sourcing/in-memory.event-store';
import { AccessModule } from './access.module';
import { patientKeyOf } from '../medication-list/patient-stream';
import { AuditService, accessLogStreamName } from './audit';
import { loadAuthConfig } from './auth-config';
import { loadOrCreateDevKeys, parseDevTokenArgs, signDevToken } from './tokens/dev-keys';
import { TokenVerifier } from './tokens/token-verifier';

const NOW = new Date('2025-06-01T10:00:00Z');
const SECRET = 'module-spec-secret-of-at-least-32-characters';
const store = new InMemoryEventStore();

/** Stands in for the app shell's global EventStoreModule. */
@Global()
@Module({
  providers: [
    { provide: EVENT_STORE, useValue: store },
    { provide: CLOCK, useValue: fixedClock(NOW) },
  ],
  exports: [EVENT_STORE, CLOCK],
})
class StubInfrastructureModule {}

let dataDir: string;
let app: NestFastifyApplication | undefined;

const boot = async (authEnv: Record<string, string>): Promise<NestFastifyApplication> => {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(loadConfig({ DATA_DIR: dataDir, PATIENT_ID_SECRET: SECRET })),
      StubInfrastructureModule,
      AccessModule.forRoot(loadAuthConfig(authEnv)),
    ],
  }).compile();
  app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
};

const get = (nest: INestApplication, url: string) =>
  (nest as NestFastifyApplication).getHttpAdapter().getInstance().inject({ method: 'GET', url });

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'pll-access-module-'));
});

afterEach(async () => {
  await app?.close();
  app = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

describe('AccessModule', () => {
  it('in dev mode trusts the key `npm run token` uses and serves its JWKS', async () => {
    const nest = await boot({});
    // what the CLI does: the same ${DATA_DIR}/dev-auth key
    const keys = await loadOrCreateDevKeys(path.join(dataDir, 'dev-auth'));
    const token = await signDevToken(keys, parseDevTokenArgs(['--role', 'prescriber', '--hpr', '1234567']), NOW);
    const caller = await nest
      .get(TokenVerifier)
      .verify({ authorization: `Bearer ${token}`, method: 'POST', url: 'http://localhost:3000/graphql' });
    expect(caller).toMatchObject({ roles: ['prescriber'], hprNumber: '1234567' });

    const response = await get(nest, '/.well-known/jwks.json');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ keys: [expect.objectContaining({ kid: keys.kid, kty: 'EC' })] });
    expect(response.body).not.toContain('"d"');
  });

  it('in jwks mode reads the key file and serves no dev JWKS', async () => {
    const devKeys = await loadOrCreateDevKeys(path.join(dataDir, 'issuer'));
    const file = path.join(dataDir, 'jwks.json');
    await writeFile(file, JSON.stringify(devKeys.jwks));
    const nest = await boot({
      AUTH_MODE: 'jwks',
      AUTH_JWKS_FILE: file,
      AUTH_ISSUER: 'http://localhost:3000/dev-issuer',
      AUTH_AUDIENCE: 'pll-api',
    });
    const token = await signDevToken(devKeys, parseDevTokenArgs(['--role', 'auditor']), NOW);
    await expect(
      nest.get(TokenVerifier).verify({ authorization: `Bearer ${token}`, method: 'GET', url: 'http://x/graphql' }),
    ).resolves.toMatchObject({
      roles: ['auditor'],
    });
    expect((await get(nest, '/.well-known/jwks.json')).statusCode).toBe(404);
  });

  it('provides an AuditService writing to the event store, by the list ids it is given', async () => {
    const nest = await boot({});
    await nest.get(AuditService).record({
      caller: { clientId: 'c', organisation: {}, scopes: [], roles: ['auditor'] },
      operation: 'accessLog',
      decision: { allowed: true, basis: 'auditor', flagged: false },
      listIds: [patientKeyOf('31129956715', SECRET).streamId],
      correlationId: 'corr',
    });
    expect(await store.readStream(accessLogStreamName('31129956715', SECRET))).toHaveLength(1);
  });
});
