import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { median } from './stats';

/*
 * The benchmark's result model and its presentation: one FigureResult per figure (B1–B8), each with its
 * baseline from the same run, the ratio between them and the checks against the targets; the table
 * printed at the end and the JSON written to bench-results/latest.json.
 */

export const FIGURE_IDS = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8'] as const;
export type FigureId = (typeof FIGURE_IDS)[number];

/** A number with its unit, e.g. 4210 commands/s. */
export interface Measure {
  readonly value: number;
  readonly unit: string;
  /** what exactly was measured, e.g. "raw INSERT, synchronous=FULL" */
  readonly label?: string;
}

export type Comparison = '>=' | '<=' | '<';

/** One target of the issue, with the figure measured for it (undefined: not measured). */
export interface Check {
  readonly label: string;
  readonly measured: number | undefined;
  readonly comparison: Comparison;
  readonly threshold: number;
  readonly unit: string;
}

export type FigureStatus = 'measured' | 'partial' | 'failed' | 'skipped';

export interface FigureResult {
  readonly id: FigureId;
  readonly title: string;
  readonly status: FigureStatus;
  /** the median over the repetitions */
  readonly figure?: Measure;
  readonly baseline?: Measure;
  /** figure ÷ baseline from this run: the median of per-repetition ratios where both have repetitions */
  readonly ratio?: number;
  /** how the table shows the ratio: a share of the baseline (throughput) or a multiple of it (durations) */
  readonly ratioAs?: 'percent' | 'times';
  readonly checks: readonly Check[];
  /** percentiles, per-repetition values, sizes: whatever explains the figure */
  readonly details: Readonly<Record<string, number | string | readonly number[]>>;
  /** caveats shown under the table: partial measurement, auth not enforced, the error of a failed figure */
  readonly notes: readonly string[];
}

export type Verdict = 'met' | 'not met' | 'not measured' | 'n/a';

/** Whether a check is met. Smoke runs use tiny data, so their figures are not held against the targets. */
export const verdictOf = (check: Check, smoke: boolean): Verdict => {
  if (smoke) {
    return 'n/a';
  }
  const { measured, threshold } = check;
  if (measured === undefined || !Number.isFinite(measured)) {
    return 'not measured';
  }
  switch (check.comparison) {
    case '>=':
      return measured >= threshold ? 'met' : 'not met';
    case '<=':
      return measured <= threshold ? 'met' : 'not met';
    case '<':
      return measured < threshold ? 'met' : 'not met';
  }
};

/** figure ÷ baseline; undefined when either is missing or the baseline is not positive. */
export const ratioOf = (figure: number | undefined, baseline: number | undefined): number | undefined =>
  figure === undefined || baseline === undefined || !Number.isFinite(figure) || !(baseline > 0)
    ? undefined
    : figure / baseline;

/**
 * The median of per-repetition ratios (figure_i ÷ baseline_i, each pair measured back to back): on a shared
 * machine whose load drifts during the run, pairs compare like with like better than a ratio of medians.
 */
export const pairedRatio = (figures: readonly number[], baselines: readonly number[]): number | undefined => {
  const ratios = figures.flatMap((figure, i) => {
    const ratio = ratioOf(figure, baselines[i]);
    return ratio === undefined ? [] : [ratio];
  });
  if (ratios.length === 0) {
    return undefined;
  }
  return median(ratios);
};

/** Three significant digits at most (whole numbers as they are), thousands grouped with a space: 15 234, 4.21, 0.031. */
export const formatNumber = (value: number | undefined): string => {
  if (value === undefined || !Number.isFinite(value)) {
    return '–';
  }
  const magnitude = Math.abs(value);
  const digits = Number.isInteger(value) || magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
  const [whole = '', fraction] = value.toFixed(digits).split('.'); // split gives at least one part
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
};

const formatMeasure = (measure: Measure | undefined): string =>
  measure === undefined ? '–' : `${formatNumber(measure.value)} ${measure.unit}`;

const SYMBOL: Record<Comparison, string> = { '>=': '≥', '<=': '≤', '<': '<' };

const formatCheck = (check: Check): string =>
  `${check.label} ${SYMBOL[check.comparison]} ${formatNumber(check.threshold)}${unitSuffix(check.unit)}`;

const unitSuffix = (unit: string): string => (unit === '%' || unit === '×' || unit === '' ? unit : ` ${unit}`);

const formatVerdict = (check: Check, smoke: boolean): string => {
  const verdict = verdictOf(check, smoke);
  const measured = check.measured === undefined ? '' : ` (${formatNumber(check.measured)}${unitSuffix(check.unit)})`;
  switch (verdict) {
    case 'met':
      return `yes${measured}`;
    case 'not met':
      return `NO${measured}`;
    case 'not measured':
      return 'not measured';
    case 'n/a':
      return `n/a${measured}`;
  }
};

/** The rows of the table: one per check, the figure's own columns on its first row. */
export const tableRows = (results: readonly FigureResult[], smoke: boolean): string[][] => {
  const rows: string[][] = [];
  for (const result of results) {
    const checks: readonly (Check | undefined)[] = result.checks.length > 0 ? result.checks : [undefined];
    checks.forEach((check, index) => {
      const first = index === 0;
      const status = result.status === 'measured' ? '' : ` [${result.status}]`;
      rows.push([
        first ? `${result.id} ${result.title}${status}` : '',
        first ? formatMeasure(result.figure) : '',
        first ? formatMeasure(result.baseline) : '',
        first ? formatRatio(result) : '',
        check === undefined ? '–' : formatCheck(check),
        check === undefined ? '–' : formatVerdict(check, smoke),
      ]);
    });
  }
  return rows;
};

const formatRatio = (result: FigureResult): string => {
  if (result.ratio === undefined) {
    return '';
  }
  return result.ratioAs === 'times' ? `${formatNumber(result.ratio)}×` : `${formatNumber(result.ratio * 100)}%`;
};

/** Display width: code points, so `≥` and `×` count as one column (the table holds no combining characters). */
export const displayWidth = (text: string): number => Array.from(text).length;

const HEADER = ['figure', 'measured (median)', 'baseline (same run)', 'ratio', 'target', 'met'];

/** A plain-text table (also valid Markdown), then the notes of each figure. */
export const formatTable = (results: readonly FigureResult[], smoke: boolean): string => {
  const rows = [HEADER, ...tableRows(results, smoke)];
  const widths = HEADER.map((_, column) => Math.max(...rows.map((row) => displayWidth(row[column] ?? ''))));
  const line = (row: readonly string[]): string =>
    `| ${row.map((cell, column) => cell + ' '.repeat((widths[column] ?? 0) - displayWidth(cell))).join(' | ')} |`;
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`;
  const notes = results.flatMap((result) => result.notes.map((note) => `  ${result.id}: ${note}`));
  return [line(HEADER), rule, ...rows.slice(1).map(line), ...(notes.length > 0 ? ['', 'Notes:', ...notes] : [])].join(
    '\n',
  );
};

/** How many checks were met, out of how many were judged. */
export const tally = (results: readonly FigureResult[], smoke: boolean): { met: number; judged: number } => {
  const verdicts = results.flatMap((result) => result.checks.map((check) => verdictOf(check, smoke)));
  return {
    met: verdicts.filter((verdict) => verdict === 'met').length,
    judged: verdicts.filter((verdict) => verdict === 'met' || verdict === 'not met').length,
  };
};

/** Everything a run writes to bench-results/latest.json. */
export interface RunReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly mode: 'full' | 'smoke';
  readonly soak: boolean;
  readonly machine: Readonly<Record<string, string | number | readonly number[]>>;
  readonly dataset: Readonly<Record<string, string | number>>;
  readonly figures: readonly FigureResult[];
}

/** JSON with bigints as strings (positions) and non-finite numbers as null. */
export const toJson = (report: RunReport): string =>
  JSON.stringify(
    report,
    (_key, value: unknown) =>
      typeof value === 'bigint'
        ? value.toString()
        : typeof value === 'number' && !Number.isFinite(value)
          ? null
          : value,
    2,
  );

export const writeReport = (directory: string, report: RunReport): string => {
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, 'latest.json');
  writeFileSync(file, `${toJson(report)}\n`);
  return file;
};
