import type { EventStorePort } from '../src/shared/event-sourcing/event-store.port';
import { eventSchemas, withEventSchemas } from '../src/event-schemas';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { medicationListDecider } from '../src/medication-list/domain/medication-list.decider';
import { isMedicationListEvent } from '../src/medication-list/domain/medication-list.events';
import { handleCommand } from '../src/shared/event-sourcing/handle-command';
import { SqliteEventStore } from '../src/shared/event-sourcing/sqlite.event-store';
import { type BenchContext, patientPicker, reviewCommand } from './context';
import type { FigureResult } from './report';
import { pairedRatio } from './report';
import { median, seededRandom, summarize } from './stats';
import { copyDurably } from './data';

/*
 * B1: one durable single-event command at a time through handleCommand (read the stream, fold, decide, append
 * with the expected revision, fsync) against the raw limit of the same file system: a single-row INSERT into the
 * same table, in its own transaction, with synchronous=FULL. A second baseline, measured in the same repetitions:
 * the same INSERT into the minimal event table of issue 17 (below), holding the same events.
 */

/**
 * A raw connection to the same file the figure appends to (same table, same indexes, same size), with WAL and
 * synchronous=FULL and SQLite's own checkpointing: the raw baseline of B1 and B2. Revisions far above any real
 * one keep its rows clear of the streams' unique (stream, revision) pairs.
 */
export const openRaw = (file: string): { db: Database.Database; insert: Database.Statement } => {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const insert = db.prepare(
    'INSERT INTO events (stream_name, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
  );
  return { db, insert };
};

/**
 * The least an event table can be (issue 17): an integer primary key, the stream, the revision, the type and the
 * data, and UNIQUE (stream, revision). No event id, no metadata column: its `data` holds the event's data and
 * metadata texts one after the other, so it writes the same bytes per event as the event store does.
 */
export const MINIMAL_TABLE = `
  CREATE TABLE events (
    id       INTEGER PRIMARY KEY,
    stream   TEXT    NOT NULL,
    revision INTEGER NOT NULL,
    type     TEXT    NOT NULL,
    data     TEXT    NOT NULL,
    UNIQUE (stream, revision)
  );`;

/**
 * A copy of the minimal table holding the dataset's events (same streams, revisions, order and bytes), for this
 * run to write to. Built once per dataset next to it in the cache (a few seconds per million events).
 */
const minimalTableFile = (ctx: BenchContext): string => {
  const cached = path.join(path.dirname(ctx.dataset.eventsFile), 'minimal-events.db');
  if (!existsSync(cached)) {
    ctx.log(`  building the minimal event table from ${ctx.dataset.events} events (once per dataset)`);
    const partial = `${cached}.partial`;
    rmSync(partial, { force: true });
    const db = new Database(partial);
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    db.exec(MINIMAL_TABLE);
    db.exec(`ATTACH DATABASE '${ctx.dataset.eventsFile.replace(/'/g, "''")}' AS source`);
    db.exec(`INSERT INTO events (id, stream, revision, type, data)
             SELECT position, stream_name, revision, type, data || metadata FROM source.events ORDER BY position`);
    db.exec('DETACH DATABASE source');
    db.pragma('journal_mode = WAL');
    db.close();
    renameSync(partial, cached);
  }
  const copy = path.join(ctx.runDir, 'minimal', 'events.db');
  mkdirSync(path.dirname(copy), { recursive: true });
  copyDurably(cached, copy);
  return copy;
};

/** Raw rows get revisions from here on. */
export const RAW_REVISION_BASE = 1_000_000_000;

/** The row a review command appends, serialised as the store would: the baseline writes the same bytes. */
export const reviewRow = (sequence: number): { type: string; data: string; metadata: string } => {
  const command = reviewCommand(sequence);
  return {
    type: 'ListMarkedReviewed',
    data: JSON.stringify(command.data),
    metadata: JSON.stringify({ ...command.meta, clinicalTime: command.data.reviewedAt, schemaVersion: 1 }),
  };
};

/** Review dates of B1's commands start here (B2 and B5 use their own ranges, so no command repeats another). */
const B1_SEQUENCE_BASE = 0;

export const runCommand = (store: EventStorePort, streamName: string, sequence: number) =>
  handleCommand(store, medicationListDecider, streamName, reviewCommand(sequence), {
    isEvent: isMedicationListEvent,
    schemaVersion: eventSchemas.versionOf,
  });

export const runB1 = async (ctx: BenchContext): Promise<FigureResult> => {
  const phaseMs = ctx.phaseMs(3_000, 300);
  const file = ctx.commandsFile();
  const pick = patientPicker(ctx.dataset.patients, seededRandom(ctx.seed + 1));
  let sequence = B1_SEQUENCE_BASE;
  const perSecond: number[] = [];
  const p99s: number[] = [];
  const p50s: number[] = [];
  const baselinePerSecond: number[] = [];
  const baselineP99s: number[] = [];
  const minimalPerSecond: number[] = [];
  const minimalP99s: number[] = [];
  const minimalFile = minimalTableFile(ctx);
  // Each phase opens and closes its own connection: the close checkpoints the WAL, so every phase starts alike.
  const commandPhase = async (ms: number): Promise<{ count: number; latencies: number[]; elapsed: number }> => {
    // Read as the service reads: through the event schemas (a cached dataset may hold older event versions).
    const store = withEventSchemas(new SqliteEventStore({ filename: file }));
    const latencies: number[] = [];
    const started = performance.now();
    try {
      while (performance.now() - started < ms) {
        const begin = performance.now();
        await runCommand(store, pick().streamName, sequence++);
        latencies.push(performance.now() - begin);
      }
      return { count: latencies.length, latencies, elapsed: performance.now() - started };
    } finally {
      await store.close();
    }
  };
  const rawPhase = (ms: number): { count: number; latencies: number[]; elapsed: number } => {
    const raw = openRaw(file);
    const latencies: number[] = [];
    const started = performance.now();
    try {
      while (performance.now() - started < ms) {
        const row = reviewRow(sequence);
        const begin = performance.now();
        raw.insert.run(
          pick().streamName,
          RAW_REVISION_BASE + sequence++,
          randomUUID(),
          row.type,
          row.data,
          row.metadata,
        );
        latencies.push(performance.now() - begin);
      }
      return { count: latencies.length, latencies, elapsed: performance.now() - started };
    } finally {
      raw.db.close();
    }
  };
  // The same durable single-row INSERT into the minimal table (its own file, same events), same connection settings.
  const minimalPhase = (ms: number): { count: number; latencies: number[]; elapsed: number } => {
    const db = new Database(minimalFile);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    const insert = db.prepare('INSERT INTO events (stream, revision, type, data) VALUES (?, ?, ?, ?)');
    const latencies: number[] = [];
    const started = performance.now();
    try {
      while (performance.now() - started < ms) {
        const row = reviewRow(sequence);
        const begin = performance.now();
        insert.run(pick().streamName, RAW_REVISION_BASE + sequence++, row.type, row.data + row.metadata);
        latencies.push(performance.now() - begin);
      }
      return { count: latencies.length, latencies, elapsed: performance.now() - started };
    } finally {
      db.close();
    }
  };
  // Warm-up: JIT, and the page cache of the files.
  await commandPhase(Math.min(1_000, phaseMs));
  rawPhase(Math.min(300, phaseMs));
  minimalPhase(Math.min(300, phaseMs));
  for (let rep = 0; rep < ctx.reps; rep += 1) {
    const baseline = rawPhase(phaseMs);
    const baselineRate = baseline.count / (baseline.elapsed / 1000);
    const baselineP99 = summarize(baseline.latencies).p99;
    baselinePerSecond.push(baselineRate);
    baselineP99s.push(baselineP99);
    const minimal = minimalPhase(phaseMs);
    const minimalRate = minimal.count / (minimal.elapsed / 1000);
    const minimalP99 = summarize(minimal.latencies).p99;
    minimalPerSecond.push(minimalRate);
    minimalP99s.push(minimalP99);
    const figure = await commandPhase(phaseMs);
    const summary = summarize(figure.latencies);
    const rate = figure.count / (figure.elapsed / 1000);
    perSecond.push(rate);
    p99s.push(summary.p99);
    p50s.push(summary.p50);
    ctx.log(
      `  B1 rep ${rep + 1}: ${rate.toFixed(0)} commands/s (p50 ${summary.p50.toFixed(2)}, p99 ${summary.p99.toFixed(2)} ms) vs raw ${baselineRate.toFixed(0)} inserts/s (p99 ${baselineP99.toFixed(2)} ms), minimal table ${minimalRate.toFixed(0)} inserts/s (p99 ${minimalP99.toFixed(2)} ms)`,
    );
  }
  const figure = median(perSecond);
  const baseline = median(baselinePerSecond);
  const ratio = pairedRatio(perSecond, baselinePerSecond);
  const minimal = median(minimalPerSecond);
  const minimalRatio = pairedRatio(perSecond, minimalPerSecond);
  ctx.measured.set('B1', figure);
  return {
    id: 'B1',
    title: 'durable single-event command, sequential',
    status: 'measured',
    figure: { value: figure, unit: 'commands/s', label: 'handleCommand: read, fold, decide, append (FULL)' },
    baseline: {
      value: baseline,
      unit: 'inserts/s',
      label: 'raw better-sqlite3 single-row INSERT into the same table, synchronous=FULL',
    },
    ratio,
    checks: [
      {
        label: 'ratio',
        measured: ratio === undefined ? undefined : ratio * 100,
        comparison: '>=',
        threshold: 60,
        unit: '%',
      },
      {
        label: 'ratio to the minimal table',
        measured: minimalRatio === undefined ? undefined : minimalRatio * 100,
        comparison: '>=',
        threshold: 60,
        unit: '%',
      },
      { label: 'p99', measured: median(p99s), comparison: '<=', threshold: 2, unit: 'ms' },
    ],
    details: {
      commandsPerSecond: perSecond,
      p50Ms: median(p50s),
      p99Ms: p99s,
      baselinePerSecond,
      baselineP99Ms: baselineP99s,
      minimalTablePerSecond: minimalPerSecond,
      minimalTableP99Ms: minimalP99s,
      phaseMs,
    },
    notes: [
      `second baseline: raw INSERT into the minimal event table (integer primary key, stream, revision, type, data; UNIQUE (stream, revision)), same run: ${minimal.toFixed(0)} inserts/s; B1 is ${minimalRatio === undefined ? '–' : (minimalRatio * 100).toFixed(1)}% of it`,
    ],
  };
};
