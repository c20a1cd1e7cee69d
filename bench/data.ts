import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateSyntheticPatients as generateListPatients } from '../src/cli/synthetic-patients';
import { medicationListDecider } from '../src/medication-list/domain/medication-list.decider';
import { eventSchemas, withEventSchemas } from '../src/event-schemas';
import { patientStreamName } from '../src/medication-list/patient-stream';
import { SqliteReadModelStore } from '../src/read-models/read-model.store';
import { readModelProjections } from '../src/read-models/read-models.module';
import { rebuildProjection } from '../src/cli/rebuild';
import { generateSyntheticPatients as generateFeedPatients } from '../src/reconciliation/synthetic/feed-generator';
import type { ReconciliationListView } from '../src/reconciliation/domain/reconcile';
import { listCommandsOf } from '../src/reconciliation/synthetic/synthetic-list-commands';
import { commandEventId } from '../src/shared/event-sourcing/handle-command';
import type { EventMetadata } from '../src/shared/event-sourcing/event-store.port';
import { SqliteEventStore } from '../src/shared/event-sourcing/sqlite.event-store';
import { SCHEMA } from '../src/shared/event-sourcing/sqlite.event-store.sql';
import { EVENT_FILE_MIGRATIONS } from '../src/shared/event-sourcing/sqlite.event-store.migrations';
import { migrateSqliteFile } from '../src/shared/sqlite-migrations';

/*
 * The benchmark's data: an event file of 100k patients / 1M events, its read models, and a reconciliation feed of
 * 100k patients with planted discrepancies. Generated once per seed and size into bench-results/cache/ and reused;
 * generation time does not count. Each run works on a fresh copy, so one run's writes never reach the next.
 */

/** The HMAC key of the benchmark's stream names (the service is started with the same one). Not a real secret. */
export const BENCH_PATIENT_ID_SECRET = 'bench-only-patient-id-secret-not-for-real-patients';
/** The "now" the synthetic histories are counted back from: fixed, so a cached dataset never goes stale. */
export const SYNTHETIC_NOW = new Date('2026-03-01T00:00:00.000Z');
/** Bump when the generation below changes in a way that changes the data. */
const GENERATOR_VERSION = 1;

export interface DatasetSize {
  readonly patients: number;
  /** events wanted in total (each patient's history is cut to its share; the total lands within ~1%) */
  readonly events: number;
  readonly feedPatients: number;
}

export const FULL_SIZE: DatasetSize = { patients: 100_000, events: 1_000_000, feedPatients: 100_000 };
export const SMOKE_SIZE: DatasetSize = { patients: 300, events: 3_000, feedPatients: 300 };

export interface BenchPatient {
  readonly patientId: string;
  readonly streamName: string;
  readonly events: number;
}

export interface Dataset {
  readonly eventsFile: string;
  readonly readModelsFile: string;
  readonly patients: readonly BenchPatient[];
  readonly events: number;
  readonly head: bigint;
  readonly key: string;
}

type Log = (message: string) => void;

const hash = (...parts: readonly string[]): string =>
  createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 10);

/** A hash of the compiled projection code: cached read models are rebuilt when a projection changes. */
const projectionCodeHash = (): string => {
  const root = path.join(__dirname, '..', 'projections');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js') && !file.endsWith('.spec.js'))
    .sort();
  return hash(...files.map((file) => `${file}\n${readFileSync(path.join(root, file), 'utf8')}`));
};

const removeDatabase = (file: string): void => {
  for (const suffix of ['', '-wal', '-shm']) {
    rmSync(`${file}${suffix}`, { force: true });
  }
};

interface StagedEvent {
  readonly recordedAt: string;
  readonly streamName: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

/**
 * One patient's history through the real decider, cut after the command that reaches `budget` events. Event ids
 * and metadata are exactly what handleCommand would write, so the file is what the service itself would hold.
 */
const historyOf = (
  commands: Parameters<typeof medicationListDecider.decide>[0][],
  streamName: string,
): StagedEvent[][] => {
  let state = medicationListDecider.initialState();
  const perCommand: StagedEvent[][] = [];
  let revision = 0;
  for (const command of commands) {
    const decided = medicationListDecider.decide(command, state);
    const metadata: Omit<EventMetadata, 'schemaVersion'> = {
      commandId: command.meta.commandId,
      correlationId: command.meta.correlationId,
      causationId: command.meta.causationId,
      actor: command.meta.actor,
      clinicalTime: medicationListDecider.clinicalTimeOf(command),
      recordedAt: command.meta.recordedAt,
    };
    perCommand.push(
      decided.map((event, index) => ({
        recordedAt: command.meta.recordedAt,
        streamName,
        revision: revision + index,
        id: commandEventId(streamName, command.meta.commandId, index),
        type: event.type,
        data: JSON.stringify(event.data),
        metadata: JSON.stringify({ ...metadata, schemaVersion: eventSchemas.versionOf(event.type) }),
      })),
    );
    revision += decided.length;
    state = decided.reduce(medicationListDecider.evolve, state);
  }
  return perCommand;
};

/**
 * Writes the event file: every patient's (cut) history, in global order of recording time as a live service
 * would have appended it, so consecutive positions belong to different patients (as they do in production).
 */
const generateEvents = (
  directory: string,
  seed: number,
  size: DatasetSize,
  log: Log,
): { patients: BenchPatient[]; events: number } => {
  const stagingFile = path.join(directory, 'staging.db');
  const staging = new Database(stagingFile);
  staging.pragma('journal_mode = OFF');
  staging.pragma('synchronous = OFF');
  staging.exec(
    'CREATE TABLE staging (recorded_at TEXT, stream_name TEXT, revision INTEGER, event_id TEXT, type TEXT, data TEXT, metadata TEXT)',
  );
  const insert = staging.prepare('INSERT INTO staging VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insertAll = staging.transaction((rows: readonly StagedEvent[]) => {
    for (const row of rows) {
      insert.run(row.recordedAt, row.streamName, row.revision, row.id, row.type, row.data, row.metadata);
    }
  });
  const wantedPerPatient = size.events / size.patients;
  const patients: BenchPatient[] = [];
  let pending: StagedEvent[] = [];
  let total = 0;
  let fullTotal = 0;
  const started = performance.now();
  for (const patient of generateListPatients({ patients: size.patients, seed, now: SYNTHETIC_NOW })) {
    const streamName = patientStreamName(patient.patientId, BENCH_PATIENT_ID_SECRET);
    const perCommand = historyOf([...patient.commands], streamName);
    const full = perCommand.reduce((sum, events) => sum + events.length, 0);
    fullTotal += full;
    // Each patient keeps the same share of its own history: a long history stays longer than a short one.
    const averageFull = fullTotal / (patient.index + 1);
    const budget = Math.max(1, Math.round((full * wantedPerPatient) / averageFull));
    const kept: StagedEvent[] = [];
    for (const events of perCommand) {
      if (kept.length >= budget) {
        break;
      }
      kept.push(...events);
    }
    pending.push(...kept);
    total += kept.length;
    patients.push({ patientId: patient.patientId, streamName, events: kept.length });
    if (pending.length >= 20_000) {
      insertAll(pending);
      pending = [];
    }
    if ((patient.index + 1) % 10_000 === 0) {
      const seconds = (performance.now() - started) / 1000;
      log(`  generated ${patient.index + 1}/${size.patients} patients, ${total} events (${seconds.toFixed(0)} s)`);
    }
  }
  insertAll(pending);
  staging.close();

  log(`  ordering ${total} events by recording time into events.db`);
  const eventsFile = path.join(directory, 'events.db');
  const db = new Database(eventsFile);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  migrateSqliteFile(db, 'event', EVENT_FILE_MIGRATIONS); // the table at this build's version, as the store creates it
  db.exec(`ATTACH DATABASE '${stagingFile.replace(/'/g, "''")}' AS staging`);
  db.exec(`INSERT INTO events (stream_name, revision, event_id, type, data, metadata)
           SELECT stream_name, revision, event_id, type, data, metadata FROM staging.staging
           ORDER BY recorded_at, stream_name, revision`);
  db.exec('DETACH DATABASE staging');
  db.pragma('journal_mode = WAL');
  db.close();
  rmSync(stagingFile, { force: true });
  return { patients: patients.filter((patient) => patient.events > 0), events: total };
};

/** Builds the read models the service keeps, with the service's own projector (the same path as `npm run rebuild`). */
const buildReadModels = async (eventsFile: string, readModelsFile: string, log: Log): Promise<void> => {
  const partial = `${readModelsFile}.partial`;
  removeDatabase(partial);
  const eventStore = withEventSchemas(new SqliteEventStore({ filename: eventsFile }));
  const store = new SqliteReadModelStore({ file: partial });
  try {
    for (const projection of readModelProjections()) {
      const summary = await rebuildProjection({ eventStore, store, projection });
      log(`  read model ${summary.projection}: ${summary.events} events in ${summary.seconds.toFixed(1)} s`);
    }
    // markLive happens when the projector sees itself caught up; a rebuild stops right at the head.
    for (const projection of readModelProjections()) {
      store.markLive(projection.name);
    }
  } finally {
    store.close();
    await eventStore.close();
  }
  const checkpointed = new Database(partial);
  checkpointed.pragma('wal_checkpoint(TRUNCATE)');
  checkpointed.close();
  renameSync(partial, readModelsFile);
};

interface DatasetMeta {
  readonly patients: readonly BenchPatient[];
  readonly events: number;
  readonly head: string;
}

/** The cached dataset for this seed and size, generated first when missing (or when `fresh`). */
export const prepareDataset = async (
  cacheRoot: string,
  seed: number,
  size: DatasetSize,
  log: Log,
  fresh = false,
): Promise<Dataset> => {
  const key = `events-s${seed}-p${size.patients}-e${size.events}-${hash(SCHEMA, String(GENERATOR_VERSION))}`;
  const directory = path.join(cacheRoot, key);
  const metaFile = path.join(directory, 'meta.json');
  if (fresh) {
    rmSync(directory, { recursive: true, force: true });
  }
  if (!existsSync(metaFile)) {
    log(`generating ${size.patients} patients / ~${size.events} events (seed ${seed}) into ${directory}`);
    const started = performance.now();
    const partial = `${directory}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    const { patients, events } = generateEvents(partial, seed, size, log);
    const db = new Database(path.join(partial, 'events.db'), { readonly: true });
    const head = String(db.prepare('SELECT MAX(position) FROM events').pluck().get());
    db.close();
    const meta: DatasetMeta = { patients, events, head };
    writeFileSync(path.join(partial, 'meta.json'), JSON.stringify(meta));
    rmSync(directory, { recursive: true, force: true });
    renameSync(partial, directory);
    log(`  ${events} events of ${patients.length} patients in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as DatasetMeta;
  const eventsFile = path.join(directory, 'events.db');
  const readModelsFile = path.join(directory, `read-models-${projectionCodeHash()}.db`);
  if (!existsSync(readModelsFile)) {
    log(`building read models for ${key} (projection code changed or first run)`);
    for (const old of readdirSync(directory).filter((file) => file.startsWith('read-models-'))) {
      rmSync(path.join(directory, old), { force: true });
    }
    await buildReadModels(eventsFile, readModelsFile, log);
  }
  return { eventsFile, readModelsFile, patients: meta.patients, events: meta.events, head: BigInt(meta.head), key };
};

/**
 * Copies a file and flushes the copy to disk before returning. Without the fsync the kernel writes the copy's
 * gigabyte back while the next figure runs, and every fsync of that figure waits behind it.
 */
export const copyDurably = (from: string, to: string): void => {
  copyFileSync(from, to);
  const descriptor = openSync(to, 'r+');
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
};

/** A fresh copy of the dataset's two files in `dataDir` (events.db, read-models.db: the service's file names). */
export const workingCopy = (dataset: Dataset, dataDir: string): { eventsFile: string; readModelsFile: string } => {
  mkdirSync(dataDir, { recursive: true });
  const eventsFile = path.join(dataDir, 'events.db');
  const readModelsFile = path.join(dataDir, 'read-models.db');
  removeDatabase(eventsFile);
  removeDatabase(readModelsFile);
  copyDurably(dataset.eventsFile, eventsFile);
  copyDurably(dataset.readModelsFile, readModelsFile);
  return { eventsFile, readModelsFile };
};

/** One patient of the reconciliation feed: the list as the service holds it, and the keys planted for it. */
export interface FeedPatient {
  readonly list: ReconciliationListView;
  readonly planted: readonly string[];
}

export interface Feed {
  readonly eprescriptionFile: string;
  readonly coreRecordFile: string;
  readonly patientsFile: string;
  readonly patients: number;
  readonly lines: number;
  readonly planted: number;
}

const writeLines = async (file: string, lines: Iterable<string>): Promise<number> => {
  const out = createWriteStream(file);
  let count = 0;
  for (const line of lines) {
    count += 1;
    if (!out.write(`${line}\n`)) {
      await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
  return count;
};

/** The two NDJSON feeds (e-prescription registry, core record) and the lists with their planted keys. */
export const prepareFeed = async (cacheRoot: string, seed: number, patients: number, log: Log): Promise<Feed> => {
  const directory = path.join(cacheRoot, `feed-s${seed}-p${patients}-v${GENERATOR_VERSION}`);
  const metaFile = path.join(directory, 'meta.json');
  const files = {
    eprescriptionFile: path.join(directory, 'eprescription.ndjson'),
    coreRecordFile: path.join(directory, 'core-record.ndjson'),
    patientsFile: path.join(directory, 'patients.ndjson'),
  };
  if (!existsSync(metaFile)) {
    log(`generating the reconciliation feed of ${patients} patients (seed ${seed})`);
    mkdirSync(directory, { recursive: true });
    const population = [...generateFeedPatients({ patients, seed })];
    const eprescription = await writeLines(
      files.eprescriptionFile,
      population.flatMap((p) => p.eprescriptionLines),
    );
    const coreRecord = await writeLines(
      files.coreRecordFile,
      population.flatMap((p) => p.coreRecordLines),
    );
    await writeLines(
      files.patientsFile,
      population.map((p) =>
        JSON.stringify({ list: p.list, planted: p.planted.map((d) => d.key) } satisfies FeedPatient),
      ),
    );
    const planted = population.reduce((sum, p) => sum + p.planted.length, 0);
    writeFileSync(metaFile, JSON.stringify({ patients, lines: eprescription + coreRecord, planted }));
  }
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as { patients: number; lines: number; planted: number };
  return { ...files, ...meta };
};

/** Bump when the generation of the feed patients' lists (below) changes. */
const FEED_LISTS_VERSION = 1;
/** The feed patients' GPs: synthetic HPR numbers, ~100 lists each (one GP for all would make one huge worklist). */
const feedListGp = (index: number): string => String(9_100_000 + (index % 1000));

/** The feed patients' lists in an event file with its read models: what B7 imports the feed into. */
export interface FeedLists {
  readonly eventsFile: string;
  readonly readModelsFile: string;
  readonly events: number;
  readonly head: bigint;
  readonly key: string;
}

/**
 * The lists of the feed's patients (patients.ndjson) as list events: each list's commands (listCommandsOf, as the
 * reconciliation tests seed them) through the real decider, with the ids and metadata handleCommand writes, the
 * patients interleaved round-robin (every list's first command, then every second one, …) so one patient's events
 * lie far apart in the file as in production. The read models come from the service's own projector.
 */
export const prepareFeedLists = async (cacheRoot: string, seed: number, feed: Feed, log: Log): Promise<FeedLists> => {
  const key = `feed-lists-s${seed}-p${feed.patients}-${hash(SCHEMA, String(GENERATOR_VERSION), String(FEED_LISTS_VERSION))}`;
  const directory = path.join(cacheRoot, key);
  const metaFile = path.join(directory, 'meta.json');
  const eventsFile = path.join(directory, 'events.db');
  if (!existsSync(metaFile)) {
    log(`generating the lists of the ${feed.patients} feed patients into ${directory}`);
    const started = performance.now();
    const partial = `${directory}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    const stagingFile = path.join(partial, 'staging.db');
    const staging = new Database(stagingFile);
    staging.pragma('journal_mode = OFF');
    staging.pragma('synchronous = OFF');
    staging.exec(
      'CREATE TABLE staging (ordinal INTEGER, patient INTEGER, stream_name TEXT, revision INTEGER, event_id TEXT, type TEXT, data TEXT, metadata TEXT)',
    );
    const insert = staging.prepare('INSERT INTO staging VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const insertPatient = staging.transaction((index: number, perCommand: readonly StagedEvent[][]) => {
      perCommand.forEach((events, ordinal) => {
        for (const e of events) {
          insert.run(ordinal, index, e.streamName, e.revision, e.id, e.type, e.data, e.metadata);
        }
      });
    });
    let events = 0;
    let index = 0;
    for (const line of readFileSync(feed.patientsFile, 'utf8').split('\n')) {
      if (line === '') {
        continue;
      }
      const { list } = JSON.parse(line) as FeedPatient;
      const streamName = patientStreamName(list.patientId, BENCH_PATIENT_ID_SECRET);
      const perCommand = historyOf(listCommandsOf(list, feedListGp(index)), streamName);
      insertPatient(index, perCommand);
      events += perCommand.reduce((sum, e) => sum + e.length, 0);
      index += 1;
    }
    staging.close();
    const db = new Database(path.join(partial, 'events.db'));
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    migrateSqliteFile(db, 'event', EVENT_FILE_MIGRATIONS); // the table at this build's version, as the store creates it
    db.exec(`ATTACH DATABASE '${stagingFile.replace(/'/g, "''")}' AS staging`);
    db.exec(`INSERT INTO events (stream_name, revision, event_id, type, data, metadata)
             SELECT stream_name, revision, event_id, type, data, metadata FROM staging.staging ORDER BY ordinal, patient, revision`);
    db.exec('DETACH DATABASE staging');
    db.pragma('journal_mode = WAL');
    const head = String(db.prepare('SELECT MAX(position) FROM events').pluck().get());
    db.close();
    rmSync(stagingFile, { force: true });
    writeFileSync(path.join(partial, 'meta.json'), JSON.stringify({ events, head }));
    rmSync(directory, { recursive: true, force: true });
    renameSync(partial, directory);
    log(`  ${events} list events of ${index} patients in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as { events: number; head: string };
  const readModelsFile = path.join(directory, `read-models-${projectionCodeHash()}.db`);
  if (!existsSync(readModelsFile)) {
    log(`building read models for ${key} (projection code changed or first run)`);
    await buildReadModels(eventsFile, readModelsFile, log);
  }
  return { eventsFile, readModelsFile, events: meta.events, head: BigInt(meta.head), key };
};

/** A fresh copy of the feed lists' two files in `dataDir`. */
export const feedListsCopy = (lists: FeedLists, dataDir: string): { eventsFile: string; readModelsFile: string } =>
  workingCopy(
    {
      eventsFile: lists.eventsFile,
      readModelsFile: lists.readModelsFile,
      patients: [],
      events: lists.events,
      head: lists.head,
      key: lists.key,
    },
    dataDir,
  );
