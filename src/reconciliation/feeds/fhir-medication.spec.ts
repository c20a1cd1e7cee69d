import type { Medication } from '../../medication-list/domain/medication-list.events';
import { FEST_NAMING_SYSTEMS } from './fest-naming-systems';
import { parseFhirLine } from './fhir-ndjson.feed';

// Given a MedicationDispense whose drug is coded in one of the published naming systems (or an unknown one), when
// parsed, then each coding lands at its level, and an unknown one is kept as it came.
const BRAND = 'ID_7D1E2F3A-4B5C-4D6E-8F70-8192A3B4C5D6';
const PACKAGE = 'ID_A1A1A1A1-0000-4000-8000-000000000001';
const CODE_FOR: Record<string, string> = { packageNumber: '123456', lmrNumber: '1234567' };

const dispensing = (coding: readonly object[]): string =>
  JSON.stringify({
    resourceType: 'MedicationDispense',
    identifier: [{ type: { text: 'UtleveringId' }, value: 'd-1' }],
    status: 'completed',
    medicationCodeableConcept: { coding, text: 'Ramipril Actavis Tab 5 mg' },
    subject: { identifier: { system: 'urn:oid:2.16.578.1.12.4.1.4.1', value: '17858512387' } },
    authorizingPrescription: [{ identifier: { value: 'rx-1' } }],
    quantity: { value: 100, unit: 'stk' },
    whenHandedOver: '2026-01-12T13:05:00+01:00',
  });

const productOf = (line: string): Medication => {
  const outcome = parseFhirLine(line, 1, 'core-record');
  if (!('record' in outcome) || outcome.record.kind !== 'dispensing') {
    throw new Error(`not a dispensing: ${JSON.stringify(outcome)}`);
  }
  return outcome.record.product;
};

describe('medication codings by level', () => {
  it.each(FEST_NAMING_SYSTEMS.map((s) => [s.system, s.field] as const))('%s → %s', (system, field) => {
    const code = CODE_FOR[field] ?? BRAND;
    expect(productOf(dispensing([{ system, code }]))[field]).toBe(code);
  });

  it('reads a brand and its package from one coding list (not "invalid medication")', () => {
    const product = productOf(
      dispensing([
        { system: 'http://hl7.no/fhir/NamingSystem/festLegemiddelmerkevare', code: BRAND },
        { system: 'http://dmp.no/fhir/NamingSystem/festLegemiddelPakning', code: PACKAGE },
        { system: 'http://dmp.no/fhir/NamingSystem/fest-varenummer', code: '123456' },
        { system: 'http://www.whocc.no/atc', code: 'C09AA05' },
      ]),
    );
    expect(product).toEqual({
      festId: BRAND,
      festPackageId: PACKAGE,
      packageNumber: '123456',
      atcCode: 'C09AA05',
      displayName: 'Ramipril Actavis Tab 5 mg',
    });
  });

  it('keeps a coding in an unknown system as it came, also one that differs from a known system only in case', () => {
    const unknown = { system: 'http://HL7.no/fhir/NamingSystem/festLegemiddelmerkevare', code: BRAND, display: 'R' };
    const product = productOf(dispensing([unknown, { system: 'http://www.whocc.no/atc', code: 'C09AA05' }]));
    expect(product.festId).toBeUndefined();
    expect(product.otherCodings).toEqual([unknown]);
  });

  it('refuses two different brands in one coding list, whichever systems name them', () => {
    const line = dispensing([
      { system: 'http://hl7.no/fhir/NamingSystem/festLegemiddelmerkevare', code: BRAND },
      { system: 'http://dmp.no/fhir/NamingSystem/festLegemiddelMerkevare', code: PACKAGE },
    ]);
    expect(parseFhirLine(line, 1, 'core-record')).toMatchObject({ rejected: 'invalid medication' });
  });

  it('refuses a varenummer that is not six digits', () => {
    const line = dispensing([{ system: 'http://dmp.no/fhir/NamingSystem/fest-varenummer', code: 'ID_1' }]);
    expect(parseFhirLine(line, 1, 'core-record')).toMatchObject({ rejected: 'invalid medication' });
  });
});
