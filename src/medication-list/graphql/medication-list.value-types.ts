import { Field, Float, InputType, Int, ObjectType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsNumber, IsOptional, IsString, MaxLength, Min, ValidateNested } from 'class-validator';
import { acceptedCodes } from '../domain/code-descriptions';
import { partOfDayCodes, weekdayCodes } from '../domain/medication-list.codes';
import type { PartOfDayCode, Weekday } from '../domain/medication-list.events';

/**
 * The value types shared by mutation inputs (medication-list.inputs.ts) and the list's output types
 * (medication-list.types.ts): a drug and a structured dosage. The shapes mirror the event data; one class serves
 * as input and output type. class-validator checks the shape only: the clinical rules (codes in context, dosage
 * periods, dates) are the decider's, with typed errors.
 */

const codesOf = <T extends string>(list: { readonly entries: readonly { readonly code: T }[] }): T[] =>
  list.entries.map((entry) => entry.code);

// Free-text caps here only keep absurd payloads out; the decider enforces the clinical limits.
const MAX_TEXT = 2000;

/** A drug: FEST identifiers by level and/or an ATC code with its display name, or a local drug by name. */
@InputType('MedicationInput')
@ObjectType('Medication')
export class MedicationGql {
  @Field(() => String, {
    nullable: true,
    description: 'FEST id of the brand product (LegemiddelMerkevare): ID_ + UUID',
  })
  @IsOptional()
  @IsString()
  festId?: string | null;

  // Identifiers at the other FEST levels (issue 16); the decider checks their form (InvalidMedicationError).
  @Field(() => String, { nullable: true, description: 'FEST id of the substance (LegemiddelVirkestoff): ID_ + UUID' })
  @IsOptional()
  @IsString()
  festSubstanceId?: string | null;

  @Field(() => String, { nullable: true, description: 'FEST id of the package (LegemiddelPakning): ID_ + UUID' })
  @IsOptional()
  @IsString()
  festPackageId?: string | null;

  @Field(() => String, { nullable: true, description: "the package's varenummer (six digits)" })
  @IsOptional()
  @IsString()
  packageNumber?: string | null;

  @Field(() => String, { nullable: true, description: 'FEST id of the dose (LegemiddelDose): ID_ + UUID' })
  @IsOptional()
  @IsString()
  festDoseId?: string | null;

  @Field(() => String, { nullable: true, description: "the dose's LMR løpenummer (seven digits)" })
  @IsOptional()
  @IsString()
  lmrNumber?: string | null;

  @Field(() => String, { nullable: true, description: 'ATC code (level 5)' })
  @IsOptional()
  @IsString()
  atcCode?: string | null;

  @Field({ description: 'NavnFormStyrke, or the name of a local drug (plain text on one line)' })
  @IsString()
  @MaxLength(MAX_TEXT)
  displayName!: string;
}

/** A dose at a clock time or a part of day (8325). */
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

  @Field(() => String, { nullable: true, description: acceptedCodes(partOfDayCodes) })
  @IsOptional()
  @IsIn(codesOf(partOfDayCodes))
  partOfDay?: PartOfDayCode | null;
}

/** An as-needed dose with its maximum per 24 h and minimum interval. */
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

/** A days-on/days-off cycle. */
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

/** One dosage period; consecutive periods express tapering. */
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

  @Field(() => [String], { nullable: true, description: acceptedCodes(weekdayCodes, 'days of the week') })
  @IsOptional()
  @IsIn(codesOf(weekdayCodes), { each: true })
  weekdays?: Weekday[] | null;

  @Field(() => DosageCycleGql, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => DosageCycleGql)
  cycle?: DosageCycleGql | null;
}

/** Structured dosage plus free-text instruction and short code. */
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
