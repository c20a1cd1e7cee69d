import { changedEntryIds, chartModel, columnsOf, doseAt, periodOn } from './chart-model';
import type { DosagePeriod, Entry, MedicationList } from './queries';

const gp = { role: 'prescriber', name: null, hprNumber: '9144889', organisationNumber: null };
const period = (start: string, end: string | null, doses: DosagePeriod['fixedDoses']): DosagePeriod => ({
  start,
  end,
  weekdays: null,
  fixedDoses: doses,
  asNeeded: null,
});
const dose = (quantity: number, at: { partOfDay?: string; time?: string }) => ({
  quantity,
  unit: 'tablett',
  partOfDay: at.partOfDay ?? null,
  time: at.time ?? null,
});

const entry = (entryId: string, periods: DosagePeriod[], overrides: Partial<Entry> = {}): Entry => ({
  entryId,
  status: 'active',
  use: '1',
  useLabel: 'Fast',
  indication: null,
  dosageText: '',
  asNeeded: null,
  dosage: { periods },
  medication: { displayName: entryId },
  multidose: 'NOT_IN_MULTIDOSE',
  pausedAt: null,
  pauseReason: null,
  changedAt: '2026-11-01T09:00:00Z',
  changedBy: gp,
  prescription: null,
  ...overrides,
});

const tapering = entry('prednisolon', [
  period('2026-11-10', '2026-11-23', [dose(2, { partOfDay: '1' })]),
  period('2026-11-24', null, [dose(1, { partOfDay: '1' })]),
]);
const evening = entry('simva', [period('2026-10-01', null, [dose(1, { partOfDay: '5' }), dose(1, { time: '21:00' })])]);

const listOf = (entries: Entry[], changes: MedicationList['changesSinceReview'] = []): MedicationList => ({
  version: 3,
  entries,
  discontinued: [],
  multidose: null,
  review: { status: 'REVIEWED', reviewedAt: null, reviewedBy: null },
  changesSinceReview: changes,
});

describe('the chart model (legemiddelkort)', () => {
  it('takes the dosage period in effect on the day; before the first, the first; after the last, the last', () => {
    expect(periodOn(tapering, '2026-11-23')?.fixedDoses[0]?.quantity).toBe(2);
    expect(periodOn(tapering, '2026-11-24')?.fixedDoses[0]?.quantity).toBe(1);
    expect(periodOn(tapering, '2026-11-01')?.start).toBe('2026-11-10');
    expect(periodOn(entry('ended', [period('2026-01-01', '2026-02-01', [])]), '2026-11-20')?.start).toBe('2026-01-01');
  });

  it('makes grid columns of the parts of day in 8325 order, then the clock times, and finds each dose', () => {
    const columns = columnsOf([evening, tapering], '2026-11-20');
    expect(columns.map((column) => column.label)).toEqual(['Morgen', 'Kveld', 'Kl. 21:00']);
    expect(columns.map((column) => doseAt(tapering, column, '2026-11-20')?.quantity)).toEqual([
      2,
      undefined,
      undefined,
    ]);
    expect(columns.map((column) => doseAt(evening, column, '2026-11-20')?.quantity)).toEqual([undefined, 1, 1]);
  });

  it('sorts entries into the grid, as needed, tapering, outside the bags and paused (status and packing in any case)', () => {
    const asNeeded = entry('paracet', [period('2026-10-01', null, [])], {
      asNeeded: { quantity: 1, unit: 'tablett', maxPer24h: 4, minIntervalHours: 4 },
      multidose: 'OUTSIDE_MULTIDOSE',
    });
    const paused = entry('paused', [period('2026-10-01', null, [dose(1, { partOfDay: '1' })])], { status: 'PAUSED' });
    const model = chartModel(
      listOf(
        [tapering, evening, asNeeded, paused],
        [{ at: '2026-11-19T10:00:00Z', summary: 'Pauset', entryId: 'paused', by: gp }],
      ),
      '2026-11-20',
    );
    expect(model.regular.map((e) => e.entryId)).toEqual(['prednisolon', 'simva']);
    expect(model.asNeeded.map((e) => e.entryId)).toEqual(['paracet']);
    expect(model.tapering.map((e) => e.entryId)).toEqual(['prednisolon']);
    expect(model.outsideMultidose.map((e) => e.entryId)).toEqual(['paracet']);
    expect(model.paused.map((e) => e.entryId)).toEqual(['paused']);
    expect([...model.changedSinceReview.keys()]).toEqual(['paused']);
  });

  it('names the entries a live update added or changed (new until seen)', () => {
    const changedDose = entry('simva', [period('2026-10-01', null, [dose(2, { partOfDay: '5' })])]);
    expect(changedEntryIds(listOf([tapering, evening]), listOf([tapering, changedDose, entry('new', [])]))).toEqual([
      'simva',
      'new',
    ]);
    expect(changedEntryIds(listOf([tapering]), listOf([tapering]))).toEqual([]);
  });
});
