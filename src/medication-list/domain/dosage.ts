import { assertCleanText } from '../../shared/text/free-text';
import type { AsNeededDose, Dosage, DosagePeriod, FixedDose, Weekday } from './medication-list.events';
import { assertCode, labelOf, partOfDayCodes, weekdayCodes } from './medication-list.codes';
import { InvalidDosageError } from './medication-list.errors';
import { isIsoDate, isPositiveNumber, jsonEqual, MAX_NOTE, MAX_UNIT } from './medication-list.validation';

/**
 * Pure validation and description of a structured dosage (Norwegian structured dosage / FHIR Dosage+Timing,
 * domain.md "Dosage"): fixed-time doses, as-needed doses with a 24-hour maximum, consecutive periods for
 * tapering, and the free-text instruction (DosVeiledEnkel) with its short code ("1+0+1").
 */

export const MAX_INSTRUCTION = MAX_NOTE;
export const MAX_SHORT_CODE = 50;
const MAX_PERIODS = 100;
const MAX_FIXED_DOSES = 48;
const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

const fail = (reason: string, field: string): never => {
  throw new InvalidDosageError(reason, field);
};

const assertUnit = (unit: string, field: string): void => {
  if (typeof unit !== 'string' || unit.trim() === '') {
    fail('unit must not be empty', field);
  }
  if (unit.length > MAX_UNIT) {
    fail(`unit must be at most ${MAX_UNIT} characters`, field);
  }
  assertCleanText(unit, field);
};

const assertFixedDose = (dose: FixedDose, field: string): void => {
  if (!isPositiveNumber(dose.quantity)) {
    fail('quantity must be positive', `${field}.quantity`);
  }
  assertUnit(dose.unit, `${field}.unit`);
  // A dose is given at one moment: a clock time or a part of day, not both (the two could disagree).
  if ((dose.time === undefined) === (dose.partOfDay === undefined)) {
    fail('a fixed dose needs exactly one of time or partOfDay', field);
  }
  if (dose.time !== undefined && !CLOCK_TIME.test(dose.time)) {
    fail('time must be HH:MM between 00:00 and 23:59', `${field}.time`);
  }
  if (dose.partOfDay !== undefined) {
    assertCode(partOfDayCodes, dose.partOfDay, `${field}.partOfDay`);
  }
};

const assertAsNeeded = (dose: AsNeededDose, field: string): void => {
  if (!isPositiveNumber(dose.quantity)) {
    fail('quantity must be positive', `${field}.quantity`);
  }
  assertUnit(dose.unit, `${field}.unit`);
  // The 24-hour maximum is what keeps as-needed use safe (paracetamol, opioids): it is mandatory.
  if (!isPositiveNumber(dose.maxPer24h)) {
    fail('as-needed dose needs a maximum per 24 h', `${field}.maxPer24h`);
  }
  if (dose.maxPer24h < dose.quantity) {
    fail('maximum per 24 h is less than one dose', `${field}.maxPer24h`);
  }
  if (dose.minIntervalHours !== undefined && !isPositiveNumber(dose.minIntervalHours)) {
    fail('minimum interval must be positive', `${field}.minIntervalHours`);
  }
};

/** Two doses at the same moment of one period read as a duplicate to the nurse giving them: combine them. */
const momentOf = (dose: FixedDose): string => (dose.time !== undefined ? `t${dose.time}` : `p${dose.partOfDay ?? ''}`);

const assertPeriod = (period: DosagePeriod, field: string): void => {
  if (!isIsoDate(period.start)) {
    fail('start must be a calendar date YYYY-MM-DD', `${field}.start`);
  }
  if (period.end !== undefined) {
    if (!isIsoDate(period.end)) {
      fail('end must be a calendar date YYYY-MM-DD', `${field}.end`);
    }
    if (period.end < period.start) {
      fail('period ends before it starts', `${field}.end`);
    }
  }
  if (!Array.isArray(period.fixedDoses)) {
    fail('fixedDoses must be a list', `${field}.fixedDoses`);
  }
  if (period.fixedDoses.length > MAX_FIXED_DOSES) {
    fail(`at most ${MAX_FIXED_DOSES} fixed doses per period`, `${field}.fixedDoses`);
  }
  period.fixedDoses.forEach((dose, i) => {
    assertFixedDose(dose, `${field}.fixedDoses[${i}]`);
  });
  const moments = period.fixedDoses.map(momentOf);
  if (new Set(moments).size !== moments.length) {
    fail('two fixed doses at the same time of day', `${field}.fixedDoses`);
  }
  if (period.asNeeded !== undefined) {
    assertAsNeeded(period.asNeeded, `${field}.asNeeded`);
  }
  if (period.weekdays !== undefined) {
    if (period.weekdays.length === 0) {
      fail('weekdays must not be empty when given', `${field}.weekdays`);
    }
    period.weekdays.forEach((day, i) => {
      assertCode(weekdayCodes, day, `${field}.weekdays[${i}]`);
    });
    if (new Set(period.weekdays).size !== period.weekdays.length) {
      fail('weekdays must be unique', `${field}.weekdays`);
    }
  }
  if (period.cycle !== undefined) {
    const { daysOn, daysOff } = period.cycle;
    if (!Number.isInteger(daysOn) || daysOn < 1) {
      fail('cycle daysOn must be a whole number of at least 1', `${field}.cycle.daysOn`);
    }
    if (!Number.isInteger(daysOff) || daysOff < 0) {
      fail('cycle daysOff must be a whole number of at least 0', `${field}.cycle.daysOff`);
    }
    // "Mondays and Wednesdays" and "21 days on, 7 off" cannot both decide which days a dose is due.
    if (period.weekdays !== undefined) {
      fail('weekdays and a cycle cannot be combined', field);
    }
  }
};

const hasDose = (period: DosagePeriod): boolean => period.fixedDoses.length > 0 || period.asNeeded !== undefined;

const assertOptionalFreeText = (value: string | undefined, max: number, field: string): void => {
  if (value === undefined) {
    return;
  }
  if (typeof value !== 'string' || value.trim() === '') {
    fail(`${field} must not be blank when given`, `dosage.${field}`);
  }
  if (value.length > max) {
    fail(`${field} must be at most ${max} characters`, `dosage.${field}`);
  }
  assertCleanText(value, `dosage.${field}`);
};

/** Throws InvalidDosageError (or UnknownCodeError for a part-of-day or weekday code) naming the offending field. */
export const assertValidDosage = (dosage: Dosage): void => {
  if (!Array.isArray(dosage.periods)) {
    fail('a dosage with a list of periods is required', 'dosage');
  }
  assertOptionalFreeText(dosage.instruction, MAX_INSTRUCTION, 'instruction');
  assertOptionalFreeText(dosage.shortCode, MAX_SHORT_CODE, 'shortCode');
  if (dosage.periods.length > MAX_PERIODS) {
    fail(`at most ${MAX_PERIODS} periods`, 'dosage.periods');
  }
  dosage.periods.forEach((period, i) => {
    assertPeriod(period, `dosage.periods[${i}]`);
  });
  // Tapering is a sequence of periods: each must start after the previous one ended, and only the last may
  // be open-ended, otherwise two doses would apply on the same day.
  dosage.periods.forEach((period, i) => {
    const previous = i > 0 ? dosage.periods[i - 1] : undefined;
    if (previous !== undefined && (previous.end === undefined || period.start <= previous.end)) {
      fail('periods must be in order and must not overlap', `dosage.periods[${i}].start`);
    }
  });
  // Either something structured to give, or a free-text instruction a human can follow.
  if (!dosage.periods.some(hasDose) && dosage.instruction === undefined) {
    fail('a dosage needs a fixed or as-needed dose, or an instruction', 'dosage');
  }
};

/** True when the dosage passes assertValidDosage. */
export const isValidDosage = (dosage: Dosage): boolean => {
  try {
    assertValidDosage(dosage);
    return true;
  } catch {
    return false;
  }
};

const weekOrder = weekdayCodes.entries.map((entry) => entry.code);

const normalised = (dosage: Dosage): Dosage => ({
  ...dosage,
  periods: dosage.periods.map((period) =>
    period.weekdays === undefined
      ? period
      : { ...period, weekdays: [...period.weekdays].sort((a, b) => weekOrder.indexOf(a) - weekOrder.indexOf(b)) },
  ),
});

/** Clinical equality: the same doses, periods and texts (weekday order and absent-vs-undefined do not matter). */
export const dosagesEqual = (a: Dosage, b: Dosage): boolean => jsonEqual(normalised(a), normalised(b));

// ---- description ------------------------------------------------------------------------------------------

/** Norwegian decimal comma: 0.5 → "0,5". */
const amount = (n: number): string => String(n).replace('.', ',');

const describeFixed = (dose: FixedDose): string => {
  const when =
    dose.time !== undefined ? `kl. ${dose.time}` : (labelOf(partOfDayCodes, dose.partOfDay ?? '') ?? '').toLowerCase();
  return `${amount(dose.quantity)} ${dose.unit} ${when}`;
};

const describeAsNeeded = (dose: AsNeededDose): string =>
  `ved behov ${amount(dose.quantity)} ${dose.unit}, maks ${amount(dose.maxPer24h)} per døgn` +
  (dose.minIntervalHours !== undefined ? `, minst ${amount(dose.minIntervalHours)} t mellom doser` : '');

const shortWeekday = (day: Weekday): string => (labelOf(weekdayCodes, day) ?? day).slice(0, 3);

const describePeriod = (period: DosagePeriod): string => {
  const parts: string[] = [];
  if (period.fixedDoses.length > 0) {
    const qualifiers = [
      ...(period.weekdays !== undefined ? [period.weekdays.map(shortWeekday).join(', ')] : []),
      ...(period.cycle !== undefined ? [`${period.cycle.daysOn} dager på, ${period.cycle.daysOff} dager av`] : []),
    ];
    const suffix = qualifiers.length > 0 ? ` (${qualifiers.join('; ')})` : '';
    parts.push(period.fixedDoses.map(describeFixed).join(', ') + suffix);
  }
  if (period.asNeeded !== undefined) {
    parts.push(describeAsNeeded(period.asNeeded));
  }
  return parts.length > 0 ? parts.join('; ') : 'opphold';
};

const describeRange = (period: DosagePeriod): string =>
  period.end !== undefined ? `${period.start}–${period.end}` : `fra ${period.start}`;

/**
 * A compact Norwegian text for the timeline and GraphQL, e.g.
 * "1 tablett morgen, 1 tablett kveld; ved behov 1 tablett, maks 3 per døgn". Several periods (tapering) are
 * prefixed with their dates; the free-text instruction follows the structured part, or stands alone.
 */
const normalisedText = (text: string): string =>
  text
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/[.;,]+$/, '')
    .toLowerCase();
const sameText = (a: string, b: string): boolean => a !== '' && normalisedText(a) === normalisedText(b);

export const describeDosage = (dosage: Dosage): string => {
  const [firstPeriod, ...laterPeriods] = dosage.periods;
  const structured =
    firstPeriod === undefined
      ? ''
      : laterPeriods.length === 0
        ? describePeriod(firstPeriod)
        : dosage.periods.map((period) => `${describeRange(period)}: ${describePeriod(period)}`).join('. ');
  // A feed's instruction often repeats what the structure says ("1 tablett morgen"): show it once (issue 16).
  const instruction = dosage.instruction ?? '';
  const repeats = sameText(instruction, structured);
  const texts = [structured, repeats ? '' : instruction].filter((text) => text !== '');
  return texts.length > 0 ? texts.join('. ') : (dosage.shortCode ?? '');
};
