import { withEventSchemas } from '../src/event-schemas';
import { performance } from 'node:perf_hooks';
import { currentMedicationListProjection } from '../projections/current-medication-list/current-medication-list.projection';
import { SqliteReadModelStore } from '../src/read-models/read-model.store';
import { readModelProjections } from '../src/read-models/read-models.module';
import { Projector } from '../src/shared/event-sourcing/projector';
import { SqliteEventStore } from '../src/shared/event-sourcing/sqlite.event-store';
import { runCommand } from './b1-command';
import { type BenchContext, patientPicker } from './context';
import type { FigureResult } from './report';
import { median, seededRandom, summarize } from './stats';

/*
 * B5: projection lag at a steady 1,000 events/s, the way the service runs: the command handler and the projector
 * (both read models, the service's own composition) in one process over the events file and the separate
 * read-model file. Lag of an event = when the projector's transaction holding it committed (its change is
 * emitted after the commit) − when its append was acknowledged.
 */

const RATE = 1_000;

/** Per appended event: the first change at or past its position, minus when its append was acknowledged (≥ 0). */
export const lagsOf = (
  appended: readonly { position: bigint; at: number }[],
  changes: readonly { position: bigint; at: number }[],
): number[] => {
  const sortedAppends = [...appended].sort((a, b) => (a.position < b.position ? -1 : 1));
  const lags: number[] = [];
  let c = 0;
  for (const append of sortedAppends) {
    let change = changes[c];
    while (change !== undefined && change.position < append.position) {
      c += 1;
      change = changes[c];
    }
    if (change !== undefined) {
      lags.push(Math.max(0, change.at - append.at));
    }
  }
  return lags;
};

export const runB5 = async (ctx: BenchContext): Promise<FigureResult> => {
  const phaseMs = ctx.phaseMs(5_000, 1_000);
  const eventStore = withEventSchemas(new SqliteEventStore({ filename: ctx.eventsFile }));
  const store = new SqliteReadModelStore({ file: ctx.readModelsFile });
  const projector = new Projector({ eventStore, store, projections: readModelProjections() });
  const listProjection = currentMedicationListProjection.name;
  const pick = patientPicker(ctx.dataset.patients, seededRandom(ctx.seed + 5));
  // Both sides are recorded as they happen and matched afterwards: a change may be emitted before the command's
  // promise has delivered its position to this code (both run in the same microtask queue).
  let appended: { position: bigint; at: number }[] = [];
  let changes: { position: bigint; at: number }[] = [];
  const subscription = projector.changes.subscribe((change) => {
    if (change.projection === listProjection) {
      changes.push({ position: change.position, at: performance.now() });
    }
  });
  const p99s: number[] = [];
  const p50s: number[] = [];
  const maxima: number[] = [];
  let failures = 0;
  let sequence = 20_000_000; // review dates apart from B1's and B2's
  try {
    projector.start();
    const head = await eventStore.headPosition();
    if (head !== undefined) {
      await projector.waitForPosition(listProjection, head, 600_000); // catch up first (not measured)
    }
    const phase = (ms: number): Promise<void> =>
      new Promise((resolve) => {
        const started = performance.now();
        const total = Math.floor((RATE * ms) / 1000);
        let sent = 0;
        let settled = 0;
        const ticker = setInterval(() => {
          const due = Math.min(total, Math.floor(((performance.now() - started) * RATE) / 1000));
          for (; sent < due; sent += 1) {
            runCommand(eventStore, pick().streamName, sequence++).then(
              (result) => {
                settled += 1;
                if (result.position !== undefined) {
                  appended.push({ position: result.position, at: performance.now() });
                }
                if (settled === total) {
                  resolve();
                }
              },
              () => {
                settled += 1;
                failures += 1;
                if (settled === total) {
                  resolve();
                }
              },
            );
          }
          if (sent >= total) {
            clearInterval(ticker);
          }
        }, 1);
      });
    await phase(Math.min(1_000, phaseMs));
    for (let rep = 0; rep < ctx.reps; rep += 1) {
      appended = [];
      changes = [];
      await phase(phaseMs);
      const last = await eventStore.headPosition();
      if (last !== undefined) {
        await projector.waitForPosition(listProjection, last, 30_000);
      }
      const summary = summarize(lagsOf(appended, changes));
      p99s.push(summary.p99);
      p50s.push(summary.p50);
      maxima.push(summary.max);
      ctx.log(
        `  B5 rep ${rep + 1}: ${summary.count} events at ${RATE}/s, lag p50 ${summary.p50.toFixed(2)} ms, p99 ${summary.p99.toFixed(2)} ms`,
      );
    }
  } finally {
    subscription.unsubscribe();
    await projector.stop();
    store.close();
    await eventStore.close();
  }
  return {
    id: 'B5',
    title: `projection lag at ${RATE} events/s`,
    status: 'measured',
    figure: { value: median(p99s), unit: 'ms p99', label: 'projector commit − append acknowledged (current list)' },
    checks: [{ label: 'p99', measured: median(p99s), comparison: '<=', threshold: 20, unit: 'ms' }],
    details: { p50Ms: median(p50s), p99Ms: p99s, maxMs: maxima, rate: RATE, phaseMs },
    notes: failures > 0 ? [`${failures} commands failed`] : [],
  };
};
