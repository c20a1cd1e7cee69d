import fc from 'fast-check';
import { DomainError } from '../shared/errors/domain-error';
import { InvalidIdentifierError } from './identifier.errors';
import { arbAnyPatientId, arbOrganisationNumber, arbPatientId } from './identifier.arbitraries';
import {
  OID,
  assertHerId,
  assertHprNumber,
  assertOrganisationNumber,
  isValidDNumber,
  isValidFellesHjelpenummer,
  isValidFodselsnummer,
  isValidHNumber,
  isValidHerId,
  isValidHprNumber,
  isValidOrganisationNumber,
  isValidPatientId,
  isValidSyntheticNumber,
  parsePatientId,
  type PatientIdKind,
} from './norwegian-identifiers';

// An independent reference written straight from domain.md (explicit sums, `s + K ≡ 0 (mod 11)` instead of
// `11 − s mod 11`, and JavaScript's Date instead of a month-length table), so the properties compare two
// implementations rather than the code with itself.
const referenceChecksumOk = (v: string): boolean => {
  const d = (i: number): number => Number(v.charAt(i)); // every caller passes 11 digits
  const s1 = 3 * d(0) + 7 * d(1) + 6 * d(2) + 1 * d(3) + 8 * d(4) + 9 * d(5) + 4 * d(6) + 5 * d(7) + 2 * d(8);
  const s2 = 5 * d(0) + 4 * d(1) + 3 * d(2) + 2 * d(3) + 7 * d(4) + 6 * d(5) + 5 * d(6) + 4 * d(7) + 3 * d(8);
  return [0, 1, 2, 3].includes((s1 + d(9)) % 11) && (s2 + 2 * d(9) + d(10)) % 11 === 0;
};

const referenceKind = (v: string): PatientIdKind | null => {
  if (!/^[0-9]{11}$/.test(v) || !referenceChecksumOk(v)) {
    return null;
  }
  if (v.startsWith('8') || v.startsWith('9')) {
    return 'fhn';
  }
  let day = Number(v.slice(0, 2));
  let month = Number(v.slice(2, 4));
  const isD = day > 40;
  day = isD ? day - 40 : day;
  let kind: PatientIdKind = isD ? 'dnr' : 'fnr';
  if (month >= 81 && month <= 92) {
    [kind, month] = ['synthetic', month - 80];
  } else if (month >= 66 && month <= 77) {
    [kind, month] = ['synthetic', month - 65];
  } else if (month >= 41 && month <= 52) {
    if (isD) {
      return null;
    }
    [kind, month] = ['hnr', month - 40];
  }
  const existsIn = (year: number): boolean => {
    const date = new Date(Date.UTC(year, month - 1, day));
    return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  };
  const yy = Number(v.slice(4, 6));
  return existsIn(1900 + yy) || existsIn(2000 + yy) ? kind : null;
};

const validatorFor: Record<PatientIdKind, (value: string) => boolean> = {
  fnr: isValidFodselsnummer,
  dnr: isValidDNumber,
  hnr: isValidHNumber,
  synthetic: isValidSyntheticNumber,
  fhn: isValidFellesHjelpenummer,
};
const KINDS = Object.keys(validatorFor) as PatientIdKind[];

/** Every number that differs from `value` in exactly one digit. */
const singleDigitChanges = (value: string): string[] =>
  Array.from(value).flatMap((original, i) =>
    '0123456789'
      .split('')
      .filter((digit) => digit !== original)
      .map((digit) => value.slice(0, i) + digit + value.slice(i + 1)),
  );

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('patient ids', () => {
  // s1 = 3d1+7d2+6d3+1d4+8d5+9d6+4d7+5d8+2d9, s2 = 5d1+4d2+3d3+2d4+7d5+6d6+5d7+4d8+3d9+2K1 (domain.md).
  it.each<[string, PatientIdKind, string, string]>([
    // domain.md example: s1 = 241 ≡ 10 → K1 1; s2 = 215 ≡ 6 → K2 5
    ['31129956715', 'fnr', OID.fnr, 'domain.md example'],
    // 29.02.00 exists (2000): s1 = 121 ≡ 0 → K1 0 (11 → 0); s2 = 99 ≡ 0 → K2 0
    ['29020056000', 'fnr', OID.fnr, 'leap day, both check digits 11 → 0'],
    // 2032 scheme: K1 2 gives s1 + K1 = 243 ≡ 1; s2 = 215 − 2 + 4 = 217 ≡ 8 → K2 3
    ['31129956723', 'fnr', OID.fnr, '2032 scheme, remainder 1'],
    // 2032 scheme: K1 3 gives 244 ≡ 2; s2 = 219 ≡ 10 → K2 1
    ['31129956731', 'fnr', OID.fnr, '2032 scheme, remainder 2'],
    // 29.02.96: s1 = 6+63+0+2+72+54+20+30+2 = 249 ≡ 7 → K1 4; s2 = 10+36+0+4+63+36+25+24+3+8 = 209 ≡ 0 → K2 0
    ['29029656140', 'fnr', OID.fnr, 'leap day in 1996'],
    // day 31 + 40: s1 = 21+7+6+2+72+81+20+30+14 = 253 ≡ 0 → K1 0; s2 = 35+4+3+4+63+54+25+24+21+0 = 233 ≡ 2 → K2 9
    ['71129956709', 'dnr', OID.dnr, 'D-number'],
    // month 12 + 40, individual 560: s1 = 9+7+30+2+72+81+20+30+0 = 251 ≡ 9 → K1 2; s2 = 208 ≡ 10 → K2 1
    ['31529956021', 'hnr', OID.fnr, 'H-number'],
    // 315299567: s1 = 265 ≡ 1, so K1 would be 10 before 2032; K1 0 gives remainder 1; s2 = 225 ≡ 5 → K2 6
    ['31529956706', 'hnr', OID.fnr, 'H-number, 2032 scheme where the old K1 is 10'],
    // month 12 + 80: s1 = 9+7+54+2+72+81+20+30+14 = 289 ≡ 3 → K1 8; s2 = 15+4+27+4+63+54+25+24+21+16 = 253 ≡ 0 → K2 0
    ['31929956780', 'synthetic', OID.fnr, 'Test Norge synthetic (+80)'],
    // month 12 + 65: s1 = 9+7+42+7+72+81+20+30+14 = 282 ≡ 7 → K1 4; s2 = 15+4+21+14+63+54+25+24+21+8 = 249 ≡ 7 → K2 4
    ['31779956744', 'synthetic', OID.fnr, 'Norsk helsenett synthetic (+65)'],
    // day + 40, month + 80, individual 561: s1 = 21+7+54+2+72+81+20+30+2 = 289 ≡ 3 → K1 8; s2 = 255 ≡ 2 → K2 9
    ['71929956189', 'synthetic', OID.dnr, 'synthetic D-number'],
    // s1 = 24+7+12+3+32+45+24+35+16 = 198 ≡ 0 → K1 0; s2 = 40+4+6+6+28+30+30+28+24+0 = 196 ≡ 9 → K2 2
    ['81234567802', 'fhn', OID.fhn, 'felles hjelpenummer'],
  ])('%s is a valid %s (%s, %s)', (value, kind, system) => {
    expect(referenceKind(value)).toBe(kind);
    expect(parsePatientId(` ${value} `)).toEqual({ kind, value, system });
    expect(isValidPatientId(value)).toBe(true);
    for (const other of KINDS) {
      expect(validatorFor[other](value)).toBe(other === kind);
    }
  });

  const withEveryLastDigit = (ten: string): string[] => Array.from('0123456789', (k) => ten + k);
  it.each<[string, string]>([
    ['31129956716', 'check digits do not match'], // K2 changed
    ['31129956725', 'check digits do not match'], // 2032-scheme K1 (2) with the old K2 (5); K2 must be 3
    ...withEveryLastDigit('3112995674').map((v): [string, string] => [v, 'check digits do not match']), // K2 = 10
    ...withEveryLastDigit('3112995675').map((v): [string, string] => [v, 'check digits do not match']), // 246 ≡ 4
    // 311299561: s1 = 229 ≡ 9 → K1 2; s2 = 199 ≡ 1 → K2 would be 10: no such number
    ...withEveryLastDigit('3112995612').map((v): [string, string] => [v, 'check digits do not match']),
    ['', 'must be exactly 11 digits'],
    ['3112995671', 'must be exactly 11 digits'],
    ['311299567150', 'must be exactly 11 digits'],
    ['3112995671a', 'must be exactly 11 digits'],
    ['311299-56715', 'must be exactly 11 digits'],
  ])('%s is rejected: %s', (value, reason) => {
    expect(isValidPatientId(value)).toBe(false);
    expect(() => parsePatientId(value)).toThrow(reason);
  });

  // Check digits correct (asserted below with the reference), the date is what is wrong.
  it.each<[string, string]>([
    ['31029956181', '31.02'],
    ['30029956061', '30.02'],
    ['29020156021', '29.02.01: neither 1901 nor 2001 is a leap year'],
    ['29020256042', '29.02.02: an even year that is not a leap year'],
    ['31049956080', '31.04'],
    ['00129956097', 'day 00'],
    ['32129956088', 'day 32'],
    ['72129956071', 'D-number day 32 + 40'],
    ['31009956010', 'month 00'],
    ['31139956039', 'month 13'],
    ['31539956011', 'H-number month 13 + 40'],
    ['31659956120', 'synthetic month 00 + 65'],
    ['31789956068', 'synthetic month 13 + 65'],
    ['31939956185', 'synthetic month 13 + 80'],
    ['71529956015', 'D-number and H-number offsets together'],
  ])('%s has valid check digits but is rejected (%s)', (value) => {
    expect(referenceChecksumOk(value)).toBe(true);
    expect(isValidPatientId(value)).toBe(false);
    expect(() => parsePatientId(value)).toThrow(InvalidIdentifierError);
  });

  it.each(KINDS)('every generated %s passes its own validator and no other', (kind) => {
    fc.assert(
      fc.property(arbPatientId(kind), (value) => {
        expect(referenceKind(value)).toBe(kind);
        expect(parsePatientId(value).kind).toBe(kind);
        for (const other of KINDS) {
          expect(validatorFor[other](value)).toBe(other === kind);
        }
      }),
    );
  });

  it('rejects every single-digit change of a valid number (a weight-2..7 change can never be ≡ 0 mod 11)', () => {
    fc.assert(
      fc.property(arbAnyPatientId(), (value) => {
        // Collected and asserted once: jest's expect is too slow to call 99 times per run.
        const accepted = singleDigitChanges(value).filter((m) => isValidPatientId(m) || referenceKind(m) !== null);
        expect(accepted).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('agrees with the reference on every check-digit pair of arbitrary prefixes', () => {
    // Biased towards month ends, leap days and offset boundaries, where date rules break; uniform otherwise.
    const twoDigits = (edges: number[]): fc.Arbitrary<number> =>
      fc.oneof(fc.integer({ min: 0, max: 99 }), fc.constantFrom(...edges));
    const dayEdges = [0, 1, 28, 29, 30, 31, 32, 40, 41, 68, 69, 70, 71, 72, 80];
    const monthEdges = [0, 1, 2, 4, 12, 13, 40, 41, 42, 52, 53, 65, 66, 67, 77, 78, 80, 81, 82, 92, 93];
    const prefix = fc
      .tuple(twoDigits(dayEdges), twoDigits(monthEdges), fc.integer({ min: 0, max: 99999 }))
      .map(
        ([dd, mm, rest]) => String(dd).padStart(2, '0') + String(mm).padStart(2, '0') + String(rest).padStart(5, '0'),
      );
    fc.assert(
      fc.property(prefix, (nine) => {
        const disagreements = Array.from({ length: 100 }, (_, k) => nine + String(k).padStart(2, '0')).filter(
          (value) => {
            const kind = referenceKind(value);
            return (
              isValidPatientId(value) !== (kind !== null) ||
              KINDS.some((other) => validatorFor[other](value) !== (other === kind))
            );
          },
        );
        expect(disagreements).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('never puts the rejected value into the error message or details', () => {
    const invalid = fc.oneof(
      arbAnyPatientId().chain((value) => fc.constantFrom(...singleDigitChanges(value))),
      fc.stringMatching(/^[0-9]{3,15}$/).filter((value) => referenceKind(value) === null),
    );
    fc.assert(
      fc.property(invalid, (value) => {
        const error = thrown(() => parsePatientId(value, 'subject.patientId'));
        expect(error).toBeInstanceOf(InvalidIdentifierError);
        expect(error).toBeInstanceOf(DomainError);
        const { message, details, code, kind } = error as InvalidIdentifierError;
        expect({ code, kind }).toEqual({ code: 'INVALID_IDENTIFIER', kind: 'invalid' });
        expect(message).toContain('subject.patientId');
        expect(message).not.toContain(value);
        expect(JSON.stringify(details)).not.toContain(value);
      }),
    );
  });
});

describe('organisation numbers, HPR numbers and HER-ids', () => {
  it.each<[string, boolean]>([
    ['123456785', true], // domain.md: 3+4+21+24+25+24+21+16 = 138 ≡ 6 → 5
    ['987654325', true], // 27+16+49+36+25+16+9+4 = 182 ≡ 6 → 5
    ['123456300', true], // 3+4+21+24+25+24+9+0 = 110 ≡ 0 → 11 → 0
    ['123456784', false],
    ['12345678', false],
    ['1234567850', false],
    ['12345678a', false],
    ['', false],
    // 3+4+21+24+25+24+0+10 = 111 ≡ 1 → check digit 10: no such number
    ...Array.from('0123456789', (k): [string, boolean] => [`12345605${k}`, false]),
  ])('isValidOrganisationNumber(%p) is %p', (value, valid) => {
    expect(isValidOrganisationNumber(value)).toBe(valid);
    if (valid) {
      expect(assertOrganisationNumber(` ${value}`, 'organisationNumber')).toBe(value);
    } else {
      expect(() => assertOrganisationNumber(value, 'organisationNumber')).toThrow(/^organisationNumber /);
    }
  });

  it('accepts every generated organisation number and rejects each of its single-digit changes', () => {
    fc.assert(
      fc.property(arbOrganisationNumber(), (value) => {
        expect(isValidOrganisationNumber(value)).toBe(true);
        expect(singleDigitChanges(value).filter(isValidOrganisationNumber)).toEqual([]);
      }),
    );
  });

  it.each<[string, boolean]>([
    ['1', true],
    ['9144889', true],
    ['123456789', true],
    ['1234567890', false],
    ['', false],
    ['12a', false],
    ['-12', false],
    ['1 2', false],
  ])('HPR number and HER-id %p valid: %p', (value, valid) => {
    expect(isValidHprNumber(value)).toBe(valid);
    expect(isValidHerId(value)).toBe(valid);
    if (!valid) {
      expect(() => assertHprNumber(value, 'hprNumber')).toThrow(/^hprNumber /);
      expect(() => assertHerId(value, 'herId')).toThrow(/^herId /);
    } else {
      expect(assertHprNumber(value, 'hprNumber')).toBe(value);
      expect(assertHerId(value, 'herId')).toBe(value);
    }
  });
});
