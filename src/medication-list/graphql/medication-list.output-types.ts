import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { AsNeededDoseGql, DosageGql, MedicationGql } from './medication-list.value-types';

/*
 * The READ shape of a patient's list: GraphQL object types over the current-medication-list projection
 * document. Mutations (write side) return this same `MedicationList`, subscriptions push it. No patient id and
 * no stream id are exposed: the caller already knows whose list it asked for. Codes come with their Volven
 * labels (`…Label`, Norwegian) so every client shows the same words. Import them from medication-list.types.ts.
 */

/** Whether an entry is in the multidose bags: the GraphQL face of MultidosePackingStatus. */
export const MultidosePacking = {
  PACKED: 'PACKED',
  OUTSIDE_MULTIDOSE: 'OUTSIDE_MULTIDOSE',
  NOT_IN_MULTIDOSE: 'NOT_IN_MULTIDOSE',
} as const;
/** One of the MultidosePacking values. */
export type MultidosePacking = (typeof MultidosePacking)[keyof typeof MultidosePacking];

registerEnumType(MultidosePacking, {
  name: 'MultidosePacking',
  description: 'Whether the entry is packed in the multidose bags (multidose patients only).',
  valuesMap: {
    PACKED: { description: 'Packed in the multidose bags by the multidose pharmacy.' },
    OUTSIDE_MULTIDOSE: {
      description:
        'The patient HAS multidose, but this drug is NOT in the bags (given separately, e.g. drops, as-needed, ' +
        'fridge items). Show this plainly: the nurse must give it from its own package.',
    },
    NOT_IN_MULTIDOSE: { description: 'The patient has no multidose; the question does not apply.' },
  },
});

/** Review state of the whole list. */
export const ReviewStatus = { REVIEWED: 'REVIEWED', NOT_REVIEWED: 'NOT_REVIEWED', NEVER: 'NEVER' } as const;
/** One of the ReviewStatus values. */
export type ReviewStatus = (typeof ReviewStatus)[keyof typeof ReviewStatus];

registerEnumType(ReviewStatus, {
  name: 'ReviewStatus',
  description: 'Whether the list is marked as reviewed (samstemt / gjennomgått).',
});

/** Who did something: role and professional or organisational ids, never a patient's. */
@ObjectType('Actor')
export class ActorGql {
  @Field({ description: 'prescriber, pharmacy, nurse, patient, system or feed' })
  role!: string;
  @Field(() => String, { nullable: true, description: 'HPR number (health personnel)' })
  hprNumber!: string | null;
  @Field(() => String, { nullable: true })
  organisationNumber!: string | null;
  @Field(() => String, { nullable: true, description: 'HER-id of the communication party' })
  herId!: string | null;
  @Field(() => String, { nullable: true })
  name!: string | null;
}

/** The prescription linked to an entry. */
@ObjectType('LinkedPrescription')
export class LinkedPrescriptionGql {
  @Field(() => ID)
  prescriptionId!: string;
  @Field({ description: 'code list 7408: E dispensable, U being dispensed, R ended, T recalled, F expired' })
  status!: string;
  @Field({ description: 'Norwegian label of `status` (7408)' })
  statusLabel!: string;
  @Field({ description: 'ISO 8601 date-time' })
  issuedAt!: string;
  @Field({ description: 'YYYY-MM-DD' })
  expiresOn!: string;
  @Field(() => Int, { nullable: true })
  dispensingsAllowed!: number | null;
  @Field(() => Int, { nullable: true, description: 'allowed minus non-annulled dispensings; null when unlimited' })
  dispensingsLeft!: number | null;
  @Field(() => String, { nullable: true, description: 'the prescription this one renews' })
  renewsPrescriptionId!: string | null;
  @Field(() => String, { nullable: true })
  recalledAt!: string | null;
  @Field(() => String, { nullable: true, description: 'code list 7500' })
  recallReasonCode!: string | null;
}

/** An amount handed out. */
@ObjectType('DispensedQuantity')
export class DispensedQuantityGql {
  @Field()
  value!: number;
  @Field()
  unit!: string;
}

/** The latest non-annulled dispensing of an entry. */
@ObjectType('Dispensing')
export class DispensingGql {
  @Field(() => ID)
  dispensingId!: string;
  @Field(() => ID)
  prescriptionId!: string;
  @Field({ description: 'ISO 8601 date-time' })
  dispensedAt!: string;
  @Field(() => MedicationGql, { description: 'the product handed out (may be a generic substitute)' })
  product!: MedicationGql;
  @Field(() => DispensedQuantityGql)
  quantity!: DispensedQuantityGql;
  @Field()
  pharmacyHerId!: string;
  @Field()
  prescriptionUsedUp!: boolean;
}

/** An active or paused entry (LIB-oppføring) as a GP or a nurse sees it. */
@ObjectType('MedicationEntry')
export class MedicationEntryGql {
  @Field(() => ID)
  entryId!: string;
  @Field(() => MedicationGql)
  medication!: MedicationGql;
  @Field({ description: 'code list 9101: 1 regular, 2 course, 3 as needed' })
  use!: string;
  @Field({ description: 'Norwegian label of `use` (9101)' })
  useLabel!: string;
  @Field(() => String, { nullable: true })
  indication!: string | null;
  @Field(() => DosageGql, { description: 'the structured dosage, exactly as prescribed' })
  dosage!: DosageGql;
  @Field({ description: 'the dosage as one Norwegian sentence' })
  dosageText!: string;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD the current dosage applies from' })
  dosageEffectiveFrom!: string | null;
  @Field(() => [String], {
    description: 'when fixed doses are given in the period in effect now: "08:00" or a part of day (8325) label',
  })
  administrationTimes!: string[];
  @Field(() => AsNeededDoseGql, { nullable: true, description: 'as-needed limits of the period in effect now' })
  asNeeded!: AsNeededDoseGql | null;
  @Field({ description: 'YYYY-MM-DD' })
  startedOn!: string;
  @Field({ description: 'E e-prescription, P paper, U without prescription' })
  prescriptionType!: string;
  @Field({ description: 'active or paused' })
  status!: string;
  @Field(() => String, { nullable: true })
  pausedAt!: string | null;
  @Field(() => String, { nullable: true })
  pauseReason!: string | null;
  @Field(() => LinkedPrescriptionGql, { nullable: true })
  prescription!: LinkedPrescriptionGql | null;
  @Field(() => DispensingGql, { nullable: true })
  lastDispensing!: DispensingGql | null;
  @Field(() => MultidosePacking, {
    description:
      'PACKED, or OUTSIDE_MULTIDOSE (a multidose patient, but this drug is NOT in the bags), or NOT_IN_MULTIDOSE',
  })
  multidose!: MultidosePacking;
  @Field({ description: 'when this entry last changed (recorded time, ISO 8601)' })
  changedAt!: string;
  @Field(() => ActorGql)
  changedBy!: ActorGql;
}

/** An entry discontinued (seponert) in the last 90 days. */
@ObjectType('DiscontinuedEntry')
export class DiscontinuedEntryGql {
  @Field(() => ID)
  entryId!: string;
  @Field(() => MedicationGql)
  medication!: MedicationGql;
  @Field()
  use!: string;
  @Field()
  useLabel!: string;
  @Field(() => String, { nullable: true })
  indication!: string | null;
  @Field(() => DosageGql, { description: 'the dosage when it was discontinued' })
  dosage!: DosageGql;
  @Field()
  dosageText!: string;
  @Field()
  startedOn!: string;
  @Field()
  prescriptionType!: string;
  @Field(() => LinkedPrescriptionGql, { nullable: true })
  prescription!: LinkedPrescriptionGql | null;
  @Field(() => DispensingGql, { nullable: true })
  lastDispensing!: DispensingGql | null;
  @Field({ description: 'ISO 8601 date-time' })
  discontinuedAt!: string;
  @Field({ description: 'code list 7494' })
  reasonCode!: string;
  @Field({ description: 'Norwegian label of `reasonCode` (7494); the code itself when the list lacks it' })
  reasonLabel!: string;
  @Field(() => String, { nullable: true })
  note!: string | null;
  @Field(() => ActorGql)
  discontinuedBy!: ActorGql;
}

/** An entry removed as a registration error (FHIR entered-in-error). */
@ObjectType('RetractedEntry')
export class RetractedEntryGql {
  @Field(() => ID)
  entryId!: string;
  @Field(() => String, { nullable: true })
  displayName!: string | null;
  @Field()
  reason!: string;
  @Field()
  at!: string;
  @Field(() => ActorGql)
  by!: ActorGql;
}

/** The latest packing report of the multidose pharmacy. */
@ObjectType('MultidosePackingReport')
export class MultidosePackingReportGql {
  @Field(() => ID)
  packingId!: string;
  @Field()
  firstDoseOn!: string;
  @Field()
  lastDoseOn!: string;
  @Field({ description: 'last day to order changes for the next packing' })
  orderDeadline!: string;
}

/** The patient's multidose registration. */
@ObjectType('MultidoseRegistration')
export class MultidoseRegistrationGql {
  @Field()
  responsibleDoctorHpr!: string;
  @Field()
  pharmacyHerId!: string;
  @Field({ description: 'YYYY-MM-DD' })
  from!: string;
  @Field(() => MultidosePackingReportGql, { nullable: true })
  lastPacking!: MultidosePackingReportGql | null;
}

/** A multidose pharmacy's question still waiting for the doctor's answer. */
@ObjectType('OpenMultidoseQuestion')
export class OpenMultidoseQuestionGql {
  @Field(() => ID)
  questionId!: string;
  @Field(() => String, { nullable: true })
  entryId!: string | null;
  @Field({ description: 'code list 7495' })
  code!: string;
  @Field()
  codeLabel!: string;
  @Field(() => String, { nullable: true })
  text!: string | null;
  @Field()
  askedAt!: string;
  @Field()
  pharmacyHerId!: string;
}

/** Reviewed at and by, or why not. */
@ObjectType('ListReview')
export class ListReviewGql {
  @Field(() => ReviewStatus)
  status!: ReviewStatus;
  @Field(() => String, { nullable: true, description: 'reconciliation or medication-review (the last review)' })
  kind!: string | null;
  @Field(() => String, { nullable: true })
  reviewedAt!: string | null;
  @Field(() => ActorGql, { nullable: true })
  reviewedBy!: ActorGql | null;
  @Field(() => String, { nullable: true })
  notReviewedReason!: string | null;
}

/** One list-changing event, in a line. */
@ObjectType('ListChange')
export class ListChangeGql {
  @Field({ description: 'global event position' })
  position!: string;
  @Field({ description: 'when it was recorded (ISO 8601): "changed since" filters on this' })
  at!: string;
  @Field({ description: 'when it applies clinically (may be back-dated)' })
  clinicalTime!: string;
  @Field(() => ActorGql)
  by!: ActorGql;
  @Field({ description: 'the event type, e.g. MedicationDosageChanged' })
  type!: string;
  @Field(() => String, { nullable: true })
  entryId!: string | null;
  @Field({ description: 'Norwegian one-line summary' })
  summary!: string;
}

/** A patient's current medication list (pasientens legemiddelliste). */
@ObjectType('MedicationList')
export class MedicationListGql {
  @Field(() => Int, { description: 'events in the list; pass it back as expectedVersion' })
  version!: number;
  @Field(() => String, { nullable: true, description: 'global position of the last event; usable as minPosition' })
  position!: string | null;
  @Field(() => [MedicationEntryGql], { description: 'active and paused entries, in start order' })
  entries!: MedicationEntryGql[];
  @Field(() => [DiscontinuedEntryGql], { description: 'entries discontinued in the last 90 days' })
  discontinued!: DiscontinuedEntryGql[];
  @Field(() => [RetractedEntryGql], { description: 'entries removed as registration errors (the latest 50)' })
  retracted!: RetractedEntryGql[];
  @Field(() => MultidoseRegistrationGql, { nullable: true })
  multidose!: MultidoseRegistrationGql | null;
  @Field(() => [OpenMultidoseQuestionGql])
  openQuestions!: OpenMultidoseQuestionGql[];
  @Field(() => ListReviewGql)
  review!: ListReviewGql;
  @Field(() => [ListChangeGql], { description: 'what changed since the last review, oldest first' })
  changesSinceReview!: ListChangeGql[];
  @Field(() => [ListChangeGql], { description: 'the latest 50 changes, oldest first' })
  recentChanges!: ListChangeGql[];
}
