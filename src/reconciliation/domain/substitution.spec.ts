import type { Medication } from '../../medication-list/domain/medication-list.events';
import { compareDispensed } from './substitution';

// Given a prescription at one level and a dispensing at another, when compared, then the D7 verdict per level pair.
const BRAND_A = 'ID_0A6B1C5E-8F0D-4A2B-9C3D-1E2F3A4B5C6D';
const BRAND_B = 'ID_7D1E2F3A-4B5C-4D6E-8F70-8192A3B4C5D6';
const SUBSTANCE = 'ID_11111111-2222-4333-8444-555555555555';
const PACKAGE_A1 = 'ID_A1A1A1A1-0000-4000-8000-000000000001';
const PACKAGE_A2 = 'ID_A2A2A2A2-0000-4000-8000-000000000002';
const DOSE_A = 'ID_D0D0D0D0-0000-4000-8000-000000000001';
const atc = 'C09AA05';
const drug = (ids: Partial<Medication>): Medication => ({ displayName: 'Ramipril 5 mg', atcCode: atc, ...ids });

describe('compareDispensed (D7 at the right level)', () => {
  it.each<[string, Medication, Medication, string]>([
    [
      'substance rx, any brand of it',
      drug({ festSubstanceId: SUBSTANCE }),
      drug({ festId: BRAND_B, festPackageId: PACKAGE_A1 }),
      'no-substitution',
    ],
    [
      'substance rx, dispensing without ATC but the same substance id',
      drug({ festSubstanceId: SUBSTANCE }),
      { displayName: 'x', festSubstanceId: SUBSTANCE },
      'no-substitution',
    ],
    [
      'substance rx, dispensing without ATC nor substance',
      drug({ festSubstanceId: SUBSTANCE }),
      { displayName: 'x', festId: BRAND_B },
      'not-comparable',
    ],
    ['brand rx, another brand same ATC', drug({ festId: BRAND_A }), drug({ festId: BRAND_B }), 'substitution'],
    [
      'brand rx, the same brand',
      drug({ festId: BRAND_A }),
      drug({ festId: BRAND_A, festPackageId: PACKAGE_A2 }),
      'no-substitution',
    ],
    [
      'brand rx, another ATC code',
      drug({ festId: BRAND_A }),
      { ...drug({ festId: BRAND_B }), atcCode: 'C09AA02' },
      'no-substitution',
    ],
    [
      'brand rx, dispensing names only a package',
      drug({ festId: BRAND_A }),
      drug({ festPackageId: PACKAGE_A1 }),
      'not-comparable',
    ],
    [
      'brand rx, dispensing names only a dose',
      drug({ festId: BRAND_A }),
      drug({ festDoseId: DOSE_A }),
      'not-comparable',
    ],
    [
      'brand rx, dispensing without ATC',
      drug({ festId: BRAND_A }),
      { displayName: 'x', festId: BRAND_B },
      'not-comparable',
    ],
    [
      'brand+package rx, another package of the same brand',
      drug({ festId: BRAND_A, festPackageId: PACKAGE_A1 }),
      drug({ festId: BRAND_A, festPackageId: PACKAGE_A2 }),
      'no-substitution',
    ],
    [
      'brand+package rx, another brand',
      drug({ festId: BRAND_A, festPackageId: PACKAGE_A1 }),
      drug({ festId: BRAND_B, packageNumber: '123456' }),
      'substitution',
    ],
    [
      'brand+package rx, the same package without brand',
      drug({ festId: BRAND_A, festPackageId: PACKAGE_A1 }),
      drug({ festPackageId: PACKAGE_A1 }),
      'no-substitution',
    ],
    [
      'package rx, the same package',
      drug({ festPackageId: PACKAGE_A1 }),
      drug({ festId: BRAND_A, festPackageId: PACKAGE_A1 }),
      'no-substitution',
    ],
    [
      'package rx, another package (brand unknown)',
      drug({ festPackageId: PACKAGE_A1 }),
      drug({ festId: BRAND_B, festPackageId: PACKAGE_A2 }),
      'not-comparable',
    ],
    [
      'varenummer rx, the same varenummer',
      drug({ packageNumber: '123456' }),
      drug({ festId: BRAND_A, packageNumber: '123456' }),
      'no-substitution',
    ],
    ['dose rx, the same dose', drug({ festDoseId: DOSE_A }), drug({ festDoseId: DOSE_A }), 'no-substitution'],
    [
      'LMR løpenummer rx, another one',
      drug({ lmrNumber: '1234567' }),
      drug({ lmrNumber: '7654321' }),
      'not-comparable',
    ],
    ['ATC-only rx', drug({}), drug({ festId: BRAND_B }), 'not-comparable'],
    [
      'unknown-system codings never decide',
      drug({ otherCodings: [{ system: 'urn:x', code: 'a' }] }),
      drug({ otherCodings: [{ system: 'urn:x', code: 'b' }] }),
      'not-comparable',
    ],
  ])('%s', (_name, prescribed, dispensed, expected) => {
    expect(compareDispensed(prescribed, dispensed).kind).toBe(expected);
  });

  it('names both brands on a substitution', () => {
    expect(compareDispensed(drug({ festId: BRAND_A }), drug({ festId: BRAND_B }))).toEqual({
      kind: 'substitution',
      prescribed: BRAND_A,
      dispensed: BRAND_B,
    });
  });
});
