import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '../shared/event-sourcing/event-store.port';
import { AccessStep, type GatheredRequest } from './access-step';
import type { Caller } from './domain/caller';
import { attributionOf, callerOrganisationFacts } from './caller-organisation';
import { ORGANISATION_REGISTER, type OrganisationRegister } from './organisation-register';
import { PatientContextReader } from './patient-context';
import type { EmergencyAccess, Operation, PatientAccessContext } from './domain/policy';

/** Whose data: a validated patient id, or a list id (patientStreamId) when a resource id is all the request names. */
export type GateTarget = { readonly patientId: string } | { readonly listId: string };

export interface GateRequest {
  readonly caller: Caller;
  readonly operation: Operation;
  readonly target: GateTarget;
  readonly emergency?: EmergencyAccess;
  readonly correlationId: string;
  /**
   * The write records the caller's HER-id (a dispensing, issue 15): the HER-id the request names, if any. The
   * register gives the caller's; naming another is refused (HER_ID_NOT_CALLERS); the actor carries the caller's.
   */
  readonly attributed?: { readonly claimedHerId?: string };
}

/**
 * The access step for edges other than GraphQL (the FHIR interface): the same sequence as the AccessGuard, on
 * the same policy and audit — facts from the read model → AccessStep.decide: decideAccess (pure) → the audit event,
 * awaited (fail closed: AUDIT_UNAVAILABLE) → FORBIDDEN when denied, else the actor to record. One patient per request.
 */
@Injectable()
export class AccessGate {
  constructor(
    private readonly step: AccessStep,
    private readonly facts: PatientContextReader,
    @Inject(ORGANISATION_REGISTER) private readonly register: OrganisationRegister,
  ) {}

  async check({ caller, operation, target, emergency, correlationId, attributed }: GateRequest): Promise<Actor> {
    // The same register rules as the GraphQL AccessStep (issue 15): an untrusted orgnr_child is refused, and an
    // attributed write is recorded under the caller's organisation's HER-id.
    const organisation = callerOrganisationFacts(this.register, caller);
    const attribution = attributed === undefined ? undefined : attributionOf(organisation, attributed.claimedHerId);
    const { listId, patient } = this.lookAt(caller, target);
    const request: GatheredRequest = {
      caller,
      operation,
      patient,
      ...(emergency === undefined ? {} : { emergency }),
      ...(organisation.untrustedChild ? { untrustedChildOrganisation: true } : {}),
      ...(attribution === undefined ? {} : { attribution }),
    };
    return this.step.decide(request, () => [listId], correlationId);
  }

  /** The target's list (stream) id, derived once from a patient id, and the facts the policy needs about it. */
  private lookAt(
    caller: Caller,
    target: GateTarget,
  ): { readonly listId: string; readonly patient: PatientAccessContext } {
    if ('listId' in target) {
      return { listId: target.listId, patient: this.facts.listContext(caller, target.listId) };
    }
    const key = this.facts.patientKey(target.patientId);
    return { listId: key.streamId, patient: this.facts.patientContext(caller, key) };
  }
}
