import type { Dosage, IsoDate, IsoDateTime, Medication } from '../../medication-list/domain/medication-list.events';

/**
 * The types `reconcile` takes and returns, apart from reconcile.ts so that the rules (reconcile.rules.ts) and
 * reconcile itself import them without importing each other. reconcile.ts re-exports them.
 */

/** The minimal list the rules need; the decider state or the projection document is mapped into it. */
export interface ReconciliationListView {
  /** the validated patient id: only records of this patient are considered */
  readonly patientId: string;
  /** entries not retracted (a retracted entry was a registration error and is not on the list) */
  readonly entries: readonly ReconciliationEntry[];
}

export interface ReconciliationEntry {
  readonly entryId: string;
  readonly status: 'active' | 'paused' | 'discontinued';
  readonly discontinuedAt?: IsoDateTime;
  readonly medication: Medication;
  readonly dosage: Dosage;
  readonly startedOn: IsoDate;
  /** every prescription ever linked to the entry */
  readonly prescriptions: readonly ReconciliationPrescription[];
}

export interface ReconciliationPrescription {
  readonly prescriptionId: string;
  readonly status: 'active' | 'recalled';
  readonly recalledAt?: IsoDateTime;
  readonly expiresOn: IsoDate;
}

export type DiscrepancyCode = 'D1' | 'D2' | 'D3' | 'D4' | 'D5' | 'D6' | 'D7' | 'D8';

export interface Discrepancy {
  readonly code: DiscrepancyCode;
  /** `code|id|id…`: stable across runs, so a repeated feed raises nothing new */
  readonly key: string;
  readonly entryId?: string;
  readonly prescriptionId?: string;
  readonly dispensingId?: string;
  /** ids, dates, statuses, codes and dose descriptions; never the patient id */
  readonly evidence: Readonly<Record<string, string>>;
  readonly severity: 'warning' | 'info';
}
