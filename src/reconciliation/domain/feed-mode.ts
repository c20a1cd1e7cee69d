import type { DiscrepancyCode } from './reconcile';
import type { ExternalRecord, FeedMode, FeedSource } from './external-record';
import { COVERED_CODES } from './reconciliation.decider';

/**
 * Feed modes (issue 16). A snapshot (a FHIR `searchset` for the patient) is the complete picture of each patient it
 * mentions; a change feed (a FHIR `history` Bundle, an incremental export) only says what changed. A caller names
 * the mode; a Bundle without a named mode says it by its type; anything else is read as a snapshot, as every feed
 * was before the mode existed. Only `searchset` claims completeness among Bundle types, so every other type
 * (history, collection, transaction, …) is read as changes.
 */
export const feedModeOf = (named: FeedMode | undefined, bundleType: string | undefined): FeedMode =>
  named ?? (bundleType === undefined || bundleType === 'searchset' ? 'snapshot' : 'changes');

/** Absence-based codes: raised only when a snapshot covers the patient. */
const ABSENCE_BASED: ReadonlySet<DiscrepancyCode> = new Set(['D8']);

/** Codes judged on the list alone (its entries, prescriptions and recorded dispensings): any feed may clear them. */
const LIST_JUDGED: ReadonlySet<DiscrepancyCode> = new Set(['D3', 'D5', 'D6', 'D7']);

/** What a run of `source` in `mode` may raise, and which open ones it may clear when it no longer shows them. */
export const codesFor = (
  source: FeedSource,
  mode: FeedMode,
): { readonly raised: readonly DiscrepancyCode[]; readonly cleared: readonly DiscrepancyCode[] } => {
  const covered = COVERED_CODES[source];
  if (mode === 'snapshot') {
    return { raised: covered, cleared: covered };
  }
  // A change feed's silence about a prescription says nothing: it neither raises D8 nor clears D1, D2 or D4.
  return {
    raised: covered.filter((code) => !ABSENCE_BASED.has(code)),
    cleared: covered.filter((code) => LIST_JUDGED.has(code)),
  };
};

/** The codings of a record's drug in systems the service does not know. */
export const unknownCodingsOf = (record: ExternalRecord): readonly { readonly system?: string }[] =>
  (record.kind === 'dispensing' ? record.product : record.medication).otherCodings ?? [];
