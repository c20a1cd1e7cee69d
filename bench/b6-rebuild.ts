import { withEventSchemas } from '../src/event-schemas';
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { currentMedicationListProjection } from '../projections/current-medication-list/current-medication-list.projection';
import type { ProjectionEvent } from '../projections/projection';
import { SqliteReadModelStore } from '../src/read-models/read-model.store';
import type { EventMetadata, EventStorePort } from '../src/shared/event-sourcing/event-store.port';
import { ProjectionNotCaughtUpError, Projector, eraseDocumentType } from '../src/shared/event-sourcing/projector';
import { SqliteEventStore } from '../src/shared/event-sourcing/sqlite.event-store';
import type { BenchContext } from './context';
import type { FigureResult } from './report';
import { pairedRatio } from './report';
import { median } from './stats';

/*
 * B6: rebuilding the current-list read model from position zero with the service's own path (`npm run rebuild`:
 * the Projector over a catch-up subscription, documents and checkpoint committed per batch) into a fresh
 * read-model file, against the raw limit: read every event with one SELECT, JSON.parse, fold in a Map.
 */

interface RawRow {
  readonly position: number;
  readonly stream_name: string;
  readonly revision: number;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

/**
 * The baseline: read + parse + fold of every event, documents kept in memory. Also times the fold alone, so the
 * report can say how much of the baseline is reading and parsing the events (a floor for any rebuild).
 */
const rawFold = (eventsFile: string): { documents: number; events: number; foldSeconds: number } => {
  const db = new Database(eventsFile, { readonly: true });
  const projection = currentMedicationListProjection;
  const handles = new Set(projection.handles);
  const documents = new Map<string, ReturnType<typeof projection.initialDocument>>();
  let events = 0;
  let foldMs = 0;
  try {
    const rows = db
      .prepare<[], RawRow>('SELECT position, stream_name, revision, type, data, metadata FROM events ORDER BY position')
      .iterate();
    for (const row of rows) {
      events += 1;
      if (!handles.has(row.type)) {
        continue;
      }
      const event: ProjectionEvent = {
        type: row.type,
        data: JSON.parse(row.data) as unknown,
        metadata: JSON.parse(row.metadata) as EventMetadata,
        streamName: row.stream_name,
        revision: row.revision,
        position: String(row.position),
      };
      const foldStarted = performance.now();
      for (const id of projection.documentIds(event)) {
        documents.set(id, projection.evolve(documents.get(id) ?? projection.initialDocument(id), event));
      }
      foldMs += performance.now() - foldStarted;
    }
  } finally {
    db.close();
  }
  return { documents: documents.size, events, foldSeconds: foldMs / 1000 };
};

/** When one repetition (rebuild + baseline) takes longer than this, B6 stops after it. */
const BUDGET_SECONDS = 60;
/** A rebuild still running after this long is stopped and its time projected from its rate (not with --uncapped). */
const CAP_MS = 120_000;

interface RebuildOutcome {
  readonly seconds: number;
  readonly events: number;
  /** false: stopped at the cap; `seconds` is then projected from the rate so far */
  readonly complete: boolean;
}

/**
 * What `rebuildProjection` (src/cli/rebuild.ts) does, the ordinary Projector from position zero into a reset
 * read model, with a deadline: a rebuild ten times over its target need not run to the end to be measured.
 */
const rebuild = async (
  eventStore: EventStorePort,
  store: SqliteReadModelStore,
  capMs: number,
): Promise<RebuildOutcome> => {
  const projection = eraseDocumentType(currentMedicationListProjection);
  const started = performance.now();
  const head = await eventStore.headPosition();
  store.reset(projection.name);
  if (head === undefined) {
    return { seconds: 0, events: 0, complete: true };
  }
  let events = 0;
  const projector = new Projector({
    eventStore,
    store,
    projections: [projection],
    observer: {
      onApplied: (_name, count) => (events += count),
      onUnknownEvent: () => undefined,
      onError: () => undefined,
    },
  });
  projector.start();
  try {
    await projector.waitForPosition(projection.name, head, capMs);
    return { seconds: (performance.now() - started) / 1000, events, complete: true };
  } catch (error) {
    if (!(error instanceof ProjectionNotCaughtUpError)) {
      throw error;
    }
    const elapsed = (performance.now() - started) / 1000;
    return {
      seconds: events === 0 ? Number.POSITIVE_INFINITY : (elapsed * Number(head)) / events,
      events,
      complete: false,
    };
  } finally {
    await projector.stop();
  }
};

export const runB6 = async (ctx: BenchContext): Promise<FigureResult> => {
  const seconds: number[] = [];
  const baselineSeconds: number[] = [];
  const readParseSeconds: number[] = [];
  const eventsPerSecond: number[] = [];
  let events = 0;
  let documents = 0;
  const notes: string[] = [];
  for (let rep = 0; rep < ctx.reps; rep += 1) {
    const firstTook = (seconds[0] ?? 0) + (baselineSeconds[0] ?? 0); // both set once rep 0 is done
    if (rep > 0 && firstTook > BUDGET_SECONDS) {
      notes.push(
        `1 repetition only: one took ${firstTook.toFixed(0)} s, over the ${BUDGET_SECONDS} s this figure may take in the 10-minute run (--reps does not override this)`,
      );
      break;
    }
    const baselineStarted = performance.now();
    const folded = rawFold(ctx.dataset.eventsFile);
    const baselineTook = (performance.now() - baselineStarted) / 1000;
    const readParseTook = baselineTook - folded.foldSeconds;
    baselineSeconds.push(baselineTook);
    readParseSeconds.push(readParseTook);
    documents = folded.documents;

    // The pristine cached events file (read only here), a fresh read-model file per repetition.
    const file = path.join(ctx.runDir, `rebuild-${rep}.db`);
    const eventStore = withEventSchemas(new SqliteEventStore({ filename: ctx.dataset.eventsFile }));
    const store = new SqliteReadModelStore({ file });
    let rebuildTook: number;
    try {
      const outcome = await rebuild(eventStore, store, ctx.uncapped ? 2 ** 31 - 1 : CAP_MS);
      rebuildTook = outcome.seconds;
      seconds.push(outcome.seconds);
      events = outcome.events;
      eventsPerSecond.push(outcome.events / Math.min(outcome.seconds, CAP_MS / 1000));
      if (!outcome.complete) {
        notes.push(
          `stopped at the ${CAP_MS / 1000} s cap after ${outcome.events} of ${ctx.dataset.events} events; the time is projected from its rate (--uncapped runs it to the end)`,
        );
      }
    } finally {
      store.close();
      await eventStore.close();
      for (const suffix of ['', '-wal', '-shm']) {
        rmSync(`${file}${suffix}`, { force: true });
      }
    }
    ctx.log(
      `  B6 rep ${rep + 1}: rebuild ${rebuildTook.toFixed(2)} s (${events} events) vs raw read+parse+fold ${baselineTook.toFixed(2)} s (read+parse alone ${readParseTook.toFixed(2)} s)`,
    );
  }
  const figure = median(seconds);
  const baseline = median(baselineSeconds);
  const ratio = pairedRatio(seconds, baselineSeconds);
  return {
    id: 'B6',
    title: `rebuild current list from ${ctx.dataset.events} events / ${ctx.dataset.patients.length} patients`,
    status: 'measured',
    figure: {
      value: figure,
      unit: 's',
      label: 'the Projector from position zero into a fresh read model (npm run rebuild)',
    },
    baseline: { value: baseline, unit: 's', label: 'raw SELECT + JSON.parse + fold in memory' },
    ratio,
    ratioAs: 'times',
    checks: [
      { label: 'time', measured: figure, comparison: '<=', threshold: 10, unit: 's' },
      { label: 'time ÷ baseline', measured: ratio, comparison: '<=', threshold: 4, unit: '×' },
    ],
    details: { seconds, baselineSeconds, readParseSeconds, eventsPerSecond, events, documents },
    notes: [
      ...notes,
      `reading and parsing the events alone (no fold, no writes) took ${median(readParseSeconds).toFixed(1)} s of the baseline: no rebuild that reads the log on one core can beat that`,
    ],
  };
};
