import type { IsoDateTime } from '../../medication-list/domain/medication-list.events';
import type { FeedMode, FeedSource } from './external-record';
import type { ReconciliationRunCompleted } from './reconciliation.events';

/**
 * What an import reports: counts, and the lines it did not apply with line numbers and fixed reasons. Never a
 * patient id and never line content, so a summary can be printed, logged and returned over GraphQL as is.
 */

/** A line (1-based; a Bundle entry number, 0 for the Bundle itself) that changed nothing, and why. */
export interface LineReport {
  readonly line: number;
  readonly reason: string;
  readonly resourceType?: string;
}

/** A coding in a system the service does not know: the line and the system only (never the code's patient). */
export interface UnknownCodingReport {
  readonly line: number;
  readonly system: string;
}

export interface ImportSummary {
  readonly runId: string;
  readonly source: FeedSource;
  readonly mode: FeedMode;
  readonly startedAt: IsoDateTime;
  readonly completedAt: IsoDateTime;
  /** lines (NDJSON) or entries (Bundle) read, blank lines included */
  readonly recordsRead: number;
  /** records that parsed (the held-back ones included) */
  readonly recordsAccepted: number;
  /** distinct patients the feed named in a valid subject */
  readonly patients: number;
  readonly patientsApplied: number;
  /** patients with a rejected line, or whose records the list refused: nothing of theirs was applied */
  readonly patientsHeldBack: number;
  /** patients whose apply failed part-way on a concurrent change (a re-run completes them idempotently) */
  readonly patientsFailed: number;
  readonly dispensingsRecorded: number;
  readonly dispensingsAnnulled: number;
  /** dispensings without prescription id or pharmacy HER-id: compared, but not recordable on the list */
  readonly dispensingsNotRecordable: number;
  readonly discrepanciesNew: number;
  readonly discrepanciesCleared: number;
  readonly linesRejected: number;
  /** the first MAX_REPORTED_LINES rejected lines */
  readonly rejected: readonly LineReport[];
  readonly linesHeldBack: number;
  /** the first MAX_REPORTED_LINES valid lines that were not applied because their patient was held back */
  readonly heldBack: readonly LineReport[];
  /** resource type → lines skipped (other resource types; blank lines as "(blank line)") */
  readonly skipped: Readonly<Record<string, number>>;
  /** codings in unknown systems, kept as they came and never compared */
  readonly codingsUnknown: number;
  /** the first MAX_REPORTED_LINES of them, by line */
  readonly unknownCodings: readonly UnknownCodingReport[];
  /** dispensing/prescription pairs D7 could not compare: one side lacks the identifier at the level needed */
  readonly pairsNotComparable: number;
}

/** Reports are capped: a broken 10-million-line file must not produce a 10-million-entry answer. */
export const MAX_REPORTED_LINES = 1000;

/** A mutable tally the import fills in; `finish` freezes it into an ImportSummary. */
export class ImportTally {
  recordsRead = 0;
  recordsAccepted = 0;
  patients = 0;
  patientsApplied = 0;
  patientsHeldBack = 0;
  patientsFailed = 0;
  dispensingsRecorded = 0;
  dispensingsAnnulled = 0;
  dispensingsNotRecordable = 0;
  discrepanciesNew = 0;
  discrepanciesCleared = 0;
  linesRejected = 0;
  linesHeldBack = 0;
  codingsUnknown = 0;
  pairsNotComparable = 0;
  private readonly unknownCodings: UnknownCodingReport[] = [];
  private readonly rejected: LineReport[] = [];
  private readonly heldBack: LineReport[] = [];
  private readonly skipped = new Map<string, number>();

  reject(report: LineReport): void {
    this.linesRejected += 1;
    if (this.rejected.length < MAX_REPORTED_LINES) {
      this.rejected.push(report);
    }
  }

  holdBack(report: LineReport): void {
    this.linesHeldBack += 1;
    if (this.heldBack.length < MAX_REPORTED_LINES) {
      this.heldBack.push(report);
    }
  }

  unknownCoding(line: number, system: string | undefined): void {
    this.codingsUnknown += 1;
    if (this.unknownCodings.length < MAX_REPORTED_LINES) {
      this.unknownCodings.push({ line, system: reportableSystem(system) });
    }
  }

  skip(resourceType: string): void {
    this.skipped.set(resourceType, (this.skipped.get(resourceType) ?? 0) + 1);
  }

  finish(head: Pick<ImportSummary, 'runId' | 'source' | 'mode' | 'startedAt' | 'completedAt'>): ImportSummary {
    const byLine = (a: { line: number }, b: { line: number }): number => a.line - b.line;
    return {
      ...head,
      recordsRead: this.recordsRead,
      recordsAccepted: this.recordsAccepted,
      patients: this.patients,
      patientsApplied: this.patientsApplied,
      patientsHeldBack: this.patientsHeldBack,
      patientsFailed: this.patientsFailed,
      dispensingsRecorded: this.dispensingsRecorded,
      dispensingsAnnulled: this.dispensingsAnnulled,
      dispensingsNotRecordable: this.dispensingsNotRecordable,
      discrepanciesNew: this.discrepanciesNew,
      discrepanciesCleared: this.discrepanciesCleared,
      linesRejected: this.linesRejected,
      rejected: [...this.rejected].sort(byLine),
      linesHeldBack: this.linesHeldBack,
      heldBack: [...this.heldBack].sort(byLine),
      skipped: Object.fromEntries([...this.skipped].sort(([a], [b]) => a.localeCompare(b))),
      codingsUnknown: this.codingsUnknown,
      unknownCodings: [...this.unknownCodings].sort(byLine),
      pairsNotComparable: this.pairsNotComparable,
    };
  }
}

/** The run event's data from a summary. */
export const runCompletedData = (summary: ImportSummary): ReconciliationRunCompleted['data'] => ({
  runId: summary.runId,
  source: summary.source,
  startedAt: summary.startedAt,
  completedAt: summary.completedAt,
  recordsRead: summary.recordsRead,
  patients: summary.patients,
  patientsApplied: summary.patientsApplied,
  patientsHeldBack: summary.patientsHeldBack,
  dispensingsRecorded: summary.dispensingsRecorded,
  discrepanciesNew: summary.discrepanciesNew,
  discrepanciesCleared: summary.discrepanciesCleared,
  linesRejected: summary.linesRejected,
  skipped: summary.skipped,
  codingsUnknown: summary.codingsUnknown,
  pairsNotComparable: summary.pairsNotComparable,
  mode: summary.mode,
});

/**
 * A system URI as it may be reported: the feed wrote it, so it is shown only when it looks like a URI and holds no
 * run of 11 digits (the length of a fødselsnummer); otherwise a fixed placeholder. Reports never carry patient data.
 */
export const reportableSystem = (system: string | undefined): string => {
  if (system === undefined) {
    return '(no system)';
  }
  const uriLike = /^[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7e]{1,300}$/.test(system);
  return uriLike && !/[0-9]{11}/.test(system) ? system : '(system not shown)';
};

const offsetFormat = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Oslo', timeZoneName: 'longOffset' });

/**
 * An instant written in Norwegian local time with its offset (`2026-03-01T13:00:00.000+01:00`): reconcile takes
 * "today" from the date as written, and the clinical day is the Norwegian one.
 */
export const osloDateTime = (date: Date): IsoDateTime => {
  const name = offsetFormat.formatToParts(date).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const [, sign, hours, mins] = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name) ?? [];
  const matched = sign !== undefined && hours !== undefined && mins !== undefined;
  const offset = matched ? `${sign}${hours}:${mins}` : '+00:00';
  const minutes = matched ? (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(mins)) : 0;
  return `${new Date(date.getTime() + minutes * 60_000).toISOString().slice(0, 23)}${offset}`;
};
