import fc from 'fast-check';
import {
  generateFellesHjelpenummer,
  generateOrganisationNumber,
  generatePersonNumber,
  type CalendarDate,
  type PatientIdKind,
  type PersonNumberOptions,
} from './norwegian-identifiers';

/**
 * fast-check arbitraries that produce valid Norwegian identifiers of every kind, for property tests and the seed
 * script. Numbers whose check digit would be 10 do not exist and are filtered out.
 */

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(1854, 0, 1);
const LAST_DAY = Date.UTC(2039, 11, 31);

/** A calendar date 1854–2039, the span the individual-number ranges cover. */
export const arbCalendarDate = (): fc.Arbitrary<CalendarDate> =>
  fc.integer({ min: 0, max: (LAST_DAY - FIRST_DAY) / DAY_MS }).map((offset) => {
    const date = new Date(FIRST_DAY + offset * DAY_MS);
    return { day: date.getUTCDate(), month: date.getUTCMonth() + 1, year: date.getUTCFullYear() };
  });

// Individual-number ranges by birth year (Skatteetaten): 1854–1899 500–749, 1900–1999 000–499,
// 1940–1999 also 900–999, 2000–2039 500–999. The validator does not check this; the data should still be real.
const arbIndividual = (year: number): fc.Arbitrary<number> => {
  if (year < 1900) {
    return fc.integer({ min: 500, max: 749 });
  }
  if (year < 2000) {
    return year >= 1940
      ? fc.oneof(fc.integer({ min: 0, max: 499 }), fc.integer({ min: 900, max: 999 }))
      : fc.integer({ min: 0, max: 499 });
  }
  return fc.integer({ min: 500, max: 999 });
};

/** K1 remainder 0 (rule before 2032) most of the time, 1–3 (2032 scheme) otherwise. */
const arbK1Remainder = (): fc.Arbitrary<0 | 1 | 2 | 3> =>
  fc.oneof(
    { arbitrary: fc.constant(0 as const), weight: 2 },
    { arbitrary: fc.constantFrom<1 | 2 | 3>(1, 2, 3), weight: 1 },
  );

const offsetsFor = (kind: Exclude<PatientIdKind, 'fhn'>): fc.Arbitrary<PersonNumberOptions> => {
  switch (kind) {
    case 'fnr':
      return fc.constant({});
    case 'dnr':
      return fc.constant({ dayOffset: 40 });
    case 'hnr':
      return fc.constant({ monthOffset: 40 });
    case 'synthetic':
      // Test Norge (+80) and Norsk helsenett (+65), for synthetic fødselsnumre and synthetic D-numbers.
      return fc.record({ monthOffset: fc.constantFrom<65 | 80>(65, 80), dayOffset: fc.constantFrom<0 | 40>(0, 40) });
  }
};

const isDefined = (value: string | undefined): value is string => value !== undefined;

/** A valid patient id of the given kind, including numbers of the 2032 check-digit scheme. */
export const arbPatientId = (kind: PatientIdKind): fc.Arbitrary<string> => {
  if (kind === 'fhn') {
    return fc
      .tuple(fc.integer({ min: 0, max: 199_999_999 }), arbK1Remainder())
      .map(([serial, k1Remainder]) => generateFellesHjelpenummer(serial, k1Remainder))
      .filter(isDefined);
  }
  return arbCalendarDate()
    .chain((date) => fc.tuple(fc.constant(date), arbIndividual(date.year), offsetsFor(kind), arbK1Remainder()))
    .map(([date, individual, offsets, k1Remainder]) =>
      generatePersonNumber(date, individual, { ...offsets, k1Remainder }),
    )
    .filter(isDefined);
};

/** A valid patient id of any kind. */
export const arbAnyPatientId = (): fc.Arbitrary<string> =>
  fc.constantFrom<PatientIdKind>('fnr', 'dnr', 'hnr', 'synthetic', 'fhn').chain(arbPatientId);

/** A valid 9-digit organisation number. */
export const arbOrganisationNumber = (): fc.Arbitrary<string> =>
  fc.integer({ min: 0, max: 99_999_999 }).map(generateOrganisationNumber).filter(isDefined);

/** A valid HPR number (1–9 digits). */
export const arbHprNumber = (): fc.Arbitrary<string> => fc.stringMatching(/^[0-9]{1,9}$/);

/** A valid HER-id (1–9 digits). */
export const arbHerId = (): fc.Arbitrary<string> => fc.stringMatching(/^[0-9]{1,9}$/);
