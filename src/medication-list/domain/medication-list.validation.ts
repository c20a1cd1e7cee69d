import { assertCleanText } from '../../shared/text/free-text';
import type { IsoDate, Medication, Quantity } from './medication-list.events';
import {
  InvalidDateError,
  InvalidIdError,
  InvalidMedicationError,
  InvalidQuantityError,
  TextRequiredError,
  TextTooLongError,
} from './medication-list.errors';

/**
 * Pure input checks shared by the medication-list deciders. No clock: dates are checked as calendar values and
 * compared as strings (`YYYY-MM-DD` sorts chronologically). Errors name the field, never the rejected value.
 */

/** Free-text limits: long enough for clinical notes, short enough to keep events and read models sane. */
export const MAX_NOTE = 1000;
export const MAX_INDICATION = 500;
export const MAX_DISPLAY_NAME = 200;
export const MAX_UNIT = 50;
export const MAX_CARE_UNIT = 200;
/** A room on a ward ("Rom 12", "2. etg. 214"): short free text. */
export const MAX_ROOM = 50;

/** The longest list id or command id. */
export const MAX_ID = 100;
/** Every list id and command id (stated in the schema by the input fields, medication-list.input-fields.ts). */
export const ID_PATTERN = new RegExp(`^[A-Za-z0-9._:-]{1,${MAX_ID}}$`);
const FEST_ID = /^ID_[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const ATC_LEVEL_5 = /^[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** List ids (entry, prescription, dispensing, question …) are opaque business keys, not personal data. */
export const assertId = (value: string, field: string): void => {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    throw new InvalidIdError(field);
  }
};

export const assertOptionalText = (value: string | undefined, field: string, max = MAX_NOTE): void => {
  if (value === undefined) {
    return;
  }
  if (value.length > max) {
    throw new TextTooLongError(field, max);
  }
  // The edges' text rule (free-text.ts) once more, for commands that come by other paths (CLI, seed, resolutions).
  assertCleanText(value, field);
};

export const assertRequiredText = (value: string, field: string, max = MAX_NOTE): void => {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TextRequiredError(field);
  }
  assertOptionalText(value, field, max);
};

const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/** True for a real calendar date written `YYYY-MM-DD` (so 2026-02-29 is false). */
export const isIsoDate = (value: unknown): value is IsoDate => {
  if (typeof value !== 'string') {
    return false;
  }
  const match = DATE.exec(value);
  if (!match) {
    return false;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
};

/** True for an ISO 8601 date-time with an explicit offset (`Z` or `±HH:MM`) on a real calendar date. */
export const isIsoDateTime = (value: unknown): value is string => {
  if (typeof value !== 'string') {
    return false;
  }
  const match = DATE_TIME.exec(value);
  return match !== null && isIsoDate(match[1]);
};

export const assertIsoDate = (value: string, field: string): void => {
  if (!isIsoDate(value)) {
    throw new InvalidDateError(field, 'must be a calendar date YYYY-MM-DD');
  }
};

export const assertIsoDateTime = (value: string, field: string): void => {
  if (!isIsoDateTime(value)) {
    throw new InvalidDateError(field, 'must be an ISO 8601 date-time with offset');
  }
};

/** `later` must not be before `earlier` (both `YYYY-MM-DD`). */
export const assertNotBefore = (later: IsoDate, earlier: IsoDate, field: string, earlierField: string): void => {
  if (later < earlier) {
    throw new InvalidDateError(field, `must not be before ${earlierField}`);
  }
};

/**
 * The calendar date of a date-time as written, i.e. in the sender's own offset: a prescription issued at
 * 00:30 Norwegian time is issued that day, even though it is still the day before in UTC.
 */
export const datePart = (dateTime: string): IsoDate => dateTime.slice(0, 10);

/**
 * The same calendar date one year later: the default validity of a prescription (domain.md). 29 February
 * becomes 28 February in a common year (the last day of that month, never 1 March).
 */
export const oneYearAfter = (date: IsoDate): IsoDate => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const nextYear = year + 1;
  const lastDay = daysInMonth(nextYear, month);
  const pad = (n: number, width: number): string => String(n).padStart(width, '0');
  return `${pad(nextYear, 4)}-${pad(month, 2)}-${pad(Math.min(day, lastDay), 2)}`;
};

/**
 * A drug is a FEST product and/or an ATC code (level 5) with a display name ("NavnFormStyrke"), or a local
 * non-catalogue drug with a name only (domain.md, "Drugs").
 */
export const assertMedication = (medication: Medication, field = 'medication'): void => {
  if (typeof medication.displayName !== 'string' || medication.displayName.trim() === '') {
    throw new InvalidMedicationError('displayName is required', `${field}.displayName`);
  }
  assertCleanText(medication.displayName, `${field}.displayName`);
  if (medication.displayName.length > MAX_DISPLAY_NAME) {
    throw new InvalidMedicationError(
      `displayName must be at most ${MAX_DISPLAY_NAME} characters`,
      `${field}.displayName`,
    );
  }
  for (const [name, pattern, rule] of LEVEL_ID_RULES) {
    const value = medication[name];
    if (value !== undefined && !(typeof value === 'string' && pattern.test(value))) {
      throw new InvalidMedicationError(`${name} must be ${rule}`, `${field}.${name}`);
    }
  }
  assertOtherCodings(medication.otherCodings, `${field}.otherCodings`);
  if (medication.atcCode !== undefined && !ATC_LEVEL_5.test(medication.atcCode)) {
    throw new InvalidMedicationError('atcCode must be a level-5 ATC code such as A10BA02', `${field}.atcCode`);
  }
};

/** The identifier fields by level (issue 16) and the form each must have. */
const LEVEL_ID_RULES: readonly (readonly [
  'festId' | 'festSubstanceId' | 'festPackageId' | 'festDoseId' | 'packageNumber' | 'lmrNumber',
  RegExp,
  string,
])[] = [
  ['festId', FEST_ID, 'ID_ followed by a UUID'],
  ['festSubstanceId', FEST_ID, 'ID_ followed by a UUID'],
  ['festPackageId', FEST_ID, 'ID_ followed by a UUID'],
  ['festDoseId', FEST_ID, 'ID_ followed by a UUID'],
  // Varenummer: six digits (domain.md); LMR løpenummer: seven digits (FHI's lmdi-Medication profile).
  ['packageNumber', /^[0-9]{6}$/, 'a six-digit varenummer'],
  ['lmrNumber', /^[0-9]{7}$/, 'a seven-digit LMR løpenummer'],
];

/** Kept codings of unknown systems: bounded, so a feed cannot grow an event without limit. */
export const MAX_OTHER_CODINGS = 20;
const MAX_CODING_TEXT = 500;

const assertOtherCodings = (codings: Medication['otherCodings'], field: string): void => {
  if (codings === undefined) {
    return;
  }
  if (codings.length > MAX_OTHER_CODINGS) {
    throw new InvalidMedicationError(`at most ${MAX_OTHER_CODINGS} other codings`, field);
  }
  for (const coding of codings) {
    for (const value of [coding.system, coding.code, coding.display]) {
      if (value !== undefined && (typeof value !== 'string' || value.length > MAX_CODING_TEXT)) {
        throw new InvalidMedicationError(`coding texts must be at most ${MAX_CODING_TEXT} characters`, field);
      }
    }
  }
};

export const isPositiveNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0;

export const assertQuantity = (quantity: Quantity, field: string): void => {
  if (!isPositiveNumber(quantity.value)) {
    throw new InvalidQuantityError(`${field}.value`, 'must be a positive number');
  }
  if (typeof quantity.unit !== 'string' || quantity.unit.trim() === '' || quantity.unit.length > MAX_UNIT) {
    throw new InvalidQuantityError(`${field}.unit`, `must be 1 to ${MAX_UNIT} characters`);
  }
  assertCleanText(quantity.unit, `${field}.unit`);
};

export const assertPositiveInteger = (value: number, field: string): void => {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidQuantityError(field, 'must be a positive integer');
  }
};

/**
 * Structural equality of JSON-safe values; a key whose value is `undefined` counts as absent, so a re-sent
 * command that spells out an optional field as `undefined` still matches the stored event data.
 */
export const jsonEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) {
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return false;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  return [...keys].every((key) => jsonEqual(left[key], right[key]));
};

/** A copy without the keys whose value is `undefined`, so events stay minimal and compare cleanly. */
export const withoutUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
