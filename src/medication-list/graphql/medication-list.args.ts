import { ArgsType, Field } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { EmergencyAccessInput } from '../../access/graphql/access.graphql-types';
import { DateTimeScalar } from '../../shared/date-time.scalar';

/*
 * Arguments of the read queries, validated by the same declarative means as the mutation inputs (the global
 * ValidationPipe, class-validator) and the strict DateTime scalar, not by hand in a service. Each argument is
 * checked whatever others come with it: `minPosition` is refused even beside `asOf`, which makes it moot (issue 22).
 */

const MAX_ID = 100;
/** A global position as a mutation returns it: up to 20 digits (an unsigned 64-bit integer). */
export const POSITION = /^[0-9]{1,20}$/;

@ArgsType()
export class MedicationListArgs {
  @Field({ description: 'fødselsnummer, D-, H- or synthetic number; validated, never echoed' })
  @IsString()
  @MaxLength(MAX_ID)
  patientId!: string;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      'the list as it was SHOWN at this instant (RFC 3339 with Z or offset); not later than now plus the ' +
      'configured clock tolerance (AUTH_CLOCK_SKEW_SECONDS)',
  })
  @IsOptional()
  @IsString()
  asOf?: string | null;

  @Field(() => String, { nullable: true, description: 'a `position` a mutation returned: digits only (up to 20)' })
  @IsOptional()
  @Matches(POSITION)
  minPosition?: string | null;

  @Field(() => EmergencyAccessInput, {
    nullable: true,
    description: 'Emergency access without a care relation: the reason is logged and shown to the patient.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => EmergencyAccessInput)
  emergency?: EmergencyAccessInput | null;
}

@ArgsType()
export class CareUnitArgs {
  @Field({ description: '9-digit organisasjonsnummer' })
  @IsString()
  @MaxLength(MAX_ID)
  organisationNumber!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  unit?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'RFC 3339 with Z or offset; default: 24 hours ago' })
  @IsOptional()
  @IsString()
  changesSince?: string | null;
}
