import {
  AT,
  DOCTOR_HPR,
  NURSING_HOME_ORG,
  PHARMACY_HER_ID,
  STARTED_ON,
  asNeededDosage,
  paracetamol,
  sampleDosage,
  sampleMedication,
} from '../../src/medication-list/domain/medication-list.fixtures';
import { type E2eApp, mutate, startApp, syntheticPatientId } from './mutations.e2e-helpers';

/**
 * Every list mutation over real HTTP against the AppModule (SQLite in a temp dir, fixed clock), in the order a
 * GP, a pharmacy, a multidose pharmacy and a nursing home would send them. Each row runs one mutation and checks
 * that the payload's list (folded from the stream right after the append) shows its effect. Rows build on the
 * rows before them, on one of two patients: a GP patient and a multidose patient.
 */

const GP_PATIENT = syntheticPatientId(12);
const MULTIDOSE_PATIENT = syntheticPatientId(13);
const ENTRY = 'entry-metformin';

const start = (entryId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  entryId,
  commandId: `cmd-start-${entryId}`,
  medication: sampleMedication,
  use: '1',
  indication: 'Diabetes type 2',
  dosage: sampleDosage,
  startedOn: STARTED_ON,
  prescriptionType: 'E',
  ...overrides,
});

const newDosage = {
  periods: [{ start: '2026-03-09', fixedDoses: [{ quantity: 1, unit: 'tablett', partOfDay: '1' }] }],
  shortCode: '1+0+0+0',
};

type Row = readonly [title: string, patient: string, mutation: string, input: Record<string, unknown>, list: object];

const rows: readonly Row[] = [
  // ---- GP, pharmacy and nursing home on one patient ---------------------------------------------------------
  ['startMedication', GP_PATIENT, 'startMedication', start(ENTRY), { entries: [{ entryId: ENTRY, status: 'active' }] }],
  [
    'issuePrescription links the prescription',
    GP_PATIENT,
    'issuePrescription',
    { prescriptionId: 'rx-0001', entryId: ENTRY, issuedAt: AT, dispensingsAllowed: 3 },
    {
      entries: [
        { prescription: { prescriptionId: 'rx-0001', status: 'E', dispensingsAllowed: 3, dispensingsLeft: 3 } },
      ],
    },
  ],
  [
    'recordDispensing shows the last dispensing and decrements dispensingsLeft',
    GP_PATIENT,
    'recordDispensing',
    {
      dispensingId: 'disp-0001',
      prescriptionId: 'rx-0001',
      dispensedAt: '2026-03-03T12:00:00.000+01:00',
      product: sampleMedication,
      quantity: { value: 100, unit: 'tablett' },
      pharmacyHerId: PHARMACY_HER_ID,
      prescriptionUsedUp: false,
    },
    {
      entries: [
        {
          lastDispensing: { dispensingId: 'disp-0001', prescriptionId: 'rx-0001', quantity: { value: 100 } },
          prescription: { dispensingsLeft: 2 },
        },
      ],
    },
  ],
  [
    'annulDispensing takes the dispensing back',
    GP_PATIENT,
    'annulDispensing',
    { dispensingId: 'disp-0001', annulledAt: '2026-03-04T08:00:00Z', reason: 'Feil pakning' },
    { entries: [{ lastDispensing: null, prescription: { dispensingsLeft: 3 } }] },
  ],
  [
    'renewPrescription shows the new prescription pointing back',
    GP_PATIENT,
    'renewPrescription',
    { prescriptionId: 'rx-0001', newPrescriptionId: 'rx-0002', renewedAt: '2026-03-05T09:00:00Z', withChange: false },
    {
      entries: [
        { prescription: { prescriptionId: 'rx-0002', renewsPrescriptionId: 'rx-0001', dispensingsAllowed: 3 } },
      ],
    },
  ],
  [
    'recallPrescription',
    GP_PATIENT,
    'recallPrescription',
    { prescriptionId: 'rx-0002', recalledAt: '2026-03-06T09:00:00Z', reasonCode: '4' },
    { entries: [{ prescription: { prescriptionId: 'rx-0002', status: 'T', recallReasonCode: '4' } }] },
  ],
  [
    'changeDosage',
    GP_PATIENT,
    'changeDosage',
    { entryId: ENTRY, dosage: newDosage, effectiveFrom: '2026-03-09', reason: 'Lavere dose' },
    { entries: [{ dosage: { shortCode: '1+0+0+0' }, dosageEffectiveFrom: '2026-03-09' }] },
  ],
  [
    'pauseMedication',
    GP_PATIENT,
    'pauseMedication',
    { entryId: ENTRY, pausedAt: '2026-03-10T08:00:00Z', reason: 'Innlagt' },
    { entries: [{ status: 'paused', pausedAt: '2026-03-10T08:00:00Z' }] },
  ],
  [
    'resumeMedication',
    GP_PATIENT,
    'resumeMedication',
    { entryId: ENTRY, resumedAt: '2026-03-12T08:00:00Z' },
    { entries: [{ status: 'active', pausedAt: null }] },
  ],
  [
    'startMedication of an as-needed drug',
    GP_PATIENT,
    'startMedication',
    start('entry-paracetamol', { medication: paracetamol, use: '3', dosage: asNeededDosage, indication: null }),
    { entries: [{ entryId: ENTRY }, { entryId: 'entry-paracetamol', use: '3' }] },
  ],
  [
    'retractMedication moves the entry to retracted',
    GP_PATIENT,
    'retractMedication',
    { entryId: 'entry-paracetamol', retractedAt: '2026-03-13T08:00:00Z', reason: 'Registrert på feil pasient' },
    {
      entries: [{ entryId: ENTRY }],
      retracted: [{ entryId: 'entry-paracetamol', reason: 'Registrert på feil pasient' }],
    },
  ],
  [
    'discontinueMedication shows the entry in discontinued with its reason',
    GP_PATIENT,
    'discontinueMedication',
    { entryId: ENTRY, discontinuedAt: '2026-04-01T09:00:00Z', reasonCode: 'L', note: 'Magesmerter' },
    {
      entries: [],
      discontinued: [{ entryId: ENTRY, reasonCode: 'L', reasonLabel: 'Bivirkning', note: 'Magesmerter' }],
    },
  ],
  [
    'markListReviewed',
    GP_PATIENT,
    'markListReviewed',
    { kind: 'reconciliation', reviewedAt: '2026-04-02T09:00:00Z', note: 'Samstemt med pasienten' },
    { review: { status: 'REVIEWED', kind: 'reconciliation' } },
  ],
  [
    'markListNotReviewed',
    GP_PATIENT,
    'markListNotReviewed',
    { reason: 'Innlagt sykehus', markedAt: '2026-04-03T09:00:00Z' },
    { review: { status: 'NOT_REVIEWED', notReviewedReason: 'Innlagt sykehus' } },
  ],
  [
    'startCareRelation (the patient is the top-level patientId)',
    GP_PATIENT,
    'startCareRelation',
    { relationId: 'rel-0001', organisationNumber: NURSING_HOME_ORG, unit: 'Avdeling 2', from: '2026-04-03' },
    { review: { status: 'NOT_REVIEWED' } },
  ],
  [
    'endCareRelation',
    GP_PATIENT,
    'endCareRelation',
    { relationId: 'rel-0001', endedOn: '2026-04-08' },
    { discontinued: [{ entryId: ENTRY }] },
  ],
  // ---- multidose ------------------------------------------------------------------------------------------
  [
    'startMedication (multidose patient)',
    MULTIDOSE_PATIENT,
    'startMedication',
    start(ENTRY),
    { entries: [{ entryId: ENTRY }] },
  ],
  [
    'startMedication of eye drops (multidose patient)',
    MULTIDOSE_PATIENT,
    'startMedication',
    start('entry-drops', { medication: { displayName: 'Xalatan øyedråper 50 mikrog/ml' }, prescriptionType: 'U' }),
    { entries: [{ entryId: ENTRY, multidose: 'NOT_IN_MULTIDOSE' }, { entryId: 'entry-drops' }] },
  ],
  [
    'registerMultidose',
    MULTIDOSE_PATIENT,
    'registerMultidose',
    { responsibleDoctorHpr: DOCTOR_HPR, pharmacyHerId: PHARMACY_HER_ID, from: STARTED_ON },
    {
      multidose: {
        responsibleDoctorHpr: DOCTOR_HPR,
        pharmacyHerId: PHARMACY_HER_ID,
        from: STARTED_ON,
        lastPacking: null,
      },
    },
  ],
  [
    'recordMultidosePacking: packed false shows OUTSIDE_MULTIDOSE',
    MULTIDOSE_PATIENT,
    'recordMultidosePacking',
    {
      packingId: 'pack-0001',
      firstDoseOn: '2026-03-09',
      lastDoseOn: '2026-03-22',
      orderDeadline: '2026-03-05',
      entries: [
        { entryId: ENTRY, packed: true },
        { entryId: 'entry-drops', packed: false },
      ],
    },
    {
      entries: [
        { entryId: ENTRY, multidose: 'PACKED' },
        { entryId: 'entry-drops', multidose: 'OUTSIDE_MULTIDOSE' },
      ],
      multidose: { lastPacking: { packingId: 'pack-0001', firstDoseOn: '2026-03-09', lastDoseOn: '2026-03-22' } },
    },
  ],
  [
    'askMultidoseQuestion',
    MULTIDOSE_PATIENT,
    'askMultidoseQuestion',
    {
      questionId: 'q-0001',
      entryId: 'entry-drops',
      questionCode: '2',
      text: 'Skal øyedråpene med i listen?',
      askedAt: '2026-03-06T10:00:00+01:00',
      pharmacyHerId: PHARMACY_HER_ID,
    },
    { openQuestions: [{ questionId: 'q-0001', entryId: 'entry-drops', code: '2' }] },
  ],
  [
    'answerMultidoseQuestion',
    MULTIDOSE_PATIENT,
    'answerMultidoseQuestion',
    { questionId: 'q-0001', answerCode: '3', text: 'Ja', answeredAt: '2026-03-06T14:00:00+01:00' },
    { openQuestions: [] },
  ],
  [
    'endMultidose',
    MULTIDOSE_PATIENT,
    'endMultidose',
    { endedOn: '2026-04-01', reason: 'Flyttet' },
    { multidose: null, entries: [{ multidose: 'NOT_IN_MULTIDOSE' }, { multidose: 'NOT_IN_MULTIDOSE' }] },
  ],
];

describe('every list mutation end to end (AppModule, SQLite in a temp dir, real HTTP)', () => {
  let app: E2eApp;
  const versions = new Map<string, number>();

  beforeAll(async () => {
    app = await startApp();
  });

  afterAll(async () => {
    await app.close();
  });

  it('covers all 20 mutations', () => {
    expect(new Set(rows.map(([, , mutation]) => mutation)).size).toBe(20);
  });

  it.each(rows)('%s', async (_title, patientId, mutation, input, list) => {
    const before = versions.get(patientId) ?? 0;

    const { response, payload } = await mutate(app, mutation, { patientId, ...input });

    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(payload).toMatchObject({ alreadyApplied: false, position: expect.stringMatching(/^[0-9]+$/) });
    expect(payload?.version).toBeGreaterThan(before);
    expect(payload?.list).toMatchObject({ ...list, version: payload?.version, position: payload?.position });
    versions.set(patientId, payload?.version ?? before);
  });

  it('names the entry of startMedication when the client sent no entry id (the command id doubles as it)', async () => {
    const { payload } = await mutate(app, 'startMedication', {
      ...start(ENTRY),
      patientId: GP_PATIENT,
      entryId: null,
      commandId: 'cmd-start-without-entry-id',
    });

    expect(payload?.entryId).toBe('cmd-start-without-entry-id');
    expect(payload?.list).toMatchObject({ entries: [{ entryId: 'cmd-start-without-entry-id' }] });
  });
});
