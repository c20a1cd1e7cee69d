import { Inject, Injectable } from '@nestjs/common';
import type { PatientKey } from '../medication-list/patient-stream';
import type { Actor } from '../shared/event-sourcing/event-store.port';
import { AccessStep, type GatheredRequest } from './access-step';
import type { Caller } from './domain/caller';
import { attributionOf, callerOrganisationFacts } from './caller-organisation';
import { ORGANISATION_REGISTER, type OrganisationRegister } from './organisation-register';
import { PatientContextReader } from './patient-context';
import type { EmergencyAccess, Operation, PatientAccessContext } from './domain/policy';

/** Whose data: a patient id (validated and keyed here), or a list id (patientStreamId) when a resource id is all the request names. */
export type GateTarget = PatientTarget | ListTarget;
export interface PatientTarget {
  readonly patientId: string;
}
export interface ListTarget {
  readonly listId: string;
}

export interface GateRequest<T extends GateTarget = GateTarget> {
  readonly caller: Caller;
  readonly operation: Operation;
  readonly target: T;
  readonly emergency?: EmergencyAccess;
  readonly correlationId: string;
  /**
   * The write records the caller's HER-id (a dispensing, issue 15): the HER-id the request names, if any. The
   * register gives the caller's; naming another is refused (HER_ID_NOT_CALLERS); the actor carries the caller's.
   */
  readonly attributed?: { readonly claimedHerId?: string };
}

/** What the gate granted a look at a patient named by id: the actor, and the patient parsed and keyed once. */
export interface PatientGrant {
  readonly actor: Actor;
  /** the key the gate derived: the service and the reads take it, so the request hashes the patient id once */
  readonly patient: PatientKey;
}

/** What the gate granted a look at a list named by id: the actor, and whether the caller is its patient. */
export interface ListGrant {
  readonly actor: Actor;
  readonly callerIsPatient: boolean;
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

  /** The access step for a patient named by id: its key is derived here, once (InvalidIdentifierError, not echoed). */
  async checkPatient(request: GateRequest<PatientTarget>): Promise<PatientGrant> {
    const patient = this.facts.patientKey(request.target.patientId);
    const facts = this.facts.patientContext(request.caller, patient);
    return { actor: await this.check(request, patient.streamId, facts), patient };
  }

  /** The access step for a list named by its id (a FHIR read by resource id). */
  async checkList(request: GateRequest<ListTarget>): Promise<ListGrant> {
    const facts = this.facts.listContext(request.caller, request.target.listId);
    return {
      actor: await this.check(request, request.target.listId, facts),
      callerIsPatient: facts.isCallerThePatient,
    };
  }

  /** Decides and audits one look at the list `listId`, given the facts the policy needs about its patient. */
  private async check(
    { caller, operation, emergency, correlationId, attributed }: GateRequest,
    listId: string,
    patient: PatientAccessContext,
  ): Promise<Actor> {
    // The same register rules as the GraphQL AccessStep (issue 15): an untrusted orgnr_child is refused, and an
    // attributed write is recorded under the caller's organisation's HER-id.
    const organisation = callerOrganisationFacts(this.register, caller);
    const attribution = attributed === undefined ? undefined : attributionOf(organisation, attributed.claimedHerId);
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
}
