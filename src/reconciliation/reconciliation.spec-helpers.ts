import type { MedicationListCommand } from '../medication-list/medication-list.commands';
import { medicationListDecider } from '../medication-list/medication-list.decider';
import { isMedicationListEvent, MEDICATION_LIST_SCHEMA_VERSION } from '../medication-list/medication-list.events';
import { patientStreamId, patientStreamName } from '../medication-list/patient-stream';
import type { CommandMeta } from '../shared/event-sourcing/decider';
import type { EventStorePort, RecordedEvent } from '../shared/event-sourcing/event-store.port';
import { handleCommand } from '../shared/event-sourcing/handle-command';
import type { ReconciliationListView } from './reconcile';
import { reconciliationStreamName } from './reconciliation.events';

/** Test helpers: put a generator's list (a ReconciliationListView) into a store as real list events. */

export const SECRET = 'reconciliation-spec-secret-at-least-32-characters';
export const GP_HPR = '9144889';

const DAY_MS = 86_400_000;
const yearBefore = (date: string): string => new Date(Date.parse(`${date}T00:00:00Z`) - 365 * DAY_MS).toISOString().slice(0, 10);

/**
 * The list commands that rebuild `view`: start every entry, issue its prescriptions (issued a year before they
 * expire, as the generator does), recall the ones recalled on their own (renewals), then pause or discontinue
 * (which recalls the active prescriptions at the same time, as the generator's discontinued entries have them).
 */
export const listCommandsOf = (view: ReconciliationListView, hprNumber = GP_HPR): MedicationListCommand[] => {
  let n = 0;
  const meta = (): CommandMeta => {
    n += 1;
    return {
      commandId: `seed-${n}`,
      correlationId: 'seed',
      causationId: 'seed',
      actor: { role: 'prescriber', hprNumber },
      recordedAt: '2026-01-01T00:00:00.000Z',
    };
  };
  return view.entries.flatMap((entry): MedicationListCommand[] => {
    const { entryId } = entry;
    const commands: MedicationListCommand[] = [
      {
        type: 'StartMedication',
        data: { entryId, medication: entry.medication, use: '1', dosage: entry.dosage, startedOn: entry.startedOn, prescriptionType: 'E' },
        meta: meta(),
      },
    ];
    for (const p of entry.prescriptions) {
      commands.push({
        type: 'IssuePrescription',
        data: { prescriptionId: p.prescriptionId, entryId, issuedAt: `${yearBefore(p.expiresOn)}T08:15:00.000Z`, expiresOn: p.expiresOn },
        meta: meta(),
      });
    }
    for (const p of entry.prescriptions) {
      if (p.status === 'recalled' && p.recalledAt !== undefined && p.recalledAt !== entry.discontinuedAt) {
        commands.push({ type: 'RecallPrescription', data: { prescriptionId: p.prescriptionId, recalledAt: p.recalledAt, reasonCode: '1' }, meta: meta() });
      }
    }
    if (entry.status === 'paused') {
      commands.push({ type: 'PauseMedication', data: { entryId, pausedAt: `${entry.startedOn}T12:00:00.000Z` }, meta: meta() });
    }
    if (entry.status === 'discontinued' && entry.discontinuedAt !== undefined) {
      commands.push({ type: 'DiscontinueMedication', data: { entryId, discontinuedAt: entry.discontinuedAt, reasonCode: 'A' }, meta: meta() });
    }
    return commands;
  });
};

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
      schemaVersion: MEDICATION_LIST_SCHEMA_VERSION,
    });
  }
};

export const listEventsOf = (store: EventStorePort, patientId: string): Promise<RecordedEvent[]> =>
  store.readStream(patientStreamName(patientId, SECRET));

export const reconciliationEventsOf = (store: EventStorePort, patientId: string): Promise<RecordedEvent[]> =>
  store.readStream(reconciliationStreamName(patientStreamId(patientId, SECRET)));
