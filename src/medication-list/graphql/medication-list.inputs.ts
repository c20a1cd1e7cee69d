import { Field, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, ValidateNested } from 'class-validator';
import { prescriptionTypeCodes, useCodes } from '../domain/medication-list.codes';
import type {
  DiscontinuationReasonCode,
  MultidoseAnswerCode,
  MultidoseQuestionCode,
  PrescriptionType,
  RecallReasonCode,
  ReviewKind,
  UseCode,
} from '../domain/medication-list.events';
import { DosageGql, MedicationGql } from './medication-list.value-types';
import {
  CodeField,
  CountField,
  DateField,
  DateTimeField,
  IdField,
  ListCommandInput,
  NestedField,
  QuantityInput,
  RegistryNumberField,
  TextField,
} from './medication-list.input-fields';

/**
 * GraphQL inputs of the 20 list mutations, one per command (medication-list.commands.ts), each with the shared
 * `patientId`, `expectedVersion` and `commandId` of ListCommandInput. Shape only here (field vocabulary in
 * medication-list.input-fields.ts); codes, dates, ids and clinical limits are the decider's, with typed errors.
 * Code fields are typed with their code-list unions because the decider asserts them before anything is stored.
 */

const MAX_PACKED_ENTRIES = 500;

/** startMedication: put a treatment on the list. */
@InputType()
export class StartMedicationInput extends ListCommandInput {
  @IdField({ nullable: true, description: 'generated when omitted (the commandId, if sent); send one to retry safely' })
  entryId?: string | null;
  @NestedField(() => MedicationGql) medication!: MedicationGql;
  // A closed list checked here too (since the first slice): clients got INVALID_INPUT naming `use` for it.
  @Field(() => String, { description: 'code list 9101: 1 regular, 2 course, 3 as needed' })
  @IsIn(useCodes.entries.map((entry) => entry.code))
  use!: UseCode;
  @TextField({ nullable: true }) indication?: string | null;
  @NestedField(() => DosageGql) dosage!: DosageGql;
  @DateField() startedOn!: string;
  @Field(() => String, { description: 'E e-prescription, P paper, U without prescription' })
  @IsIn(prescriptionTypeCodes.entries.map((entry) => entry.code))
  prescriptionType!: PrescriptionType;
}

/** changeDosage: a new dosage from a date; the previous one is kept in the event. */
@InputType()
export class ChangeDosageInput extends ListCommandInput {
  @IdField() entryId!: string;
  @NestedField(() => DosageGql) dosage!: DosageGql;
  @DateField({ description: 'YYYY-MM-DD from which the new dosage applies' }) effectiveFrom!: string;
  @TextField({ nullable: true }) reason?: string | null;
}

/** pauseMedication: the treatment is paused; it stays on the list. */
@InputType()
export class PauseMedicationInput extends ListCommandInput {
  @IdField() entryId!: string;
  @DateTimeField() pausedAt!: string;
  @TextField({ nullable: true }) reason?: string | null;
}

/** resumeMedication: a paused treatment is taken again. */
@InputType()
export class ResumeMedicationInput extends ListCommandInput {
  @IdField() entryId!: string;
  @DateTimeField() resumedAt!: string;
}

/** discontinueMedication (seponering); also recalls the entry's prescriptions. */
@InputType()
export class DiscontinueMedicationInput extends ListCommandInput {
  @IdField() entryId!: string;
  @DateTimeField({ description: 'from when the patient shall not take it (ISO 8601 with offset)' })
  discontinuedAt!: string;
  @CodeField('code list 7494: A finished, M lack of effect, L adverse reaction, I interaction, S stopped, X other')
  reasonCode!: DiscontinuationReasonCode;
  @TextField({ nullable: true }) note?: string | null;
}

/** retractMedication: the entry was a registration error (entered-in-error). */
@InputType()
export class RetractMedicationInput extends ListCommandInput {
  @IdField() entryId!: string;
  @DateTimeField() retractedAt!: string;
  @TextField({ description: 'why the entry was a registration error' }) reason!: string;
}

/** issuePrescription: link a new prescription to an entry. */
@InputType()
export class IssuePrescriptionInput extends ListCommandInput {
  @IdField() prescriptionId!: string;
  @IdField() entryId!: string;
  @DateTimeField() issuedAt!: string;
  @DateField({ nullable: true, description: 'YYYY-MM-DD; one year after the issue date when omitted' })
  expiresOn?: string | null;
  @CountField({ nullable: true }) dispensingsAllowed?: number | null;
  @NestedField(() => QuantityInput, { nullable: true }) quantityAllowed?: QuantityInput | null;
}

/** renewPrescription: recall (reason 1, or 3 with change) plus a new prescription pointing back. */
@InputType()
export class RenewPrescriptionInput extends ListCommandInput {
  @IdField({ description: 'the prescription being renewed (recalled with reason 1, or 3 with change)' })
  prescriptionId!: string;
  @IdField() newPrescriptionId!: string;
  @DateTimeField() renewedAt!: string;
  @Field({ description: 'renewal with change (recall reason 3)' }) @IsBoolean() withChange!: boolean;
  @DateField({ nullable: true, description: 'YYYY-MM-DD; one year after the renewal date when omitted' })
  expiresOn?: string | null;
  @CountField({ nullable: true, description: 'carried over from the old prescription when omitted' })
  dispensingsAllowed?: number | null;
  @NestedField(() => QuantityInput, { nullable: true, description: 'carried over when omitted' })
  quantityAllowed?: QuantityInput | null;
}

/** recallPrescription: the list finds the entry from the prescription id. */
@InputType()
export class RecallPrescriptionInput extends ListCommandInput {
  @IdField() prescriptionId!: string;
  @DateTimeField() recalledAt!: string;
  @CodeField('code list 7500: 1 renewal, 2 discontinuation, 3 renewal with change, 4 other')
  reasonCode!: RecallReasonCode;
}

/** recordDispensing: a pharmacy's dispensing report (M10). */
@InputType()
export class RecordDispensingInput extends ListCommandInput {
  @IdField() dispensingId!: string;
  @IdField() prescriptionId!: string;
  @DateTimeField() dispensedAt!: string;
  @NestedField(() => MedicationGql, { description: 'the dispensed product; may differ from the prescribed one' })
  product!: MedicationGql;
  @NestedField(() => QuantityInput) quantity!: QuantityInput;
  @RegistryNumberField(
    "HER-id of the pharmacy (1–9 digits): optional, the caller's organisation's from the organisation register is recorded; " +
      'naming another is refused (FORBIDDEN, HER_ID_NOT_CALLERS)',
    { nullable: true },
  )
  pharmacyHerId?: string | null;
  @Field({ description: 'the prescription has no dispensings left' }) @IsBoolean() prescriptionUsedUp!: boolean;
}

/** annulDispensing: a pharmacy annuls an earlier dispensing. */
@InputType()
export class AnnulDispensingInput extends ListCommandInput {
  @IdField() dispensingId!: string;
  @DateTimeField() annulledAt!: string;
  @TextField({ nullable: true }) reason?: string | null;
}

/** registerMultidose: the patient gets machine-packed doses (M27.1). */
@InputType()
export class RegisterMultidoseInput extends ListCommandInput {
  @RegistryNumberField('HPR number of the multidose-responsible doctor: 1–9 digits') responsibleDoctorHpr!: string;
  @RegistryNumberField('HER-id of the multidose pharmacy: 1–9 digits') pharmacyHerId!: string;
  @DateField() from!: string;
}

/** endMultidose: the patient no longer gets multidose. */
@InputType()
export class EndMultidoseInput extends ListCommandInput {
  @DateField() endedOn!: string;
  @TextField({ nullable: true }) reason?: string | null;
}

/** Whether one entry is in the multidose bags. */
@InputType()
export class PackedEntryInput {
  @IdField() entryId!: string;
  @Field({ description: 'false: given outside the multidose bags' }) @IsBoolean() packed!: boolean;
}

/** recordMultidosePacking: the multidose pharmacy's packing report (M25.3). */
@InputType()
export class RecordMultidosePackingInput extends ListCommandInput {
  @IdField() packingId!: string;
  @DateField({ description: 'YYYY-MM-DD of the first dose in the roll' }) firstDoseOn!: string;
  @DateField({ description: 'YYYY-MM-DD of the last dose in the roll' }) lastDoseOn!: string;
  @DateField() orderDeadline!: string;
  @Field(() => [PackedEntryInput])
  @IsArray()
  @ArrayMaxSize(MAX_PACKED_ENTRIES)
  @ValidateNested({ each: true })
  @Type(() => PackedEntryInput)
  entries!: PackedEntryInput[];
}

/** askMultidoseQuestion: the multidose pharmacy asks the doctor (M25.2). */
@InputType()
export class AskMultidoseQuestionInput extends ListCommandInput {
  @IdField() questionId!: string;
  @IdField({ nullable: true }) entryId?: string | null;
  @CodeField('code list 7495: 1 discontinue?, 2 include?, 3 renew?, 4 other, 5 message')
  questionCode!: MultidoseQuestionCode;
  @TextField({ nullable: true }) text?: string | null;
  @DateTimeField() askedAt!: string;
  @RegistryNumberField(
    "HER-id of the asking pharmacy (1–9 digits): optional, the caller's organisation's from the organisation register is " +
      'recorded; naming another is refused (FORBIDDEN, HER_ID_NOT_CALLERS)',
    { nullable: true },
  )
  pharmacyHerId?: string | null;
}

/** answerMultidoseQuestion: the doctor answers the pharmacy. */
@InputType()
export class AnswerMultidoseQuestionInput extends ListCommandInput {
  @IdField() questionId!: string;
  @CodeField(
    'code list 7493: 1 discontinued, 2 not discontinued, 3 included, 4 not included, 5 renewed, 6 not renewed, ' +
      '7 answer to other, 8 message received',
  )
  answerCode!: MultidoseAnswerCode;
  @TextField({ nullable: true }) text?: string | null;
  @DateTimeField() answeredAt!: string;
}

/** markListReviewed: the doctor reconciled or reviewed the list. */
@InputType()
export class MarkListReviewedInput extends ListCommandInput {
  @CodeField('reconciliation (samstemming) or medication-review (legemiddelgjennomgang)') kind!: ReviewKind;
  @DateTimeField() reviewedAt!: string;
  @TextField({ nullable: true }) note?: string | null;
}

/** markListNotReviewed: the list must be reviewed again. */
@InputType()
export class MarkListNotReviewedInput extends ListCommandInput {
  @TextField({ description: 'why the list must be reviewed again, e.g. hospital admission' }) reason!: string;
  @DateTimeField() markedAt!: string;
}

/** startCareRelation: a nursing home or home care starts caring for the patient (the top-level patientId). */
@InputType()
export class StartCareRelationInput extends ListCommandInput {
  @IdField() relationId!: string;
  @RegistryNumberField('organisasjonsnummer of the nursing home or home care: 9 digits, the last a mod-11 check digit')
  organisationNumber!: string;
  @TextField({ nullable: true, description: 'the unit (avdeling), if any' }) unit?: string | null;
  @DateField() from!: string;
  @DateField({ nullable: true, description: 'YYYY-MM-DD, inclusive, if known' }) to?: string | null;
  @TextField({
    nullable: true,
    description: "the resident's name as the care organisation registers it; shown only to that organisation",
  })
  residentName?: string | null;
  @TextField({ nullable: true, description: 'the room on the unit; shown only to that organisation' })
  room?: string | null;
}

/** endCareRelation: the organisation no longer cares for the patient. */
@InputType()
export class EndCareRelationInput extends ListCommandInput {
  @IdField() relationId!: string;
  @DateField() endedOn!: string;
}
