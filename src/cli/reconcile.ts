import { failedLine, progressBar, runCli } from './cli-runner';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { AuditService } from '../access/audit';
import type { Caller } from '../access/domain/caller';
import { type AppConfig, ConfigError, loadConfig } from '../config/config';
import { createLogger, maskIdentifiers } from '../observability/logger';
import type { FeedMode, FeedSource } from '../reconciliation/domain/external-record';
import { readLinesLimited } from '../reconciliation/feeds/fhir-ndjson.feed';
import { lineSections } from './reconcile-report';
import type { ImportSummary } from '../reconciliation/domain/import-summary';
import { type FeedInput, ReconciliationService } from '../reconciliation/reconciliation.service';
import { type Clock, systemClock } from '../shared/clock';
import { isDomainError } from '../shared/errors/domain-error';
import { createEventStore } from '../shared/event-sourcing/event-store.module';
import type { EventStorePort } from '../shared/event-sourcing/event-store.port';

/**
 * `npm run reconcile -- --source eprescription|core-record --file <path>`: imports a FHIR R4 feed file (NDJSON, or
 * a Bundle when the file is one JSON object) into the configured event store, with a progress bar and a summary.
 * Every patient the feed names gets an access-log entry first, naming the feed, the run id and the operator who ran
 * it (`command-line:<operator>@<host>`, role feed), as the GraphQL import and the scheduled pull do; when the access
 * log cannot be written nothing is applied.
 * Exit codes: 0 when the import ran (rejected lines are reported, not fatal), 1 for unusable input (no such file,
 * bad configuration, event store unavailable) or an import that could not be carried out (the access log
 * unavailable: nothing applied), 2 for a usage error.
 */

export const USAGE = `Usage: npm run reconcile -- --source eprescription|core-record --file <path> [options]

Imports a FHIR R4 feed (NDJSON, one resource per line; or a Bundle) and reconciles each patient's list with it.

Options:
  --source <s>       eprescription (the e-prescription registry) or core-record (the core record)
  --file <path>      the feed file
  --concurrency <n>  patients processed at the same time (default 32)
  --run-id <id>      the run's id (default: a random UUID); re-running a run id records its counts once
  --operator <name>  who runs the import, named in each patient's access log (default: the OS user name)
  --mode <m>         snapshot (each patient's complete picture: absence means absence) or changes (a history or
                     incremental export: absence means nothing). Default: a Bundle's type (searchset: snapshot,
                     any other: changes); NDJSON: snapshot
  -h, --help         show this help

Environment: DATA_DIR (default ./data), EVENT_STORE (sqlite | eventstoredb), EVENTSTORE_CONNECTION_STRING,
PATIENT_ID_SECRET. Rejected lines are reported by line number and reason; importing the same file again changes
nothing. Each patient the feed names gets an access-log entry "command-line:<operator>@<host>" with the feed and
the run id before anything of theirs is recorded; if the access log cannot be written, nothing is applied (exit 1).`;

export interface ReconcileArgs {
  readonly source: FeedSource;
  readonly file: string;
  readonly concurrency: number;
  readonly runId?: string;
  readonly mode?: FeedMode;
  /** --operator as given (validated); absent: the OS user name */
  readonly operator?: string;
}

/** Letters, digits and . _ - (an OS user name or a person's short name), never a national identity number. */
const OPERATOR = /^[\p{L}\p{N}._-]{1,64}$/u;

/** A valid operator name, or undefined: not empty, no spaces or punctuation beyond . _ -, no fødselsnummer. */
export const operatorNameOf = (raw: string): string | undefined => {
  const name = raw.trim();
  return OPERATOR.test(name) && maskIdentifiers(name) === name ? name : undefined;
};

/** The host part of the caller: a hostname's own characters only (anything else becomes `-`). */
const hostNameOf = (raw: string): string => raw.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 100) || 'unknown-host';

/**
 * Who the access log names for a CLI import: an operator at a console, not a token (no client, no organisation,
 * no person identifier): `command-line:<operator>@<host>`, role feed. It widens nothing: the CLI runs with the
 * event store's own access; the caller is only recorded.
 */
export const commandLineCaller = (operator: string, host: string): Caller => ({
  clientId: `command-line:${operator}@${hostNameOf(host)}`,
  organisation: {},
  scopes: [],
  roles: ['feed'],
});

/** Parses the command line; throws an Error with the problem on bad usage; undefined for --help. */
export const parseReconcileArgs = (argv: readonly string[]): ReconcileArgs | undefined => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      source: { type: 'string' },
      file: { type: 'string' },
      concurrency: { type: 'string' },
      'run-id': { type: 'string' },
      mode: { type: 'string' },
      operator: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) {
    return undefined;
  }
  const source = (['eprescription', 'core-record'] as const).find((s) => s === values.source);
  if (source === undefined) {
    throw new Error('--source must be eprescription or core-record');
  }
  if (values.file === undefined || values.file === '') {
    throw new Error('--file is required');
  }
  const concurrency = values.concurrency === undefined ? 32 : Number(values.concurrency);
  if (!/^[0-9]+$/.test(values.concurrency ?? '32') || concurrency < 1 || concurrency > 1024) {
    throw new Error('--concurrency must be a whole number from 1 to 1024');
  }
  const mode = (['snapshot', 'changes'] as const).find((m) => m === values.mode);
  if (values.mode !== undefined && mode === undefined) {
    throw new Error('--mode must be snapshot or changes');
  }
  const operator = values.operator === undefined ? undefined : operatorNameOf(values.operator);
  if (values.operator !== undefined && operator === undefined) {
    throw new Error('--operator must be a name of 1 to 64 letters, digits, . _ or - (not an identity number)');
  }
  return {
    source,
    file: values.file,
    concurrency,
    ...(values['run-id'] === undefined ? {} : { runId: values['run-id'] }),
    ...(mode === undefined ? {} : { mode }),
    ...(operator === undefined ? {} : { operator }),
  };
};

/** Bundles above this are refused as Bundles (they are parsed whole); NDJSON streams at any size. */
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;
const HEAD_BYTES = 64 * 1024;

/**
 * NDJSON or Bundle: a Bundle is one JSON object, usually pretty-printed over many lines. A file whose first line
 * is a complete resource is NDJSON (a one-line Bundle counts as a Bundle); a file starting with `{` whose first
 * line is not complete JSON is tried as a Bundle, and read as NDJSON (line-level rejections) if it is not one.
 */
export const feedInputOf = async (file: string, size: number): Promise<FeedInput> => {
  const handle = await open(file, 'r');
  let head: string;
  try {
    const buffer = Buffer.alloc(Math.min(HEAD_BYTES, size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
  } finally {
    await handle.close();
  }
  const ndjson: FeedInput = { kind: 'ndjson', lines: readLinesLimited(createReadStream(file)) };
  const firstLine = head.trimStart().split('\n', 1)[0] ?? '';
  if (!firstLine.startsWith('{')) {
    return ndjson;
  }
  try {
    const parsed: unknown = JSON.parse(firstLine);
    const isBundle =
      typeof parsed === 'object' && parsed !== null && 'resourceType' in parsed && parsed.resourceType === 'Bundle';
    return isBundle ? { kind: 'bundle', text: firstLine } : ndjson;
  } catch {
    if (size > MAX_BUNDLE_BYTES) {
      return ndjson;
    }
    const text = await readFile(file, 'utf8');
    try {
      const parsed: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
      const isBundle =
        typeof parsed === 'object' && parsed !== null && 'resourceType' in parsed && parsed.resourceType === 'Bundle';
      return isBundle ? { kind: 'bundle', text: text.replace(/^\uFEFF/, '') } : ndjson;
    } catch {
      return ndjson;
    }
  }
};

/** The summary table printed at the end (counts and line numbers only: no patient data). */
export const formatImportSummary = (
  summary: ImportSummary,
  file: string,
  seconds: number,
  auditedAs?: string,
): string => {
  const rate = seconds > 0 ? Math.round(summary.recordsRead / seconds) : 0;
  const rows: [string, string | number][] = [
    ['run id', summary.runId],
    ...(auditedAs === undefined ? [] : [['access log names', auditedAs] as [string, string]]),
    ['source', summary.source],
    ['mode', summary.mode],
    ['file', file],
    ['records read', summary.recordsRead],
    ['records accepted', summary.recordsAccepted],
    ['patients', summary.patients],
    ['patients applied', summary.patientsApplied],
    ['patients held back', summary.patientsHeldBack],
    ['patients failed', summary.patientsFailed],
    ['dispensings recorded', summary.dispensingsRecorded],
    ['dispensings annulled', summary.dispensingsAnnulled],
    ['dispensings not recordable', summary.dispensingsNotRecordable],
    ['discrepancies new', summary.discrepanciesNew],
    ['discrepancies cleared', summary.discrepanciesCleared],
    ['lines rejected', summary.linesRejected],
    ['lines held back', summary.linesHeldBack],
    ['codings in unknown systems', summary.codingsUnknown],
    ['pairs not comparable (D7)', summary.pairsNotComparable],
    ['time', `${seconds.toFixed(1)} s (${rate} records/s)`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  const skipped = Object.entries(summary.skipped);
  if (skipped.length > 0) {
    lines.push('', 'Skipped resource types:', ...skipped.map(([type, count]) => `  ${type}: ${count}`));
  }
  lines.push(...lineSections(summary));
  return lines.join('\n');
};

export interface ReconcileDeps {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** an open store (the e2e test passes the app's); otherwise one is opened from the configuration and closed */
  readonly store?: EventStorePort;
  readonly clock?: Clock;
  readonly out?: (text: string) => void;
  readonly err?: (text: string) => void;
  /** receives the summary (tests) */
  readonly onSummary?: (summary: ImportSummary) => void;
  /** the OS user name --operator defaults to (default: os.userInfo().username; it may throw) */
  readonly osUser?: () => string;
  /** the host named with the operator (default: os.hostname()) */
  readonly host?: () => string;
}

/** The operator: --operator, else the OS user name; undefined when neither gives a valid name. */
const operatorOf = (args: ReconcileArgs, osUser: () => string): string | undefined => {
  if (args.operator !== undefined) {
    return args.operator;
  }
  try {
    return operatorNameOf(osUser());
  } catch {
    // os.userInfo() throws when the uid has no passwd entry (some containers): --operator is needed then.
    return undefined;
  }
};

/** The CLI, callable in-process; resolves with the exit code. */
export const main = async (argv: readonly string[], deps: ReconcileDeps = {}): Promise<number> => {
  const out = deps.out ?? ((text: string) => process.stdout.write(`${text}\n`));
  const err = deps.err ?? ((text: string) => process.stderr.write(`${text}\n`));
  let args: ReconcileArgs | undefined;
  try {
    args = parseReconcileArgs(argv);
  } catch (error) {
    err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (args === undefined) {
    out(USAGE);
    return 0;
  }
  const operator = operatorOf(args, deps.osUser ?? (() => userInfo().username));
  if (operator === undefined) {
    err(`--operator is required: the OS user name is unknown or not a valid operator name\n\n${USAGE}`);
    return 2;
  }
  const size = await stat(args.file).then(
    (s) => (s.isFile() ? s.size : undefined),
    () => undefined,
  );
  if (size === undefined) {
    err(`No such file: ${args.file}`);
    return 1;
  }
  let config: AppConfig;
  try {
    config = loadConfig(deps.env ?? process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      err(error.message);
      return 1;
    }
    throw error;
  }
  const store = deps.store ?? createEventStore(config, createLogger({ level: 'warn' }));
  const bar = progressBar(' {phase} [{bar}] {value}/{total}', { stream: process.stderr });
  try {
    const clock = deps.clock ?? systemClock;
    const service = new ReconciliationService(store, clock, config);
    const audit = new AuditService(store, clock);
    const caller = commandLineCaller(operator, (deps.host ?? hostname)());
    const runId = args.runId ?? randomUUID();
    const feedSource = args.source;
    const started = performance.now();
    bar.start(0, 0, { phase: 'reading ' });
    const summary = await service.importFeed(args.source, await feedInputOf(args.file, size), {
      runId,
      ...(args.mode === undefined ? {} : { mode: args.mode }),
      // Every patient the feed names gets an access-log entry before anything is recorded, as over GraphQL.
      beforeApply: (patients) =>
        audit.recordFeedImport({
          caller,
          listIds: patients.map(({ streamId }) => streamId),
          feedSource,
          correlationId: runId,
          childOrganisationTrusted: true,
        }),
      concurrency: args.concurrency,
      onProgress: ({ phase, done, total }) => {
        if (phase === 'apply') {
          bar.setTotal(total ?? done);
        }
        bar.update(done, { phase: phase === 'read' ? 'reading ' : 'applying' });
      },
    });
    bar.stop();
    deps.onSummary?.(summary);
    out(formatImportSummary(summary, args.file, (performance.now() - started) / 1000, caller.clientId));
    return 0;
  } catch (error) {
    bar.stop();
    if (isDomainError(error)) {
      err(`Import failed: ${error.code}: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    if (deps.store === undefined) {
      await store.close();
    }
  }
};

if (require.main === module) {
  runCli(() => main(process.argv.slice(2)), { failure: failedLine('reconcile', maskIdentifiers) });
}
