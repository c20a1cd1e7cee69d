import { eventSchemas } from '../event-schemas';
import { medicationListDecider } from '../medication-list/domain/medication-list.decider';
import { isMedicationListEvent } from '../medication-list/domain/medication-list.events';
import { type PatientKey, patientKeyOf, patientStreamId, patientStreamName } from '../medication-list/patient-stream';
import type { EventStorePort, RecordedEvent } from '../shared/event-sourcing/event-store.port';
import { handleCommand } from '../shared/event-sourcing/handle-command';
import type { ReconciliationListView } from './domain/reconcile';
import { reconciliationStreamName } from './domain/reconciliation.events';
import { GP_HPR, listCommandsOf } from './synthetic/synthetic-list-commands';

export { GP_HPR, listCommandsOf } from './synthetic/synthetic-list-commands';

/** Test helpers: put a generator's list (a ReconciliationListView) into a store as real list events. */

export const SECRET = 'reconciliation-spec-secret-at-least-32-characters';

/** The patient as the access step hands it on (parsed and keyed), for the reads and the resolution service. */
export const keyOf = (patientId: string): PatientKey => patientKeyOf(patientId, SECRET);

/** Appends the view's list through handleCommand and the real decider. */
export const seedList = async (
  store: EventStorePort,
  view: ReconciliationListView,
  hprNumber = GP_HPR,
  secret = SECRET,
): Promise<void> => {
  const stream = patientStreamName(view.patientId, secret);
  for (const command of listCommandsOf(view, hprNumber)) {
    await handleCommand(store, medicationListDecider, stream, command, {
      isEvent: isMedicationListEvent,
      schemaVersion: eventSchemas.versionOf,
    });
  }
};

export const listEventsOf = (store: EventStorePort, patientId: string): Promise<RecordedEvent[]> =>
  store.readStream(patientStreamName(patientId, SECRET));

export const reconciliationEventsOf = (store: EventStorePort, patientId: string): Promise<RecordedEvent[]> =>
  store.readStream(reconciliationStreamName(patientStreamId(patientId, SECRET)));
