import type { Dosage, Medication } from '../../medication-list/domain/medication-list.events';
import { isDomainError } from '../../shared/errors/domain-error';
import type { ExternalDispensing, ExternalPrescription, ExternalRecord } from './external-record';
import { reconcile, reconcileCounted, type ReconcileOptions, type ReconciliationEntry } from './reconcile';

const NOW = '2026-03-01T12:00:00.000Z';
const PATIENT = '17858512387';
const OTHER_PATIENT = '24926207748';

const TRIATEC: Medication = {
  festId: 'ID_0A6B1C5E-8F0D-4A2B-9C3D-1E2F3A4B5C6D',
  atcCode: 'C09AA05',
  displayName: 'Triatec Tab 5 mg',
};
const RAMIPRIL_SUBSTANCE: Medication = {
  festSubstanceId: 'ID_11111111-2222-4333-8444-555555555555',
  atcCode: 'C09AA05',
  displayName: 'Ramipril 5 mg',
};
const PACKAGE_ID = 'ID_A1A1A1A1-0000-4000-8000-000000000001';
const RAMIPRIL_ACTAVIS: Medication = {
  festId: 'ID_7D1E2F3A-4B5C-4D6E-8F70-8192A3B4C5D6',
  atcCode: 'C09AA05',
  displayName: 'Ramipril Actavis Tab 5 mg',
};
const ZOCOR: Medication = {
  festId: 'ID_11111111-2222-4333-8444-555555555555',
  atcCode: 'C10AA01',
  displayName: 'Zocor Tab 20 mg',
};

const dosage = (quantity: number, start = '2025-01-01', partOfDay: '1' | '5' = '1'): Dosage => ({
  periods: [{ start, fixedDoses: [{ quantity, unit: 'tablett', partOfDay }] }],
});

const entry = (over: Partial<ReconciliationEntry> = {}): ReconciliationEntry => ({
  entryId: 'E1',
  status: 'active',
  medication: TRIATEC,
  dosage: dosage(1),
  startedOn: '2025-01-01',
  prescriptions: [{ prescriptionId: 'RX1', status: 'active', expiresOn: '2026-12-31' }],
  ...over,
});

const rx = (over: Partial<ExternalPrescription> = {}): ExternalPrescription => ({
  kind: 'prescription',
  source: 'eprescription',
  prescriptionId: 'RX1',
  patientId: PATIENT,
  status: 'E',
  medication: TRIATEC,
  dosage: dosage(1, '2026-01-10'), // the renewal starts later than the entry: same dose all the same
  issuedAt: '2026-01-10T09:00:00Z',
  expiresOn: '2026-12-31',
  ...over,
});

const dispensing = (over: Partial<ExternalDispensing> = {}): ExternalDispensing => ({
  kind: 'dispensing',
  source: 'core-record',
  dispensingId: 'DS1',
  prescriptionId: 'RX1',
  patientId: PATIENT,
  dispensedAt: '2026-02-01T10:00:00Z',
  product: TRIATEC,
  quantity: { value: 100, unit: 'stk' },
  annulled: false,
  ...over,
});

const discontinued = (over: Partial<ReconciliationEntry> = {}): ReconciliationEntry =>
  entry({
    status: 'discontinued',
    discontinuedAt: '2026-02-01T10:00:00Z',
    prescriptions: [
      { prescriptionId: 'RX1', status: 'recalled', recalledAt: '2026-02-01T10:00:00Z', expiresOn: '2026-12-31' },
    ],
    ...over,
  });

const run = (entries: ReconciliationEntry[], records: ExternalRecord[], options?: ReconcileOptions) =>
  reconcile({ patientId: PATIENT, entries }, records, NOW, options);
const keys = (entries: ReconciliationEntry[], records: ExternalRecord[], options?: ReconcileOptions): string[] =>
  run(entries, records, options).map((d) => d.key);

type Case = [string, ReconciliationEntry[], ExternalRecord[], string[], ReconcileOptions?];
// A rest parameter keeps the arity at 0: jest would take a fifth named parameter for a `done` callback.
const check = (...[, entries, records, expected, options]: Case): void => {
  expect(keys(entries, records, options)).toEqual(expected);
};

describe('reconcile', () => {
  it('finds nothing when the list and the feeds agree', () => {
    expect(run([entry()], [rx(), dispensing()])).toEqual([]);
  });

  describe('D1 active registry prescription not on the list', () => {
    it.each<Case>([
      ['dispensable (E)', [], [rx({ prescriptionId: 'RX9' })], ['D1|RX9']],
      ['being dispensed (U)', [], [rx({ prescriptionId: 'RX9', status: 'U' })], ['D1|RX9']],
      ['recalled (T): not active', [], [rx({ prescriptionId: 'RX9', status: 'T' })], []],
      ['ended (R): not active', [], [rx({ prescriptionId: 'RX9', status: 'R' })], []],
      ['expired (F): not active', [], [rx({ prescriptionId: 'RX9', status: 'F' })], []],
      ['E but past its expiry date: expired', [], [rx({ prescriptionId: 'RX9', expiresOn: '2026-02-28' })], []],
      ['linked to a discontinued entry: D2, not D1', [discontinued()], [rx()], ['D2|E1|RX1']],
      ['another patient’s prescription', [], [rx({ prescriptionId: 'RX9', patientId: OTHER_PATIENT })], []],
    ])('%s', check);

    it.each<[string, Medication, Record<string, string>]>([
      ['same FEST id', TRIATEC, { candidateEntryIds: 'E1', candidateMatch: 'fest' }],
      ['same ATC code, other product', RAMIPRIL_ACTAVIS, { candidateEntryIds: 'E1', candidateMatch: 'atc' }],
      ['same name but no codes: never a fuzzy candidate', { displayName: 'Triatec Tab 5 mg' }, {}],
      [
        'FEST id differing only in case: no exact match',
        { festId: TRIATEC.festId?.toLowerCase(), displayName: 'x' },
        {},
      ],
    ])('names a candidate entry on %s', (_, medication, candidate) => {
      const [d1] = run([entry()], [rx(), rx({ prescriptionId: 'RX9', medication })]);
      expect(d1).toMatchObject({ code: 'D1', key: 'D1|RX9', severity: 'warning' });
      expect(d1?.evidence.candidateEntryIds).toBe(candidate.candidateEntryIds);
      expect(d1?.evidence.candidateMatch).toBe(candidate.candidateMatch);
      expect(d1).not.toHaveProperty('entryId');
    });
  });

  describe('D2 discontinued on the list, dispensable in the registry', () => {
    it.each<Case>([
      ['registry says E', [discontinued()], [rx()], ['D2|E1|RX1']],
      ['registry says U', [discontinued()], [rx({ status: 'U' })], ['D2|E1|RX1']],
      ['registry says T', [discontinued()], [rx({ status: 'T' })], []],
      ['registry does not have it', [discontinued()], [rx({ prescriptionId: 'RX2' })], ['D1|RX2']],
      ['entry still active', [entry()], [rx()], []],
    ])('%s', check);
  });

  describe('D3 dispensed after discontinuation or recall', () => {
    const recalled = entry({
      prescriptions: [
        { prescriptionId: 'RX1', status: 'recalled', recalledAt: '2026-01-20T09:00:00Z', expiresOn: '2026-12-31' },
        { prescriptionId: 'RX2', status: 'active', expiresOn: '2027-01-20' },
      ],
    });
    const renewed = [rx({ status: 'T' }), rx({ prescriptionId: 'RX2', expiresOn: '2027-01-20' })];
    it.each<Case>([
      [
        'after discontinuation',
        [discontinued()],
        [rx({ status: 'T' }), dispensing({ dispensedAt: '2026-02-02T09:00:00Z' })],
        ['D3|DS1'],
      ],
      ['after the recall of a renewed prescription', [recalled], [...renewed, dispensing()], ['D3|DS1']],
      [
        'before discontinuation',
        [discontinued()],
        [rx({ status: 'T' }), dispensing({ dispensedAt: '2026-01-31T09:00:00Z' })],
        [],
      ],
      [
        'annulled',
        [discontinued()],
        [rx({ status: 'T' }), dispensing({ dispensedAt: '2026-02-02', annulled: true })],
        [],
      ],
      [
        'annulled by a later line',
        [discontinued()],
        [
          dispensing({ dispensedAt: '2026-02-02' }),
          rx({ status: 'T' }),
          dispensing({ dispensedAt: '2026-02-02', annulled: true }),
        ],
        [],
      ],
      [
        'annulment seen before the dispensing',
        [discontinued()],
        [
          dispensing({ annulled: true, dispensedAt: '2026-02-02' }),
          dispensing({ dispensedAt: '2026-02-02' }),
          rx({ status: 'T' }),
        ],
        [],
      ],
      [
        'on a prescription the list does not know',
        [discontinued()],
        [rx({ status: 'T' }), dispensing({ prescriptionId: 'RX7', dispensedAt: '2026-02-02' })],
        [],
      ],
    ])('%s', check);

    it('gives the dates in evidence', () => {
      expect(run([discontinued()], [rx({ status: 'T' }), dispensing({ dispensedAt: '2026-02-02' })])).toEqual([
        {
          code: 'D3',
          key: 'D3|DS1',
          entryId: 'E1',
          prescriptionId: 'RX1',
          dispensingId: 'DS1',
          evidence: {
            entryId: 'E1',
            prescriptionId: 'RX1',
            dispensingId: 'DS1',
            dispensedAt: '2026-02-02',
            discontinuedAt: '2026-02-01T10:00:00Z',
            recalledAt: '2026-02-01T10:00:00Z',
          },
          severity: 'warning',
        },
      ]);
    });
  });

  describe('D4 dose differs from the prescription', () => {
    const morningAndEvening = (first: '1' | '5', second: '1' | '5'): Dosage => ({
      periods: [
        {
          start: '2026-01-10',
          fixedDoses: [first, second].map((partOfDay) => ({ quantity: 1, unit: 'tablett', partOfDay })),
        },
      ],
    });
    const tapering: Dosage = {
      periods: [
        { start: '2025-01-01', end: '2026-02-14', fixedDoses: [{ quantity: 2, unit: 'tablett', partOfDay: '1' }] },
        { start: '2026-02-15', fixedDoses: [{ quantity: 1, unit: 'tablett', partOfDay: '1' }] },
      ],
    };
    it.each<Case>([
      ['another quantity', [entry()], [rx({ dosage: dosage(2, '2026-01-10') })], ['D4|E1|RX1']],
      ['another part of day', [entry()], [rx({ dosage: dosage(1, '2026-01-10', '5') })], ['D4|E1|RX1']],
      ['same dose, other start date', [entry()], [rx({ dosage: dosage(1, '2024-06-01') })], []],
      [
        'same doses in another order',
        [entry({ dosage: morningAndEvening('5', '1') })],
        [rx({ dosage: morningAndEvening('1', '5') })],
        [],
      ],
      ['tapering: the current step agrees', [entry({ dosage: tapering })], [rx()], []],
      [
        'tapering: the current step differs',
        [entry({ dosage: tapering })],
        [rx({ dosage: dosage(2, '2026-01-10') })],
        ['D4|E1|RX1'],
      ],
      ['feed dosage is text only', [entry()], [rx({ dosage: undefined, dosageText: '2 tabletter morgen' })], []],
      ['registry recalled it: D8, not D4', [entry()], [rx({ status: 'T', dosage: dosage(2) })], ['D8|E1|RX1']],
    ])('%s', check);

    it('describes both doses in evidence', () => {
      expect(run([entry()], [rx({ dosage: dosage(2, '2026-01-10') })])[0]?.evidence).toEqual({
        entryId: 'E1',
        prescriptionId: 'RX1',
        listDosage: '1 tablett morgen',
        feedDosage: '2 tablett morgen',
      });
    });
  });

  describe('D5 ongoing treatment whose prescription expired or expires soon', () => {
    const expiring = (expiresOn: string, over: Partial<ReconciliationEntry> = {}): ReconciliationEntry =>
      entry({ prescriptions: [{ prescriptionId: 'RX1', status: 'active', expiresOn }], ...over });
    it.each<Case>([
      ['expired', [expiring('2026-02-20')], [], ['D5|E1|RX1']],
      ['expires within 30 days', [expiring('2026-03-31')], [], ['D5|E1|RX1']],
      ['expires today', [expiring('2026-03-01')], [], ['D5|E1|RX1']],
      ['paused treatment', [expiring('2026-03-10', { status: 'paused' })], [], ['D5|E1|RX1']],
      ['expires in 31 days', [expiring('2026-04-01')], [], []],
      // age rules count from `now`, never from a clinical date (issue 22): a century-old or far-future start changes nothing
      [
        'started a century ago, valid until later this year',
        [expiring('2026-12-31', { startedOn: '1926-03-01' })],
        [],
        [],
      ],
      [
        'start planned a century ahead, prescription already expired',
        [expiring('2026-02-20', { startedOn: '2126-03-01' })],
        [],
        ['D5|E1|RX1'],
      ],
      ['expiry a century ahead', [expiring('2126-03-01', { startedOn: '2126-01-01' })], [], []],
      ['expires within a wider window', [expiring('2026-05-01')], [], ['D5|E1|RX1'], { expiryWarningDays: 90 }],
      [
        'discontinued',
        [discontinued({ prescriptions: [{ prescriptionId: 'RX1', status: 'recalled', expiresOn: '2026-02-20' }] })],
        [],
        [],
      ],
      ['no prescription (OTC)', [entry({ prescriptions: [] })], [], []],
      [
        'a renewal lasts longer',
        [
          entry({
            prescriptions: [
              { prescriptionId: 'RX1', status: 'active', expiresOn: '2026-03-05' },
              { prescriptionId: 'RX2', status: 'active', expiresOn: '2027-02-01' },
            ],
          }),
        ],
        [],
        [],
      ],
    ])('%s', check);

    it.each([
      ['2026-02-20', 'expired'],
      ['2026-03-20', 'expires-soon'],
    ])('marks %s as %s', (expiresOn, state) => {
      expect(run([expiring(expiresOn)], [])[0]).toMatchObject({ severity: 'warning', evidence: { state, expiresOn } });
    });
  });

  describe('D6 duplicate therapy', () => {
    const second = (over: Partial<ReconciliationEntry> = {}): ReconciliationEntry =>
      entry({ entryId: 'E2', medication: RAMIPRIL_ACTAVIS, prescriptions: [], ...over });
    it.each<Case>([
      ['two active entries, same ATC', [entry(), second()], [], ['D6|C09AA05|E1,E2']],
      ['same key whatever the order', [second(), entry()], [], ['D6|C09AA05|E1,E2']],
      ['three entries: one discrepancy', [entry(), second(), second({ entryId: 'E0' })], [], ['D6|C09AA05|E0,E1,E2']],
      ['one paused', [entry(), second({ status: 'paused' })], [], []],
      ['one discontinued', [entry(), second({ status: 'discontinued' })], [], []],
      ['different ATC codes', [entry(), second({ medication: ZOCOR })], [], []],
      // D6 compares the substance (ATC level 5) whatever FEST level each entry names (issue 16).
      [
        'a substance-level entry and a brand of it',
        [entry({ medication: RAMIPRIL_SUBSTANCE }), second()],
        [],
        ['D6|C09AA05|E1,E2'],
      ],
      [
        'a package-level entry and a dose-level entry',
        [
          entry({ medication: { festPackageId: PACKAGE_ID, atcCode: 'C09AA05', displayName: 'Triatec 5 mg 28 stk' } }),
          second({
            medication: { festDoseId: PACKAGE_ID, atcCode: 'C09AA05', displayName: 'Ramipril 5 mg 1 tablett' },
          }),
        ],
        [],
        ['D6|C09AA05|E1,E2'],
      ],
      [
        'local drugs of the same name: no code, no match',
        [
          entry({ medication: { displayName: 'Urtete' }, prescriptions: [] }),
          second({ medication: { displayName: 'Urtete' } }),
        ],
        [],
        [],
      ],
    ])('%s', check);
  });

  describe('D7 dispensed product differs from prescribed', () => {
    it.each<Case>([
      ['generic substitution (same ATC)', [entry()], [rx(), dispensing({ product: RAMIPRIL_ACTAVIS })], ['D7|DS1']],
      ['same product', [entry()], [rx(), dispensing()], []],
      ['different ATC: not a substitution', [entry()], [rx(), dispensing({ product: ZOCOR })], []],
      [
        'product without FEST id',
        [entry()],
        [rx(), dispensing({ product: { atcCode: 'C09AA05', displayName: 'x' } })],
        [],
      ],
      ['annulled', [entry()], [rx(), dispensing({ product: RAMIPRIL_ACTAVIS, annulled: true })], []],
      [
        'the registry prescribed what was dispensed',
        [entry()],
        [rx({ medication: RAMIPRIL_ACTAVIS }), dispensing({ product: RAMIPRIL_ACTAVIS })],
        [],
      ],
      [
        'compared with the entry when the registry has no copy',
        [entry()],
        [dispensing({ product: RAMIPRIL_ACTAVIS })],
        ['D7|DS1'],
      ],
      // Levels (issue 16; every pair in substitution.spec.ts)
      [
        'substance-level prescription, any brand of it',
        [entry({ medication: RAMIPRIL_SUBSTANCE })],
        [rx({ medication: RAMIPRIL_SUBSTANCE }), dispensing({ product: RAMIPRIL_ACTAVIS })],
        [],
      ],
      [
        'brand prescription, another package of the same brand',
        [entry()],
        [rx(), dispensing({ product: { ...TRIATEC, festPackageId: PACKAGE_ID } })],
        [],
      ],
      [
        'brand prescription, the dispensing names a package only',
        [entry()],
        [rx(), dispensing({ product: { festPackageId: PACKAGE_ID, atcCode: 'C09AA05', displayName: 'x' } })],
        [],
      ],
    ])('%s', check);

    it('counts the pairs it could not compare', () => {
      const list = { patientId: PATIENT, entries: [entry()] };
      const packageOnly = dispensing({ product: { festPackageId: PACKAGE_ID, atcCode: 'C09AA05', displayName: 'x' } });
      expect(reconcileCounted(list, [rx(), packageOnly], NOW).notComparable).toBe(1);
      expect(reconcileCounted(list, [rx(), dispensing({ product: RAMIPRIL_ACTAVIS })], NOW).notComparable).toBe(0);
    });

    it('is informational', () => {
      expect(run([entry()], [rx(), dispensing({ product: RAMIPRIL_ACTAVIS })])[0]).toMatchObject({
        severity: 'info',
        evidence: { prescribedFestId: TRIATEC.festId, dispensedFestId: RAMIPRIL_ACTAVIS.festId, atcCode: 'C09AA05' },
      });
    });
  });

  describe('D8 on the list but unknown to, or ended in, the registry', () => {
    const zocor = entry({
      entryId: 'E2',
      medication: ZOCOR,
      prescriptions: [{ prescriptionId: 'RX2', status: 'active', expiresOn: '2026-12-31' }],
    });
    const zocorRx = rx({ prescriptionId: 'RX2', medication: ZOCOR });
    it.each<Case>([
      ['absent, the feed covers the patient', [entry(), zocor], [zocorRx], ['D8|E1|RX1']],
      ['recalled in the registry (T)', [entry()], [rx({ status: 'T' })], ['D8|E1|RX1']],
      ['ended in the registry (R)', [entry()], [rx({ status: 'R' })], ['D8|E1|RX1']],
      ['absent, but no registry record for the patient: not covered', [entry()], [dispensing()], []],
      ['absent, coverage stated explicitly', [entry()], [], ['D8|E1|RX1'], { coversPatient: true }],
      ['coverage denied explicitly', [entry()], [rx({ status: 'T' })], [], { coversPatient: false }],
      ['only another patient’s records', [entry()], [rx({ patientId: OTHER_PATIENT })], []],
      [
        'absent and already expired: the registry deletes those (D5 only)',
        [entry({ prescriptions: [{ prescriptionId: 'RX1', status: 'active', expiresOn: '2026-02-01' }] }), zocor],
        [zocorRx],
        ['D5|E1|RX1'],
      ],
      ['discontinued entry', [discontinued(), zocor], [zocorRx], []],
      [
        'recalled on the list too',
        [entry({ prescriptions: [{ prescriptionId: 'RX1', status: 'recalled', expiresOn: '2026-12-31' }] })],
        [rx({ status: 'T' })],
        [],
      ],
    ])('%s', check);

    it('says absent or the registry status', () => {
      expect(run([entry(), zocor], [zocorRx])[0]?.evidence.feedStatus).toBe('absent');
      expect(run([entry()], [rx({ status: 'R' })])[0]?.evidence.feedStatus).toBe('R');
    });
  });

  describe('determinism and purity', () => {
    const entries = [
      entry(),
      discontinued({
        entryId: 'E2',
        prescriptions: [{ prescriptionId: 'RX2', status: 'recalled', expiresOn: '2026-12-31' }],
      }),
      entry({
        entryId: 'E3',
        medication: RAMIPRIL_ACTAVIS,
        prescriptions: [{ prescriptionId: 'RX3', status: 'active', expiresOn: '2026-03-10' }],
      }),
    ];
    const records: ExternalRecord[] = [
      rx({ dosage: dosage(2) }),
      rx({ prescriptionId: 'RX2' }),
      rx({ prescriptionId: 'RX9', medication: ZOCOR }),
      dispensing({ product: RAMIPRIL_ACTAVIS }),
      dispensing({ dispensingId: 'DS2', prescriptionId: 'RX2', dispensedAt: '2026-02-20' }),
    ];

    it('covers several codes at once, sorted by key', () => {
      expect(keys(entries, records)).toEqual([
        'D1|RX9',
        'D2|E2|RX2',
        'D3|DS2',
        'D4|E1|RX1',
        'D5|E3|RX3',
        'D6|C09AA05|E1,E3',
        'D7|DS1',
        'D8|E3|RX3',
      ]);
    });

    it('a repeated feed gives identical discrepancies (so it raises nothing new)', () => {
      expect(run(entries, [...records, ...records])).toEqual(run(entries, records));
      expect(run(entries, records)).toEqual(run(entries, records));
    });

    it('never mutates its inputs', () => {
      const deepFreeze = <T>(value: T): T => {
        if (typeof value === 'object' && value !== null) {
          Object.values(value).forEach(deepFreeze);
          Object.freeze(value);
        }
        return value;
      };
      const list = deepFreeze({ patientId: PATIENT, entries });
      const frozen = deepFreeze([...records]);
      const before = JSON.stringify([list, frozen]);
      expect(() => reconcile(list, frozen, NOW)).not.toThrow();
      expect(JSON.stringify([list, frozen])).toBe(before);
    });

    it('keeps the patient id out of every discrepancy', () => {
      expect(JSON.stringify(run(entries, records))).not.toContain(PATIENT);
    });

    it('refuses a `now` that is not an ISO date-time with offset', () => {
      let caught: unknown;
      try {
        reconcile({ patientId: PATIENT, entries }, records, '2026-03-01');
      } catch (error) {
        caught = error;
      }
      expect(isDomainError(caught)).toBe(true);
    });
  });
});
