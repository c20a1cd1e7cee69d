import { Args, Query, Resolver } from '@nestjs/graphql';
import { Access, CommandContext, grantedPatient } from '../../access/graphql/access.decorator';
import type { RequestContext } from '../../graphql/request-context';
import { EmergencyAccessInput } from '../../access/graphql/access.graphql-types';
import { optionalInstant } from '../../shared/date-time.scalar';
import { CareUnitArgs, MedicationListArgs } from './medication-list.args';
import { CareUnitGql, TimelineItemGql } from './medication-list.read-types';
import { type CareUnitViewer, MedicationListReads } from '../medication-list.reads';
import { MedicationListGql, toCareUnitGql, toMedicationListGql } from './medication-list.types';

const PATIENT_ID = { description: 'fødselsnummer, D-, H- or synthetic number; validated, never echoed' } as const;
/** Read by the AccessGuard only (emergency access); the resolver ignores it. */
const EMERGENCY = {
  type: () => EmergencyAccessInput,
  nullable: true,
  description: 'Emergency access without a care relation: the reason is logged and shown to the patient.',
} as const;

/** The access step granted a care caller this unit only if it is the caller's own organisation's (policy.ts). */
export const careUnitViewerOf = (context: RequestContext | undefined): CareUnitViewer =>
  context?.actor.role === 'nurse' ? 'own-staff' : 'other';

/**
 * Thin GraphQL edge of the read side: arguments in, MedicationListReads' documents and views out, mapped to GraphQL
 * here. Access: each @Access marker.
 */
@Resolver()
export class MedicationListQueriesResolver {
  constructor(private readonly reads: MedicationListReads) {}

  @Query(() => MedicationListGql, {
    description:
      "The patient's current list (an unknown patient has an empty list at version 0). `asOf`: the list as it " +
      'was SHOWN at that instant (events recorded at or before it). `minPosition`: a position a mutation ' +
      "returned; waits up to 5 s until this replica's read model has it (read your writes), else SERVICE_UNAVAILABLE.",
  })
  @Access('medicationList', { patient: 'patientId' })
  async medicationList(
    // patientId is read by the access step, which hands the parsed, keyed patient on in the context
    @Args() { asOf, minPosition }: MedicationListArgs,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListGql> {
    // the patient the access step parsed and keyed for this call
    const { document, at } = await this.reads.currentList(grantedPatient(context), {
      asOf: optionalInstant(asOf),
      minPosition: minPosition ?? undefined,
    });
    return toMedicationListGql(document, at);
  }

  @Query(() => [TimelineItemGql], { description: 'Every change of the list as a readable timeline, oldest first.' })
  @Access('medicationHistory', { patient: 'patientId' })
  medicationHistory(
    // Read by the access step only: it hands the parsed, keyed patient on in the context.
    @Args('patientId', PATIENT_ID) _patientId: string,
    @CommandContext() context: RequestContext,
    @Args('emergency', EMERGENCY) _emergency?: EmergencyAccessInput | null,
  ): Promise<TimelineItemGql[]> {
    return this.reads.history(grantedPatient(context));
  }

  @Query(() => CareUnitGql, {
    description:
      'The residents of an organisation (or one unit) with an active care relation, and what changed on their ' +
      'lists since `changesSince` (default: the last 24 hours).',
  })
  @Access('careUnit', { careUnit: { organisation: 'organisationNumber', unit: 'unit' } })
  careUnit(
    @Args() { organisationNumber, unit, changesSince }: CareUnitArgs,
    @CommandContext() context?: RequestContext,
  ): CareUnitGql {
    return toCareUnitGql(
      this.reads.careUnit(
        organisationNumber,
        unit ?? undefined,
        optionalInstant(changesSince),
        careUnitViewerOf(context),
      ),
    );
  }
}
