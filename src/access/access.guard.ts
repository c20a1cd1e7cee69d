import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { type GraphQLResolveInfo, OperationTypeNode } from 'graphql';
import type { GraphqlContext } from '../graphql/graphql.module';
import { assertHprNumber, assertOrganisationNumber, parsePatientId } from '../identifiers/norwegian-identifiers';
import { CLOCK, type Clock } from '../shared/clock';
import type { Actor } from '../shared/event-sourcing/event-store.port';
import { InvalidInputError, toSubscriptionError } from '../shared/errors/graphql-error.normaliser';
import { cleanText } from '../shared/text/free-text';
import { AccessDeniedError } from './access.errors';
import { ACCESS_RULE, type AccessRule, recordGrant } from './access.decorator';
import { emergencyOf } from './access.graphql';
import { AUTH_CONFIG } from './access.module';
import { AuditService } from './audit';
import type { AuthConfig } from './auth-config';
import { type Caller, toActor } from './caller';
import { PatientContextReader } from './patient-context';
import { type AccessRequest, type CareUnitTarget, type GpTarget, assertAllowed, decideAccess, roleOfDecision } from './policy';

/**
 * The access step of every GraphQL operation (issue 5), global (APP_GUARD): the verified caller (set by the edge,
 * src/graphql/edge-auth.ts) → the facts named by the operation's @Access marker → decideAccess (pure) → the audit
 * event, awaited: an append that fails fails the request (AUDIT_UNAVAILABLE, fail closed) → FORBIDDEN when denied,
 * else a grant (actor = toActor(caller, role granted)) for @CommandContext(). Denials are audited before they are
 * thrown. A resolver without a marker is denied. HTTP controllers (/health, /metrics, the dev JWKS) pass: they
 * hold no patient data.
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
  return cleanText(unit, 'unit');
};

@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
    private readonly facts: PatientContextReader,
    @Inject(AUTH_CONFIG) private readonly auth: AuthConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType<GqlContextType>() !== 'graphql') {
      return true;
    }
    const gql = GqlExecutionContext.create(context);
    const info = gql.getInfo<GraphQLResolveInfo>();
    try {
      const rule = this.reflector.get<AccessRule | undefined>(ACCESS_RULE, context.getHandler());
      if (rule === undefined) {
        // Default deny: an operation nobody classified reaches no data.
        throw new AccessDeniedError(info.fieldName, 'NO_ACCESS_RULE');
      }
      const { caller, correlationId } = gql.getContext<GraphqlContext>();
      if (caller === undefined) {
        // The edge authenticates every request and connection; reaching here without a caller is a wiring error.
        throw new AccessDeniedError(rule.operation, 'UNAUTHENTICATED');
      }
      const actor = await this.decide(rule, caller, gql.getArgs<Record<string, unknown>>(), correlationId);
      recordGrant(info, { actor, correlationId });
      return true;
    } catch (error) {
      // Mercurius sends a subscription's setup errors without the errorFormatter: give them their codes here.
      throw info.operation.operation === OperationTypeNode.SUBSCRIPTION ? toSubscriptionError(error) : error;
    }
  }

  private async decide(rule: AccessRule, caller: Caller, args: Record<string, unknown>, correlationId: string): Promise<Actor> {
    const { operation } = rule;
    // Identifiers are validated first (BAD_USER_INPUT, never echoed): an invalid id names no patient to audit.
    const rawPatient = rule.patient === undefined ? undefined : stringAt(args, rule.patient);
    const patientId = rawPatient === undefined ? undefined : parsePatientId(rawPatient).value;
    const careUnit = this.careUnitOf(rule, args);
    const rawHpr = rule.hpr === undefined ? undefined : stringAt(args, rule.hpr);
    const gp: GpTarget | undefined = rawHpr === undefined ? undefined : { hprNumber: assertHprNumber(rawHpr, 'hprNumber') };
    const emergency = emergencyOf(args.emergency);
    const request: AccessRequest = {
      caller,
      operation,
      ...(patientId === undefined ? {} : { patient: this.facts.patientContext(caller, patientId) }),
      ...(careUnit === undefined ? {} : { careUnit }),
      ...(gp === undefined ? {} : { gp }),
      ...(emergency === undefined ? {} : { emergency }),
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
      ...(emergency === undefined ? {} : { emergency }),
      patientIds,
      correlationId,
    });
    assertAllowed(operation, decision);
    return toActor(caller, roleOfDecision(caller, decision));
  }

  private careUnitOf(rule: AccessRule, args: Record<string, unknown>): CareUnitTarget | undefined {
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
