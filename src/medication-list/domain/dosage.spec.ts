import type { Dosage, DosagePeriod } from './medication-list.events';
import { assertValidDosage, describeDosage, dosagesEqual, isValidDosage } from './dosage';
import { InvalidDosageError, UnknownCodeError } from './medication-list.errors';
import { asNeededDosage, sampleDosage, taperingDosage } from './medication-list.fixtures';

const period = (overrides: Partial<DosagePeriod> = {}): DosagePeriod => ({
  start: '2026-03-02',
  fixedDoses: [{ quantity: 1, unit: 'tablett', partOfDay: '1' }],
  ...overrides,
});
const withPeriods = (...periods: DosagePeriod[]): Dosage => ({ periods });
/** Deliberately malformed input, as a client or feed could send it. */
const malformed = (value: unknown): Dosage => value as Dosage;

const thrownBy = (dosage: Dosage): unknown => {
  try {
    assertValidDosage(dosage);
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('assertValidDosage', () => {
  it.each<[string, Dosage]>([
    ['fixed doses by part of day', sampleDosage],
    ['an as-needed dose with limits', asNeededDosage],
    ['tapering periods', taperingDosage],
    ['a free-text instruction only', { periods: [], instruction: 'Etter avtale med lege' }],
    ['a clock time', withPeriods(period({ fixedDoses: [{ quantity: 0.5, unit: 'tablett', time: '23:59' }] }))],
    ['weekdays', withPeriods(period({ weekdays: ['mon', 'wed', 'fri'] }))],
    ['a 21/7 cycle', withPeriods(period({ cycle: { daysOn: 21, daysOff: 7 } }))],
    [
      'fixed and as-needed doses together',
      withPeriods(period({ asNeeded: { quantity: 1, unit: 'tablett', maxPer24h: 1 } })),
    ],
    [
      'a drug holiday between periods',
      withPeriods(
        period({ end: '2026-03-05' }),
        period({ start: '2026-03-06', end: '2026-03-08', fixedDoses: [] }),
        period({ start: '2026-03-09' }),
      ),
    ],
  ])('accepts %s', (_name, dosage) => {
    expect(() => {
      assertValidDosage(dosage);
    }).not.toThrow();
    expect(isValidDosage(dosage)).toBe(true);
  });

  it.each<[string, Dosage, string]>([
    [
      'zero quantity',
      withPeriods(period({ fixedDoses: [{ quantity: 0, unit: 'tablett', partOfDay: '1' }] })),
      'quantity must be positive',
    ],
    [
      'negative quantity',
      withPeriods(period({ fixedDoses: [{ quantity: -1, unit: 'tablett', partOfDay: '1' }] })),
      'quantity must be positive',
    ],
    [
      'NaN quantity',
      withPeriods(period({ fixedDoses: [{ quantity: NaN, unit: 'tablett', partOfDay: '1' }] })),
      'quantity must be positive',
    ],
    [
      'infinite quantity',
      withPeriods(period({ fixedDoses: [{ quantity: Infinity, unit: 'tablett', partOfDay: '1' }] })),
      'quantity must be positive',
    ],
    [
      'empty unit',
      withPeriods(period({ fixedDoses: [{ quantity: 1, unit: ' ', partOfDay: '1' }] })),
      'unit must not be empty',
    ],
    [
      'overlong unit',
      withPeriods(period({ fixedDoses: [{ quantity: 1, unit: 'x'.repeat(51), partOfDay: '1' }] })),
      'unit must be at most 50 characters',
    ],
    [
      'both time and part of day',
      withPeriods(period({ fixedDoses: [{ quantity: 1, unit: 'tablett', time: '08:00', partOfDay: '1' }] })),
      'a fixed dose needs exactly one of time or partOfDay',
    ],
    [
      'neither time nor part of day',
      withPeriods(period({ fixedDoses: [{ quantity: 1, unit: 'tablett' }] })),
      'a fixed dose needs exactly one of time or partOfDay',
    ],
    [
      'time 24:00',
      withPeriods(period({ fixedDoses: [{ quantity: 1, unit: 'tablett', time: '24:00' }] })),
      'time must be HH:MM between 00:00 and 23:59',
    ],
    [
      'time 8:00',
      withPeriods(period({ fixedDoses: [{ quantity: 1, unit: 'tablett', time: '8:00' }] })),
      'time must be HH:MM between 00:00 and 23:59',
    ],
    [
      'time 12:60',
      withPeriods(period({ fixedDoses: [{ quantity: 1, unit: 'tablett', time: '12:60' }] })),
      'time must be HH:MM between 00:00 and 23:59',
    ],
    [
      'two doses in the morning',
      withPeriods(
        period({
          fixedDoses: [
            { quantity: 1, unit: 'tablett', partOfDay: '1' },
            { quantity: 1, unit: 'tablett', partOfDay: '1' },
          ],
        }),
      ),
      'two fixed doses at the same time of day',
    ],
    [
      'as-needed without maximum',
      withPeriods(
        period({ asNeeded: malformed({ quantity: 1, unit: 'tablett' }) as unknown as DosagePeriod['asNeeded'] }),
      ),
      'as-needed dose needs a maximum per 24 h',
    ],
    [
      'as-needed maximum 0',
      withPeriods(period({ asNeeded: { quantity: 1, unit: 'tablett', maxPer24h: 0 } })),
      'as-needed dose needs a maximum per 24 h',
    ],
    [
      'as-needed maximum below one dose',
      withPeriods(period({ asNeeded: { quantity: 2, unit: 'tablett', maxPer24h: 1 } })),
      'maximum per 24 h is less than one dose',
    ],
    [
      'as-needed zero quantity',
      withPeriods(period({ asNeeded: { quantity: 0, unit: 'tablett', maxPer24h: 3 } })),
      'quantity must be positive',
    ],
    [
      'as-needed zero interval',
      withPeriods(period({ asNeeded: { quantity: 1, unit: 'tablett', maxPer24h: 3, minIntervalHours: 0 } })),
      'minimum interval must be positive',
    ],
    [
      'an impossible start date',
      withPeriods(period({ start: '2026-02-29' })),
      'start must be a calendar date YYYY-MM-DD',
    ],
    [
      'a date-time as start',
      withPeriods(period({ start: '2026-03-02T08:00:00Z' })),
      'start must be a calendar date YYYY-MM-DD',
    ],
    ['an invalid end date', withPeriods(period({ end: '2026-13-01' })), 'end must be a calendar date YYYY-MM-DD'],
    [
      'a period ending before it starts',
      withPeriods(period({ start: '2026-03-10', end: '2026-03-09' })),
      'period ends before it starts',
    ],
    [
      'overlapping periods',
      withPeriods(period({ end: '2026-03-10' }), period({ start: '2026-03-10' })),
      'periods must be in order and must not overlap',
    ],
    [
      'periods out of order',
      withPeriods(period({ start: '2026-04-01', end: '2026-04-10' }), period({ start: '2026-03-01' })),
      'periods must be in order and must not overlap',
    ],
    [
      'an open-ended period before another',
      withPeriods(period(), period({ start: '2026-04-01' })),
      'periods must be in order and must not overlap',
    ],
    ['empty weekdays', withPeriods(period({ weekdays: [] })), 'weekdays must not be empty when given'],
    ['repeated weekdays', withPeriods(period({ weekdays: ['mon', 'mon'] })), 'weekdays must be unique'],
    [
      'a cycle with 0 days on',
      withPeriods(period({ cycle: { daysOn: 0, daysOff: 7 } })),
      'cycle daysOn must be a whole number of at least 1',
    ],
    [
      'a cycle with 1.5 days on',
      withPeriods(period({ cycle: { daysOn: 1.5, daysOff: 7 } })),
      'cycle daysOn must be a whole number of at least 1',
    ],
    [
      'a cycle with negative days off',
      withPeriods(period({ cycle: { daysOn: 21, daysOff: -1 } })),
      'cycle daysOff must be a whole number of at least 0',
    ],
    [
      'weekdays and a cycle',
      withPeriods(period({ weekdays: ['mon'], cycle: { daysOn: 21, daysOff: 7 } })),
      'weekdays and a cycle cannot be combined',
    ],
    ['no periods and no instruction', { periods: [] }, 'a dosage needs a fixed or as-needed dose, or an instruction'],
    [
      'only empty periods',
      withPeriods(period({ fixedDoses: [] })),
      'a dosage needs a fixed or as-needed dose, or an instruction',
    ],
    ['a blank instruction', { periods: [], instruction: '  ' }, 'instruction must not be blank when given'],
    [
      'an overlong instruction',
      { periods: [], instruction: 'x'.repeat(1001) },
      'instruction must be at most 1000 characters',
    ],
    [
      'an overlong short code',
      { ...sampleDosage, shortCode: '1'.repeat(51) },
      'shortCode must be at most 50 characters',
    ],
    ['no periods list', malformed({ instruction: 'x' }), 'a dosage with a list of periods is required'],
  ])('rejects %s', (_name, dosage, reason) => {
    const error = thrownBy(dosage);
    expect(error).toBeInstanceOf(InvalidDosageError);
    expect(error).toMatchObject({ code: 'INVALID_DOSAGE', kind: 'invalid', reason });
    expect(isValidDosage(dosage)).toBe(false);
  });

  it('names the offending field', () => {
    const dosage = withPeriods(
      period({ end: '2026-03-05' }),
      period({ start: '2026-03-06', fixedDoses: [{ quantity: 0, unit: 'tablett', time: '08:00' }] }),
    );
    expect(thrownBy(dosage)).toMatchObject({ field: 'dosage.periods[1].fixedDoses[0].quantity' });
  });

  it.each<[string, Dosage, string]>([
    [
      'part of day 7',
      withPeriods(period({ fixedDoses: [{ quantity: 1, unit: 'tablett', partOfDay: '7' as '1' }] })),
      'dosage.periods[0].fixedDoses[0].partOfDay',
    ],
    ['weekday "monday"', withPeriods(period({ weekdays: ['monday' as 'mon'] })), 'dosage.periods[0].weekdays[0]'],
  ])('rejects the unknown code %s with UnknownCodeError', (_name, dosage, field) => {
    expect(thrownBy(dosage)).toBeInstanceOf(UnknownCodeError);
    expect(thrownBy(dosage)).toMatchObject({ code: 'UNKNOWN_CODE', field });
  });
});

describe('describeDosage', () => {
  it.each<[string, Dosage, string]>([
    [
      'fixed and as-needed doses',
      withPeriods({
        start: '2026-03-02',
        fixedDoses: [
          { quantity: 1, unit: 'tablett', partOfDay: '1' },
          { quantity: 1, unit: 'tablett', partOfDay: '5' },
        ],
        asNeeded: { quantity: 1, unit: 'tablett', maxPer24h: 3 },
      }),
      '1 tablett morgen, 1 tablett kveld; ved behov 1 tablett, maks 3 per døgn',
    ],
    ['an as-needed dose with interval', asNeededDosage, 'ved behov 1 tablett, maks 3 per døgn, minst 4 t mellom doser'],
    [
      'tapering with dates',
      taperingDosage,
      '2026-03-02–2026-03-08: 2 tablett kl. 08:00. fra 2026-03-09: 1 tablett kl. 08:00',
    ],
    [
      'a decimal comma',
      withPeriods(period({ fixedDoses: [{ quantity: 0.5, unit: 'tablett', partOfDay: '6' }] })),
      '0,5 tablett natt',
    ],
    ['weekdays', withPeriods(period({ weekdays: ['mon', 'thu'] })), '1 tablett morgen (man, tor)'],
    [
      'a cycle',
      withPeriods(period({ cycle: { daysOn: 21, daysOff: 7 } })),
      '1 tablett morgen (21 dager på, 7 dager av)',
    ],
    ['an instruction only', { periods: [], instruction: 'Smøres tynt på utslett' }, 'Smøres tynt på utslett'],
    [
      'structure plus instruction',
      { ...withPeriods(period()), instruction: 'Tas med mat' },
      '1 tablett morgen. Tas med mat',
    ],
    // A D1 resolution copies the feed's text, which repeats the structure: shown once (issue 16).
    [
      'an instruction that repeats the structure',
      { ...withPeriods(period()), instruction: ' 1 Tablett  morgen.' },
      '1 tablett morgen',
    ],
    [
      'an empty period',
      withPeriods(period({ end: '2026-03-05' }), period({ start: '2026-03-06', fixedDoses: [] })),
      '2026-03-02–2026-03-05: 1 tablett morgen. fra 2026-03-06: opphold',
    ],
  ])('describes %s', (_name, dosage, text) => {
    expect(describeDosage(dosage)).toBe(text);
  });
});

describe('dosagesEqual', () => {
  it('ignores weekday order and absent versus undefined fields', () => {
    const a = withPeriods(period({ weekdays: ['fri', 'mon'] }));
    const b: Dosage = { periods: [period({ weekdays: ['mon', 'fri'], end: undefined })], instruction: undefined };
    expect(dosagesEqual(a, b)).toBe(true);
  });

  it.each<[string, Dosage]>([
    ['another quantity', withPeriods(period({ fixedDoses: [{ quantity: 2, unit: 'tablett', partOfDay: '1' }] }))],
    ['another start', withPeriods(period({ start: '2026-03-03' }))],
    ['an added instruction', { ...withPeriods(period()), instruction: 'Tas med mat' }],
    ['an extra period', withPeriods(period({ end: '2026-03-05' }), period({ start: '2026-03-06' }))],
  ])('tells apart %s', (_name, other) => {
    expect(dosagesEqual(withPeriods(period()), other)).toBe(false);
  });
});
