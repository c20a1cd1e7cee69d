import type { CommandMeta } from '../../shared/event-sourcing/decider';
import type { CommandOf, MedicationListCommandType, StartMedication } from './medication-list.commands';
import type {
  Dosage,
  Medication,
  MedicationListEvent,
  MedicationListEventType,
  MedicationStarted,
  PrescriptionIssued,
} from './medication-list.events';

/**
 * Fixed, realistic test data for the medication list: decider specs, projection specs and e2e tests share it.
 * No randomness and no clock: every id and time is a constant. Identifiers are public examples and
 * synthetic values, never a real person's.
 */

export const ENTRY_ID = 'entry-metformin';
export const OTHER_ENTRY_ID = 'entry-paracetamol';
export const PRESCRIPTION_ID = 'rx-0001';
export const OTHER_PRESCRIPTION_ID = 'rx-0002';
export const DISPENSING_ID = 'disp-0001';
/** HPR number of the prescribing GP (synthetic). */
export const DOCTOR_HPR = '9144889';
/** HER-id of the (multidose) pharmacy (synthetic). */
export const PHARMACY_HER_ID = '81235';
/** The public example organisation number from domain.md. */
export const NURSING_HOME_ORG = '123456785';
/** The public example fødselsnummer from domain.md (not a real person). */
export const PATIENT_ID = '31129956715';

export const STARTED_ON = '2026-03-02';
export const AT = '2026-03-02T09:15:00.000Z';
export const LATER = '2026-04-10T10:00:00.000Z';

export const fixedMeta: CommandMeta = {
  commandId: 'cmd-0001',
  correlationId: 'corr-0001',
  causationId: 'cmd-0001',
  actor: { role: 'prescriber', hprNumber: DOCTOR_HPR, name: 'Dr. Test Testesen' },
  recordedAt: '2026-03-02T09:15:01.000Z',
};

export const sampleMedication: Medication = {
  festId: 'ID_0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D',
  atcCode: 'A10BA02',
  displayName: 'Metformin Teva Tab 500 mg',
};

export const paracetamol: Medication = {
  atcCode: 'N02BE01',
  displayName: 'Paracet Tab 500 mg',
};

/** A local, non-catalogue drug: a name and no code. */
export const localDrug: Medication = { displayName: 'Magistrell krem 5 %' };

/** "1 tablett morgen, 1 tablett kveld" from the start date, open-ended. */
export const sampleDosage: Dosage = {
  periods: [
    {
      start: STARTED_ON,
      fixedDoses: [
        { quantity: 1, unit: 'tablett', partOfDay: '1' },
        { quantity: 1, unit: 'tablett', partOfDay: '5' },
      ],
    },
  ],
  shortCode: '1+0+0+1',
};

/** "ved behov 1 tablett, maks 3 per døgn, minst 4 t mellom doser". */
export const asNeededDosage: Dosage = {
  periods: [
    {
      start: STARTED_ON,
      fixedDoses: [],
      asNeeded: { quantity: 1, unit: 'tablett', maxPer24h: 3, minIntervalHours: 4 },
    },
  ],
};

/** Two tablets a day for a week, then one (tapering). */
export const taperingDosage: Dosage = {
  periods: [
    { start: '2026-03-02', end: '2026-03-08', fixedDoses: [{ quantity: 2, unit: 'tablett', time: '08:00' }] },
    { start: '2026-03-09', fixedDoses: [{ quantity: 1, unit: 'tablett', time: '08:00' }] },
  ],
};

/** Any command of the list with fixed meta: `aCommand('PauseMedication', { entryId, pausedAt: AT })`. */
export const aCommand = <TType extends MedicationListCommandType>(
  type: TType,
  data: CommandOf<TType>['data'],
  meta: CommandMeta = fixedMeta,
): CommandOf<TType> => ({ type, data, meta }) as CommandOf<TType>;

/** Any event of the list: `anEvent('MedicationPaused', { entryId, pausedAt: AT })`. */
export const anEvent = <TType extends MedicationListEventType>(
  type: TType,
  data: Extract<MedicationListEvent, { type: TType }>['data'],
): Extract<MedicationListEvent, { type: TType }> => ({ type, data }) as Extract<MedicationListEvent, { type: TType }>;

export const startMedicationData = (overrides: Partial<MedicationStarted['data']> = {}): MedicationStarted['data'] => ({
  entryId: ENTRY_ID,
  medication: sampleMedication,
  use: '1',
  indication: 'Diabetes type 2',
  dosage: sampleDosage,
  startedOn: STARTED_ON,
  prescriptionType: 'E',
  ...overrides,
});

/** StartMedication for metformin, regular use, e-prescription type; override any field. */
export const aStartMedication = (
  overrides: Partial<MedicationStarted['data']> = {},
  meta: CommandMeta = fixedMeta,
): StartMedication => aCommand('StartMedication', startMedicationData(overrides), meta);

/** The MedicationStarted event aStartMedication(overrides) produces. */
export const aMedicationStarted = (overrides: Partial<MedicationStarted['data']> = {}): MedicationStarted =>
  anEvent('MedicationStarted', startMedicationData(overrides));

/** IssuePrescription of PRESCRIPTION_ID for ENTRY_ID at AT (default expiry). */
export const anIssuePrescription = (
  overrides: Partial<CommandOf<'IssuePrescription'>['data']> = {},
): CommandOf<'IssuePrescription'> =>
  aCommand('IssuePrescription', { prescriptionId: PRESCRIPTION_ID, entryId: ENTRY_ID, issuedAt: AT, ...overrides });

/** The PrescriptionIssued event for anIssuePrescription(): expires one year after the issue date. */
export const aPrescriptionIssued = (overrides: Partial<PrescriptionIssued['data']> = {}): PrescriptionIssued =>
  anEvent('PrescriptionIssued', {
    prescriptionId: PRESCRIPTION_ID,
    entryId: ENTRY_ID,
    issuedAt: AT,
    expiresOn: '2027-03-02',
    ...overrides,
  });

/** RecordDispensing of 100 tablets of the prescribed product against PRESCRIPTION_ID. */
export const aRecordDispensing = (
  overrides: Partial<CommandOf<'RecordDispensing'>['data']> = {},
): CommandOf<'RecordDispensing'> =>
  aCommand('RecordDispensing', {
    dispensingId: DISPENSING_ID,
    prescriptionId: PRESCRIPTION_ID,
    dispensedAt: '2026-03-03T12:00:00.000+01:00',
    product: sampleMedication,
    quantity: { value: 100, unit: 'tablett' },
    pharmacyHerId: PHARMACY_HER_ID,
    prescriptionUsedUp: false,
    ...overrides,
  });

/** StartCareRelation of the example nursing home, unit "Avdeling 2", from the start date. */
export const aStartCareRelation = (
  overrides: Partial<CommandOf<'StartCareRelation'>['data']> = {},
): CommandOf<'StartCareRelation'> =>
  aCommand('StartCareRelation', {
    relationId: 'rel-0001',
    patientId: PATIENT_ID,
    organisationNumber: NURSING_HOME_ORG,
    unit: 'Avdeling 2',
    from: STARTED_ON,
    ...overrides,
  });
