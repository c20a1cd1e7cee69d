import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { MedicationListGql } from './medication-list.types';

/**
 * What every list mutation returns. `list`, `version` and `position` describe the list exactly as the command
 * left it (the stream up to the command's last event), so a retried command id gets the same answer as the
 * first attempt even when others have written since.
 */
@ObjectType()
export class MedicationListPayload {
  @Field(() => MedicationListGql, { description: 'the current list right after this command' })
  list!: MedicationListGql;

  @Field(() => String, {
    nullable: true,
    description:
      'global position of the last appended event (of the earlier result for an already-applied command id); ' +
      'pass it as minPosition to read your own write',
  })
  position!: string | null;

  @Field(() => Int, { description: 'the list version after this command; pass it back as expectedVersion' })
  version!: number;

  @Field({ description: 'true when this command id had already been applied: nothing was appended' })
  alreadyApplied!: boolean;

  @Field({
    description:
      'false when the command was accepted but changed nothing because the list already holds exactly that fact ' +
      '(the same start, dosage, review, prescription or dispensing sent again with another commandId); nothing was ' +
      "appended and `position` is the list's last event. A command the list's state forbids is an error instead " +
      '(ENTRY_NOT_ACTIVE, PRESCRIPTION_NOT_ACTIVE, CARE_RELATION_NOT_ACTIVE, …). true when this command, or its earlier ' +
      'attempt with the same commandId, changed the list.',
  })
  changed!: boolean;
}

/** startMedication also names the entry: the service generates its id when the client sent none. */
@ObjectType()
export class StartMedicationPayload extends MedicationListPayload {
  @Field(() => ID)
  entryId!: string;
}
