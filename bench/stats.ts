import { mulberry32 } from '../src/shared/seeded-random';
import { performance } from 'node:perf_hooks';

/* Small statistics for the benchmark: percentiles of latency samples and medians of repetitions. */

/** The p-th percentile (0–100) of already sorted samples, nearest rank; NaN when there are none. */
export const percentileOfSorted = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
};

/** The median of the values (mean of the middle two for an even count); NaN when there are none. */
export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle];
  const lower = sorted[middle - 1];
  if (upper === undefined) {
    return Number.NaN; // no values
  }
  return sorted.length % 2 === 1 || lower === undefined ? upper : (lower + upper) / 2;
};

/** Latencies in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export const summarize = (samples: readonly number[]): LatencySummary => {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    p50: percentileOfSorted(sorted, 50),
    p90: percentileOfSorted(sorted, 90),
    p99: percentileOfSorted(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
  };
};

/** Runs `body` and returns how long it took in milliseconds, with its result. */
export const timed = async <T>(body: () => Promise<T> | T): Promise<{ readonly ms: number; readonly result: T }> => {
  const started = performance.now();
  const result = await body();
  return { ms: performance.now() - started, result };
};

/** A seeded PRNG for choosing patients: the same seed picks the same patients in every run. */
export const seededRandom = mulberry32;

export const round = (value: number, digits = 2): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};
