import {
  type Check,
  type FigureResult,
  displayWidth,
  formatNumber,
  formatTable,
  pairedRatio,
  ratioOf,
  tableRows,
  tally,
  toJson,
  verdictOf,
} from './report';
import { median, percentileOfSorted, summarize } from './stats';

const check = (measured: number | undefined, comparison: Check['comparison'], threshold: number): Check => ({
  label: 'x',
  measured,
  comparison,
  threshold,
  unit: 'ms',
});

const b1: FigureResult = {
  id: 'B1',
  title: 'command',
  status: 'measured',
  figure: { value: 3_000, unit: 'commands/s' },
  baseline: { value: 5_000, unit: 'inserts/s' },
  ratio: 0.6,
  checks: [
    { label: 'ratio', measured: 60, comparison: '>=', threshold: 60, unit: '%' },
    { label: 'p99', measured: 2.5, comparison: '<=', threshold: 2, unit: 'ms' },
  ],
  details: {},
  notes: [],
};
const b6: FigureResult = {
  id: 'B6',
  title: 'rebuild',
  status: 'partial',
  figure: { value: 12, unit: 's' },
  baseline: { value: 4, unit: 's' },
  ratio: 3,
  ratioAs: 'times',
  checks: [{ label: 'time', measured: 12, comparison: '<=', threshold: 10, unit: 's' }],
  details: {},
  notes: ['partial: something'],
};

describe('bench report', () => {
  it.each([
    [check(2, '<=', 2), 'met'],
    [check(2.01, '<=', 2), 'not met'],
    [check(15_000, '>=', 15_000), 'met'],
    [check(14_999, '>=', 15_000), 'not met'],
    [check(10, '<', 10), 'not met'],
    [check(9.9, '<', 10), 'met'],
    [check(undefined, '<=', 2), 'not measured'],
    [check(Number.NaN, '<=', 2), 'not measured'],
  ] as const)('judges %j as %s', (given, verdict) => {
    expect(verdictOf(given, false)).toBe(verdict);
  });

  it('judges nothing in a smoke run', () => {
    expect(verdictOf(check(100, '<=', 2), true)).toBe('n/a');
  });

  it('divides the figure by the baseline of the same run, and refuses a missing or zero baseline', () => {
    expect(ratioOf(3_000, 5_000)).toBeCloseTo(0.6);
    expect(ratioOf(3_000, 0)).toBeUndefined();
    expect(ratioOf(3_000, undefined)).toBeUndefined();
    expect(ratioOf(Number.NaN, 5_000)).toBeUndefined();
  });

  it('takes the median of per-repetition ratios, skipping pairs without a baseline', () => {
    expect(pairedRatio([500, 1200, 1100], [1300, 1300, 2600])).toBeCloseTo(1100 / 2600);
    expect(pairedRatio([10, 20], [20, 20])).toBeCloseTo(0.75);
    expect(pairedRatio([10], [0])).toBeUndefined();
  });

  it('puts one row per check, the figure on the first, the ratio as a share or a multiple', () => {
    expect(tableRows([b1, b6], false)).toEqual([
      ['B1 command', '3 000 commands/s', '5 000 inserts/s', '60%', 'ratio ≥ 60%', 'yes (60%)'],
      ['', '', '', '', 'p99 ≤ 2 ms', 'NO (2.50 ms)'],
      ['B6 rebuild [partial]', '12 s', '4 s', '3×', 'time ≤ 10 s', 'NO (12 s)'],
    ]);
  });

  it('prints aligned columns and the notes under the table', () => {
    const lines = formatTable([b1, b6], false).split('\n');
    expect(new Set(lines.slice(0, 5).map(displayWidth)).size).toBe(1);
    expect(lines).toContain('  B6: partial: something');
  });

  it('counts met targets among those judged', () => {
    expect(tally([b1, b6], false)).toEqual({ met: 1, judged: 3 });
    expect(tally([b1, b6], true)).toEqual({ met: 0, judged: 0 });
  });

  it('formats three significant digits with grouped thousands', () => {
    expect([15234.4, 4.214, 0.03123, 99.95, 0, 60, undefined].map(formatNumber)).toEqual([
      '15 234',
      '4.21',
      '0.031',
      '100.0',
      '0',
      '60',
      '–',
    ]);
  });

  it('writes JSON with non-finite numbers as null', () => {
    const json = JSON.parse(
      toJson({
        startedAt: '',
        finishedAt: '',
        mode: 'full',
        soak: false,
        machine: {},
        dataset: {},
        figures: [{ ...b1, ratio: Number.NaN }],
      }),
    ) as { figures: { ratio: unknown }[] };
    expect(json.figures[0]?.ratio).toBeNull();
  });

  it('takes nearest-rank percentiles and medians', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileOfSorted(samples, 99)).toBe(99);
    expect(percentileOfSorted(samples, 50)).toBe(50);
    expect(summarize([3, 1, 2]).p50).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
