import { Module } from '@nestjs/common';
import { MedicationListResolver } from './medication-list.resolver';
import { MedicationListService } from './medication-list.service';

/**
 * The medication-list capability at the edge. EVENT_STORE, CLOCK, APP_CONFIG and Metrics come from global
 * modules, so this module declares only its own providers.
 */
@Module({
  providers: [MedicationListService, MedicationListResolver],
  exports: [MedicationListService],
})
export class MedicationListModule {}
