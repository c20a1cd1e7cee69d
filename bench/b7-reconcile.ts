import { createReadStream, existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ExternalRecord, FeedSource } from '../src/reconciliation/external-record';
import { SYNTHETIC_NOW } from '../src/reconciliation/feed-generator';
import { parseFhirNdjson, readLinesLimited } from '../src/reconciliation/feeds/fhir-ndjson.feed';
import { reconcile } from '../src/reconciliation/reconcile';
import type { BenchContext } from './context';
import { type FeedPatient, prepareFeed } from './data';
import type { FigureResult } from './report';
import { median } from './stats';

/*
 * B7: reconcile a 100k-patient feed (both FHIR NDJSON files: e-prescription registry and core record) with
 * discrepancies D1–D8 planted, and check that every planted one is found and nothing else. End to end means
 * parse, compare, append the discrepancy events and project them: that needs the reconciliation import service
 * (src/reconciliation/reconciliation.service.ts, being written). Until it lands this measures parse (streamed
 * from the files) + compare against the lists, and the figure is marked partial.
 */

/** When one repetition takes longer than this (twice the target), B7 stops after it. */
const BUDGET_SECONDS = 20;

const IMPORT_SERVICE = path.join('src', 'reconciliation', 'reconciliation.service.js');

const parseFile = async (file: string, source: FeedSource, into: Map<string, ExternalRecord[]>): Promise<number> => {
  let rejected = 0;
  for await (const outcome of parseFhirNdjson(readLinesLimited(createReadStream(file)), source)) {
    if ('record' in outcome) {
      const records = into.get(outcome.record.patientId);
      if (records === undefined) {
        into.set(outcome.record.patientId, [outcome.record]);
      } else {
        records.push(outcome.record);
      }
    } else if ('rejected' in outcome) {
      rejected += 1;
    }
  }
  return rejected;
};

export const runB7 = async (ctx: BenchContext): Promise<FigureResult> => {
  const patientsWanted = ctx.smoke ? 300 : 100_000;
  const feed = await prepareFeed(ctx.cacheDir, ctx.seed, patientsWanted, ctx.log);
  const patients = readFileSync(feed.patientsFile, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line): FeedPatient => JSON.parse(line) as FeedPatient);
  const seconds: number[] = [];
  let missed = 0;
  let invented = 0;
  let found = 0;
  let rejected = 0;
  const notes: string[] = [];
  for (let rep = 0; rep < ctx.reps; rep += 1) {
    if (rep > 0 && seconds[0] > BUDGET_SECONDS) {
      notes.push(`1 repetition only: it took ${seconds[0].toFixed(0)} s, over the ${BUDGET_SECONDS} s budget of this figure in the 10-minute run`);
      break;
    }
    const started = performance.now();
    const records = new Map<string, ExternalRecord[]>();
    rejected = (await parseFile(feed.eprescriptionFile, 'eprescription', records)) + (await parseFile(feed.coreRecordFile, 'core-record', records));
    missed = 0;
    invented = 0;
    found = 0;
    for (const patient of patients) {
      const keys = new Set(reconcile(patient.list, records.get(patient.list.patientId) ?? [], SYNTHETIC_NOW).map((d) => d.key));
      const planted = new Set(patient.planted);
      found += keys.size;
      missed += [...planted].filter((key) => !keys.has(key)).length;
      invented += [...keys].filter((key) => !planted.has(key)).length;
    }
    seconds.push((performance.now() - started) / 1000);
    ctx.log(`  B7 rep ${rep + 1}: ${seconds[rep].toFixed(2)} s for ${feed.lines} lines; ${found} found, ${missed} missed, ${invented} invented`);
  }
  const landed = existsSync(path.join(ctx.buildRoot, IMPORT_SERVICE));
  const figure = median(seconds);
  return {
    id: 'B7',
    title: `reconcile a ${patients.length}-patient feed`,
    status: 'partial',
    figure: { value: figure, unit: 's', label: 'parse both NDJSON feeds + reconcile D1–D8 (no append, no projection yet)' },
    checks: [
      { label: 'time', measured: figure, comparison: '<=', threshold: 10, unit: 's' },
      { label: 'planted missed', measured: missed, comparison: '<=', threshold: 0, unit: '' },
      { label: 'invented', measured: invented, comparison: '<=', threshold: 0, unit: '' },
    ],
    details: { seconds, lines: feed.lines, planted: feed.planted, found, missed, invented, rejectedLines: rejected },
    notes: [
      ...notes,
      landed
        ? 'partial: reconciliation.service.ts has landed but is not wired into B7 yet (append + project not measured)'
        : 'partial: parse + compare only; append + project wait for src/reconciliation/reconciliation.service.ts',
    ],
  };
};
