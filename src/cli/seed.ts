import { eventSchemas } from '../event-schemas';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { type AppConfig, ConfigError, describeEventStore, loadConfig } from '../config/config';
import { medicationListDecider } from '../medication-list/domain/medication-list.decider';
import { isMedicationListEvent } from '../medication-list/domain/medication-list.events';
import { patientStreamName } from '../medication-list/patient-stream';
import { createLogger } from '../observability/logger';
import { failedLine, progressBar, runCli } from './cli-runner';
import { createEventStore } from '../shared/event-sourcing/event-store.module';
import type { EventStorePort } from '../shared/event-sourcing/event-store.port';
import { handleCommand } from '../shared/event-sourcing/handle-command';
import {
  type CareProvider,
  generateSyntheticPatients,
  MAX_NURSING_HOMES,
  syntheticCareProviders,
  type SyntheticPatient,
} from './synthetic-patients';

/**
 * `npm run seed -- [--patients 500] [--seed 42] [--nursing-homes 4] [--concurrency 32]`: fills the configured
 * event store (SQLite under DATA_DIR by default, EventStoreDB when EVENT_STORE=eventstoredb) with realistic
 * synthetic patients (synthetic-patients.ts). Every command goes through handleCommand and the real decider, and
 * command ids are deterministic, so seeding twice with the same seed appends nothing the second time.
 */

export const USAGE = `Usage: npm run seed -- [options]

Creates realistic synthetic patients (synthetic test numbers, month + 80) in the configured event store.

Options:
  --patients <n>       how many patients (default 500)
  --seed <n>           seed of the generator; the same seed gives the same patients (default 42)
  --nursing-homes <n>  how many nursing homes, 1 to ${MAX_NURSING_HOMES}, plus one home-care service (default 4)
  --concurrency <n>    patients seeded at the same time (default 32)
  -h, --help           show this help

Environment: DATA_DIR (default ./data), EVENT_STORE (sqlite | eventstoredb), EVENTSTORE_CONNECTION_STRING,
PATIENT_ID_SECRET (the development secret when unset outside production). Re-running with the same seed
appends nothing.`;

export interface SeedArgs {
  readonly patients: number;
  readonly seed: number;
  readonly nursingHomes: number;
  readonly concurrency: number;
  readonly help: boolean;
}

const wholeNumber = (raw: string | undefined, name: string, fallback: number, min: number, max: number): number => {
  if (raw === undefined) {
    return fallback;
  }
  const value = /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`--${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
};

/** Parses the command line; throws on an unknown option or a bad number. */
export const parseSeedArgs = (argv: readonly string[]): SeedArgs => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      patients: { type: 'string' },
      seed: { type: 'string' },
      'nursing-homes': { type: 'string' },
      concurrency: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    patients: wholeNumber(values.patients, 'patients', 500, 1, 1_000_000),
    seed: wholeNumber(values.seed, 'seed', 42, 0, 0xffffffff),
    nursingHomes: wholeNumber(values['nursing-homes'], 'nursing-homes', 4, 1, MAX_NURSING_HOMES),
    concurrency: wholeNumber(values.concurrency, 'concurrency', 32, 1, 1024),
    help: values.help === true,
  };
};

export interface SeedOptions {
  readonly store: EventStorePort;
  /** the HMAC key that turns a patient id into a stream name: the app's PATIENT_ID_SECRET */
  readonly patientIdSecret: string;
  readonly patients: number;
  readonly seed: number;
  /** the base time of the generated history (the CLI passes its clock's now) */
  readonly now: Date;
  readonly nursingHomes?: number;
  /** patients in flight at once (default 32); one patient's commands always run in order */
  readonly concurrency?: number;
  /** called after each patient, with the totals so far */
  readonly onProgress?: (progress: { readonly patients: number; readonly eventsAppended: number }) => void;
}

export interface CareProviderSummary {
  readonly provider: CareProvider;
  /** patients per unit; '' for patients without a unit (home care) */
  readonly patientsPerUnit: ReadonlyMap<string, number>;
}

export interface SamplePatient {
  readonly patientId: string;
  readonly why: string;
}

export interface SeedSummary {
  readonly patients: number;
  readonly commands: number;
  readonly eventsAppended: number;
  /** commands whose id was already in the stream (an earlier seed run): nothing appended */
  readonly commandsAlreadyApplied: number;
  readonly careProviders: readonly CareProviderSummary[];
  readonly samplePatients: readonly SamplePatient[];
}

/** Three patients worth opening in GraphiQL: multidose, a discontinued entry, a home-care patient. */
const pickSamples = (patients: readonly SyntheticPatient[]): SamplePatient[] => {
  const has = (patient: SyntheticPatient, type: string): boolean => patient.commands.some((c) => c.type === type);
  const candidates: readonly [string, (patient: SyntheticPatient) => boolean][] = [
    ['multidose, with a packing report and drugs outside multidose', (p) => has(p, 'RecordMultidosePacking')],
    ['a discontinued entry and dispensings', (p) => has(p, 'DiscontinueMedication') && has(p, 'RecordDispensing')],
    ['home care (no unit), renewed prescriptions', (p) => p.unit === undefined && has(p, 'RenewPrescription')],
  ];
  const samples: SamplePatient[] = [];
  for (const [why, matches] of candidates) {
    const found = patients.find((p) => matches(p) && !samples.some((s) => s.patientId === p.patientId));
    if (found !== undefined) {
      samples.push({ patientId: found.patientId, why });
    }
  }
  for (const patient of patients) {
    if (samples.length >= 3) {
      break;
    }
    if (!samples.some((s) => s.patientId === patient.patientId)) {
      samples.push({ patientId: patient.patientId, why: `${patient.commands.length} commands` });
    }
  }
  return samples;
};

/**
 * Runs every generated command through handleCommand (read, fold, decide, append) against the store, patients
 * concurrently and each patient's commands in order. Idempotent: command ids are deterministic, and a command
 * whose id is in the stream appends nothing.
 */
export const seedSyntheticPatients = async (options: SeedOptions): Promise<SeedSummary> => {
  const { store, patientIdSecret } = options;
  const providers = syntheticCareProviders(options.nursingHomes ?? 4);
  const patients = generateSyntheticPatients({
    patients: options.patients,
    seed: options.seed,
    nursingHomes: options.nursingHomes,
    now: options.now,
  });
  const seeded: SyntheticPatient[] = [];
  let commands = 0;
  let eventsAppended = 0;
  let commandsAlreadyApplied = 0;

  const seedPatient = async (patient: SyntheticPatient): Promise<void> => {
    const streamName = patientStreamName(patient.patientId, patientIdSecret);
    for (const command of patient.commands) {
      try {
        const result = await handleCommand(store, medicationListDecider, streamName, command, {
          isEvent: isMedicationListEvent,
          schemaVersion: eventSchemas.versionOf,
        });
        eventsAppended += result.appendedEvents;
        commandsAlreadyApplied += result.alreadyApplied ? 1 : 0;
      } catch (error) {
        // Name the patient by its position, never by its number (house style: no patient ids in errors).
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`seeding patient #${patient.index} failed at ${command.type}: ${reason}`, { cause: error });
      }
    }
    commands += patient.commands.length;
    seeded.push(patient);
    options.onProgress?.({ patients: seeded.length, eventsAppended });
  };

  // A shared iterator: each worker takes the next patient when it is done with one (the generator is lazy).
  const worker = async (): Promise<void> => {
    for (let next = patients.next(); next.done !== true; next = patients.next()) {
      await seedPatient(next.value);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 32 }, worker));

  seeded.sort((a, b) => a.index - b.index);
  const careProviders = providers.map((provider) => {
    const patientsPerUnit = new Map<string, number>();
    for (const patient of seeded.filter((p) => p.careProvider.organisationNumber === provider.organisationNumber)) {
      const unit = patient.unit ?? '';
      patientsPerUnit.set(unit, (patientsPerUnit.get(unit) ?? 0) + 1);
    }
    return { provider, patientsPerUnit };
  });
  return {
    patients: seeded.length,
    commands,
    eventsAppended,
    commandsAlreadyApplied,
    careProviders,
    samplePatients: pickSamples(seeded),
  };
};

/** The summary printed at the end: what was written, where the patients live, and whom to look up. */
export const formatSummary = (summary: SeedSummary, seconds: number, store: string): string => {
  const rate = seconds > 0 ? Math.round(summary.eventsAppended / seconds) : 0;
  const lines = [
    `Seeded ${summary.patients} synthetic patients into ${store} in ${seconds.toFixed(1)} s:`,
    `  ${summary.eventsAppended} events appended (${rate} events/s) from ${summary.commands} commands` +
      (summary.commandsAlreadyApplied > 0 ? `; ${summary.commandsAlreadyApplied} were already in the store` : ''),
    '',
    'Care providers (organisation number, name; patients per unit):',
  ];
  for (const { provider, patientsPerUnit } of summary.careProviders) {
    lines.push(`  ${provider.organisationNumber}  ${provider.name}`);
    const units = [...patientsPerUnit.entries()]
      .sort(([a], [b]) => a.localeCompare(b, 'nb'))
      .map(([unit, count]) => `${unit === '' ? 'no unit' : unit}: ${count}`);
    lines.push(`             ${units.length > 0 ? units.join(', ') : 'no patients'}`);
  }
  lines.push('', 'Try in GraphiQL (npm start, then http://localhost:3000/graphiql):');
  for (const sample of summary.samplePatients) {
    lines.push(`  ${sample.patientId}  ${sample.why}`);
  }
  const example = summary.samplePatients.at(0)?.patientId ?? '<patientId>';
  lines.push(
    '',
    `  query { medicationList(patientId: "${example}") { version entries { medication { displayName } status } } }`,
  );
  return lines.join('\n');
};

const main = async (argv: readonly string[]): Promise<number> => {
  let args: SeedArgs;
  try {
    args = parseSeedArgs(argv);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  for (const warning of config.warnings) {
    console.warn(`warning: ${warning}`);
  }
  // The same adapter the app builds (event-store.module.ts); the logger only reports EventStoreDB resubscriptions.
  const store = createEventStore(config, createLogger({ level: config.logLevel }));
  const bar = progressBar(
    'Seeding |{bar}| {value}/{total} patients | {events} events | {rate} events/s | ETA {eta_formatted}',
    {
      hideCursor: true,
      etaBuffer: 64,
    },
  );
  const started = performance.now();
  const elapsedSeconds = (): number => (performance.now() - started) / 1000;
  bar.start(args.patients, 0, { events: 0, rate: 0 });
  let summary: SeedSummary;
  try {
    summary = await seedSyntheticPatients({
      store,
      patientIdSecret: config.patientIdSecret,
      patients: args.patients,
      seed: args.seed,
      nursingHomes: args.nursingHomes,
      concurrency: args.concurrency,
      now: new Date(),
      onProgress: ({ patients, eventsAppended }) => {
        const rate = Math.round(eventsAppended / Math.max(elapsedSeconds(), 0.001));
        bar.update(patients, { events: eventsAppended, rate });
      },
    });
  } finally {
    bar.stop();
    await store.close();
  }
  console.log(`\n${formatSummary(summary, elapsedSeconds(), describeEventStore(config))}`);
  return 0;
};

if (require.main === module) {
  runCli(() => main(process.argv.slice(2)), { failure: failedLine('seed') });
}
