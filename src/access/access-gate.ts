import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../shared/clock';
import type { Actor } from '../shared/event-sourcing/event-store.port';
import { AUTH_CONFIG } from './access.module';
import { AuditService } from './audit';
import type { AuthConfig } from './auth-config';
import { type Caller, toActor } from './caller';
import { ORGANISATION_REGISTER, type OrganisationRegister } from './organisation-register';
import { PatientContextReader } from './patient-context';
import { type EmergencyAccess, type Operation, assertAllowed, decideAccess, roleOfDecision } from './policy';

/** Whose data: a validated patient id, or a list id (patientStreamId) when a resource id is all the request names. */
export type GateTarget = { readonly patientId: string } | { readonly listId: string };

export interface GateRequest {
  readonly caller: Caller;
  readonly operation: Operation;
  readonly target: GateTarget;
  readonly emergency?: EmergencyAccess;
  readonly correlationId: string;
}

/**
 * The access step for edges other than GraphQL (the FHIR interface): the same sequence as the AccessGuard, on
 * the same policy and audit — facts from the read model → decideAccess (pure) → the audit event, awaited (fail
 * closed: AUDIT_UNAVAILABLE) → FORBIDDEN when denied, else the actor to record. One patient per request.
 */
@Injectable()
export class AccessGate {
  constructor(
    private readonly audit: AuditService,
    private readonly facts: PatientContextReader,
    @Inject(AUTH_CONFIG) private readonly auth: AuthConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ORGANISATION_REGISTER) private readonly register: OrganisationRegister,
  ) {}

  async check({ caller, operation, target, emergency, correlationId }: GateRequest): Promise<Actor> {
    const patient =
      'patientId' in target ? this.facts.patientContext(caller, target.patientId) : this.facts.listContext(caller, target.listId);
    // The organisation register's rule, as on GraphQL (AccessStep): a child organisation is trusted only under the
    // parent the register names, else ORGANISATION_NOT_REGISTERED.
    const { child, parent } = caller.organisation;
    const untrustedChild = child !== undefined && !this.register.isSubUnitOf(child, parent);
    const decision = decideAccess({
      caller,
      operation,
      patient,
      ...(untrustedChild ? { untrustedChildOrganisation: true } : {}),
      ...(emergency === undefined ? {} : { emergency }),
      minimumSecurityLevel: this.auth.minimumSecurityLevel,
      at: this.clock.now().toISOString(),
    });
    await this.audit.record({
      caller,
      operation,
      decision,
      childOrganisationTrusted: !untrustedChild,
      ...(emergency === undefined ? {} : { emergency }),
      patientIds: 'patientId' in target ? [target.patientId] : [],
      listIds: 'listId' in target ? [target.listId] : [],
      correlationId,
    });
    assertAllowed(operation, decision);
    return toActor(caller, roleOfDecision(caller, decision));
  }
}
