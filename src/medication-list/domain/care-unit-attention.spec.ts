import {
  type CurrentEntry,
  type LinkedPrescription,
  emptyCurrentMedicationList,
} from '../../../projections/current-medication-list/current-medication-list.document';
import { attentionOf } from './care-unit-attention';
import { sampleDosage, sampleMedication } from './medication-list.fixtures';

const TODAY = '2026-11-20';
const gp = { role: 'prescriber', hprNumber: '9144889' } as const;

const prescription = (expiresOn: string, status: LinkedPrescription['status'] = 'E'): LinkedPrescription => ({
  prescriptionId: `rx-${expiresOn}-${status}`,
  status,
  issuedAt: '2025-11-20T09:00:00Z',
  expiresOn,
  dispensingsAllowed: null,
  dispensingsLeft: null,
  renewsPrescriptionId: null,
  recalledAt: null,
  recallReasonCode: null,
});

const entry = (overrides: Partial<CurrentEntry> = {}): CurrentEntry => ({
  entryId: 'e',
  medication: sampleMedication,
  use: '1',
  indication: null,
  dosage: sampleDosage,
  dosageEffectiveFrom: null,
  startedOn: '2026-01-01',
  prescriptionType: 'E',
  status: 'active',
  pausedAt: null,
  pauseReason: null,
  prescription: null,
  dispensings: [],
  lastDispensing: null,
  multidose: 'not-in-multidose',
  changedAt: '2026-01-01T09:00:00Z',
  changedBy: gp,
  ...overrides,
});

const listOf = (entries: CurrentEntry[], changes = 0) => ({
  ...emptyCurrentMedicationList('list'),
  entries,
  changesSinceReview: Array.from({ length: changes }, (_, i) => ({
    position: String(i),
    at: '2026-11-01T09:00:00Z',
    clinicalTime: '2026-11-01T09:00:00Z',
    by: gp,
    type: 'MedicationStarted',
    summary: 's',
  })),
});

describe('attentionOf (the unit view badges)', () => {
  it('an empty, reviewed list needs no attention', () => {
    expect(attentionOf(listOf([]), 0, TODAY)).toEqual({
      changesSinceReview: 0,
      outsideMultidose: 0,
      paused: 0,
      openDiscrepancies: 0,
      prescriptionsExpired: 0,
      prescriptionsExpiringSoon: 0,
      score: 0,
    });
  });

  it('counts entries outside the multidose bags and paused entries', () => {
    const list = listOf([
      entry({ multidose: 'outside-multidose' }),
      entry({ multidose: 'packed', status: 'paused' }),
      entry(),
    ]);
    expect(attentionOf(list, 0, TODAY)).toMatchObject({ outsideMultidose: 1, paused: 1 });
  });

  it('counts changes since the last review, including those dropped to bound the document', () => {
    expect(attentionOf({ ...listOf([], 3), changesSinceReviewDropped: 2 }, 0, TODAY).changesSinceReview).toBe(5);
  });

  it.each([
    ['expired yesterday', '2026-11-19', 'E', { prescriptionsExpired: 1, prescriptionsExpiringSoon: 0 }],
    ['expiring today', '2026-11-20', 'E', { prescriptionsExpired: 0, prescriptionsExpiringSoon: 1 }],
    ['expiring in 14 days', '2026-12-04', 'U', { prescriptionsExpired: 0, prescriptionsExpiringSoon: 1 }],
    ['expiring in 15 days', '2026-12-05', 'E', { prescriptionsExpired: 0, prescriptionsExpiringSoon: 0 }],
    ['expired but recalled', '2026-11-01', 'T', { prescriptionsExpired: 0, prescriptionsExpiringSoon: 0 }],
    ['expired but used up', '2026-11-01', 'R', { prescriptionsExpired: 0, prescriptionsExpiringSoon: 0 }],
  ] as const)('a dispensable prescription %s', (_name, expiresOn, status, expected) => {
    expect(attentionOf(listOf([entry({ prescription: prescription(expiresOn, status) })]), 0, TODAY)).toMatchObject(
      expected,
    );
  });

  it('orders by urgency: an open discrepancy or expired prescription before unreviewed changes before standing facts', () => {
    const discrepancy = attentionOf(listOf([]), 1, TODAY).score;
    const expired = attentionOf(listOf([entry({ prescription: prescription('2026-11-01') })]), 0, TODAY).score;
    const changes = attentionOf(listOf([], 9), 0, TODAY).score;
    const standing = attentionOf(listOf([entry({ multidose: 'outside-multidose', status: 'paused' })]), 0, TODAY).score;
    expect(discrepancy).toBeGreaterThan(changes);
    expect(expired).toBeGreaterThan(changes);
    expect(changes).toBeGreaterThan(standing);
    expect(standing).toBeGreaterThan(0);
  });
});
