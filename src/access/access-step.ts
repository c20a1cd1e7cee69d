import { Inject, Injectable } from '@nestjs/common';
import { assertHprNumber, assertOrganisationNumber, parsePatientId } from '../identifiers/norwegian-identifiers';
import { CLOCK, type Clock } from '../shared/clock';
import type { Actor } from '../shared/event-sourcing/event-store.port';
import { InvalidInputError } from '../shared/errors/graphql-error.normaliser';
import type { AccessRule } from './access.decorator';
import { emergencyOf } from './access.graphql';
import { AUTH_CONFIG } from './access.module';
import { AuditService } from './audit';
import type { AuthConfig } from './auth-config';
import { type Caller, toActor } from './caller';
import { ORGANISATION_REGISTER, type OrganisationRegister } from './organisation-register';
import { PatientContextReader } from './patient-context';
import { type AccessRequest, type CareUnitTarget, type GpTarget, assertAllowed, decideAccess, roleOfDecision } from './policy';

/**
 * The access step itself, free of GraphQL (issue 5; issue 15): the operation's facts (validated identifiers, the
 * patient's care relations, the care unit's residents) → decideAccess (pure) → the audit event, awaited (an append
 * that fails fails the call: AUDIT_UNAVAILABLE, fail closed) → AccessDeniedError when denied, else the actor to
 * record on commands. The AccessGuard calls it once per GraphQL root field, and again before every snapshot a
 * subscription pushes (live authorization); any other edge (a REST controller) calls `authorize` the same way with
 * its own arguments object.
 */

const UNIT_MAX = 100;

/** A string at a dotted path of the raw arguments (`input.patientId`), or undefined. */
const stringAt = (args: unknown, dottedPath: string): string | undefined => {
  let value: unknown = args;
  for (const key of dottedPath.split('.')) {
    value = typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
  }
  return typeof value === 'string' ? value : undefined;
};

/** A unit as the read side normalises it (trimmed; blank means the whole organisation). */
const unitOf = (raw: string | undefined): string | undefined => {
  const unit = raw?.trim();
  if (unit === undefined || unit === '') {
    return undefined;
  }
  if (unit.length > UNIT_MAX) {
    throw new InvalidInputError(['unit']);
  }
  return unit;
};

@Injectable()
export class AccessStep {
  constructor(
    private readonly audit: AuditService,
    private readonly facts: PatientContextReader,
    @Inject(AUTH_CONFIG) private readonly auth: AuthConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ORGANISATION_REGISTER) private readonly register: OrganisationRegister,
  ) {}

  /** Decides, audits and returns the actor; throws AccessDeniedError (FORBIDDEN) after auditing a denial. */
  async authorize(rule: AccessRule, caller: Caller, args: Readonly<Record<string, unknown>>, correlationId: string): Promise<Actor> {
    const { operation } = rule;
    // Identifiers are validated first (BAD_USER_INPUT, never echoed): an invalid id names no patient to audit.
    const rawPatient = rule.patient === undefined ? undefined : stringAt(args, rule.patient);
    const patientId = rawPatient === undefined ? undefined : parsePatientId(rawPatient).value;
    const careUnit = this.careUnitOf(rule, args);
    const rawHpr = rule.hpr === undefined ? undefined : stringAt(args, rule.hpr);
    const gp: GpTarget | undefined = rawHpr === undefined ? undefined : { hprNumber: assertHprNumber(rawHpr, 'hprNumber') };
    const emergency = emergencyOf(args.emergency);
    const { child, parent } = caller.organisation;
    const untrustedChild = child !== undefined && !this.register.isSubUnitOf(child, parent);
    const request: AccessRequest = {
      caller,
      operation,
      ...(patientId === undefined ? {} : { patient: this.facts.patientContext(caller, patientId) }),
      ...(careUnit === undefined ? {} : { careUnit }),
      ...(gp === undefined ? {} : { gp }),
      ...(emergency === undefined ? {} : { emergency }),
      ...(untrustedChild ? { untrustedChildOrganisation: true } : {}),
      minimumSecurityLevel: this.auth.minimumSecurityLevel,
      at: this.clock.now().toISOString(),
    };
    const decision = decideAccess(request);
    const patientIds =
      patientId !== undefined
        ? [patientId]
        : careUnit !== undefined && decision.allowed
          ? this.facts.residents(careUnit.organisationNumber, careUnit.unit ?? undefined)
          : [];
    await this.audit.record({
      caller,
      operation,
      decision,
      childOrganisationTrusted: !untrustedChild,
      ...(emergency === undefined ? {} : { emergency }),
      patientIds,
      correlationId,
    });
    assertAllowed(operation, decision);
    return toActor(caller, roleOfDecision(caller, decision));
  }

  /** When the caller's token ends for the purpose of a long-lived connection: exp plus the skew (epoch ms). */
  tokenDeadline(caller: Caller): number | undefined {
    return caller.expiresAt === undefined ? undefined : (caller.expiresAt + this.auth.clockSkewSeconds) * 1000;
  }

  private careUnitOf(rule: AccessRule, args: Readonly<Record<string, unknown>>): CareUnitTarget | undefined {
    if (rule.careUnit === undefined) {
      return undefined;
    }
    const organisation = stringAt(args, rule.careUnit.organisation);
    if (organisation === undefined) {
      return undefined;
    }
    const unit = unitOf(rule.careUnit.unit === undefined ? undefined : stringAt(args, rule.careUnit.unit));
    return { organisationNumber: assertOrganisationNumber(organisation, 'organisationNumber'), unit: unit ?? null };
  }
}
