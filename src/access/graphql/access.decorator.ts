import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { RequestContext } from '../../graphql/request-context';
import type { PatientKey } from '../../medication-list/patient-stream';
import type { AccessRule, AccessTarget } from '../domain/access-rule';
import { OPERATIONS, type Operation } from '../domain/policy';

export type { AccessRule, AccessTarget };

/**
 * The one declarative access step (issue 5): every Query, Mutation and Subscription resolver method carries
 * `@Access(operation, target)`, and the global AccessGuard does the rest (authenticated caller → patient context →
 * decideAccess → audit → allow or FORBIDDEN). A resolver method without the marker is denied (fail closed), and
 * test/e2e/access-coverage.e2e-spec.ts fails for any schema root field without one. Resolvers make no access
 * decisions; a command's actor comes from `@CommandContext()`, never from the client.
 *
 *   @Access('medicationList', { patient: 'patientId' })
 *   @Access('startMedication', { patient: 'input.patientId' })
 *   @Access('careUnit', { careUnit: { organisation: 'organisationNumber', unit: 'unit' } })
 *   @Access('gpWorklist', { hpr: 'hprNumber' })
 *
 * An `emergency: EmergencyAccessInput` argument, when an operation has one, is read by the guard as the emergency
 * statement ("break the glass"); the policy decides where it counts.
 */

export const ACCESS_RULE = 'pll:access-rule';

/** Marks a resolver method with its policy operation and where its patient (care unit, GP) is named. */
export const Access = (operation: Operation, target: AccessTarget = {}): MethodDecorator => {
  // A marker that cannot supply what the policy needs would deny every call: refuse it when the class loads.
  const needs = OPERATIONS[operation].target;
  if (
    (needs === 'patient') !== (target.patient !== undefined) ||
    (needs === 'care-unit') !== (target.careUnit !== undefined) ||
    (needs === 'gp') !== (target.hpr !== undefined)
  ) {
    throw new Error(`@Access('${operation}'): the policy needs the ${needs} target of this operation, and only that`);
  }
  const rule: AccessRule = { operation, ...target };
  return SetMetadata(ACCESS_RULE, rule);
};

/**
 * What the access step granted one resolver call: the command context (actor = toActor(caller, role granted)).
 * Keyed by the call's GraphQLResolveInfo, which Nest hands to the guard and the parameter decorators alike, so two
 * root fields of one request never see each other's grant.
 */
const grants = new WeakMap<object, RequestContext>();

export const recordGrant = (info: object, context: RequestContext): void => {
  grants.set(info, context);
};

/** Thrown when a resolver asks for a grant the guard never made: a wiring error, so nothing runs (fail closed). */
export class MissingGrantError extends Error {
  constructor() {
    super('No access grant for this resolver call: is it marked with @Access?');
    this.name = 'MissingGrantError';
  }
}

/** The RequestContext (actor, correlation id) the access step granted this resolver call. */
export const CommandContext = createParamDecorator((_data: unknown, context: ExecutionContext): RequestContext => {
  const info = GqlExecutionContext.create(context).getInfo<object>();
  const grant = grants.get(info);
  if (grant === undefined) {
    throw new MissingGrantError();
  }
  return grant;
});

/**
 * The patient the access step parsed and keyed for this call (its rule names one): the one key the service and the
 * reads take. Absent only when the marker names no patient, a wiring error, so nothing runs (fail closed).
 */
export const grantedPatient = (context: RequestContext): PatientKey => {
  if (context.patient === undefined) {
    throw new MissingGrantError();
  }
  return context.patient;
};

/**
 * Run before each snapshot a subscription pushes after its first (live authorization, issue 15): resolves when the
 * caller may still see it (and has audited the look); rejects with a typed GraphQLError when not.
 */
export type LiveCheck = () => Promise<void>;

const liveChecks = new WeakMap<object, LiveCheck>();

export const recordLiveCheck = (info: object, check: LiveCheck): void => {
  liveChecks.set(info, check);
};

/** The LiveCheck the access step left for this subscription call. */
export const LiveAccess = createParamDecorator((_data: unknown, context: ExecutionContext): LiveCheck => {
  const check = liveChecks.get(GqlExecutionContext.create(context).getInfo<object>());
  if (check === undefined) {
    throw new MissingGrantError();
  }
  return check;
});
