import type { IsoDate, IsoDateTime } from '../../medication-list/domain/medication-list.events';
import { assertIsoDateTime, datePart } from '../../medication-list/domain/medication-list.validation';
import type { ExternalDispensing, ExternalPrescription, ExternalRecord } from './external-record';
import {
  discontinuedButDispensable,
  dispensedAfterStop,
  doseDiffers,
  duplicateTherapy,
  expiring,
  substituted,
  substitutionNotComparable,
  unknownToList,
  unknownToRegistry,
  type Link,
  type ReconcileContext,
} from './reconcile.rules';
import type { Discrepancy, ReconciliationListView } from './reconcile.types';

/**
 * Reconciliation ("samstemming", domain.md): compare one patient's list with the external records and report
 * discrepancies D1–D8. Pure: no clock (`now` comes in), no I/O, inputs are never mutated. Matching is exact, on
 * business ids first (prescription id, dispensing id), then on the exact FEST id, then the exact ATC code; never
 * on names. Conflicts are surfaced, never resolved here. Every discrepancy has a deterministic key built from its
 * code and the ids it concerns (joined with `|`, which list ids cannot contain), so a repeated feed yields the
 * same keys and the event wiring can raise each one once.
 */

export type {
  Discrepancy,
  DiscrepancyCode,
  ReconciliationEntry,
  ReconciliationListView,
  ReconciliationPrescription,
} from './reconcile.types';

export interface ReconcileOptions {
  /** D5 warns this many days before a prescription expires (default 30) */
  readonly expiryWarningDays?: number;
  /**
   * Whether the e-prescription feed covered this patient. D8 ("absent from the registry") is only meaningful when
   * it did. Default: covered when the records hold at least one e-prescription-registry record for the patient;
   * pass `true` when a registry lookup for the patient returned nothing at all.
   */
  readonly coversPatient?: boolean;
}

/** Compares `list` with `records` as of `now`; the result is sorted by key. */
export const reconcile = (
  list: ReconciliationListView,
  records: readonly ExternalRecord[],
  now: IsoDateTime,
  options: ReconcileOptions = {},
): Discrepancy[] => reconcileCounted(list, records, now, options).discrepancies;

export interface ReconcileResult {
  readonly discrepancies: Discrepancy[];
  /** linked dispensings D7 could not judge: one side lacks the identifier at the level needed (issue 16) */
  readonly notComparable: number;
}

/** `reconcile`, with the count of dispensing/prescription pairs D7 could not compare. */
export const reconcileCounted = (
  list: ReconciliationListView,
  records: readonly ExternalRecord[],
  now: IsoDateTime,
  options: ReconcileOptions = {},
): ReconcileResult => {
  const context = contextOf(list, records, now, options);
  return { discrepancies: discrepanciesOf(context), notComparable: substitutionNotComparable(context) };
};

const discrepanciesOf = (context: ReconcileContext): Discrepancy[] => {
  return [
    ...unknownToList(context),
    ...discontinuedButDispensable(context),
    ...dispensedAfterStop(context),
    ...doseDiffers(context),
    ...expiring(context),
    ...duplicateTherapy(context),
    ...substituted(context),
    ...unknownToRegistry(context),
  ].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
};

const DAY_MS = 86_400_000;
const addDays = (date: IsoDate, days: number): IsoDate =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

const contextOf = (
  list: ReconciliationListView,
  records: readonly ExternalRecord[],
  now: IsoDateTime,
  options: ReconcileOptions,
): ReconcileContext => {
  assertIsoDateTime(now, 'now');
  // The calendar date as written in `now`'s own offset: pass Norwegian time to get the Norwegian date.
  const today = datePart(now);
  const mine = records.filter((record) => record.patientId === list.patientId);

  // A repeated record within one run: the later line wins (feeds are in time order).
  const feedPrescriptions = new Map<string, ExternalPrescription>();
  const dispensings = new Map<string, ExternalDispensing>();
  const annulled = new Set<string>();
  for (const record of mine) {
    if (record.kind === 'prescription') {
      feedPrescriptions.set(record.prescriptionId, record);
    } else if (record.kind === 'dispensing') {
      dispensings.set(record.dispensingId, record);
      if (record.annulled) {
        annulled.add(record.dispensingId);
      }
    }
  }
  const linked = new Map<string, Link>();
  for (const entry of list.entries) {
    for (const prescription of entry.prescriptions) {
      linked.set(prescription.prescriptionId, { entry, prescription });
    }
  }
  return {
    entries: list.entries,
    today,
    warnUntil: addDays(today, options.expiryWarningDays ?? 30),
    covered: options.coversPatient ?? mine.some((record) => record.source === 'eprescription'),
    feedPrescriptions,
    // Annulled dispensings never happened, whichever line came first.
    dispensed: [...dispensings.values()].filter((d) => !annulled.has(d.dispensingId)),
    linked,
  };
};
