import { Args, Resolver, Subscription } from '@nestjs/graphql';
import {
  Access,
  CommandContext,
  LiveAccess,
  type LiveCheck,
  grantedPatient,
} from '../../access/graphql/access.decorator';
import { EmergencyAccessInput } from '../../access/graphql/access.graphql-types';
import type { RequestContext } from '../../graphql/request-context';
import { careUnitViewerOf } from './medication-list.queries.resolver';
import { MedicationListLive } from './medication-list.live';
import { CareUnitGql } from './medication-list.read-types';
import { MedicationListGql } from './medication-list.types';

/**
 * Subscriptions over graphql-ws (Mercurius): each returns an async iterator of snapshots built from the
 * projector's committed changes (MedicationListLive). The first message is the current state, then one per
 * committed change; a slow client gets the latest state, not a backlog. Access is decided (and audited) by the
 * AccessGuard when the subscription starts, and again before every later snapshot (the LiveCheck it leaves).
 */
@Resolver()
export class MedicationListSubscriptionsResolver {
  constructor(private readonly live: MedicationListLive) {}

  @Subscription(() => MedicationListGql, {
    description: "The patient's list now, then after every committed change.",
    resolve: (snapshot: MedicationListGql) => snapshot,
  })
  @Access('medicationListChanged', { patient: 'patientId' })
  medicationListChanged(
    // Read by the access step only: it hands the parsed, keyed patient on in the context.
    @Args('patientId', { description: 'fødselsnummer, D-, H- or synthetic number; validated, never echoed' })
    _patientId: string,
    @LiveAccess() authorize: LiveCheck,
    @CommandContext() context: RequestContext,
    // Read by the access step only: break-the-glass is a one-off look, refused on a subscription (flagged, audited).
    @Args('emergency', {
      type: () => EmergencyAccessInput,
      nullable: true,
      description:
        'Refused on a subscription (EMERGENCY_NOT_FOR_SUBSCRIPTIONS), flagged in the access log: use medicationList',
    })
    _emergency?: EmergencyAccessInput | null,
  ): AsyncIterableIterator<MedicationListGql> {
    return this.live.list(grantedPatient(context), authorize);
  }

  @Subscription(() => CareUnitGql, {
    description: "The care unit now, then whenever a resident joins or leaves or a resident's list changes.",
    resolve: (snapshot: CareUnitGql) => snapshot,
  })
  @Access('careUnitChanged', { careUnit: { organisation: 'organisationNumber', unit: 'unit' } })
  careUnitChanged(
    @Args('organisationNumber') organisationNumber: string,
    @LiveAccess() authorize: LiveCheck,
    @Args('unit', { type: () => String, nullable: true }) unit?: string | null,
    @CommandContext() context?: RequestContext,
  ): AsyncIterableIterator<CareUnitGql> {
    return this.live.careUnit(organisationNumber, unit ?? undefined, authorize, careUnitViewerOf(context));
  }
}
