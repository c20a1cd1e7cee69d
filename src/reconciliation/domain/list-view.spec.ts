import { medicationListDecider } from '../../medication-list/domain/medication-list.decider';
import type { MedicationListEvent } from '../../medication-list/domain/medication-list.events';
import {
  aMedicationStarted,
  anEvent,
  aPrescriptionIssued,
  AT,
  ENTRY_ID,
  LATER,
  OTHER_ENTRY_ID,
  PATIENT_ID,
  PRESCRIPTION_ID,
  sampleMedication,
} from '../../medication-list/domain/medication-list.fixtures';
import { generateSyntheticPatients } from '../synthetic/feed-generator';
import { foldListFacts, initialListFacts, listDispensings, toListView } from './list-view';
import { listCommandsOf } from '../reconciliation.spec-helpers';

/** Folds the events the decider produces for `commands`, as the command handler would append them. */
const eventsOf = (commands: ReturnType<typeof listCommandsOf>): MedicationListEvent[] => {
  const events: MedicationListEvent[] = [];
  let state = medicationListDecider.initialState();
  for (const command of commands) {
    const decided = medicationListDecider.decide(command, state);
    state = decided.reduce(medicationListDecider.evolve, state);
    events.push(...decided);
  }
  return events;
};

const dispensed = anEvent('DispensingRecorded', {
  dispensingId: 'disp-1',
  prescriptionId: PRESCRIPTION_ID,
  entryId: ENTRY_ID,
  dispensedAt: LATER,
  product: sampleMedication,
  quantity: { value: 100, unit: 'stk' },
  pharmacyHerId: '81235',
  prescriptionUsedUp: false,
});

describe('list view (decider state → ReconciliationListView)', () => {
  it('an empty stream is an empty list', () => {
    expect(toListView(PATIENT_ID, initialListFacts())).toEqual({ patientId: PATIENT_ID, entries: [] });
  });

  it('round-trips the generator lists: the view of the events equals the list they were built from', () => {
    for (const patient of generateSyntheticPatients({ patients: 60, seed: 7 })) {
      const facts = foldListFacts(eventsOf(listCommandsOf(patient.list)));
      expect(toListView(patient.patientId, facts)).toEqual(patient.list);
    }
  });

  it('keeps the discontinuation time and the recall it caused', () => {
    const view = toListView(
      PATIENT_ID,
      foldListFacts([
        aMedicationStarted(),
        aPrescriptionIssued(),
        anEvent('MedicationDiscontinued', { entryId: ENTRY_ID, discontinuedAt: AT, reason: { code: 'A' } }),
        anEvent('PrescriptionRecalled', {
          prescriptionId: PRESCRIPTION_ID,
          entryId: ENTRY_ID,
          recalledAt: AT,
          reasonCode: '2',
        }),
      ]),
    );
    expect(view.entries).toEqual([
      expect.objectContaining({
        status: 'discontinued',
        discontinuedAt: AT,
        prescriptions: [
          { prescriptionId: PRESCRIPTION_ID, status: 'recalled', recalledAt: AT, expiresOn: '2027-03-02' },
        ],
      }),
    ]);
  });

  it('leaves retracted entries out (a registration error is not on the list) and keeps paused ones', () => {
    const view = toListView(
      PATIENT_ID,
      foldListFacts([
        aMedicationStarted(),
        aMedicationStarted({ entryId: OTHER_ENTRY_ID }),
        anEvent('MedicationRetracted', { entryId: ENTRY_ID, retractedAt: AT, reason: 'Feil pasient' }),
        anEvent('MedicationPaused', { entryId: OTHER_ENTRY_ID, pausedAt: AT }),
      ]),
    );
    expect(view.entries.map((e) => [e.entryId, e.status])).toEqual([[OTHER_ENTRY_ID, 'paused']]);
  });

  it('lists the recorded dispensings as external records, annulled ones marked', () => {
    const facts = foldListFacts([aMedicationStarted(), aPrescriptionIssued(), dispensed]);
    const annulled = foldListFacts([
      aMedicationStarted(),
      aPrescriptionIssued(),
      dispensed,
      anEvent('DispensingAnnulled', { dispensingId: 'disp-1', annulledAt: LATER }),
    ]);
    expect(listDispensings(PATIENT_ID, 'core-record', facts)).toEqual([
      {
        kind: 'dispensing',
        source: 'core-record',
        dispensingId: 'disp-1',
        prescriptionId: PRESCRIPTION_ID,
        patientId: PATIENT_ID,
        dispensedAt: LATER,
        product: sampleMedication,
        quantity: { value: 100, unit: 'stk' },
        pharmacyHerId: '81235',
        annulled: false,
      },
    ]);
    expect(listDispensings(PATIENT_ID, 'core-record', annulled)[0]?.annulled).toBe(true);
  });

  it('skips event types it does not know', () => {
    const facts = foldListFacts([aMedicationStarted(), { type: 'SomethingNewer', data: {} }]);
    expect(toListView(PATIENT_ID, facts).entries).toHaveLength(1);
  });
});
