import fc from 'fast-check';
import { isValidDosage } from '../../medication-list/domain/dosage';
import type {
  Dosage,
  DosagePeriod,
  FixedDose,
  PartOfDayCode,
  Weekday,
} from '../../medication-list/domain/medication-list.events';
import { fromFhirDosage, toFhirDosage } from './fhir-dosage';
import type { JsonObject } from './fhir-read';

const dose = (quantity: number, at: { partOfDay?: PartOfDayCode; time?: string }): FixedDose => ({
  quantity,
  unit: 'tablett',
  ...at,
});
const fixed = (when: string[], extra: Record<string, unknown> = {}): JsonObject => ({
  timing: { repeat: { frequency: when.length, period: 1, periodUnit: 'd', when, ...extra } },
  doseAndRate: [{ doseQuantity: { value: 1, unit: 'tablett' } }],
});

describe('fromFhirDosage', () => {
  it.each<[string, JsonObject[], Dosage['periods'] | undefined]>([
    [
      'parts of day, one element',
      [fixed(['MORN', 'EVE'])],
      [{ start: '2026-01-01', fixedDoses: [dose(1, { partOfDay: '1' }), dose(1, { partOfDay: '5' })] }],
    ],
    [
      'MORN.late, NOON, AFT, NIGHT',
      [fixed(['MORN.late', 'NOON', 'AFT', 'NIGHT'])],
      [{ start: '2026-01-01', fixedDoses: (['2', '3', '4', '6'] as const).map((p) => dose(1, { partOfDay: p })) }],
    ],
    [
      'weekdays',
      [fixed(['MORN'], { dayOfWeek: ['thu', 'mon'] })],
      [{ start: '2026-01-01', fixedDoses: [dose(1, { partOfDay: '1' })], weekdays: ['mon', 'thu'] }],
    ],
    [
      'tapering periods',
      [
        fixed(['MORN'], { boundsPeriod: { start: '2026-01-01', end: '2026-01-07' } }),
        {
          ...fixed(['MORN'], { boundsPeriod: { start: '2026-01-08' } }),
          doseAndRate: [{ doseQuantity: { value: 0.5, code: 'tablett' } }],
        },
      ],
      [
        { start: '2026-01-01', end: '2026-01-07', fixedDoses: [dose(1, { partOfDay: '1' })] },
        { start: '2026-01-08', fixedDoses: [dose(0.5, { partOfDay: '1' })] },
      ],
    ],
    ['unknown event timing (HS)', [fixed(['HS'])], undefined],
    [
      'frequency without times',
      [{ ...fixed([]), timing: { repeat: { frequency: 2, period: 1, periodUnit: 'd' } } }],
      undefined,
    ],
    ['frequency disagreeing with the times', [fixed(['MORN'], { frequency: 3 })], undefined],
    ['a dose range', [{ ...fixed(['MORN']), doseAndRate: [{ doseRange: { low: { value: 1 } } }] }], undefined],
    [
      'as needed without a daily maximum',
      [
        {
          asNeededBoolean: true,
          timing: { repeat: {} },
          doseAndRate: [{ doseQuantity: { value: 1, unit: 'tablett' } }],
        },
      ],
      undefined,
    ],
    ['two doses at the same moment (the list refuses it)', [fixed(['MORN']), fixed(['MORN'])], undefined],
    ['timing of the wrong type', [{ ...fixed(['MORN']), timing: 'daily' }], undefined],
  ])('%s', (_, instructions, periods) => {
    const result = fromFhirDosage(instructions, '2026-01-01');
    expect(result.dosage?.periods).toEqual(periods);
  });

  it('keeps the texts when the structure cannot be mapped', () => {
    expect(fromFhirDosage([{ text: 'etter avtale' }, { text: ' og ved behov ' }], '2026-01-01')).toEqual({
      dosageText: 'etter avtale; og ved behov',
    });
    expect(fromFhirDosage([], '2026-01-01')).toEqual({});
  });

  it('needs a start date: bounds or the default', () => {
    expect(fromFhirDosage([fixed(['MORN'])], undefined)).toEqual({});
  });
});

// Valid dosages that FHIR Timing can express (no day cycles), with consecutive periods and unique moments.
const arbPeriodBody = fc.record(
  {
    parts: fc.subarray<PartOfDayCode>(['1', '2', '3', '4', '5', '6']),
    times: fc.uniqueArray(fc.constantFrom('07:00', '08:30', '12:00', '22:15')),
    quantity: fc.constantFrom(0.5, 1, 2, 2.5),
    unit: fc.constantFrom('tablett', 'ml', 'dose'),
    asNeeded: fc.option(
      fc.record({
        maxPer24h: fc.constantFrom(3, 4, 8),
        minIntervalHours: fc.option(fc.constantFrom(4, 6), { nil: undefined }),
      }),
      { nil: undefined },
    ),
    weekdays: fc.option(fc.subarray<Weekday>(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], { minLength: 1 }), {
      nil: undefined,
    }),
  },
  { requiredKeys: ['parts', 'times', 'quantity', 'unit'] },
);

const arbDosage: fc.Arbitrary<Dosage> = fc
  .tuple(
    fc.array(fc.tuple(arbPeriodBody, fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 3 }),
    fc.option(fc.constantFrom('1 tablett morgen', 'Etter avtale'), { nil: undefined }),
  )
  .map(([bodies, instruction]) => {
    let day = Date.UTC(2026, 0, 1);
    const periods = bodies.map(([body, length], i): DosagePeriod => {
      const start = new Date(day).toISOString().slice(0, 10);
      day += length * 86_400_000;
      const end = i < bodies.length - 1 ? new Date(day - 86_400_000).toISOString().slice(0, 10) : undefined;
      const fixedDoses = [
        ...body.parts.map((partOfDay) => ({ quantity: body.quantity, unit: body.unit, partOfDay })),
        ...body.times.map((time) => ({ quantity: body.quantity, unit: body.unit, time })),
      ];
      const asNeeded = body.asNeeded && {
        quantity: body.quantity,
        unit: body.unit,
        maxPer24h: body.asNeeded.maxPer24h,
        ...(body.asNeeded.minIntervalHours ? { minIntervalHours: body.asNeeded.minIntervalHours } : {}),
      };
      return {
        start,
        ...(end ? { end } : {}),
        fixedDoses:
          fixedDoses.length === 0 && !asNeeded
            ? [{ quantity: body.quantity, unit: body.unit, partOfDay: '1' }]
            : fixedDoses,
        ...(asNeeded ? { asNeeded } : {}),
        ...(body.weekdays ? { weekdays: body.weekdays } : {}),
      };
    });
    return { periods, ...(instruction ? { instruction } : {}) };
  });

describe('toFhirDosage ⇄ fromFhirDosage', () => {
  it('round-trips every valid dosage Timing can express', () => {
    fc.assert(
      fc.property(arbDosage, (dosage) => {
        expect(isValidDosage(dosage)).toBe(true);
        expect(fromFhirDosage(toFhirDosage(dosage), '1999-01-01')).toEqual({ dosage });
      }),
      { numRuns: 300 },
    );
  });

  it('writes a day cycle as text only', () => {
    const cycle: Dosage = {
      periods: [{ start: '2026-01-01', fixedDoses: [dose(1, { partOfDay: '1' })], cycle: { daysOn: 21, daysOff: 7 } }],
      instruction: '21 dager, 7 dager pause',
    };
    expect(toFhirDosage(cycle)).toEqual([{ text: '21 dager, 7 dager pause' }]);
  });
});
