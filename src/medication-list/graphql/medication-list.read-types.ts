import { Field, Int, ObjectType } from '@nestjs/graphql';
import { ListChangeGql } from './medication-list.output-types';

/*
 * GraphQL types of the other two reads: the timeline of one list and a care unit's residents with what changed.
 * The list itself is in medication-list.types.ts.
 */

/** One readable line of a list's history: what, who, when, why. */
@ObjectType('TimelineItem')
export class TimelineItemGql {
  @Field({ description: 'when it happened clinically (ISO 8601)' })
  at!: string;
  @Field({ description: 'when the service recorded it (ISO 8601)' })
  recordedAt!: string;
  @Field({ description: 'global event position' })
  position!: string;
  @Field({ description: 'the event type, e.g. MedicationDiscontinued' })
  type!: string;
  @Field(() => String, { nullable: true })
  entryId!: string | null;
  @Field({ description: 'what happened, in Norwegian' })
  what!: string;
  @Field({ description: 'role, name and ids of who did it, e.g. "lege Kari Lege (HPR 9144889)"' })
  who!: string;
  @Field(() => String, { nullable: true, description: 'the reason, note or indication, where the event has one' })
  why!: string | null;
}

/** What needs a nurse's attention on one resident's list: the badges of the ward page's unit view (issue 20). */
@ObjectType('CareUnitAttention')
export class CareUnitAttentionGql {
  @Field(() => Int, { description: 'list changes since the last review' })
  changesSinceReview!: number;
  @Field(() => Int, { description: 'multidose patients: entries NOT in the bags, given from their own package' })
  outsideMultidose!: number;
  @Field(() => Int)
  paused!: number;
  @Field(() => Int, { description: 'open reconciliation discrepancies' })
  openDiscrepancies!: number;
  @Field(() => Int, { description: 'dispensable prescriptions of current entries that have expired' })
  prescriptionsExpired!: number;
  @Field(() => Int, { description: 'dispensable prescriptions of current entries expiring within 14 days' })
  prescriptionsExpiringSoon!: number;
  @Field(() => Int, { description: 'higher needs attention sooner; 0: nothing to notice' })
  score!: number;
}

/** A resident of the care unit (an active care relation) and what changed on their list. */
@ObjectType('CareUnitPatient')
export class CareUnitPatientGql {
  @Field({ description: "the patient's identifier: the nurse needs it to open the resident's list" })
  patientId!: string;
  @Field()
  relationId!: string;
  @Field({ description: 'YYYY-MM-DD the care relation started' })
  from!: string;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD the care relation is planned to end' })
  to!: string | null;
  @Field(() => String, { nullable: true })
  unit!: string | null;
  @Field(() => Int, { description: 'the version of the patient’s list (0: no list yet)' })
  listVersion!: number;
  @Field(() => [ListChangeGql], { description: 'list changes recorded at or after `changesSince`, oldest first' })
  changes!: ListChangeGql[];
  @Field(() => String, {
    nullable: true,
    description:
      "the name the care organisation registered with the admission; null unless the caller is that organisation's staff",
  })
  residentName!: string | null;
  @Field(() => String, {
    nullable: true,
    description: "the room, as registered; null unless the caller is that organisation's staff",
  })
  room!: string | null;
  @Field(() => CareUnitAttentionGql)
  attention!: CareUnitAttentionGql;
}

/** The residents of an organisation (or one unit of it) with an active care relation. */
@ObjectType('CareUnit')
export class CareUnitGql {
  @Field()
  organisationNumber!: string;
  @Field(() => String, { nullable: true, description: 'null: every unit of the organisation' })
  unit!: string | null;
  @Field({ description: 'the start of the "changes since" window (ISO 8601)' })
  changesSince!: string;
  @Field(() => [CareUnitPatientGql], { description: 'in the order their care relations started' })
  patients!: CareUnitPatientGql[];
}
