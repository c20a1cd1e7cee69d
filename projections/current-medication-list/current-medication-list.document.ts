import type { Actor } from '../../src/shared/event-sourcing/event-store.port';
import type {
  DiscontinuationReasonCode,
  Dosage,
  IsoDate,
  IsoDateTime,
  Medication,
  MultidoseQuestionCode,
  PrescriptionType,
  Quantity,
  RecallReasonCode,
  ReviewKind,
  UseCode,
} from '../../src/medication-list/domain/medication-list.events';

/*
 * The current-medication-list read model: one JSON-safe document per patient stream (strings, numbers,
 * booleans, null, arrays, plain objects). Absent values are `null`, never `undefined`, so a document survives a
 * JSON round trip through the read-model store unchanged.
 */

/** Code list 7408 subset: E dispensable, U being dispensed, R ended (used up), T recalled. */
export type PrescriptionStatus = 'E' | 'U' | 'R' | 'T';

/** Whether an entry is in the multidose bags; `outside-multidose` must be shown plainly (domain.md). */
export type MultidosePackingStatus = 'packed' | 'outside-multidose' | 'not-in-multidose';

/** The prescription linked to an entry; `status` and `dispensingsLeft` are derived from its dispensings. */
export interface LinkedPrescription {
  readonly prescriptionId: string;
  readonly status: PrescriptionStatus;
  readonly issuedAt: IsoDateTime;
  readonly expiresOn: IsoDate;
  readonly dispensingsAllowed: number | null;
  /** allowed minus non-annulled dispensings against this prescription; null when no limit was given */
  readonly dispensingsLeft: number | null;
  readonly renewsPrescriptionId: string | null;
  readonly recalledAt: IsoDateTime | null;
  readonly recallReasonCode: RecallReasonCode | null;
}

/** One non-annulled dispensing reported by a pharmacy. */
export interface DispensingSummary {
  readonly dispensingId: string;
  readonly prescriptionId: string;
  readonly dispensedAt: IsoDateTime;
  readonly product: Medication;
  readonly quantity: Quantity;
  readonly pharmacyHerId: string;
  readonly prescriptionUsedUp: boolean;
}

/** An active or paused entry (LIB-oppføring) as a GP or a nurse sees it. */
export interface CurrentEntry {
  readonly entryId: string;
  readonly medication: Medication;
  readonly use: UseCode;
  readonly indication: string | null;
  /** exactly as in the event: periods with fixed doses / as-needed limits, free text, short code */
  readonly dosage: Dosage;
  readonly dosageEffectiveFrom: IsoDate | null;
  readonly startedOn: IsoDate;
  readonly prescriptionType: PrescriptionType;
  readonly status: 'active' | 'paused';
  readonly pausedAt: IsoDateTime | null;
  readonly pauseReason: string | null;
  readonly prescription: LinkedPrescription | null;
  /** non-annulled dispensings kept so an annulment can fall back to the previous one (bounded, see entries) */
  readonly dispensings: readonly DispensingSummary[];
  readonly lastDispensing: DispensingSummary | null;
  readonly multidose: MultidosePackingStatus;
  /**
   * metadata.recordedAt (not clinicalTime: it moves forward with position, so it answers "changed since I last
   * looked" even for back-dated changes) of the last list-changing event on this entry; a dispensing is not one
   */
  readonly changedAt: IsoDateTime;
  readonly changedBy: Actor;
}

/** An entry discontinued (seponert); shown for 90 days after `discontinuedAt`, pruned by recorded time. */
export interface DiscontinuedEntry {
  readonly entryId: string;
  readonly medication: Medication;
  readonly use: UseCode;
  readonly indication: string | null;
  readonly dosage: Dosage;
  readonly startedOn: IsoDate;
  readonly prescriptionType: PrescriptionType;
  readonly prescription: LinkedPrescription | null;
  readonly lastDispensing: DispensingSummary | null;
  readonly discontinuedAt: IsoDateTime;
  readonly reasonCode: DiscontinuationReasonCode;
  readonly note: string | null;
  readonly discontinuedBy: Actor;
}

/** An entry retracted as a registration error (FHIR entered-in-error). */
export interface RetractedEntry {
  readonly entryId: string;
  readonly displayName: string | null;
  readonly reason: string;
  readonly at: IsoDateTime;
  readonly by: Actor;
}

/** The multidose registration (M27.1) and the latest packing report (M25.3). */
export interface MultidoseInfo {
  readonly responsibleDoctorHpr: string;
  readonly pharmacyHerId: string;
  readonly from: IsoDate;
  readonly lastPacking: {
    readonly packingId: string;
    readonly firstDoseOn: IsoDate;
    readonly lastDoseOn: IsoDate;
    readonly orderDeadline: IsoDate;
  } | null;
}

/** A multidose pharmacy's question (7495) still waiting for the doctor's answer. */
export interface OpenMultidoseQuestion {
  readonly questionId: string;
  readonly entryId: string | null;
  readonly code: MultidoseQuestionCode;
  readonly text: string | null;
  readonly askedAt: IsoDateTime;
  readonly pharmacyHerId: string;
}

/** Review state of the whole list (Danish FMK style: reviewed / not reviewed, with who and when). */
export interface ReviewState {
  readonly status: 'reviewed' | 'not-reviewed' | 'never';
  /** the last actual review; kept when the list is later marked not reviewed */
  readonly kind: ReviewKind | null;
  readonly reviewedAt: IsoDateTime | null;
  readonly reviewedBy: Actor | null;
  readonly note: string | null;
  readonly notReviewedReason: string | null;
  readonly notReviewedAt: IsoDateTime | null;
  readonly notReviewedBy: Actor | null;
}

/** One list-changing event, for "what changed since the last review" and "what changed since <time>". */
export interface ListChange {
  readonly position: string;
  /** metadata.recordedAt: ordered with position, so "changed since T" is a simple filter */
  readonly at: IsoDateTime;
  /** metadata.clinicalTime: when it applies clinically (may be back-dated) */
  readonly clinicalTime: IsoDateTime;
  readonly by: Actor;
  readonly type: string;
  readonly entryId?: string;
  readonly summary: string;
}

/**
 * A care relation (tjenstlig behov), the basis for a care unit's access: active from `from` through `to`. An
 * ended one stays, `to` its end date, until that has passed (projections/care-relation-end.ts).
 */
export interface ActiveCareRelation {
  readonly relationId: string;
  readonly organisationNumber: string;
  readonly unit: string | null;
  readonly from: IsoDate;
  readonly to: IsoDate | null;
}

/** The current-medication-list document of one patient. */
export interface CurrentMedicationListDocument {
  /** the stream's uuid part */
  readonly listId: string;
  /** last applied revision + 1: what the client passes back as expectedVersion */
  readonly version: number;
  /** global position of the last applied event; null before the first */
  readonly lastPosition: string | null;
  readonly patientId: string | null;
  readonly entries: readonly CurrentEntry[];
  readonly discontinued: readonly DiscontinuedEntry[];
  readonly retracted: readonly RetractedEntry[];
  readonly multidose: MultidoseInfo | null;
  readonly openQuestions: readonly OpenMultidoseQuestion[];
  readonly review: ReviewState;
  readonly changesSinceReview: readonly ListChange[];
  /** how many older changes since the review were dropped to keep the document bounded */
  readonly changesSinceReviewDropped: number;
  /** the last RECENT_CHANGES_LIMIT changes, oldest first */
  readonly recentChanges: readonly ListChange[];
  readonly careRelations: readonly ActiveCareRelation[];
}

/** How many changes `recentChanges` keeps. */
export const RECENT_CHANGES_LIMIT = 50;
/** How many changes `changesSinceReview` keeps (an unreviewed list must not grow without bound). */
export const CHANGES_SINCE_REVIEW_LIMIT = 500;
/** How many retracted entries are kept for the timeline-aware UI. */
export const RETRACTED_LIMIT = 50;
/** Discontinued entries stay visible for 90 days (domain.md). */
export const DISCONTINUED_VISIBLE_DAYS = 90;

/** The empty list of a stream that has no events yet. */
export const emptyCurrentMedicationList = (listId: string): CurrentMedicationListDocument => ({
  listId,
  version: 0,
  lastPosition: null,
  patientId: null,
  entries: [],
  discontinued: [],
  retracted: [],
  multidose: null,
  openQuestions: [],
  review: {
    status: 'never',
    kind: null,
    reviewedAt: null,
    reviewedBy: null,
    note: null,
    notReviewedReason: null,
    notReviewedAt: null,
    notReviewedBy: null,
  },
  changesSinceReview: [],
  changesSinceReviewDropped: 0,
  recentChanges: [],
  careRelations: [],
});
