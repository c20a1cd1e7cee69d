import {
  AT,
  PHARMACY_HER_ID,
  STARTED_ON,
  sampleDosage,
  sampleMedication,
} from '../../src/medication-list/domain/medication-list.fixtures';
import { type E2eApp, type Payload, mutate, startApp, syntheticPatientId } from './mutations.e2e-helpers';

/**
 * What the list mutations refuse, and how (extensions.code per the house style), over real HTTP against the
 * AppModule: invalid input, unknown ids, conflicts (a stale expectedVersion, a prescription linked twice), the
 * retried command id, and that no patient id reaches a response or a log line on the way.
 */

const PATIENT = syntheticPatientId(14);
const OTHER_PATIENT = syntheticPatientId(15);
// A valid synthetic number with its last check digit changed: fails the mod-11 rule.
const INVALID_PATIENT = `${PATIENT.slice(0, 10)}${(Number(PATIENT[10]) + 1) % 10}`;
const ENTRY = 'entry-metformin';
const OTHER_ENTRY = 'entry-atorvastatin';

const start = (entryId: string, dosage: unknown = sampleDosage): Record<string, unknown> => ({
  patientId: PATIENT,
  entryId,
  medication: sampleMedication,
  use: '1',
  dosage,
  startedOn: STARTED_ON,
  prescriptionType: 'E',
});

const invalidDosage = {
  periods: [{ start: STARTED_ON, fixedDoses: [{ quantity: -1, unit: 'tablett', partOfDay: '1' }] }],
};

type Rejection = readonly [
  title: string,
  mutation: string,
  input: Record<string, unknown>,
  code: string,
  errorCode: string,
];

const rejections: readonly Rejection[] = [
  ['an invalid dosage', 'startMedication', start('entry-bad', invalidDosage), 'BAD_USER_INPUT', 'INVALID_DOSAGE'],
  [
    'an unknown code (7494)',
    'discontinueMedication',
    { patientId: PATIENT, entryId: ENTRY, discontinuedAt: AT, reasonCode: 'Q' },
    'BAD_USER_INPUT',
    'UNKNOWN_CODE',
  ],
  [
    'an invalid patient id',
    'pauseMedication',
    { patientId: INVALID_PATIENT, entryId: ENTRY, pausedAt: AT },
    'BAD_USER_INPUT',
    'INVALID_IDENTIFIER',
  ],
  [
    'an entry id over 100 characters (class-validator)',
    'pauseMedication',
    { patientId: PATIENT, entryId: 'x'.repeat(101), pausedAt: AT },
    'BAD_USER_INPUT',
    'INVALID_INPUT',
  ],
  [
    'a negative expectedVersion (class-validator)',
    'resumeMedication',
    { patientId: PATIENT, entryId: ENTRY, resumedAt: AT, expectedVersion: -1 },
    'BAD_USER_INPUT',
    'INVALID_INPUT',
  ],
  [
    'an unknown entry',
    'pauseMedication',
    { patientId: PATIENT, entryId: 'entry-unknown', pausedAt: AT },
    'NOT_FOUND',
    'ENTRY_NOT_FOUND',
  ],
  [
    'an unknown dispensing',
    'annulDispensing',
    { patientId: PATIENT, dispensingId: 'disp-unknown', annulledAt: AT },
    'NOT_FOUND',
    'DISPENSING_NOT_FOUND',
  ],
  [
    'a prescription already linked to another entry',
    'issuePrescription',
    { patientId: PATIENT, prescriptionId: 'rx-0001', entryId: OTHER_ENTRY, issuedAt: AT },
    'CONFLICT',
    'PRESCRIPTION_ALREADY_LINKED',
  ],
  [
    'an invalid organisation number',
    'startCareRelation',
    { patientId: PATIENT, relationId: 'rel-0001', organisationNumber: '123456789', from: STARTED_ON },
    'BAD_USER_INPUT',
    'INVALID_IDENTIFIER',
  ],
];

describe('list mutations refuse, conflict and retry end to end (AppModule, SQLite in a temp dir, real HTTP)', () => {
  let app: E2eApp;
  const errorResponses: string[] = [];
  let lastPosition: string | null = null;

  const run = async (mutation: string, input: Record<string, unknown>): Promise<Payload> => {
    const { response, payload } = await mutate(app, mutation, input);
    expect(response.body.errors).toBeUndefined();
    lastPosition = payload!.position;
    return payload!;
  };

  /** A read of the list's version once this replica's read model has `minPosition` (read your writes). */
  const readVersion = async (patientId: string, minPosition: string | null): Promise<number> => {
    const read = await app.graphql(
      'query Read($patientId: String!, $minPosition: String) { medicationList(patientId: $patientId, minPosition: $minPosition) { version } }',
      { patientId, minPosition },
    );
    expect(read.body.errors).toBeUndefined();
    return (read.body.data?.medicationList as { version: number }).version;
  };

  beforeAll(async () => {
    app = await startApp();
    await run('startMedication', start(ENTRY));
    await run('startMedication', start(OTHER_ENTRY));
    await run('issuePrescription', { patientId: PATIENT, prescriptionId: 'rx-0001', entryId: ENTRY, issuedAt: AT });
  });

  afterAll(async () => {
    await app.close();
  });

  it.each(rejections)('rejects %s with %s', async (_title, mutation, input, code, errorCode) => {
    const { response, payload } = await mutate(app, mutation, input);
    errorResponses.push(response.text);

    expect(response.status).toBe(200);
    expect(payload).toBeUndefined();
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors?.[0]?.extensions).toMatchObject({ code, errorCode });
  });

  it('names the offending fields of a class-validator failure, never their values', async () => {
    const { response } = await mutate(app, 'pauseMedication', {
      patientId: PATIENT,
      entryId: 'i går'.repeat(30),
      pausedAt: AT,
    });
    errorResponses.push(response.text);

    expect(response.body.errors?.[0]?.extensions).toMatchObject({ fields: ['entryId'] });
    expect(response.text).not.toContain('i går');
  });

  it('refuses a time that is not RFC 3339 with HTTP 400 naming the field (the DateTime scalar), never its value', async () => {
    const { response } = await mutate(app, 'pauseMedication', {
      patientId: PATIENT,
      entryId: ENTRY,
      pausedAt: 'i går',
    });
    errorResponses.push(response.text);

    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(response.body.errors?.[0]?.message).toContain('input.pausedAt');
    expect(response.text).not.toContain('i går');
  });

  it('gives the second of two doctors who read the same version CONFLICT, and keeps the first change', async () => {
    const doctorA = await readVersion(PATIENT, lastPosition);
    const doctorB = await readVersion(PATIENT, lastPosition);

    const first = await mutate(app, 'changeDosage', {
      patientId: PATIENT,
      entryId: ENTRY,
      dosage: { periods: [{ start: '2026-03-09', fixedDoses: [{ quantity: 2, unit: 'tablett', partOfDay: '1' }] }] },
      effectiveFrom: '2026-03-09',
      reason: 'Ny vurdering',
      expectedVersion: doctorA,
    });
    const second = await mutate(app, 'pauseMedication', {
      patientId: PATIENT,
      entryId: ENTRY,
      pausedAt: '2026-03-10T08:00:00Z',
      expectedVersion: doctorB,
    });
    errorResponses.push(second.response.text);

    expect(doctorB).toBe(doctorA);
    expect(first.response.body.errors).toBeUndefined();
    expect(first.payload?.version).toBe(doctorA + 1);
    expect(second.response.body.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      errorCode: 'STALE_VERSION',
    });
    expect(await readVersion(PATIENT, first.payload?.position ?? null)).toBe(doctorA + 1);
  });

  it('answers a retried command id with the first result and appends nothing, also after later changes', async () => {
    const input = {
      patientId: OTHER_PATIENT,
      commandId: 'cmd-dispensing-retry',
      dispensingId: 'disp-0001',
      prescriptionId: 'rx-unknown-to-the-list',
      dispensedAt: '2026-03-03T12:00:00.000+01:00',
      product: sampleMedication,
      quantity: { value: 100, unit: 'tablett' },
      pharmacyHerId: PHARMACY_HER_ID,
      prescriptionUsedUp: false,
    };
    const first = await run('recordDispensing', input);
    const retried = await run('recordDispensing', input);
    const later = await run('markListNotReviewed', { patientId: OTHER_PATIENT, reason: 'Innlagt', markedAt: AT });
    const retriedAfterLater = await run('recordDispensing', { ...input, expectedVersion: first.version });

    expect(first.alreadyApplied).toBe(false);
    expect(retried).toEqual({ ...first, alreadyApplied: true });
    expect(retriedAfterLater).toEqual({ ...first, alreadyApplied: true });
    expect(later.version).toBe(first.version + 1);
    expect(await readVersion(OTHER_PATIENT, later.position)).toBe(later.version);
  });

  it('puts no patient id in any error response or log line', () => {
    const patientIds = [PATIENT, OTHER_PATIENT, INVALID_PATIENT];

    expect(errorResponses.length).toBeGreaterThan(rejections.length);
    for (const text of [...errorResponses, ...app.logLines]) {
      for (const patientId of patientIds) {
        expect(text).not.toContain(patientId);
      }
    }
  });
});
