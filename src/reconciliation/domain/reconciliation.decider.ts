import type { IsoDateTime } from '../../medication-list/domain/medication-list.events';
import {
  assertId,
  assertIsoDateTime,
  assertOptionalText,
} from '../../medication-list/domain/medication-list.validation';
import type { Command, Decider } from '../../shared/event-sourcing/decider';
import type { FeedSource } from './external-record';
import type { Discrepancy, DiscrepancyCode } from './reconcile';
import {
  DiscrepancyNotFoundError,
  DiscrepancyNotOpenError,
  DoctorRequiredError,
  InvalidDiscrepancyKeyError,
  ResolutionNotApplicableError,
  ResolutionReasonRequiredError,
} from './reconciliation.errors';
import type {
  DiscrepancyCleared,
  DiscrepancyDetected,
  DiscrepancyResolved,
  FeedPrescriptionSnapshot,
  ReconciliationEvent,
  Resolution,
} from './reconciliation.events';

/**
 * The reconciliation decider of one patient (stream `reconciliation-<uuid>`). A discrepancy is raised once per key,
 * stays open until a doctor resolves it or until a later feed of a source that covers its code no longer shows
 * it (domain.md, "Reconciliation"); a repeated feed decides nothing. Pure: time comes on the command.
 */

/** A discrepancy as `reconcile` found it, plus (for D1) the registry's prescription for a later "include". */
export interface DetectedDiscrepancy extends Discrepancy {
  readonly prescription?: FeedPrescriptionSnapshot;
}

/** The outcome of one feed for one patient. */
export type RecordFeedResult = Command<
  'RecordFeedResult',
  {
    readonly runId: string;
    readonly source: FeedSource;
    /** the validated patient id (event data for the worklist; never logged) */
    readonly patientId: string;
    /** the codes this source can confirm or refute: only these are cleared when absent */
    readonly coveredCodes: readonly DiscrepancyCode[];
    /** everything `reconcile` found for the patient in this feed, restricted to the covered codes */
    readonly discrepancies: readonly DetectedDiscrepancy[];
    readonly recordedAt: IsoDateTime;
  }
>;

/** A doctor's decision; `listCommandIds` / `entryId` name what the service already applied to the list. */
export type ResolveDiscrepancy = Command<
  'ResolveDiscrepancy',
  {
    readonly key: string;
    readonly resolution: Resolution;
    readonly reason?: string;
    readonly resolvedAt: IsoDateTime;
    readonly entryId?: string;
    readonly listCommandIds: readonly string[];
  }
>;

export type ReconciliationCommand = RecordFeedResult | ResolveDiscrepancy;

/**
 * The codes each source can confirm or refute, so only these are cleared when its feed no longer shows them.
 * D5 and D6 depend on the list alone, and D3 on the list's own dispensings (every dispensing recorded, by a
 * pharmacy or a feed), so every run can judge them. D1, D2, D4 and D8 need the registry's prescriptions: only the
 * e-prescription feed. D7 is judged by the core-record run, which compares each dispensed product with the entry's
 * drug; leaving it out of the registry run keeps the two runs from raising and clearing it in turn.
 */
export const COVERED_CODES: Readonly<Record<FeedSource, readonly DiscrepancyCode[]>> = {
  eprescription: ['D1', 'D2', 'D3', 'D4', 'D5', 'D6', 'D8'],
  'core-record': ['D3', 'D5', 'D6', 'D7'],
};

export type DiscrepancyStatus = 'open' | 'resolved' | 'cleared';

export interface DiscrepancyState {
  /** the latest detection of this key */
  readonly detected: DiscrepancyDetected['data'];
  readonly status: DiscrepancyStatus;
  readonly resolved?: DiscrepancyResolved['data'];
  readonly cleared?: DiscrepancyCleared['data'];
}

export interface ReconciliationState {
  readonly discrepancies: ReadonlyMap<string, DiscrepancyState>;
}

export const initialReconciliationState = (): ReconciliationState => ({ discrepancies: new Map() });

const patch = (
  state: ReconciliationState,
  key: string,
  change: (current: DiscrepancyState) => DiscrepancyState,
): ReconciliationState => {
  const current = state.discrepancies.get(key);
  return current === undefined ? state : { discrepancies: new Map(state.discrepancies).set(key, change(current)) };
};

/** Folds one event; unknown types and events about unknown keys leave the state as it was. */
export const evolveReconciliation = (state: ReconciliationState, event: ReconciliationEvent): ReconciliationState => {
  switch (event.type) {
    case 'DiscrepancyDetected':
      return {
        discrepancies: new Map(state.discrepancies).set(event.data.key, { detected: event.data, status: 'open' }),
      };
    case 'DiscrepancyCleared':
      return patch(state, event.data.key, (d) => ({ ...d, status: 'cleared', cleared: event.data }));
    case 'DiscrepancyResolved':
      return patch(state, event.data.key, (d) => ({ ...d, status: 'resolved', resolved: event.data }));
    default:
      return state;
  }
};

const byKey = <T extends { readonly key: string }>(a: T, b: T): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * New keys (and keys cleared earlier that are back) are detected; open keys of covered codes the feed no longer
 * shows are cleared. A resolved key stays resolved while the feed still shows it: the doctor has decided, and a
 * key names the exact ids involved, so a genuinely new situation gets a new key.
 */
const decideFeedResult = ({ data }: RecordFeedResult, state: ReconciliationState): ReconciliationEvent[] => {
  assertId(data.runId, 'runId');
  assertIsoDateTime(data.recordedAt, 'recordedAt');
  const shown = new Map(data.discrepancies.map((d) => [d.key, d]));
  const covered = new Set(data.coveredCodes);
  const detected = [...shown.values()]
    .filter((d) => {
      const known = state.discrepancies.get(d.key);
      return known === undefined || known.status === 'cleared';
    })
    .sort(byKey)
    .map((d): DiscrepancyDetected => ({
      type: 'DiscrepancyDetected',
      data: {
        key: d.key,
        code: d.code,
        severity: d.severity,
        patientId: data.patientId,
        ...(d.entryId === undefined ? {} : { entryId: d.entryId }),
        ...(d.prescriptionId === undefined ? {} : { prescriptionId: d.prescriptionId }),
        ...(d.dispensingId === undefined ? {} : { dispensingId: d.dispensingId }),
        evidence: d.evidence,
        ...(d.prescription === undefined ? {} : { prescription: d.prescription }),
        feedSource: data.source,
        runId: data.runId,
        detectedAt: data.recordedAt,
      },
    }));
  const cleared = [...state.discrepancies.values()]
    .filter((d) => d.status === 'open' && covered.has(d.detected.code) && !shown.has(d.detected.key))
    .map((d) => d.detected)
    .sort(byKey)
    .map((d): DiscrepancyCleared => ({
      type: 'DiscrepancyCleared',
      data: { key: d.key, code: d.code, feedSource: data.source, runId: data.runId, clearedAt: data.recordedAt },
    }));
  return [...detected, ...cleared];
};

/** The longest discrepancy key a client may send: a D6 key lists its entries' ids, so it has no fixed length. */
export const MAX_DISCREPANCY_KEY = 4000;
/** A discrepancy key (reconcile.rules.ts): its code, then its list ids (a D6: the ATC code and ids joined by `,`). */
export const DISCREPANCY_KEY = /^D[1-8](\|[A-Za-z0-9._:,-]+){1,2}$/;
/** The key rule in words, for the schema and the error. */
export const DISCREPANCY_KEY_RULE =
  `D1 to D8, then one or two parts each after a |, of letters A–Z a–z, digits and . _ : , -; ` +
  `at most ${MAX_DISCREPANCY_KEY} characters; pattern ${DISCREPANCY_KEY.source}`;

/** Checked before the key is looked up, so a not-found error never echoes what the client sent. */
export const assertDiscrepancyKey = (key: string): void => {
  if (typeof key !== 'string' || key.length > MAX_DISCREPANCY_KEY || !DISCREPANCY_KEY.test(key)) {
    throw new InvalidDiscrepancyKeyError(DISCREPANCY_KEY_RULE);
  }
};

/**
 * Which resolutions fit which discrepancy: include only a D1 (the registry prescription the list lacks);
 * discontinue needs the entry; recall needs a prescription the list links (never D1's); dismiss needs a reason.
 */
export const assertResolutionApplies = (
  detected: DiscrepancyDetected['data'],
  resolution: Resolution,
  reason: string | undefined,
): void => {
  assertOptionalText(reason, 'reason');
  const notApplicable = (why: string): never => {
    throw new ResolutionNotApplicableError(resolution, detected.code, why);
  };
  switch (resolution) {
    case 'include':
      if (detected.code !== 'D1' || detected.prescription === undefined) {
        notApplicable('only a registry prescription missing from the list (D1) can be included');
      }
      return;
    case 'discontinue':
      if (detected.entryId === undefined) {
        notApplicable('it concerns no single list entry');
      }
      return;
    case 'recall':
      if (detected.prescriptionId === undefined || detected.code === 'D1') {
        notApplicable('it concerns no prescription on the list');
      }
      return;
    case 'dismiss':
      if (reason === undefined || reason.trim() === '') {
        throw new ResolutionReasonRequiredError(resolution);
      }
      return;
    case 'accept':
      return;
  }
};

const decideResolve = (command: ResolveDiscrepancy, state: ReconciliationState): ReconciliationEvent[] => {
  const { key, resolution, reason, resolvedAt, entryId, listCommandIds } = command.data;
  const { role } = command.meta.actor;
  if (role !== 'prescriber') {
    throw new DoctorRequiredError(role);
  }
  assertIsoDateTime(resolvedAt, 'resolvedAt');
  const known = state.discrepancies.get(key);
  if (known === undefined) {
    throw new DiscrepancyNotFoundError(key);
  }
  if (known.status === 'resolved' && known.resolved?.resolution === resolution) {
    return []; // the same resolution again: a retry
  }
  if (known.status !== 'open') {
    throw new DiscrepancyNotOpenError(key, known.status);
  }
  assertResolutionApplies(known.detected, resolution, reason);
  return [
    {
      type: 'DiscrepancyResolved',
      data: {
        key,
        code: known.detected.code,
        resolution,
        ...(reason === undefined ? {} : { reason }),
        resolvedAt,
        ...(entryId === undefined ? {} : { entryId }),
        listCommandIds,
      },
    },
  ];
};

export const decideReconciliation = (
  command: ReconciliationCommand,
  state: ReconciliationState,
): ReconciliationEvent[] => {
  switch (command.type) {
    case 'RecordFeedResult':
      return decideFeedResult(command, state);
    case 'ResolveDiscrepancy':
      return decideResolve(command, state);
  }
};

/** The reconciliation decider (emmett style): one stream per patient, `reconciliation-<uuid>`. */
export const reconciliationDecider: Decider<ReconciliationCommand, ReconciliationEvent, ReconciliationState> = {
  initialState: initialReconciliationState,
  decide: decideReconciliation,
  evolve: evolveReconciliation,
  clinicalTimeOf: (command) =>
    command.type === 'RecordFeedResult' ? command.data.recordedAt : command.data.resolvedAt,
};
