import { Module } from '@nestjs/common';
import { ReadModelsModule } from '../read-models/read-models.module';
import { DiscrepancyResolutionService } from './discrepancy-resolution.service';
import { FeedPuller } from './feed-puller';
import { RECONCILIATION_CONFIG, loadReconciliationConfig } from './reconciliation.config';
import { ReconciliationReads } from './reconciliation.reads';
import { ReconciliationResolver } from './reconciliation.resolver';
import { ReconciliationService } from './reconciliation.service';

/**
 * Reconciliation at the edge (issue 4): feed import (GraphQL `importFeed`, the scheduled pull; the CLI uses
 * ReconciliationService directly), discrepancies, the GP worklist and resolution. EVENT_STORE, CLOCK, APP_CONFIG,
 * LOGGER and Metrics come from global modules; the read-model store from ReadModelsModule.
 *
 * RECONCILIATION_CONFIG is read from the environment here until it is merged into loadConfig (see
 * reconciliation.config.ts); a bad value fails the start with a ConfigError listing every problem.
 */
@Module({
  imports: [ReadModelsModule],
  providers: [
    { provide: RECONCILIATION_CONFIG, useFactory: () => loadReconciliationConfig(process.env) },
    ReconciliationService,
    DiscrepancyResolutionService,
    ReconciliationReads,
    ReconciliationResolver,
    FeedPuller,
  ],
  exports: [ReconciliationService],
})
export class ReconciliationModule {}
