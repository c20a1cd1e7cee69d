import { Field, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsEnum, IsString, MaxLength, MinLength } from 'class-validator';

/**
 * GraphQL types of the access slice (code first): the emergency statement a read may carry, and the patient's
 * access log. The log shows who looked (HPR number, organisation, role), never the caller's or the patient's id.
 */

/** Norwegian access basis codes for access without a care relation (policy.ts EMERGENCY_BASIS_CODES). */
export enum EmergencyBasisCodeGql {
  HPAKUTT = 'HPAKUTT',
  HPMOTTATTSAMTYKKE = 'HPMOTTATTSAMTYKKE',
  HPUNNTAK = 'HPUNNTAK',
}
registerEnumType(EmergencyBasisCodeGql, {
  name: 'EmergencyBasisCode',
  description: 'HPAKUTT: emergency care; HPMOTTATTSAMTYKKE: consent received; HPUNNTAK: another legal exception',
});

@InputType('EmergencyAccessInput', {
  description:
    'Emergency access ("break the glass"): a prescriber or nurse without another basis states why they must read ' +
    'this list now. Allowed, flagged in the access log and shown to the patient.',
})
export class EmergencyAccessInput {
  @Field({
    description:
      'why, in a sentence (1–1000 characters; newline and tab allowed, no other control or bidi characters); shown to the patient',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason!: string;

  @Field(() => EmergencyBasisCodeGql)
  @IsEnum(EmergencyBasisCodeGql)
  basisCode!: EmergencyBasisCodeGql;
}

@ObjectType('AccessLogEntry', { description: 'One look at (or change of) the patient’s data, allowed or denied.' })
export class AccessLogEntryGql {
  @Field({ description: 'pass as `after` to read older entries' })
  cursor!: string;
  @Field({ description: 'when (ISO 8601)' })
  at!: string;
  @Field({ description: 'the GraphQL operation, e.g. medicationList' })
  operation!: string;
  @Field({ description: 'allowed or denied' })
  outcome!: string;
  @Field(() => String, {
    nullable: true,
    description: 'prescriber, pharmacy, care-relation, own-data, emergency, auditor, feed',
  })
  basis!: string | null;
  @Field(() => String, { nullable: true, description: 'why it was denied, e.g. NO_CARE_RELATION' })
  reasonCode!: string | null;
  @Field({ description: 'emergency access was stated (allowed or not): shown prominently to the patient' })
  flagged!: boolean;
  @Field(() => String, { nullable: true, description: 'the stated emergency reason' })
  emergencyReason!: string | null;
  @Field(() => EmergencyBasisCodeGql, { nullable: true })
  emergencyBasisCode!: EmergencyBasisCodeGql | null;
  @Field({ description: 'prescriber, pharmacy, care, patient, auditor, feed (none: no role)' })
  callerRole!: string;
  @Field(() => String, { nullable: true, description: 'the health worker’s HPR number' })
  callerHpr!: string | null;
  @Field(() => String, { nullable: true, description: 'the organisation number the caller acted for' })
  callerOrganisation!: string | null;
  @Field(() => String, { nullable: true, description: 'its name, from the organisation register' })
  callerOrganisationName!: string | null;
  @Field(() => String, { nullable: true, description: 'the legal entity (orgnr_parent) of the caller' })
  callerParentOrganisation!: string | null;
  @Field(() => String, { nullable: true, description: 'its name, from the organisation register' })
  callerParentOrganisationName!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'the sub-unit (orgnr_child), only when the organisation register places it under the legal entity',
  })
  callerChildOrganisation!: string | null;
  @Field(() => String, { nullable: true, description: 'its name, from the organisation register' })
  callerChildOrganisationName!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'a sub-unit the token claimed that the register does not vouch for',
  })
  untrustedChildOrganisation!: string | null;
  @Field(() => String, { nullable: true, description: 'the client system that made the call (HelseID client_id)' })
  clientId!: string | null;
  @Field({ description: 'the patient looked at their own data' })
  byPatient!: boolean;
  @Field(() => String, {
    nullable: true,
    description: 'a feed import named the patient: which feed (eprescription, core-record)',
  })
  feedSource!: string | null;
}

@ObjectType('AccessLogPage', { description: 'The access log, newest first.' })
export class AccessLogPageGql {
  @Field(() => [AccessLogEntryGql])
  entries!: AccessLogEntryGql[];
  @Field()
  hasNextPage!: boolean;
  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}
