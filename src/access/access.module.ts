import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { type JSONWebKeySet, createLocalJWKSet } from 'jose';
import * as path from 'node:path';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ReadinessChecks } from '../health/readiness';
import { CLOCK, type Clock } from '../shared/clock';
import { EVENT_STORE, type EventStorePort } from '../shared/event-sourcing/event-store.port';
import { AuditService } from './audit';
import type { AuthConfig } from './auth-config';
import { DevJwksController } from './tokens/dev-jwks.controller';
import { DEV_KEYS, type DevKeys, loadOrCreateDevKeys } from './tokens/dev-keys';
import { devOrganisationRegister } from './dev-organisations';
import { ORGANISATION_REGISTER, OrganisationRegister, loadOrganisationRegister } from './organisation-register';
import { loadJwksFile } from './tokens/jwks-file';
import { JwksReadiness } from './tokens/jwks-readiness';
import { TokenVerifier, remoteKeySet } from './tokens/token-verifier';

/**
 * Authentication, access policy and audit (issue 5). Global: exports TokenVerifier, AuditService and AUTH_CONFIG
 * to the GraphQL edge and the access guard; in AUTH_MODE=dev it also loads (or creates) the dev signing key
 * (exported as DEV_KEYS) and serves its JWKS at /.well-known/jwks.json. The policy itself (policy.ts) is a pure
 * function and needs no provider.
 *
 * Usage in the composition root: `AccessModule.forRoot(config.auth)` (loadConfig parses it). Needs the global
 * APP_CONFIG (dataDir, patientIdSecret), EVENT_STORE and CLOCK providers.
 */

export const AUTH_CONFIG = Symbol('AUTH_CONFIG');

const devKeysProvider: Provider = {
  provide: DEV_KEYS,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): Promise<DevKeys> => loadOrCreateDevKeys(path.join(config.dataDir, 'dev-auth')),
};

const tokenVerifierProvider = (auth: AuthConfig, fileKeys: JSONWebKeySet | undefined): Provider => ({
  provide: TokenVerifier,
  inject: auth.keys.kind === 'dev' ? [CLOCK, DEV_KEYS] : [CLOCK],
  useFactory: (clock: Clock, devKeys?: DevKeys): TokenVerifier => {
    const keys =
      auth.keys.kind === 'dev'
        ? // The dev key is in memory: no HTTP round trip to our own JWKS endpoint.
          createLocalJWKSet(devKeys?.jwks ?? { keys: [] })
        : auth.keys.kind === 'url'
          ? remoteKeySet(auth.keys.url)
          : createLocalJWKSet(fileKeys ?? { keys: [] });
    return new TokenVerifier({
      keys,
      issuer: auth.issuer,
      audience: auth.audience,
      clockSkewSeconds: auth.clockSkewSeconds,
      clock,
    });
  },
});

/**
 * ORGANISATION_REGISTER_FILE, else the dev register in dev mode, else none (no sub-unit is trusted). Read when the
 * module is composed, before any provider opens a file or a socket: a bad row throws ConfigError and nothing is
 * left running.
 */
const organisationRegisterProvider = (auth: AuthConfig): Provider => ({
  provide: ORGANISATION_REGISTER,
  useValue:
    auth.organisationRegisterFile !== undefined
      ? loadOrganisationRegister(auth.organisationRegisterFile)
      : auth.keys.kind === 'dev'
        ? devOrganisationRegister()
        : new OrganisationRegister([]),
});

const auditServiceProvider: Provider = {
  provide: AuditService,
  inject: [EVENT_STORE, CLOCK],
  useFactory: (store: EventStorePort, clock: Clock): AuditService => new AuditService(store, clock),
};

@Module({})
export class AccessModule {
  static forRoot(auth: AuthConfig): DynamicModule {
    const dev = auth.keys.kind === 'dev';
    return {
      module: AccessModule,
      global: true,
      controllers: dev ? [DevJwksController] : [],
      providers: [
        { provide: AUTH_CONFIG, useValue: auth },
        ...(dev ? [devKeysProvider] : []),
        // Read now, like the register: a bad file refuses start before anything is opened.
        tokenVerifierProvider(auth, auth.keys.kind === 'file' ? loadJwksFile(auth.keys.file) : undefined),
        organisationRegisterProvider(auth),
        {
          provide: JwksReadiness,
          inject: [{ token: ReadinessChecks, optional: true }],
          useFactory: (readiness?: ReadinessChecks) => new JwksReadiness(auth, readiness),
        },
        auditServiceProvider,
      ],
      exports: [AUTH_CONFIG, TokenVerifier, AuditService, ORGANISATION_REGISTER, ...(dev ? [DEV_KEYS] : [])],
    };
  }
}
