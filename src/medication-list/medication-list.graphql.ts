import { Field, Float, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { partOfDayCodes, prescriptionTypeCodes, useCodes, weekdayCodes } from './medication-list.codes';
import type { Dosage, Medication, PartOfDayCode, PrescriptionType, UseCode, Weekday } from './medication-list.events';

/**
 * GraphQL types of the minimal path (start a medication, read the folded list). The shapes mirror the event
 * data; one class serves as input and output type where they are equal. class-validator checks the shape only:
 * the clinical rules (codes in context, dosage periods, dates) are the decider's, with typed errors.
 * The projection-backed list types replace the output types with issue 3.
 */

const codesOf = <T extends string>(list: { readonly entries: readonly { readonly code: T }[] }): T[] =>
  list.entries.map((entry) => entry.code);

// Free-text caps here only keep absurd payloads out; the decider enforces the clinical limits.
const MAX_TEXT = 2000;

@InputType('MedicationInput')
@ObjectType('Medication')
export class MedicationGql {
  @Field(() => String, { nullable: true, description: 'FEST id: ID_ + UUID' })
  @IsOptional()
  @IsString()
  festId?: string | null;

  @Field(() => String, { nullable: true, description: 'ATC code (level 5)' })
  @IsOptional()
  @IsString()
  atcCode?: string | null;

  @Field({ description: 'NavnFormStyrke, or the name of a local drug' })
  @IsString()
  @MaxLength(MAX_TEXT)
  displayName!: string;
}

@InputType('FixedDoseInput')
@ObjectType('FixedDose')
export class FixedDoseGql {
  @Field(() => Float)
  @IsNumber()
  quantity!: number;

  @Field()
  @IsString()
  @MaxLength(MAX_TEXT)
  unit!: string;

  @Field(() => String, { nullable: true, description: 'clock time HH:MM' })
  @IsOptional()
  @IsString()
  time?: string | null;

  @Field(() => String, { nullable: true, description: 'code list 8325' })
  @IsOptional()
  @IsIn(codesOf(partOfDayCodes))
  partOfDay?: PartOfDayCode | null;
}

@InputType('AsNeededDoseInput')
@ObjectType('AsNeededDose')
export class AsNeededDoseGql {
  @Field(() => Float)
  @IsNumber()
  quantity!: number;

  @Field()
  @IsString()
  @MaxLength(MAX_TEXT)
  unit!: string;

  @Field(() => Float)
  @IsNumber()
  maxPer24h!: number;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsNumber()
  minIntervalHours?: number | null;
}

@InputType('DosageCycleInput')
@ObjectType('DosageCycle')
export class DosageCycleGql {
  @Field(() => Int)
  @IsInt()
  @Min(0)
  daysOn!: number;

  @Field(() => Int)
  @IsInt()
  @Min(0)
  daysOff!: number;
}

@InputType('DosagePeriodInput')
@ObjectType('DosagePeriod')
export class DosagePeriodGql {
  @Field({ description: 'YYYY-MM-DD' })
  @IsString()
  start!: string;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD, inclusive' })
  @IsOptional()
  @IsString()
  end?: string | null;

  @Field(() => [FixedDoseGql])
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => FixedDoseGql)
  fixedDoses!: FixedDoseGql[];

  @Field(() => AsNeededDoseGql, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => AsNeededDoseGql)
  asNeeded?: AsNeededDoseGql | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @IsIn(codesOf(weekdayCodes), { each: true })
  weekdays?: Weekday[] | null;

  @Field(() => DosageCycleGql, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => DosageCycleGql)
  cycle?: DosageCycleGql | null;
}

@InputType('DosageInput')
@ObjectType('Dosage')
export class DosageGql {
  @Field(() => [DosagePeriodGql])
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => DosagePeriodGql)
  periods!: DosagePeriodGql[];

  @Field(() => String, { nullable: true, description: 'free-text instruction (DosVeiledEnkel)' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_TEXT)
  instruction?: string | null;

  @Field(() => String, { nullable: true, description: 'short code, e.g. 1+0+1' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_TEXT)
  shortCode?: string | null;
}

@InputType()
export class StartMedicationInput {
  @Field({ description: 'fødselsnummer, D-, H- or synthetic number; validated, never echoed' })
  @IsString()
  patientId!: string;

  @Field(() => ID, { nullable: true, description: 'generated when omitted; send one to make a retry safe' })
  @IsOptional()
  @IsString()
  entryId?: string | null;

  @Field(() => ID, { nullable: true, description: 'a retried request with the same id appends nothing' })
  @IsOptional()
  @IsString()
  commandId?: string | null;

  @Field(() => Int, { nullable: true, description: 'the list version the client saw; a stale one gets CONFLICT' })
  @IsOptional()
  @IsInt()
  @Min(0)
  expectedVersion?: number | null;

  @Field(() => MedicationGql)
  @ValidateNested()
  @Type(() => MedicationGql)
  medication!: MedicationGql;

  @Field(() => String, { description: 'code list 9101: 1 regular, 2 course, 3 as needed' })
  @IsIn(codesOf(useCodes))
  use!: UseCode;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_TEXT)
  indication?: string | null;

  @Field(() => DosageGql)
  @ValidateNested()
  @Type(() => DosageGql)
  dosage!: DosageGql;

  @Field({ description: 'YYYY-MM-DD' })
  @IsString()
  startedOn!: string;

  @Field(() => String, { description: 'E e-prescription, P paper, U without prescription' })
  @IsIn(codesOf(prescriptionTypeCodes))
  prescriptionType!: PrescriptionType;
}

@ObjectType()
export class MedicationEntryGql {
  @Field(() => ID)
  entryId!: string;

  @Field({ description: 'active, paused, discontinued or retracted' })
  status!: string;

  @Field(() => MedicationGql)
  medication!: Medication;

  @Field()
  use!: string;

  @Field(() => String, { nullable: true })
  indication?: string;

  @Field(() => DosageGql)
  dosage!: Dosage;

  @Field()
  startedOn!: string;

  @Field()
  prescriptionType!: string;

  @Field(() => [ID])
  prescriptionIds!: readonly string[];
}

@ObjectType('MedicationList')
export class MedicationListGql {
  @Field(() => Int, { description: 'number of events in the list; pass it back as expectedVersion' })
  version!: number;

  @Field(() => [MedicationEntryGql], { description: 'every entry, whatever its status, in start order' })
  entries!: MedicationEntryGql[];
}

@ObjectType()
export class StartMedicationPayload {
  @Field(() => MedicationListGql)
  list!: MedicationListGql;

  @Field(() => ID)
  entryId!: string;

  @Field(() => String, { nullable: true, description: 'global event position; later usable as minPosition' })
  position?: string;

  @Field({ description: 'true when this command id had already been applied: nothing was appended' })
  alreadyApplied!: boolean;
}
