import type {
  AsNeededDose,
  Dosage,
  DosagePeriod,
  FixedDose,
  IsoDate,
  PartOfDayCode,
  Weekday,
} from '../../medication-list/domain/medication-list.events';
import { isValidDosage } from '../../medication-list/domain/dosage';
import { datePart } from '../../medication-list/domain/medication-list.validation';
import {
  FeedRecordRejectedError,
  field,
  objectArray,
  optionalArray,
  optionalBoolean,
  optionalDateTime,
  optionalNumber,
  optionalObject,
  optionalText,
  requiredObject,
  type JsonObject,
} from './fhir-read';

/**
 * FHIR R4 Dosage/Timing ⇄ our structured Dosage. The mapping is deliberately conservative: it maps only what has
 * one obvious meaning (a dose quantity at a part of day or a clock time, optional weekdays and bounds; an
 * as-needed dose with a maximum per day and a minimum interval). Anything else (ranges, rates, frequency without
 * times, unknown event timings, cycles) is left as free text: a guessed structure would raise false D4s, or hide
 * real ones.
 */

/** The result of reading `dosageInstruction`: the structured dosage when it maps, otherwise the text. */
export interface MappedDosage {
  readonly dosage?: Dosage;
  readonly dosageText?: string;
}

/** FHIR EventTiming ⇄ code list 8325. Only timings with one clear 8325 counterpart are mapped. */
const PART_OF_DAY_BY_WHEN: Readonly<Record<string, PartOfDayCode>> = {
  MORN: '1',
  'MORN.late': '2',
  NOON: '3',
  AFT: '4',
  EVE: '5',
  NIGHT: '6',
};
const WHEN_BY_PART_OF_DAY: Readonly<Record<PartOfDayCode, string>> = {
  '1': 'MORN',
  '2': 'MORN.late',
  '3': 'NOON',
  '4': 'AFT',
  '5': 'EVE',
  '6': 'NIGHT',
};
// FHIR days-of-week codes are the same three-letter codes as our Weekday.
const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)(:00)?$/;

interface PeriodParts {
  readonly start: IsoDate;
  readonly end?: IsoDate;
  readonly weekdays?: readonly Weekday[];
  readonly fixedDoses: FixedDose[];
  asNeeded?: AsNeededDose;
}

/**
 * Reads FHIR `dosageInstruction` (or MedicationStatement `dosage`). `defaultStart` (the authoring date) starts a
 * Timing without bounds; without it such a Timing is not mappable.
 */
export const fromFhirDosage = (
  instructions: readonly JsonObject[],
  defaultStart: IsoDate | undefined,
): MappedDosage => {
  const texts = instructions
    .map((i) => field(i, 'text'))
    .filter((t): t is string => typeof t === 'string' && t.trim() !== '');
  const text = texts.length > 0 ? texts.map((t) => t.trim()).join('; ') : undefined;
  if (instructions.length === 0) {
    return {};
  }
  const dosage = structured(instructions, defaultStart, text);
  if (dosage) {
    return { dosage };
  }
  return text === undefined ? {} : { dosageText: text };
};

const structured = (
  instructions: readonly JsonObject[],
  defaultStart: IsoDate | undefined,
  text?: string,
): Dosage | undefined => {
  try {
    const parts = new Map<string, PeriodParts>();
    for (const instruction of instructions) {
      if (!addInstruction(parts, instruction, defaultStart)) {
        return undefined;
      }
    }
    const periods: DosagePeriod[] = [...parts.values()]
      .sort((a, b) => (a.start === b.start ? (a.end ?? '').localeCompare(b.end ?? '') : a.start.localeCompare(b.start)))
      .map((p) => ({
        start: p.start,
        ...(p.end === undefined ? {} : { end: p.end }),
        fixedDoses: p.fixedDoses,
        ...(p.asNeeded === undefined ? {} : { asNeeded: p.asNeeded }),
        ...(p.weekdays === undefined ? {} : { weekdays: p.weekdays }),
      }));
    const dosage: Dosage = { periods, ...(text === undefined ? {} : { instruction: text }) };
    // The list's own rules (no overlapping periods, one dose per moment …): a dosage the list would refuse is
    // not "structured" for comparison either.
    return isValidDosage(dosage) ? dosage : undefined;
  } catch (error) {
    // Inside a dosage a wrong shape means "not mappable", not "reject the prescription": keep it as text.
    if (error instanceof FeedRecordRejectedError) {
      return undefined;
    }
    throw error;
  }
};

/** Adds one FHIR Dosage element to its period; false when it cannot be mapped without guessing. */
const addInstruction = (
  parts: Map<string, PeriodParts>,
  instruction: JsonObject,
  defaultStart: IsoDate | undefined,
): boolean => {
  const timing = optionalObject(field(instruction, 'timing'), 'timing');
  const repeat = timing && optionalObject(field(timing, 'repeat'), 'timing.repeat');
  if (!repeat || field(repeat, 'boundsDuration') !== undefined || field(repeat, 'boundsRange') !== undefined) {
    return false;
  }
  const bounds = optionalObject(field(repeat, 'boundsPeriod'), 'boundsPeriod');
  const boundsStart = bounds && optionalDateTime(field(bounds, 'start'), 'boundsPeriod.start');
  const boundsEnd = bounds && optionalDateTime(field(bounds, 'end'), 'boundsPeriod.end');
  const start = boundsStart === undefined ? defaultStart : datePart(boundsStart);
  const end = boundsEnd === undefined ? undefined : datePart(boundsEnd);
  const weekdays = readWeekdays(repeat);
  const quantity = readDoseQuantity(instruction);
  if (start === undefined || (end !== undefined && end < start) || weekdays === null || !quantity) {
    return false;
  }
  const key = `${start}|${end ?? ''}`;
  const part = parts.get(key) ?? { start, end, weekdays, fixedDoses: [] };
  parts.set(key, part);
  if ((part.weekdays ?? []).join() !== (weekdays ?? []).join()) {
    return false;
  }
  const asNeeded =
    optionalBoolean(field(instruction, 'asNeededBoolean'), 'asNeededBoolean') === true ||
    field(instruction, 'asNeededCodeableConcept') !== undefined;
  if (asNeeded) {
    const dose = readAsNeeded(instruction, repeat, quantity);
    if (!dose || part.asNeeded) {
      return false;
    }
    part.asNeeded = dose;
    return true;
  }
  const doses = readFixedDoses(repeat, quantity, weekdays !== undefined);
  part.fixedDoses.push(...(doses ?? []));
  return doses !== undefined;
};

/** undefined: no weekdays; null: not mappable. */
const readWeekdays = (repeat: JsonObject): readonly Weekday[] | undefined | null => {
  const days = optionalArray(field(repeat, 'dayOfWeek'), 'dayOfWeek');
  if (days.length === 0) {
    return undefined;
  }
  const known = WEEKDAYS.filter((day) => days.includes(day));
  return known.length === days.length ? known : null;
};

const readDoseQuantity = (instruction: JsonObject): { value: number; unit: string } | undefined => {
  const doseAndRate = objectArray(field(instruction, 'doseAndRate'), 'doseAndRate');
  const [only] = doseAndRate;
  const quantity =
    only && doseAndRate.length === 1 ? optionalObject(field(only, 'doseQuantity'), 'doseQuantity') : undefined;
  if (!quantity) {
    return undefined;
  }
  const value = optionalNumber(field(quantity, 'value'), 'doseQuantity.value');
  const unit = optionalText(field(quantity, 'unit'), 'unit') ?? optionalText(field(quantity, 'code'), 'code');
  return value !== undefined && value > 0 && unit !== undefined ? { value, unit } : undefined;
};

const readFixedDoses = (
  repeat: JsonObject,
  quantity: { value: number; unit: string },
  hasWeekdays: boolean,
): FixedDose[] | undefined => {
  const when = optionalArray(field(repeat, 'when'), 'when');
  const timeOfDay = optionalArray(field(repeat, 'timeOfDay'), 'timeOfDay');
  const doses: FixedDose[] = [];
  for (const code of when) {
    const partOfDay = typeof code === 'string' ? PART_OF_DAY_BY_WHEN[code] : undefined;
    if (partOfDay === undefined) {
      return undefined;
    }
    doses.push({ quantity: quantity.value, unit: quantity.unit, partOfDay });
  }
  for (const time of timeOfDay) {
    const [, hours, minutes] = (typeof time === 'string' ? TIME_OF_DAY.exec(time) : null) ?? [];
    if (hours === undefined || minutes === undefined) {
      return undefined;
    }
    doses.push({ quantity: quantity.value, unit: quantity.unit, time: `${hours}:${minutes}` });
  }
  // "n times a day" must agree with the times given: a bare frequency has no time to put the dose at.
  const frequency = optionalNumber(field(repeat, 'frequency'), 'frequency');
  const period = optionalNumber(field(repeat, 'period'), 'period');
  const unit = field(repeat, 'periodUnit');
  const dailyOrWeekly = unit === undefined || unit === 'd' || (unit === 'wk' && hasWeekdays);
  const agrees = (frequency === undefined || frequency === doses.length) && (period === undefined || period === 1);
  return doses.length > 0 && dailyOrWeekly && agrees ? doses : undefined;
};

const readAsNeeded = (
  instruction: JsonObject,
  repeat: JsonObject,
  quantity: { value: number; unit: string },
): AsNeededDose | undefined => {
  const atFixedTimes =
    optionalArray(field(repeat, 'when'), 'when').length > 0 ||
    optionalArray(field(repeat, 'timeOfDay'), 'timeOfDay').length > 0;
  if (atFixedTimes) {
    return undefined;
  }
  const maxPer24h = readMaxPerDay(instruction);
  const frequency = optionalNumber(field(repeat, 'frequency'), 'frequency');
  const period = optionalNumber(field(repeat, 'period'), 'period');
  const unit = field(repeat, 'periodUnit');
  // "at most once every N hours" is FHIR's way of saying a minimum interval.
  const interval =
    period === undefined ? undefined : unit === 'h' && (frequency ?? 1) === 1 && period > 0 ? period : null;
  if (maxPer24h === undefined || interval === null) {
    return undefined;
  }
  return {
    quantity: quantity.value,
    unit: quantity.unit,
    maxPer24h,
    ...(interval === undefined ? {} : { minIntervalHours: interval }),
  };
};

/** maxDosePerPeriod as a ratio per 1 day or per 24 hours; other periods are not mapped. */
const readMaxPerDay = (instruction: JsonObject): number | undefined => {
  const ratio = optionalObject(field(instruction, 'maxDosePerPeriod'), 'maxDosePerPeriod');
  if (!ratio) {
    return undefined;
  }
  const numerator = requiredObject(field(ratio, 'numerator'), 'numerator');
  const denominator = requiredObject(field(ratio, 'denominator'), 'denominator');
  const max = optionalNumber(field(numerator, 'value'), 'numerator.value');
  const per = optionalNumber(field(denominator, 'value'), 'denominator.value');
  const perUnit = optionalText(field(denominator, 'code'), 'code') ?? optionalText(field(denominator, 'unit'), 'unit');
  const isOneDay = (per === 1 && perUnit === 'd') || (per === 24 && perUnit === 'h');
  return max !== undefined && max > 0 && isOneDay ? max : undefined;
};

/**
 * Our Dosage as FHIR `dosageInstruction` (one element per dose), for the synthetic feed and for export.
 * Day cycles have no Timing equivalent: such a dosage is written as text only.
 */
export const toFhirDosage = (dosage: Dosage): JsonObject[] => {
  const text = dosage.instruction ?? dosage.shortCode;
  if (dosage.periods.some((p) => p.cycle !== undefined)) {
    return text === undefined ? [] : [{ text }];
  }
  const elements: Record<string, unknown>[] = [];
  for (const period of dosage.periods) {
    const boundsPeriod = { start: period.start, ...(period.end === undefined ? {} : { end: period.end }) };
    const days = period.weekdays === undefined ? {} : { dayOfWeek: [...period.weekdays] };
    for (const dose of period.fixedDoses) {
      const at =
        dose.partOfDay !== undefined
          ? { when: [WHEN_BY_PART_OF_DAY[dose.partOfDay]] }
          : dose.time !== undefined
            ? { timeOfDay: [`${dose.time}:00`] }
            : {};
      elements.push({
        timing: { repeat: { boundsPeriod, frequency: 1, period: 1, periodUnit: 'd', ...at, ...days } },
        doseAndRate: [{ doseQuantity: { value: dose.quantity, unit: dose.unit } }],
      });
    }
    if (period.asNeeded) {
      const { quantity, unit, maxPer24h, minIntervalHours } = period.asNeeded;
      const interval =
        minIntervalHours === undefined ? {} : { frequency: 1, period: minIntervalHours, periodUnit: 'h' };
      elements.push({
        asNeededBoolean: true,
        timing: { repeat: { boundsPeriod, ...interval, ...days } },
        doseAndRate: [{ doseQuantity: { value: quantity, unit } }],
        maxDosePerPeriod: { numerator: { value: maxPer24h, unit }, denominator: { value: 1, unit: 'd', code: 'd' } },
      });
    }
  }
  if (text !== undefined && elements[0]) {
    elements[0] = { text, ...elements[0] };
  }
  return elements;
};
