import type { Dosage, IsoDate, IsoDateTime, Medication } from '../../medication-list/domain/medication-list.events';
import type { FeedMode, FeedSource, PrescriptionStatusCode } from './external-record';
import type { DiscrepancyCode } from './reconcile';

/**
 * Events of reconciliation (issue 4). Discrepancies live in their own stream per patient,
 * `reconciliation-<uuid>` (the same keyed-hash uuid as the patient's `medicationList-<uuid>`), so the clinical list
 * stream stays free of feed noise. Runs and pull cursors have streams of their own: `reconciliationRun-<runId>` and
 * `reconciliationCursor-<source>`. No stream name carries a patient id.
 */

export const RECONCILIATION_STREAM_PREFIX = 'reconciliation-';
export const RECONCILIATION_RUN_STREAM_PREFIX = 'reconciliationRun-';
export const RECONCILIATION_CURSOR_STREAM_PREFIX = 'reconciliationCursor-';

/** How a doctor settled a discrepancy (domain.md): include in the list, discontinue, recall, accept as is, dismiss. */
export type Resolution = 'include' | 'discontinue' | 'recall' | 'accept' | 'dismiss';
export const RESOLUTIONS: readonly Resolution[] = ['include', 'discontinue', 'recall', 'accept', 'dismiss'];

/**
 * What the registry said about a prescription the list does not have (D1), kept so that "include" can start the
 * treatment and link the prescription later without the feed at hand.
 */
export interface FeedPrescriptionSnapshot {
  readonly prescriptionId: string;
  readonly status: PrescriptionStatusCode;
  readonly medication: Medication;
  readonly dosage?: Dosage;
  readonly dosageText?: string;
  readonly issuedAt: IsoDateTime;
  readonly expiresOn?: IsoDate;
  readonly dispensingsAllowed?: number;
  readonly prescriberHpr?: string;
}

/** A feed showed something the list does not agree with; raised once per key. */
export interface DiscrepancyDetected {
  readonly type: 'DiscrepancyDetected';
  readonly data: {
    readonly key: string;
    readonly code: DiscrepancyCode;
    readonly severity: 'warning' | 'info';
    /**
     * The validated patient id, as event data (like CareRelationStarted) so the GP worklist can name the patient;
     * never a stream name, log line or error message.
     */
    readonly patientId: string;
    readonly entryId?: string;
    readonly prescriptionId?: string;
    readonly dispensingId?: string;
    /** ids, dates, statuses, codes and dose descriptions from `reconcile` */
    readonly evidence: Readonly<Record<string, string>>;
    /** D1 only: the registry's prescription, for "include" */
    readonly prescription?: FeedPrescriptionSnapshot;
    readonly feedSource: FeedSource;
    readonly runId: string;
    readonly detectedAt: IsoDateTime;
  };
}

/** A later feed of a source that covers the code no longer shows the discrepancy. */
export interface DiscrepancyCleared {
  readonly type: 'DiscrepancyCleared';
  readonly data: {
    readonly key: string;
    readonly code: DiscrepancyCode;
    readonly feedSource: FeedSource;
    readonly runId: string;
    readonly clearedAt: IsoDateTime;
  };
}

/** A doctor resolved it; the list commands the resolution implied were appended before this event. */
export interface DiscrepancyResolved {
  readonly type: 'DiscrepancyResolved';
  readonly data: {
    readonly key: string;
    readonly code: DiscrepancyCode;
    readonly resolution: Resolution;
    readonly reason?: string;
    readonly resolvedAt: IsoDateTime;
    /** the entry the resolution started or changed, when it touched the list */
    readonly entryId?: string;
    /** the command ids of the list commands the resolution applied (deterministic, derived from the key) */
    readonly listCommandIds: readonly string[];
  };
}

export type ReconciliationEvent = DiscrepancyDetected | DiscrepancyCleared | DiscrepancyResolved;
export type ReconciliationEventType = ReconciliationEvent['type'];
export const reconciliationEventTypes: readonly ReconciliationEventType[] = [
  'DiscrepancyDetected',
  'DiscrepancyCleared',
  'DiscrepancyResolved',
];
const knownTypes = new Set<string>(reconciliationEventTypes);
export const isReconciliationEvent = (event: { type: string; data: unknown }): event is ReconciliationEvent =>
  knownTypes.has(event.type);

/** The counts of one import run (issue 4: records read, patients, discrepancies new and cleared, lines rejected). */
export interface ReconciliationRunCompleted {
  readonly type: 'ReconciliationRunCompleted';
  readonly data: {
    readonly runId: string;
    readonly source: FeedSource;
    readonly startedAt: IsoDateTime;
    readonly completedAt: IsoDateTime;
    readonly recordsRead: number;
    readonly patients: number;
    readonly patientsApplied: number;
    readonly patientsHeldBack: number;
    readonly dispensingsRecorded: number;
    readonly discrepanciesNew: number;
    readonly discrepanciesCleared: number;
    readonly linesRejected: number;
    /** resource type → count (blank lines under "(blank line)") */
    readonly skipped: Readonly<Record<string, number>>;
    /** codings in systems the service does not know (kept, not compared); absent in runs before issue 16 */
    readonly codingsUnknown?: number;
    /** dispensing/prescription pairs D7 could not compare at the level needed; absent before issue 16 */
    readonly pairsNotComparable?: number;
    /** the feed's mode; absent before issue 16 (those runs were read as snapshots) */
    readonly mode?: FeedMode;
  };
}

/** The pull cursor of a source moved on after a page was imported. */
export interface FeedCursorAdvanced {
  readonly type: 'FeedCursorAdvanced';
  readonly data: {
    readonly source: FeedSource;
    readonly cursor: string;
    readonly runId: string;
    readonly advancedAt: IsoDateTime;
  };
}

/** The events of an import run's own streams (its counts, a source's pull cursor): no read model projects them. */
export const reconciliationRunEventTypes: readonly (ReconciliationRunCompleted | FeedCursorAdvanced)['type'][] = [
  'ReconciliationRunCompleted',
  'FeedCursorAdvanced',
];

/** The uuid part shared by `medicationList-<uuid>` and `reconciliation-<uuid>`. */
export const reconciliationStreamName = (patientStreamId: string): string =>
  `${RECONCILIATION_STREAM_PREFIX}${patientStreamId}`;
