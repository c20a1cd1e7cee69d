import { withEventSchemas } from '../src/event-schemas';
import { createReadStream, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteReadModelStore } from '../src/read-models/read-model.store';
import { readModelProjections } from '../src/read-models/read-models.module';
import type { FeedSource } from '../src/reconciliation/domain/external-record';
import { SYNTHETIC_NOW } from '../src/reconciliation/synthetic/feed-generator';
import { readLinesLimited } from '../src/reconciliation/feeds/fhir-ndjson.feed';
import type { ImportSummary } from '../src/reconciliation/domain/import-summary';
import { ReconciliationService } from '../src/reconciliation/reconciliation.service';
import { fixedClock } from '../src/shared/clock';
import type { EventStorePort } from '../src/shared/event-sourcing/event-store.port';
import { Projector } from '../src/shared/event-sourcing/projector';
import { SqliteEventStore } from '../src/shared/event-sourcing/sqlite.event-store';
import type { BenchContext } from './context';
import {
  BENCH_PATIENT_ID_SECRET,
  type Feed,
  type FeedLists,
  type FeedPatient,
  feedListsCopy,
  prepareFeed,
  prepareFeedLists,
} from './data';
import type { FigureResult } from './report';
import { median } from './stats';

/*
 * B7: reconcile a 100k-patient feed end to end. The feed patients' lists are in a SQLite event file with their read
 * models (generated once, not timed; each repetition works on a fresh copy). Timed: both FHIR NDJSON files (the
 * e-prescription registry, then the core record) streamed from disk through ReconciliationService.importFeed, the
 * service's own import (the CLI and GraphQL use it): parse, group by patient, record dispensings on the lists,
 * reconcile, append the discrepancy events and the run's counts; then until the service's projector (every read
 * model the service keeps, the GP worklist among them) has projected all of it. Checked afterwards from the events
 * (not from a read model's document shape): the open discrepancy keys equal the planted ones.
 */

/** When one repetition takes longer than this, B7 stops after it (it stays within the 10-minute run). */
const BUDGET_SECONDS = 40;
/** How long the projector may take to catch up before the repetition counts as failed. */
const PROJECTOR_TIMEOUT_MS = 600_000;

const FEEDS: readonly FeedSource[] = ['eprescription', 'core-record'];

/** `patientId|key` of every planted discrepancy. */
const plantedKeys = (patientsFile: string): Set<string> => {
  const keys = new Set<string>();
  for (const line of readFileSync(patientsFile, 'utf8').split('\n')) {
    if (line !== '') {
      const patient = JSON.parse(line) as FeedPatient;
      patient.planted.forEach((key) => keys.add(`${patient.list.patientId}|${key}`));
    }
  }
  return keys;
};

/** `patientId|key` of every discrepancy open after the events appended since `from` (detected and not cleared). */
const openKeys = async (store: EventStorePort, from: bigint): Promise<Set<string>> => {
  const patientOf = new Map<string, string>();
  const open = new Map<string, Set<string>>();
  for (let position = from; ;) {
    const page = await store.readAll({ fromPosition: position, maxCount: 20_000 });
    const lastOfPage = page.at(-1);
    if (lastOfPage === undefined) {
      break;
    }
    for (const event of page) {
      const data = event.data as { readonly key: string; readonly patientId?: string };
      if (event.type === 'DiscrepancyDetected' && data.patientId !== undefined) {
        patientOf.set(event.streamName, data.patientId);
        open.set(event.streamName, (open.get(event.streamName) ?? new Set()).add(data.key));
      } else if (event.type === 'DiscrepancyCleared' || event.type === 'DiscrepancyResolved') {
        open.get(event.streamName)?.delete(data.key);
      }
    }
    position = lastOfPage.position;
  }
  const keys = new Set<string>();
  for (const [stream, streamKeys] of open) {
    streamKeys.forEach((key) => keys.add(`${patientOf.get(stream) ?? stream}|${key}`));
  }
  return keys;
};

interface Repetition {
  readonly seconds: number;
  readonly importSeconds: number;
  /** per feed: reading (parse and group) and applying (per patient: append, reconcile, record) */
  readonly phases: readonly string[];
  readonly summaries: readonly ImportSummary[];
  readonly appended: number;
  readonly found: Set<string>;
}

const repetition = async (ctx: BenchContext, rep: number, feed: Feed, lists: FeedLists): Promise<Repetition> => {
  const files = feedListsCopy(lists, path.join(ctx.runDir, 'b7'));
  const eventStore = withEventSchemas(new SqliteEventStore({ filename: files.eventsFile }));
  const readModels = new SqliteReadModelStore({ file: files.readModelsFile });
  const projections = readModelProjections();
  let projectorError: Error | undefined;
  const projector = new Projector({
    eventStore,
    store: readModels,
    projections,
    observer: {
      onApplied: () => undefined,
      onUnknownEvent: () => undefined,
      onError: (name, error) =>
        (projectorError = error instanceof Error ? error : new Error(`projection ${name} failed`)),
    },
  });
  const caughtUp = async (position: bigint): Promise<void> => {
    await Promise.all(projections.map((p) => projector.waitForPosition(p.name, position, PROJECTOR_TIMEOUT_MS)));
    if (projectorError !== undefined) {
      throw projectorError;
    }
  };
  try {
    projector.start();
    await caughtUp(lists.head); // the copy's read models are at its head already: nothing to do but check
    const service = new ReconciliationService(eventStore, fixedClock(SYNTHETIC_NOW), {
      patientIdSecret: BENCH_PATIENT_ID_SECRET,
    });
    const files = { eprescription: feed.eprescriptionFile, 'core-record': feed.coreRecordFile };
    const started = performance.now();
    const summaries: ImportSummary[] = [];
    const phases: string[] = [];
    for (const source of FEEDS) {
      const lines = readLinesLimited(createReadStream(files[source]));
      const feedStarted = performance.now();
      let applyStarted: number | undefined;
      const onProgress = ({ phase }: { readonly phase: string }): void => {
        applyStarted ??= phase === 'apply' ? performance.now() : undefined;
      };
      summaries.push(
        await service.importFeed(source, { kind: 'ndjson', lines }, { runId: `b7-${rep + 1}-${source}`, onProgress }),
      );
      const feedDone = performance.now();
      const read = ((applyStarted ?? feedDone) - feedStarted) / 1000;
      phases.push(
        `${source}: read ${read.toFixed(1)} s + apply ${((feedDone - (applyStarted ?? feedDone)) / 1000).toFixed(1)} s`,
      );
    }
    const imported = performance.now();
    const head = (await eventStore.headPosition()) ?? lists.head;
    await caughtUp(head);
    const seconds = (performance.now() - started) / 1000;
    return {
      seconds,
      importSeconds: (imported - started) / 1000,
      phases,
      summaries,
      appended: Number(head - lists.head),
      found: await openKeys(eventStore, lists.head),
    };
  } finally {
    await projector.stop();
    readModels.close();
    await eventStore.close();
  }
};

export const runB7 = async (ctx: BenchContext): Promise<FigureResult> => {
  const patientsWanted = ctx.smoke ? 300 : 100_000;
  const feed = await prepareFeed(ctx.cacheDir, ctx.seed, patientsWanted, ctx.log);
  const lists = await prepareFeedLists(ctx.cacheDir, ctx.seed, feed, ctx.log);
  const planted = plantedKeys(feed.patientsFile);
  const seconds: number[] = [];
  const notes: string[] = [];
  let last: Repetition | undefined;
  let missed = 0;
  let invented = 0;
  for (let rep = 0; rep < ctx.reps; rep += 1) {
    const firstTook = seconds[0] ?? 0; // set once rep 0 is done
    if (rep > 0 && firstTook > BUDGET_SECONDS) {
      notes.push(
        `1 repetition only: it took ${firstTook.toFixed(0)} s, over the ${BUDGET_SECONDS} s budget of this figure in the 10-minute run`,
      );
      break;
    }
    last = await repetition(ctx, rep, feed, lists);
    const found = last.found;
    missed = [...planted].filter((key) => !found.has(key)).length;
    invented = [...found].filter((key) => !planted.has(key)).length;
    seconds.push(last.seconds);
    const rejected = last.summaries.reduce((sum, s) => sum + s.linesRejected, 0);
    ctx.log(
      `  B7 rep ${rep + 1}: ${last.seconds.toFixed(2)} s (import ${last.importSeconds.toFixed(2)} s [${last.phases.join('; ')}], then projection) for ${feed.lines} lines, ` +
        `${last.appended} events appended; ${found.size} open, ${missed} missed, ${invented} invented; ${rejected} lines rejected`,
    );
  }
  const figure = median(seconds);
  return {
    id: 'B7',
    title: `reconcile a ${feed.patients}-patient feed end to end`,
    status: 'measured',
    figure: { value: figure, unit: 's', label: 'import both NDJSON feeds (parse, compare, append) + project' },
    checks: [
      { label: 'time', measured: figure, comparison: '<=', threshold: 10, unit: 's' },
      { label: 'planted missed', measured: missed, comparison: '<=', threshold: 0, unit: '' },
      { label: 'invented', measured: invented, comparison: '<=', threshold: 0, unit: '' },
    ],
    details: {
      seconds,
      importSeconds: last?.importSeconds ?? 0,
      lines: feed.lines,
      planted: planted.size,
      found: last?.found.size ?? 0,
      missed,
      invented,
      eventsAppended: last?.appended ?? 0,
      listEvents: lists.events,
      ...Object.fromEntries(
        (last?.summaries ?? []).flatMap((s) => [
          [`${s.source}.patientsApplied`, s.patientsApplied],
          [`${s.source}.patientsHeldBack`, s.patientsHeldBack + s.patientsFailed],
          [`${s.source}.dispensingsRecorded`, s.dispensingsRecorded],
          [`${s.source}.discrepanciesNew`, s.discrepanciesNew],
          [`${s.source}.discrepanciesCleared`, s.discrepanciesCleared],
          [`${s.source}.linesRejected`, s.linesRejected],
        ]),
      ),
    },
    notes,
  };
};
