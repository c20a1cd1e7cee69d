import { Inject } from '@nestjs/common';
import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import type { RequestContext } from '../../graphql/request-context';
import { Access, CommandContext, grantedPatient } from './access.decorator';
import { AccessLogPageGql, EmergencyBasisCodeGql } from './access.graphql-types';
import { type AccessLogEntry, AuditService } from '../audit';
import { ORGANISATION_REGISTER, type OrganisationRegister } from '../organisation-register';

/**
 * `accessLog`: who looked at (or changed) the patient's data, newest first, with emergency access flagged. For the
 * patient (own data) and auditors; the policy decides, and this look is itself logged before the page is read.
 */

const basisCodeOf = (code: string | undefined): EmergencyBasisCodeGql | null =>
  Object.values(EmergencyBasisCodeGql).find((candidate) => candidate === code) ?? null;

/** One entry as the patient reads it: organisations by name from the register (as it is now). */
const toEntryGql = (register: OrganisationRegister, { cursor, event }: AccessLogEntry) => ({
  cursor,
  at: event.at,
  operation: event.operation,
  outcome: event.outcome,
  basis: event.basis ?? null,
  reasonCode: event.reasonCode ?? null,
  flagged: event.flagged,
  emergencyReason: event.emergencyReason ?? null,
  emergencyBasisCode: basisCodeOf(event.emergencyBasisCode),
  callerRole: event.callerRole,
  callerHpr: event.callerHpr ?? null,
  callerOrganisation: event.callerOrganisation ?? null,
  callerOrganisationName: register.nameOf(event.callerOrganisation) ?? null,
  callerParentOrganisation: event.callerParentOrganisation ?? null,
  callerParentOrganisationName: register.nameOf(event.callerParentOrganisation) ?? null,
  callerChildOrganisation: event.callerChildOrganisation ?? null,
  callerChildOrganisationName: register.nameOf(event.callerChildOrganisation) ?? null,
  untrustedChildOrganisation: event.untrustedChildOrganisation ?? null,
  clientId: event.clientId ?? null,
  byPatient: event.byPatient === true,
  feedSource: event.feedSource ?? null,
});

@Resolver()
export class AccessLogResolver {
  constructor(
    private readonly audit: AuditService,
    @Inject(ORGANISATION_REGISTER) private readonly register: OrganisationRegister,
  ) {}

  @Query(() => AccessLogPageGql, {
    description:
      "Who looked at or changed the patient's data, newest first (`first` 1–100, default 20; `after`: the " +
      'endCursor of the previous page). Emergency access is flagged. For the patient and auditors.',
  })
  @Access('accessLog', { patient: 'patientId' })
  async accessLog(
    // Read by the access step only: it hands the parsed, keyed patient on in the context.
    @Args('patientId', { description: 'fødselsnummer, D-, H- or synthetic number; validated, never echoed' })
    _patientId: string,
    @CommandContext() context: RequestContext,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<AccessLogPageGql> {
    const page = await this.audit.readAccessLog(grantedPatient(context), {
      ...(first === null || first === undefined ? {} : { first }),
      ...(after === null || after === undefined ? {} : { after }),
    });
    return {
      entries: page.entries.map((entry) => toEntryGql(this.register, entry)),
      hasNextPage: page.hasNextPage,
      endCursor: page.endCursor,
    };
  }
}
