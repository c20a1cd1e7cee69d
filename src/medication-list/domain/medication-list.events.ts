/**
 * The clinical event catalogue of one patient's medication list (stream `medicationList-<uuid>`).
 * Events are facts in the past tense, JSON-safe (ISO strings, arrays, plain objects). A correction is a
 * new event: nothing is deleted or rewritten. Codes are the national code lists (domain.md):
 *  9101 use, 8325 part of day, 7494 discontinuation reason, 7500 recall reason,
 *  7495 multidose question, 7493 multidose answer.
 */

/** ISO date `YYYY-MM-DD` */
export type IsoDate = string;
/** ISO 8601 date-time with offset, e.g. `2026-11-22T08:00:00.000Z` */
export type IsoDateTime = string;

/** Code list 9101: 1 Fast (regular), 2 Kur (course), 3 Ved behov (as needed). */
export type UseCode = '1' | '2' | '3';
/** Code list 8325: 1 morning, 2 before noon, 3 midday, 4 afternoon, 5 evening, 6 night. */
export type PartOfDayCode = '1' | '2' | '3' | '4' | '5' | '6';
/** Code list 7494: A finished, M lack of effect, L adverse reaction, I interaction, S patient stopped, X other. */
export type DiscontinuationReasonCode = 'A' | 'M' | 'L' | 'I' | 'S' | 'X';
/** Code list 7500: 1 renewal, 2 discontinuation, 3 renewal with change, 4 other. */
export type RecallReasonCode = '1' | '2' | '3' | '4';
/** E e-prescription, P paper prescription, U without prescription (OTC, supplements). */
export type PrescriptionType = 'E' | 'P' | 'U';
/** Code list 7495: 1 discontinue?, 2 include?, 3 renew?, 4 other, 5 message. */
export type MultidoseQuestionCode = '1' | '2' | '3' | '4' | '5';
/** Code list 7493: 1 discontinued … 8 message received. */
export type MultidoseAnswerCode = '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8';
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export type ReviewKind = 'reconciliation' | 'medication-review';

/**
 * A drug: FEST identifiers by level and/or an ATC code (level 5) with its display name ("NavnFormStyrke"), or a
 * local non-catalogue drug with a name and no code. `festId` is the brand level (LegemiddelMerkevare), as it has
 * always been; the other levels were added by issue 16 as optional fields, so older events read unchanged. A
 * substance-level prescription has `festSubstanceId` and no `festId`; a dispensing names a package and its brand.
 */
export interface Medication {
  /** brand product (LegemiddelMerkevare), `ID_` + UUID */
  readonly festId?: string;
  /** substance (LegemiddelVirkestoff), `ID_` + UUID */
  readonly festSubstanceId?: string;
  /** package (LegemiddelPakning), `ID_` + UUID */
  readonly festPackageId?: string;
  /** package: the Varenummer (six digits) */
  readonly packageNumber?: string;
  /** dose (LegemiddelDose), `ID_` + UUID */
  readonly festDoseId?: string;
  /** dose: the LMR løpenummer (seven digits) */
  readonly lmrNumber?: string;
  readonly atcCode?: string;
  readonly displayName: string;
  /** codings in systems the service does not know, kept as they came; they never decide a discrepancy */
  readonly otherCodings?: readonly OtherCoding[];
}

/** A coding kept as it came (a feed's coding in an unknown system). */
export interface OtherCoding {
  readonly system?: string;
  readonly code?: string;
  readonly display?: string;
}

export interface Quantity {
  readonly value: number;
  readonly unit: string;
}

/** A dose at a fixed time: either a clock time `HH:MM` or a part of day (8325), never both. */
export interface FixedDose {
  readonly quantity: number;
  readonly unit: string;
  readonly time?: string;
  readonly partOfDay?: PartOfDayCode;
}

/** An as-needed dose: the maximum per 24 hours is required; the minimum interval is optional. */
export interface AsNeededDose {
  readonly quantity: number;
  readonly unit: string;
  readonly maxPer24h: number;
  readonly minIntervalHours?: number;
}

/** Days-on/days-off cycle, e.g. 21 on, 7 off. */
export interface DosageCycle {
  readonly daysOn: number;
  readonly daysOff: number;
}

/** One dosage period; several consecutive periods express tapering. `end` is inclusive and optional. */
export interface DosagePeriod {
  readonly start: IsoDate;
  readonly end?: IsoDate;
  readonly fixedDoses: readonly FixedDose[];
  readonly asNeeded?: AsNeededDose;
  readonly weekdays?: readonly Weekday[];
  readonly cycle?: DosageCycle;
}

/** Structured dosage plus the free-text instruction (DosVeiledEnkel) and short code ("1+0+1"). */
export interface Dosage {
  readonly periods: readonly DosagePeriod[];
  readonly instruction?: string;
  readonly shortCode?: string;
}

export interface MedicationStarted {
  readonly type: 'MedicationStarted';
  readonly data: {
    readonly entryId: string;
    readonly medication: Medication;
    readonly use: UseCode;
    readonly indication?: string;
    readonly dosage: Dosage;
    readonly startedOn: IsoDate;
    readonly prescriptionType: PrescriptionType;
  };
}

export interface MedicationDosageChanged {
  readonly type: 'MedicationDosageChanged';
  readonly data: {
    readonly entryId: string;
    readonly previousDosage: Dosage;
    readonly dosage: Dosage;
    readonly effectiveFrom: IsoDate;
    readonly reason?: string;
  };
}

export interface MedicationPaused {
  readonly type: 'MedicationPaused';
  readonly data: { readonly entryId: string; readonly pausedAt: IsoDateTime; readonly reason?: string };
}

export interface MedicationResumed {
  readonly type: 'MedicationResumed';
  readonly data: { readonly entryId: string; readonly resumedAt: IsoDateTime };
}

/**
 * Why a treatment was stopped: the 7494 code and the free-text note that explains it (an "X other" means little
 * without one). One FHIR `statusReason` (a CodeableConcept: coding and text), and one value for the mappers.
 */
export interface DiscontinuationReason {
  readonly code: DiscontinuationReasonCode;
  readonly note?: string;
}

/**
 * Seponering. Version 2; version 1 (until 2026-12) held `reasonCode` and `note` side by side, and is lifted to this
 * shape on read (medication-list.upcasters.ts): nothing here ever sees it.
 */
export interface MedicationDiscontinued {
  readonly type: 'MedicationDiscontinued';
  readonly data: {
    readonly entryId: string;
    readonly discontinuedAt: IsoDateTime;
    readonly reason: DiscontinuationReason;
  };
}

/** FHIR `entered-in-error`: the entry was a registration error. It leaves the list; the fact stays. */
export interface MedicationRetracted {
  readonly type: 'MedicationRetracted';
  readonly data: { readonly entryId: string; readonly retractedAt: IsoDateTime; readonly reason: string };
}

export interface PrescriptionIssued {
  readonly type: 'PrescriptionIssued';
  readonly data: {
    readonly prescriptionId: string;
    readonly entryId: string;
    readonly issuedAt: IsoDateTime;
    /** one year from issue by default */
    readonly expiresOn: IsoDate;
    readonly dispensingsAllowed?: number;
    readonly quantityAllowed?: Quantity;
    /** set when this prescription renews an earlier one */
    readonly renewsPrescriptionId?: string;
  };
}

export interface PrescriptionRecalled {
  readonly type: 'PrescriptionRecalled';
  readonly data: {
    readonly prescriptionId: string;
    readonly entryId: string;
    readonly recalledAt: IsoDateTime;
    readonly reasonCode: RecallReasonCode;
  };
}

/** A pharmacy dispensed against a prescription. Recorded even when the prescription was recalled or expired. */
export interface DispensingRecorded {
  readonly type: 'DispensingRecorded';
  readonly data: {
    readonly dispensingId: string;
    readonly prescriptionId: string;
    /** the entry the prescription is linked to, when the list knows the prescription */
    readonly entryId?: string;
    readonly dispensedAt: IsoDateTime;
    readonly product: Medication;
    readonly quantity: Quantity;
    readonly pharmacyHerId: string;
    readonly prescriptionUsedUp: boolean;
  };
}

export interface DispensingAnnulled {
  readonly type: 'DispensingAnnulled';
  readonly data: { readonly dispensingId: string; readonly annulledAt: IsoDateTime; readonly reason?: string };
}

export interface MultidoseRegistered {
  readonly type: 'MultidoseRegistered';
  readonly data: {
    readonly responsibleDoctorHpr: string;
    readonly pharmacyHerId: string;
    readonly from: IsoDate;
  };
}

export interface MultidoseEnded {
  readonly type: 'MultidoseEnded';
  readonly data: { readonly endedOn: IsoDate; readonly reason?: string };
}

/** The multidose pharmacy's packing report (M25.3): per entry whether it is in the bags. */
export interface MultidosePackingRecorded {
  readonly type: 'MultidosePackingRecorded';
  readonly data: {
    readonly packingId: string;
    readonly firstDoseOn: IsoDate;
    readonly lastDoseOn: IsoDate;
    readonly orderDeadline: IsoDate;
    readonly entries: readonly { readonly entryId: string; readonly packed: boolean }[];
  };
}

export interface MultidoseQuestionAsked {
  readonly type: 'MultidoseQuestionAsked';
  readonly data: {
    readonly questionId: string;
    readonly entryId?: string;
    readonly questionCode: MultidoseQuestionCode;
    readonly text?: string;
    readonly askedAt: IsoDateTime;
    readonly pharmacyHerId: string;
  };
}

export interface MultidoseQuestionAnswered {
  readonly type: 'MultidoseQuestionAnswered';
  readonly data: {
    readonly questionId: string;
    readonly answerCode: MultidoseAnswerCode;
    readonly text?: string;
    readonly answeredAt: IsoDateTime;
  };
}

/** The responsible doctor reconciled the list (samstemming) or did a medication review. */
export interface ListMarkedReviewed {
  readonly type: 'ListMarkedReviewed';
  readonly data: { readonly kind: ReviewKind; readonly reviewedAt: IsoDateTime; readonly note?: string };
}

/** E.g. on hospital admission: the list must be reviewed again. */
export interface ListMarkedNotReviewed {
  readonly type: 'ListMarkedNotReviewed';
  readonly data: { readonly reason: string; readonly markedAt: IsoDateTime };
}

/**
 * A care relation ("tjenstlig behov") between the patient and an organisation (and unit): the basis for a
 * nursing home's or home care's access. Carries the patient identifier because the care-unit overview
 * must tell the nurses who their residents are; it is event data, never a stream name or log line.
 */
export interface CareRelationStarted {
  readonly type: 'CareRelationStarted';
  readonly data: {
    readonly relationId: string;
    readonly patientId: string;
    readonly organisationNumber: string;
    readonly unit?: string;
    readonly from: IsoDate;
    readonly to?: IsoDate;
    /**
     * The resident's name and room as the care organisation registered them with the admission (issue 20): that
     * organisation's own data, shown on its ward page only (never to another organisation).
     */
    readonly residentName?: string;
    readonly room?: string;
  };
}

export interface CareRelationEnded {
  readonly type: 'CareRelationEnded';
  readonly data: {
    readonly relationId: string;
    /** copied from the relation so read models keyed by organisation need no lookup */
    readonly organisationNumber: string;
    readonly unit?: string;
    readonly endedOn: IsoDate;
  };
}

export type MedicationListEvent =
  | MedicationStarted
  | MedicationDosageChanged
  | MedicationPaused
  | MedicationResumed
  | MedicationDiscontinued
  | MedicationRetracted
  | PrescriptionIssued
  | PrescriptionRecalled
  | DispensingRecorded
  | DispensingAnnulled
  | MultidoseRegistered
  | MultidoseEnded
  | MultidosePackingRecorded
  | MultidoseQuestionAsked
  | MultidoseQuestionAnswered
  | ListMarkedReviewed
  | ListMarkedNotReviewed
  | CareRelationStarted
  | CareRelationEnded;

export type MedicationListEventType = MedicationListEvent['type'];

export const medicationListEventTypes: readonly MedicationListEventType[] = [
  'MedicationStarted',
  'MedicationDosageChanged',
  'MedicationPaused',
  'MedicationResumed',
  'MedicationDiscontinued',
  'MedicationRetracted',
  'PrescriptionIssued',
  'PrescriptionRecalled',
  'DispensingRecorded',
  'DispensingAnnulled',
  'MultidoseRegistered',
  'MultidoseEnded',
  'MultidosePackingRecorded',
  'MultidoseQuestionAsked',
  'MultidoseQuestionAnswered',
  'ListMarkedReviewed',
  'ListMarkedNotReviewed',
  'CareRelationStarted',
  'CareRelationEnded',
];

const knownTypes = new Set<string>(medicationListEventTypes);

/** Narrows a stored event type; unknown (newer) types are skipped by folds and projections. */
export const isMedicationListEvent = (event: { type: string; data: unknown }): event is MedicationListEvent =>
  knownTypes.has(event.type);

export const MEDICATION_LIST_STREAM_PREFIX = 'medicationList-';
