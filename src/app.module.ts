import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import type { Logger } from 'pino';
import { AccessControlModule } from './access/access-control.module';
import { AccessModule } from './access/access.module';
import { type AppConfig, ConfigModule } from './config/config';
import { FhirModule } from './fhir/fhir.module';
import { LocalGraphiqlController } from './graphql/graphiql-local';
import { GraphqlModule } from './graphql/graphql.module';
import { WardModule } from './ward/ward.module';
import { HealthModule } from './health/health.module';
import { MedicationListModule } from './medication-list/medication-list.module';
import { LOGGER, LoggerModule } from './observability/logger';
import { MetricsModule } from './observability/metrics';
import { ReadModelsModule } from './read-models/read-models.module';
import { ReconciliationModule } from './reconciliation/reconciliation.module';
import { createInputValidationPipe } from './shared/errors/input-validation.pipe';
import { EventStoreModule } from './shared/event-sourcing/event-store.module';

export interface AppModuleOptions {
  /** validated configuration (loadConfig); tests pass their own */
  readonly config: AppConfig;
  /** the app's pino instance (createLogger) */
  readonly logger: Logger;
}

/**
 * The composition root. Infrastructure modules are global (config, logger, metrics, health, event store) so
 * capability modules declare only their own providers. Tests boot this same module with their own config
 * (SQLite in a temp dir) and swap single providers (CLOCK → fixedClock) with `overrideProvider`.
 */
@Module({})
export class AppModule implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  static forRoot({ config, logger }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // ---- infrastructure (global) ------------------------------------------------------------------------
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(logger),
        MetricsModule,
        HealthModule,
        EventStoreModule,
        // ---- access (issue 5): token verification, dev keys and the audit log (global), then the GraphQL edge
        // that authenticates every request (GraphqlModule) and the access step of every operation (AccessGuard).
        AccessModule.forRoot(config.auth),
        // ---- the ward page (issue 20): its files and browser sessions, which the GraphQL edge authenticates from
        WardModule,
        GraphqlModule,
        // ---- read side (issue 3): ReadModelsModule (src/read-models/read-models.module.ts) goes here. It owns the
        // read-model SQLite file (`${DATA_DIR}/read-models.db`), stops the projector in onModuleDestroy and closes
        // the file in onApplicationShutdown, reports lag through Metrics.projectionLag / projectionUnknownEvents,
        // and registers its lag with ReadinessChecks (so /ready covers it).
        ReadModelsModule,
        AccessControlModule,
        // ---- capabilities ----------------------------------------------------------------------------------
        MedicationListModule,
        ReconciliationModule,
        FhirModule,
      ],
      providers: [{ provide: APP_PIPE, useFactory: createInputValidationPipe }],
      // GraphiQL outside production only; its packages are dev dependencies (absent from the production image).
      controllers: config.nodeEnv === 'production' ? [] : [LocalGraphiqlController],
    };
  }

  beforeApplicationShutdown(signal?: string): void {
    this.logger.info({ signal }, 'shutting down: finishing in-flight requests');
  }

  onApplicationShutdown(signal?: string): void {
    this.logger.info({ signal }, 'stopped');
  }
}
