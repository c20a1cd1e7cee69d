import { Module } from '@nestjs/common';
import { AccessControlModule } from '../access/access-control.module';
import { ReadModelsModule } from '../read-models/read-models.module';
import { DiscrepancyResolutionService } from './discrepancy-resolution.service';
import { FeedPuller } from './feed-puller';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RECONCILIATION_CONFIG } from './reconciliation.config';
import { ReconciliationReads } from './reconciliation.reads';
import { ReconciliationResolver } from './graphql/reconciliation.resolver';
import { ReconciliationService } from './reconciliation.service';

/**
 * Reconciliation at the edge (issue 4): feed import (GraphQL `importFeed`, the scheduled pull; the CLI uses
 * ReconciliationService directly), discrepancies, the GP worklist and resolution. EVENT_STORE, CLOCK, APP_CONFIG,
 * LOGGER and Metrics come from global modules; the read-model store from ReadModelsModule.
 * RECONCILIATION_CONFIG is the `reconciliation` part of the validated AppConfig (loadConfig).
 */
@Module({
  // AccessControlModule: the access step audits every patient a feed import names (issue 15).
  imports: [ReadModelsModule, AccessControlModule],
  providers: [
    { provide: RECONCILIATION_CONFIG, useFactory: (config: AppConfig) => config.reconciliation, inject: [APP_CONFIG] },
    ReconciliationService,
    DiscrepancyResolutionService,
    ReconciliationReads,
    ReconciliationResolver,
    FeedPuller,
  ],
  exports: [ReconciliationService],
})
export class ReconciliationModule {}
