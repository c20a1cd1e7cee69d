import { Module } from '@nestjs/common';
import { ReadModelsModule } from '../read-models/read-models.module';
import { MedicationListLive } from './graphql/medication-list.live';
import { MedicationListMutationsResolver } from './graphql/medication-list.mutations.resolver';
import { MedicationListQueriesResolver } from './graphql/medication-list.queries.resolver';
import { MedicationListReads } from './medication-list.reads';
import { MedicationListSubscriptionsResolver } from './graphql/medication-list.subscriptions.resolver';
import { MedicationListService } from './medication-list.service';

/**
 * The medication-list capability at the edge. EVENT_STORE, CLOCK, APP_CONFIG and Metrics come from global
 * modules, so this module declares only its own providers.
 */
@Module({
  // read side (issue 3): the read-model store and the projector
  imports: [ReadModelsModule],
  providers: [
    MedicationListService,
    MedicationListMutationsResolver,
    // read side (issue 3)
    MedicationListReads,
    MedicationListLive,
    MedicationListQueriesResolver,
    MedicationListSubscriptionsResolver,
  ],
  // the FHIR edge (src/fhir) runs the same service and reads
  exports: [MedicationListService, MedicationListReads],
})
export class MedicationListModule {}
