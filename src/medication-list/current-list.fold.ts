import type { CurrentMedicationListDocument } from '../../projections/current-medication-list/current-medication-list.document';
import { emptyCurrentMedicationList } from '../../projections/current-medication-list/current-medication-list.document';
import {
  currentMedicationListProjection,
  listIdOf,
} from '../../projections/current-medication-list/current-medication-list.projection';
import type { RecordedEvent } from '../shared/event-sourcing/event-store.port';
import { toProjectionEvent } from '../shared/event-sourcing/projector.types';

/**
 * Folds one stream's events through the projection's pure evolve: the list as the projector would store it,
 * without waiting for the projector (asOf queries; the write side's mutation payloads). `streamId` is the
 * uuid part of the stream name; events of other streams are ignored.
 */
export const foldCurrentList = (events: readonly RecordedEvent[], streamId: string): CurrentMedicationListDocument =>
  events
    .filter((event) => listIdOf(event.streamName) === streamId)
    .reduce(
      (document, event) => currentMedicationListProjection.evolve(document, toProjectionEvent(event)),
      emptyCurrentMedicationList(streamId),
    );
