import { Inject, Injectable } from '@nestjs/common';
import { assertHprNumber, assertOrganisationNumber } from '../identifiers/norwegian-identifiers';
import type { PatientKey } from '../medication-list/patient-stream';
import { CLOCK, type Clock } from '../shared/clock';
import type { Actor } from '../shared/event-sourcing/event-store.port';
import { InvalidInputError } from '../shared/errors/invalid-input.error';
import { cleanText } from '../shared/text/free-text';
import type { AccessRule } from './domain/access-rule';
import { emergencyOf } from './domain/emergency-access';
import { AUTH_CONFIG } from './access.module';
import { AuditService } from './audit';
import type { AuthConfig } from './auth-config';
import { type Caller, toActor } from './domain/caller';
import { attributionOf, callerOrganisationFacts } from './caller-organisation';
import { ORGANISATION_REGISTER, type OrganisationRegister } from './organisation-register';
import { PatientContextReader } from './patient-context';
import {
  type AccessDecision,
  type AccessRequest,
  type CareUnitTarget,
  type GpTarget,
  type PatientAccessContext,
  assertAllowed,
  decideAccess,
  roleOfDecision,
} from './domain/policy';

/**
 * The access step itself, free of GraphQL (issue 5; issue 15): the operation's facts (validated identifiers, the
 * patient's care relations, the care unit's residents) → decideAccess (pure) → the audit event, awaited (an append
 * that fails fails the call: AUDIT_UNAVAILABLE, fail closed) → AccessDeniedError when denied, else the actor to
 * record on commands. The AccessGuard calls it once per GraphQL root field, and again before every snapshot a
 * subscription pushes (live authorization); any other edge (a REST controller) calls `authorize` the same way with
 * its own arguments object.
 */

/** What a granted call goes on with: the actor to record, and the patient it names, parsed and keyed once. */
export interface AccessGrant {
  readonly actor: Actor;
  readonly patient?: PatientKey;
}

/** An access request with its facts gathered; `decide` adds the minimum security level and the time. */
export type GatheredRequest = Omit<AccessRequest, 'minimumSecurityLevel' | 'at'>;

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
  return cleanText(unit, 'unit');
};

/** An organisation number and optional unit named at dotted paths of the arguments (validated). */
const organisationUnitAt = (
  args: unknown,
  paths: { readonly organisation: string; readonly unit?: string },
): CareUnitTarget | undefined => {
  const organisation = stringAt(args, paths.organisation);
  if (organisation === undefined) {
    return undefined;
  }
  const unit = unitOf(paths.unit === undefined ? undefined : stringAt(args, paths.unit));
  return { organisationNumber: assertOrganisationNumber(organisation, 'organisationNumber'), unit: unit ?? null };
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
  async authorize(
    rule: AccessRule,
    caller: Caller,
    args: Readonly<Record<string, unknown>>,
    correlationId: string,
  ): Promise<AccessGrant> {
    const { operation } = rule;
    // Identifiers are validated first (BAD_USER_INPUT, never echoed): an invalid id names no patient to audit.
    const rawPatient = rule.patient === undefined ? undefined : stringAt(args, rule.patient);
    // Parsed and keyed here, once per call: the grant hands it on to the service and the reads (RequestContext).
    const patientKey = rawPatient === undefined ? undefined : this.facts.patientKey(rawPatient);
    const careUnit = this.careUnitOf(rule, args);
    const rawHpr = rule.hpr === undefined ? undefined : stringAt(args, rule.hpr);
    const gp: GpTarget | undefined =
      rawHpr === undefined ? undefined : { hprNumber: assertHprNumber(rawHpr, 'hprNumber') };
    const emergency = emergencyOf(args.emergency);
    const organisation = callerOrganisationFacts(this.register, caller);
    const { untrustedChild } = organisation;
    const patient = patientKey === undefined ? undefined : this.facts.patientContext(caller, patientKey);
    const careRelation = this.careRelationOf(rule, args, patient);
    const attribution =
      rule.attributedHerId === undefined
        ? undefined
        : attributionOf(organisation, stringAt(args, rule.attributedHerId));
    const request: GatheredRequest = {
      caller,
      operation,
      ...(patient === undefined ? {} : { patient }),
      ...(careRelation === undefined ? {} : { careRelation }),
      ...(attribution === undefined ? {} : { attribution }),
      ...(careUnit === undefined ? {} : { careUnit }),
      ...(gp === undefined ? {} : { gp }),
      ...(emergency === undefined ? {} : { emergency }),
      ...(untrustedChild ? { untrustedChildOrganisation: true } : {}),
    };
    const listIdsOf = (decision: AccessDecision): readonly string[] =>
      patientKey !== undefined
        ? [patientKey.streamId]
        : careUnit !== undefined && decision.allowed
          ? this.facts.residentListIds(careUnit.organisationNumber, careUnit.unit ?? undefined)
          : [];
    const actor = await this.decide(request, listIdsOf, correlationId);
    return patientKey === undefined ? { actor } : { actor, patient: patientKey };
  }

  /**
   * The common end of every edge's access step (this one and the FHIR AccessGate), once the request's facts are
   * gathered: decideAccess (pure, at the configured minimum security level and the clock's now) → the audit event
   * on the lists `listIdsOf` names, awaited (fail closed: AUDIT_UNAVAILABLE) → AccessDeniedError when denied, else
   * the actor to record, under the caller's organisation's HER-id when the write is attributed.
   */
  async decide(
    request: GatheredRequest,
    listIdsOf: (decision: AccessDecision) => readonly string[],
    correlationId: string,
  ): Promise<Actor> {
    const { caller, operation, emergency, attribution } = request;
    const decision = decideAccess({
      ...request,
      minimumSecurityLevel: this.auth.minimumSecurityLevel,
      at: this.clock.now().toISOString(),
    });
    await this.audit.record({
      caller,
      operation,
      decision,
      childOrganisationTrusted: request.untrustedChildOrganisation !== true,
      ...(emergency === undefined ? {} : { emergency }),
      listIds: listIdsOf(decision),
      correlationId,
    });
    assertAllowed(operation, decision);
    const actor = toActor(caller, roleOfDecision(caller, decision));
    return attribution?.callerHerId === undefined ? actor : { ...actor, herId: attribution.callerHerId };
  }

  /**
   * A feed import, once granted (issue 15): one access-log entry per patient the feed names (keyed once by the
   * import, where the feed's raw id entered), naming the feed and the client, appended before anything of theirs is
   * recorded (fail closed: AUDIT_UNAVAILABLE applies nothing).
   */
  async recordFeedImport(
    caller: Caller,
    patients: readonly PatientKey[],
    feedSource: string,
    correlationId: string,
  ): Promise<void> {
    await this.audit.recordFeedImport({
      caller,
      listIds: patients.map(({ streamId }) => streamId),
      feedSource,
      correlationId,
      childOrganisationTrusted: !callerOrganisationFacts(this.register, caller).untrustedChild,
    });
  }

  /** When the caller's token ends for the purpose of a long-lived connection: exp plus the skew (epoch ms). */
  tokenDeadline(caller: Caller): number | undefined {
    return caller.expiresAt === undefined ? undefined : (caller.expiresAt + this.auth.clockSkewSeconds) * 1000;
  }

  /** The organisation and unit a care-relation write names: from the input, or the relation the list holds. */
  private careRelationOf(
    rule: AccessRule,
    args: Readonly<Record<string, unknown>>,
    patient: PatientAccessContext | undefined,
  ): CareUnitTarget | undefined {
    const target = rule.careRelation;
    if (target === undefined) {
      return undefined;
    }
    if ('relationId' in target) {
      const relationId = stringAt(args, target.relationId)?.trim();
      const relation = patient?.careRelations.find((candidate) => candidate.relationId === relationId);
      return relation === undefined
        ? undefined
        : { organisationNumber: relation.organisationNumber, unit: relation.unit ?? null };
    }
    return organisationUnitAt(args, target);
  }

  private careUnitOf(rule: AccessRule, args: Readonly<Record<string, unknown>>): CareUnitTarget | undefined {
    if (rule.careUnit === undefined) {
      return undefined;
    }
    return organisationUnitAt(args, rule.careUnit);
  }
}
