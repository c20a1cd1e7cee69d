import { withEventSchemas } from '../src/event-schemas';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { SqliteEventStore } from '../src/shared/event-sourcing/sqlite.event-store';
import { defined } from '../src/shared/defined';
import { RAW_REVISION_BASE, openRaw, reviewRow, runCommand } from './b1-command';
import type { BenchContext } from './context';
import type { FigureResult } from './report';
import { pairedRatio } from './report';
import { median, seededRandom, summarize } from './stats';

/*
 * B2: 64 commands in flight on many patients, durable. The SQLite adapter group-commits the appends that arrive
 * in the same turn of the event loop (one transaction, one fsync), so throughput should approach the raw limit of
 * batched inserts: the baseline is raw 100-row transactions with synchronous=FULL.
 */

const IN_FLIGHT = 64;
const BATCH = 100;

export const runB2 = async (ctx: BenchContext): Promise<FigureResult> => {
  const phaseMs = ctx.phaseMs(3_000, 300);
  const file = ctx.commandsFile();
  const random = seededRandom(ctx.seed + 2);
  const patients = ctx.dataset.patients;
  let sequence = 10_000_000; // review dates apart from B1's and B5's
  const perSecond: number[] = [];
  const p99s: number[] = [];
  const batchSizes: number[] = [];
  const baselinePerSecond: number[] = [];
  const commandPhase = async (
    ms: number,
  ): Promise<{ events: number; latencies: number[]; elapsed: number; commits: number }> => {
    const sqlite = new SqliteEventStore({ filename: file });
    const store = withEventSchemas(sqlite);
    const latencies: number[] = [];
    const started = performance.now();
    // Worker w takes patients w, w+64, w+128 …: the 64 in-flight commands never share a stream.
    const worker = async (w: number): Promise<void> => {
      const share = Math.floor((patients.length - w - 1) / IN_FLIGHT) + 1;
      while (performance.now() - started < ms) {
        const patient = defined(patients[w + IN_FLIGHT * Math.floor(random() * share)], 'a patient of this worker');
        const begin = performance.now();
        await runCommand(store, patient.streamName, sequence++);
        latencies.push(performance.now() - begin);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, patients.length) }, (_, w) => worker(w)));
      return { events: latencies.length, latencies, elapsed: performance.now() - started, commits: sqlite.commitCount };
    } finally {
      await store.close();
    }
  };
  const rawPhase = (ms: number): { events: number; elapsed: number } => {
    const raw = openRaw(file);
    const insertBatch = raw.db.transaction((rows: number) => {
      for (let i = 0; i < rows; i += 1) {
        const row = reviewRow(sequence);
        const patient = defined(patients[Math.floor(random() * patients.length)], 'a patient');
        raw.insert.run(
          patient.streamName,
          RAW_REVISION_BASE + sequence++,
          randomUUID(),
          row.type,
          row.data,
          row.metadata,
        );
      }
    });
    const started = performance.now();
    let events = 0;
    try {
      while (performance.now() - started < ms) {
        insertBatch.immediate(BATCH);
        events += BATCH;
      }
      return { events, elapsed: performance.now() - started };
    } finally {
      raw.db.close();
    }
  };
  await commandPhase(Math.min(1_000, phaseMs));
  rawPhase(Math.min(300, phaseMs));
  for (let rep = 0; rep < ctx.reps; rep += 1) {
    const baseline = rawPhase(phaseMs);
    const baselineRate = baseline.events / (baseline.elapsed / 1000);
    baselinePerSecond.push(baselineRate);
    const figure = await commandPhase(phaseMs);
    const rate = figure.events / (figure.elapsed / 1000);
    const p99 = summarize(figure.latencies).p99;
    const batchSize = figure.events / Math.max(1, figure.commits);
    perSecond.push(rate);
    p99s.push(p99);
    batchSizes.push(batchSize);
    ctx.log(
      `  B2 rep ${rep + 1}: ${rate.toFixed(0)} events/s (${batchSize.toFixed(1)} appends/commit, p99 ${p99.toFixed(1)} ms) vs raw ${baselineRate.toFixed(0)} rows/s`,
    );
  }
  const figure = median(perSecond);
  const baseline = median(baselinePerSecond);
  return {
    id: 'B2',
    title: `concurrent commands, ${IN_FLIGHT} in flight, durable`,
    status: 'measured',
    figure: { value: figure, unit: 'events/s', label: 'handleCommand ×64 in flight, group commit (FULL)' },
    baseline: {
      value: baseline,
      unit: 'rows/s',
      label: `raw ${BATCH}-row transactions into the same table, synchronous=FULL`,
    },
    ratio: pairedRatio(perSecond, baselinePerSecond),
    checks: [{ label: 'events/s', measured: figure, comparison: '>=', threshold: 15_000, unit: 'events/s' }],
    details: { eventsPerSecond: perSecond, appendsPerCommit: batchSizes, p99Ms: p99s, baselinePerSecond, phaseMs },
    notes: [],
  };
};
