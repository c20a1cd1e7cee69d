import type {
  CurrentEntry,
  CurrentMedicationListDocument,
  DiscontinuedEntry,
  DispensingSummary,
  LinkedPrescription,
  ListChange,
  MultidosePackingStatus,
  ReviewState,
} from '../../../projections/current-medication-list/current-medication-list.document';
import { DISCONTINUED_VISIBLE_DAYS } from '../../../projections/current-medication-list/current-medication-list.document';
import type { Actor } from '../../shared/event-sourcing/event-store.port';
import type { CareUnitView } from '../medication-list.reads';
import { describeDosage } from '../domain/dosage';
import {
  discontinuationReasonCodes,
  labelOf,
  multidoseQuestionCodes,
  partOfDayCodes,
  prescriptionStatusCodes,
  useCodes,
} from '../domain/medication-list.codes';
import type { Dosage, DosagePeriod, Medication } from '../domain/medication-list.events';
import type { AsNeededDoseGql, DosageGql, MedicationGql } from './medication-list.value-types';
import type { CareUnitGql } from './medication-list.read-types';
import type {
  ActorGql,
  DiscontinuedEntryGql,
  DispensingGql,
  LinkedPrescriptionGql,
  ListChangeGql,
  ListReviewGql,
  MedicationEntryGql,
  MedicationListGql,
  MultidosePacking,
  ReviewStatus,
} from './medication-list.output-types';
import { osloDateOf } from '../../shared/oslo-date';

/*
 * Pure mapping from the current-medication-list document to the GraphQL read shape. `now` comes from the
 * Clock at the edge (or is the asOf instant): it decides which discontinued entries are still shown, which
 * dosage period is in effect and whether a dispensable prescription has expired. No rules of the list here.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

const labelOr = (label: string | undefined, code: string): string => label ?? code;

/** An Actor with explicit nulls (GraphQL) instead of absent properties. */
export const toActorGql = (actor: Actor): ActorGql => ({
  role: actor.role,
  hprNumber: actor.hprNumber ?? null,
  organisationNumber: actor.organisationNumber ?? null,
  herId: actor.herId ?? null,
  name: actor.name ?? null,
});

const toMedicationGql = (medication: Medication): MedicationGql => ({
  displayName: medication.displayName,
  festId: medication.festId ?? null,
  festSubstanceId: medication.festSubstanceId ?? null,
  festPackageId: medication.festPackageId ?? null,
  packageNumber: medication.packageNumber ?? null,
  festDoseId: medication.festDoseId ?? null,
  lmrNumber: medication.lmrNumber ?? null,
  atcCode: medication.atcCode ?? null,
});

const toDosageGql = (dosage: Dosage): DosageGql => ({
  instruction: dosage.instruction ?? null,
  shortCode: dosage.shortCode ?? null,
  periods: dosage.periods.map((period) => ({
    start: period.start,
    end: period.end ?? null,
    fixedDoses: period.fixedDoses.map((dose) => ({
      quantity: dose.quantity,
      unit: dose.unit,
      time: dose.time ?? null,
      partOfDay: dose.partOfDay ?? null,
    })),
    asNeeded: period.asNeeded === undefined ? null : toAsNeededGql(period.asNeeded),
    weekdays: period.weekdays === undefined ? null : [...period.weekdays],
    cycle: period.cycle === undefined ? null : { daysOn: period.cycle.daysOn, daysOff: period.cycle.daysOff },
  })),
});

const toAsNeededGql = (dose: NonNullable<DosagePeriod['asNeeded']>): AsNeededDoseGql => ({
  quantity: dose.quantity,
  unit: dose.unit,
  maxPer24h: dose.maxPer24h,
  minIntervalHours: dose.minIntervalHours ?? null,
});

/**
 * The Norwegian calendar day (YYYY-MM-DD) of `now`: dosage periods and expiry dates are Norwegian calendar dates,
 * and between midnight in Oslo and midnight UTC the UTC day is still yesterday.
 */
const dayOf = (now: Date): string => osloDateOf(now) ?? now.toISOString().slice(0, 10);

/**
 * The period in effect on `today`: the last one that has started and not ended; before the first period
 * starts, the first (a list shown the day before a start still tells the nurse what is coming).
 */
export const periodInEffect = (dosage: Dosage, today: string): DosagePeriod | undefined =>
  dosage.periods
    .filter((period) => period.start <= today && (period.end === undefined || period.end >= today))
    .at(-1) ?? dosage.periods.at(0);

/** "08:00" for a clock time, else the part-of-day label ("Morgen"), per fixed dose of the period. */
const administrationTimes = (period: DosagePeriod | undefined): string[] =>
  (period?.fixedDoses ?? []).map(
    (dose) => dose.time ?? labelOr(labelOf(partOfDayCodes, dose.partOfDay ?? ''), dose.partOfDay ?? ''),
  );

/** 7408: a dispensable prescription past its expiry date is shown as F (foreldet), the rest as stored. */
const toPrescriptionGql = (prescription: LinkedPrescription, today: string): LinkedPrescriptionGql => {
  const status = prescription.status === 'E' && prescription.expiresOn < today ? 'F' : prescription.status;
  return {
    prescriptionId: prescription.prescriptionId,
    status,
    statusLabel: labelOr(labelOf(prescriptionStatusCodes, status), status),
    issuedAt: prescription.issuedAt,
    expiresOn: prescription.expiresOn,
    dispensingsAllowed: prescription.dispensingsAllowed,
    dispensingsLeft: prescription.dispensingsLeft,
    renewsPrescriptionId: prescription.renewsPrescriptionId,
    recalledAt: prescription.recalledAt,
    recallReasonCode: prescription.recallReasonCode,
  };
};

const toDispensingGql = (dispensing: DispensingSummary): DispensingGql => ({
  dispensingId: dispensing.dispensingId,
  prescriptionId: dispensing.prescriptionId,
  dispensedAt: dispensing.dispensedAt,
  product: toMedicationGql(dispensing.product),
  quantity: { value: dispensing.quantity.value, unit: dispensing.quantity.unit },
  pharmacyHerId: dispensing.pharmacyHerId,
  prescriptionUsedUp: dispensing.prescriptionUsedUp,
});

const PACKING: Readonly<Record<MultidosePackingStatus, MultidosePacking>> = {
  packed: 'PACKED',
  'outside-multidose': 'OUTSIDE_MULTIDOSE',
  'not-in-multidose': 'NOT_IN_MULTIDOSE',
};

/** What a current and a discontinued entry both show: the treatment, its dosage, prescription and last dispensing. */
const toTreatmentGql = (entry: CurrentEntry | DiscontinuedEntry, today: string) => ({
  entryId: entry.entryId,
  medication: toMedicationGql(entry.medication),
  use: entry.use,
  useLabel: labelOr(labelOf(useCodes, entry.use), entry.use),
  indication: entry.indication,
  dosage: toDosageGql(entry.dosage),
  dosageText: describeDosage(entry.dosage),
  startedOn: entry.startedOn,
  prescriptionType: entry.prescriptionType,
  prescription: entry.prescription === null ? null : toPrescriptionGql(entry.prescription, today),
  lastDispensing: entry.lastDispensing === null ? null : toDispensingGql(entry.lastDispensing),
});

const toEntryGql = (entry: CurrentEntry, today: string): MedicationEntryGql => {
  const period = periodInEffect(entry.dosage, today);
  return {
    ...toTreatmentGql(entry, today),
    dosageEffectiveFrom: entry.dosageEffectiveFrom,
    administrationTimes: administrationTimes(period),
    asNeeded: period?.asNeeded === undefined ? null : toAsNeededGql(period.asNeeded),
    status: entry.status,
    pausedAt: entry.pausedAt,
    pauseReason: entry.pauseReason,
    multidose: PACKING[entry.multidose],
    changedAt: entry.changedAt,
    changedBy: toActorGql(entry.changedBy),
  };
};

const toDiscontinuedGql = (entry: DiscontinuedEntry, today: string): DiscontinuedEntryGql => ({
  ...toTreatmentGql(entry, today),
  discontinuedAt: entry.discontinuedAt,
  reasonCode: entry.reasonCode,
  reasonLabel: labelOr(labelOf(discontinuationReasonCodes, entry.reasonCode), entry.reasonCode),
  note: entry.note,
  discontinuedBy: toActorGql(entry.discontinuedBy),
});

/** A list change with explicit nulls; also used for the care unit's "changes since". */
export const toListChangeGql = (change: ListChange): ListChangeGql => ({
  position: change.position,
  at: change.at,
  clinicalTime: change.clinicalTime,
  by: toActorGql(change.by),
  type: change.type,
  entryId: change.entryId ?? null,
  summary: change.summary,
});

const REVIEW_STATUS: Readonly<Record<ReviewState['status'], ReviewStatus>> = {
  reviewed: 'REVIEWED',
  'not-reviewed': 'NOT_REVIEWED',
  never: 'NEVER',
};

const toReviewGql = (review: ReviewState): ListReviewGql => ({
  status: REVIEW_STATUS[review.status],
  kind: review.kind,
  reviewedAt: review.reviewedAt,
  reviewedBy: review.reviewedBy === null ? null : toActorGql(review.reviewedBy),
  notReviewedReason: review.notReviewedReason,
});

/**
 * The GraphQL list for a document at `now`. Discontinued entries show for 90 days after `discontinuedAt`
 * (domain.md); the projection prunes by event time too, but only a read knows the reader's "now".
 */
export const toMedicationListGql = (document: CurrentMedicationListDocument, now: Date): MedicationListGql => {
  const today = dayOf(now);
  const cutoff = now.getTime() - DISCONTINUED_VISIBLE_DAYS * DAY_MS;
  return {
    version: document.version,
    position: document.lastPosition,
    entries: document.entries.map((entry) => toEntryGql(entry, today)),
    discontinued: document.discontinued
      .filter((entry) => Date.parse(entry.discontinuedAt) >= cutoff)
      .map((entry) => toDiscontinuedGql(entry, today)),
    retracted: document.retracted.map((entry) => ({
      entryId: entry.entryId,
      displayName: entry.displayName,
      reason: entry.reason,
      at: entry.at,
      by: toActorGql(entry.by),
    })),
    multidose:
      document.multidose === null
        ? null
        : {
            responsibleDoctorHpr: document.multidose.responsibleDoctorHpr,
            pharmacyHerId: document.multidose.pharmacyHerId,
            from: document.multidose.from,
            lastPacking: document.multidose.lastPacking === null ? null : { ...document.multidose.lastPacking },
          },
    openQuestions: document.openQuestions.map((question) => ({
      questionId: question.questionId,
      entryId: question.entryId,
      code: question.code,
      codeLabel: labelOr(labelOf(multidoseQuestionCodes, question.code), question.code),
      text: question.text,
      askedAt: question.askedAt,
      pharmacyHerId: question.pharmacyHerId,
    })),
    review: toReviewGql(document.review),
    changesSinceReview: document.changesSinceReview.map(toListChangeGql),
    recentChanges: document.recentChanges.map(toListChangeGql),
  };
};

/** The care unit as GraphQL: each resident's list changes in the GraphQL shape. */
export const toCareUnitGql = (view: CareUnitView): CareUnitGql => ({
  ...view,
  patients: view.patients.map((patient) => ({ ...patient, changes: patient.changes.map(toListChangeGql) })),
});
