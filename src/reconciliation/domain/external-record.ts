import type { PrescriptionStatusCode } from '../../medication-list/domain/medication-list.codes';
import type {
  Dosage,
  IsoDate,
  IsoDateTime,
  Medication,
  Quantity,
} from '../../medication-list/domain/medication-list.events';

/**
 * Neutral boundary types for reconciliation (design.md decision 6): every feed record (FHIR NDJSON, Bundle, and
 * whatever comes later) is turned into one of these at the edge, and `reconcile` only ever sees these. They are
 * keyed on business identifiers (prescription id, dispensing id), never on FHIR resource ids, which are not stable
 * between lookups (domain.md, "Feeds"). Identifiers in here are already validated.
 */

/** Which feed a record came from: the e-prescription registry (Reseptformidleren) or the core record. */
export type FeedSource = 'eprescription' | 'core-record';

/**
 * How a feed is to be read (issue 16). A `snapshot` is the complete current picture of each patient it mentions (a
 * search result for the patient: absence means absence, so D8 may be raised). A `changes` feed (a history or an
 * incremental export) carries only what changed: absence means nothing, so no absence-based discrepancy is raised
 * and none is cleared because a record is missing from it.
 */
export type FeedMode = 'snapshot' | 'changes';

/** Prescription status, code list 7408 (E dispensable, U being dispensed, R ended, T recalled, F expired). */
export type { PrescriptionStatusCode };

/** A prescription as the e-prescription registry knows it (FHIR MedicationRequest). */
export interface ExternalPrescription {
  readonly kind: 'prescription';
  readonly source: 'eprescription';
  readonly prescriptionId: string;
  /** validated fødselsnummer / D-number (or synthetic test number); event data only, never a log line */
  readonly patientId: string;
  readonly status: PrescriptionStatusCode;
  readonly medication: Medication;
  /** our structured dosage, present only when the FHIR dosage could be mapped without guessing */
  readonly dosage?: Dosage;
  /** the feed's free-text dosage, kept when the structured form could not be mapped (or as the instruction) */
  readonly dosageText?: string;
  /** as the feed wrote it: a date-time with offset, or a date */
  readonly issuedAt: IsoDateTime;
  readonly expiresOn?: IsoDate;
  /** number of dispensings in total (FHIR repeats + the first one) */
  readonly dispensingsAllowed?: number;
  readonly prescriberHpr?: string;
}

/** A dispensing reported by a pharmacy (FHIR MedicationDispense); an annulment is the same id with `annulled`. */
export interface ExternalDispensing {
  readonly kind: 'dispensing';
  readonly source: FeedSource;
  readonly dispensingId: string;
  readonly prescriptionId?: string;
  readonly patientId: string;
  /** as the feed wrote it: a date-time with offset, or a date */
  readonly dispensedAt: IsoDateTime;
  readonly product: Medication;
  readonly quantity: Quantity;
  readonly pharmacyHerId?: string;
  /** FHIR status `entered-in-error`: the pharmacy annulled this dispensing; reconcile ignores it */
  readonly annulled: boolean;
}

/** FHIR MedicationStatement status values we accept. */
export type StatementStatus =
  'active' | 'completed' | 'entered-in-error' | 'intended' | 'stopped' | 'on-hold' | 'unknown' | 'not-taken';

/** A statement of use (FHIR MedicationStatement), from the core record. Not used by reconcile yet. */
export interface ExternalStatement {
  readonly kind: 'statement';
  readonly source: FeedSource;
  /** the business identifier, when the statement has one */
  readonly statementId?: string;
  /** the prescription the statement is based on, when given (`basedOn` identifier or a `reseptid` identifier) */
  readonly prescriptionId?: string;
  readonly patientId: string;
  readonly status: StatementStatus;
  readonly medication: Medication;
  readonly dosage?: Dosage;
  readonly dosageText?: string;
  /** date-time or date, as the feed wrote it */
  readonly effectiveFrom?: IsoDateTime;
  readonly effectiveTo?: IsoDateTime;
}

export type ExternalRecord = ExternalPrescription | ExternalDispensing | ExternalStatement;
