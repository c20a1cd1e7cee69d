import { InvalidIdentifierError } from './identifier.errors';

/**
 * Norwegian identifiers (domain.md, "Identifiers"): patient ids with two mod-11 check digits (fødselsnummer,
 * D-, H-, synthetic and felles hjelpenummer), organisasjonsnummer, HPR number and HER-id. Pure functions only.
 */

/** Identifier systems (OID URNs) used in FHIR `Identifier.system`, as listed in domain.md. */
export const OID = {
  fnr: 'urn:oid:2.16.578.1.12.4.1.4.1',
  dnr: 'urn:oid:2.16.578.1.12.4.1.4.2',
  fhn: 'urn:oid:2.16.578.1.12.4.1.4.3',
  hprNumber: 'urn:oid:2.16.578.1.12.4.1.4.4',
  organisationNumber: 'urn:oid:2.16.578.1.12.4.1.4.101',
  herId: 'urn:oid:2.16.578.1.12.4.1.2',
} as const;

/** The kinds of 11-digit patient id: fødselsnummer, D-, H-, synthetic test number, felles hjelpenummer. */
export type PatientIdKind = 'fnr' | 'dnr' | 'hnr' | 'synthetic' | 'fhn';

/** A validated, trimmed patient id with its kind and identifier system. */
export interface ParsedPatientId {
  readonly kind: PatientIdKind;
  readonly value: string;
  readonly system: string;
}

/** A calendar date (birth date before any D-/H-/synthetic offset is added). */
export interface CalendarDate {
  readonly day: number;
  readonly month: number;
  readonly year: number;
}

// Check-digit weights from domain.md: K1 over d1..d9, K2 over d1..d9 and K1.
const K1_WEIGHTS = [3, 7, 6, 1, 8, 9, 4, 5, 2] as const;
const K2_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;
const ORGANISATION_WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2] as const;

// ASCII digits only: `\d` is ASCII in JS regexps, but say so explicitly.
const ELEVEN_DIGITS = /^[0-9]{11}$/;
const NINE_DIGITS = /^[0-9]{9}$/;
const ONE_TO_NINE_DIGITS = /^[0-9]{1,9}$/;

const digitsOf = (value: string): number[] => Array.from(value, Number);

const weightedSum = (digits: readonly number[], weights: readonly number[]): number =>
  weights.reduce((sum, weight, i) => sum + weight * (digits[i] ?? 0), 0);

/** Mod-11 check digit: 11 − sum mod 11, where 11 becomes 0 and 10 has no digit (the number cannot exist). */
const mod11CheckDigit = (sum: number): number | undefined => {
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? undefined : check;
};

/**
 * Both check digits of an 11-digit patient id. K1: before 2032 (3d1+…+2d9+K1) mod 11 must be 0; numbers issued
 * from 2032 may have 0, 1, 2 or 3 (Skatteetaten's new scheme), and both must be accepted. K2 is unchanged.
 */
const hasValidCheckDigits = (digits: readonly number[]): boolean => {
  const k1Remainder = (weightedSum(digits, K1_WEIGHTS) + (digits[9] ?? 0)) % 11;
  return k1Remainder <= 3 && mod11CheckDigit(weightedSum(digits, K2_WEIGHTS)) === digits[10];
};

// Feb 29 is accepted when the two-digit year can be a leap year in 1900–2099: the century comes from the
// individual number, which we do not check, and 00 is a leap year as 2000.
const daysInMonth = (month: number, twoDigitYear: number): number =>
  [31, twoDigitYear % 4 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;

// Month offsets: 40 H-number (NAV's synthetic +40 collides with it and is read as H), 65 Norsk helsenett synthetic,
// 80 Skatteetaten Test Norge synthetic. Day offset: 40 D-number (synthetic D-numbers combine it with 65/80).
const MONTH_OFFSETS = [0, 40, 65, 80] as const;
type MonthOffset = (typeof MONTH_OFFSETS)[number];

type Classification = { readonly kind: PatientIdKind } | { readonly reason: string };

const classify = (value: string): Classification => {
  if (!ELEVEN_DIGITS.test(value)) {
    return { reason: 'must be exactly 11 digits' };
  }
  const digits = digitsOf(value);
  if (!hasValidCheckDigits(digits)) {
    return { reason: 'check digits do not match' };
  }
  // Felles hjelpenummer start with 8 or 9 (no date is encoded); D-number days are 41–71, so never 8x/9x.
  if (value[0] === '8' || value[0] === '9') {
    return { kind: 'fhn' };
  }
  const rawDay = Number(value.slice(0, 2));
  const rawMonth = Number(value.slice(2, 4));
  const twoDigitYear = Number(value.slice(4, 6));
  const dayOffset = rawDay > 40 ? 40 : 0;
  const monthOffset = MONTH_OFFSETS.find((offset) => rawMonth > offset && rawMonth <= offset + 12);
  if (monthOffset === undefined) {
    return { reason: 'month is out of range' };
  }
  const day = rawDay - dayOffset;
  if (day < 1 || day > daysInMonth(rawMonth - monthOffset, twoDigitYear)) {
    return { reason: 'date is not a valid calendar date' };
  }
  return kindFromOffsets(dayOffset, monthOffset);
};

const kindFromOffsets = (dayOffset: number, monthOffset: MonthOffset): Classification => {
  if (monthOffset === 65 || monthOffset === 80) {
    return { kind: 'synthetic' };
  }
  if (monthOffset === 40) {
    return dayOffset === 0 ? { kind: 'hnr' } : { reason: 'combines D-number and H-number offsets' };
  }
  return { kind: dayOffset === 0 ? 'fnr' : 'dnr' };
};

const isKind =
  (kind: PatientIdKind) =>
  (value: string): boolean => {
    const result = classify(value);
    return 'kind' in result && result.kind === kind;
  };

/** True for a fødselsnummer: valid date (no offsets) and both check digits. */
export const isValidFodselsnummer = isKind('fnr');
/** True for a D-number: day + 40, valid date and check digits. */
export const isValidDNumber = isKind('dnr');
/** True for an H-number (and NAV's synthetic +40): month + 40, valid date and check digits. */
export const isValidHNumber = isKind('hnr');
/** True for a synthetic test number: month + 80 (Test Norge) or + 65 (Norsk helsenett), optionally day + 40. */
export const isValidSyntheticNumber = isKind('synthetic');
/** True for a felles hjelpenummer: first digit 8 or 9 and both check digits (no date). */
export const isValidFellesHjelpenummer = isKind('fhn');

/** Parses a patient id of any kind (trimmed); throws InvalidIdentifierError naming `field`, never the value. */
export const parsePatientId = (value: string, field = 'patientId'): ParsedPatientId => {
  const trimmed = value.trim();
  const result = classify(trimmed);
  if ('reason' in result) {
    throw new InvalidIdentifierError(field, result.reason);
  }
  return { kind: result.kind, value: trimmed, system: systemFor(result.kind, trimmed) };
};

// H-numbers and synthetic numbers have no OID of their own; they travel under the fnr OID, except synthetic
// D-numbers (day + 40), which are D-numbers in the test registers and use the dnr OID.
const systemFor = (kind: PatientIdKind, value: string): string => {
  switch (kind) {
    case 'fnr':
    case 'hnr':
      return OID.fnr;
    case 'dnr':
      return OID.dnr;
    case 'fhn':
      return OID.fhn;
    case 'synthetic':
      return Number(value.slice(0, 2)) > 40 ? OID.dnr : OID.fnr;
  }
};

/** True exactly when parsePatientId(value) succeeds (so surrounding whitespace is allowed). */
export const isValidPatientId = (value: string): boolean => !('reason' in classify(value.trim()));

/** True for a 9-digit organisasjonsnummer whose mod-11 check digit (weights 3,2,7,6,5,4,3,2) matches. */
export const isValidOrganisationNumber = (value: string): boolean =>
  NINE_DIGITS.test(value) && mod11CheckDigit(weightedSum(digitsOf(value), ORGANISATION_WEIGHTS)) === Number(value[8]);

/** True for an HPR number: 1–9 digits; there is no public check digit. */
export const isValidHprNumber = (value: string): boolean => ONE_TO_NINE_DIGITS.test(value);

/** True for a HER-id (communication party in the address register): 1–9 digits, no check digit. */
export const isValidHerId = (value: string): boolean => ONE_TO_NINE_DIGITS.test(value);

const assertWith =
  (isValid: (value: string) => boolean, reason: string) =>
  (value: string, field: string): string => {
    const trimmed = value.trim();
    if (!isValid(trimmed)) {
      throw new InvalidIdentifierError(field, reason);
    }
    return trimmed;
  };

/** Returns the trimmed organisation number or throws InvalidIdentifierError naming `field`. */
export const assertOrganisationNumber = assertWith(
  isValidOrganisationNumber,
  'must be 9 digits with a valid check digit',
);
/** Returns the trimmed HPR number or throws InvalidIdentifierError naming `field`. */
export const assertHprNumber = assertWith(isValidHprNumber, 'must be 1 to 9 digits');
/** Returns the trimmed HER-id or throws InvalidIdentifierError naming `field`. */
export const assertHerId = assertWith(isValidHerId, 'must be 1 to 9 digits');

// ---- Generators for tests and seed data (pure; no randomness here: callers choose the inputs) ----

/**
 * Appends K1 and K2 to nine digits. `k1Remainder` 0 is the rule before 2032; 1–3 give numbers of the 2032 scheme.
 * Undefined when K1 or K2 would be 10 (no such number exists; pick another individual number).
 */
export const withCheckDigits = (nineDigits: string, k1Remainder: 0 | 1 | 2 | 3 = 0): string | undefined => {
  const digits = digitsOf(nineDigits);
  const k1 = (((k1Remainder - weightedSum(digits, K1_WEIGHTS)) % 11) + 11) % 11;
  if (k1 === 10) {
    return undefined;
  }
  const k2 = mod11CheckDigit(weightedSum([...digits, k1], K2_WEIGHTS));
  return k2 === undefined ? undefined : `${nineDigits}${k1}${k2}`;
};

/** Options for generatePersonNumber: D-number day offset, H/synthetic month offset, 2032-scheme K1 remainder. */
export interface PersonNumberOptions {
  readonly dayOffset?: 0 | 40;
  readonly monthOffset?: MonthOffset;
  readonly k1Remainder?: 0 | 1 | 2 | 3;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * Builds an fnr/D-/H-/synthetic number from a birth date and individual number (000–999; the caller picks one
 * that fits the century). Undefined when a check digit would be 10.
 */
export const generatePersonNumber = (
  date: CalendarDate,
  individual: number,
  options: PersonNumberOptions = {},
): string | undefined => {
  const { dayOffset = 0, monthOffset = 0, k1Remainder = 0 } = options;
  const nine =
    pad(date.day + dayOffset, 2) + pad(date.month + monthOffset, 2) + pad(date.year % 100, 2) + pad(individual, 3);
  return withCheckDigits(nine, k1Remainder);
};

/** Builds a fødselsnummer (rule before 2032); undefined when a check digit would be 10. */
export const generateFodselsnummer = (date: CalendarDate, individual: number): string | undefined =>
  generatePersonNumber(date, individual);

/** Builds a felles hjelpenummer from a serial 0–199 999 999 (first digit 8 or 9); undefined on check digit 10. */
export const generateFellesHjelpenummer = (serial: number, k1Remainder: 0 | 1 | 2 | 3 = 0): string | undefined =>
  withCheckDigits(String(800_000_000 + serial), k1Remainder);

/** Builds an organisation number from eight digits (0–99 999 999); undefined when the check digit would be 10. */
export const generateOrganisationNumber = (serial: number): string | undefined => {
  const eight = pad(serial, 8);
  const check = mod11CheckDigit(weightedSum(digitsOf(eight), ORGANISATION_WEIGHTS));
  return check === undefined ? undefined : `${eight}${check}`;
};
