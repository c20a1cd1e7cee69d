import { osloDateOf } from '../../shared/oslo-date';
import { AccessDeniedError } from './access.errors';
import type { Caller, CallerRole, SecurityLevel } from './caller';

/**
 * Who may do what (issue 5, "Policy"; domain.md, "Who does what"). ONE pure function, `decideAccess`: no clock,
 * no I/O, no framework. Resolvers never decide access themselves; the edge gathers the facts (caller, patient
 * context, target care unit, emergency statement, now), asks here, audits the decision, then runs or refuses.
 * docs/security.md carries the same table in prose.
 */

type OperationKind = 'write' | 'read' | 'subscription';
/**
 * What an operation needs to be decided: a patient (care relations, "is it me?"), a care unit, a GP (the HPR number
 * whose worklist is asked for), or nothing.
 */
type OperationTarget = 'patient' | 'care-unit' | 'gp' | 'none';

const write = { kind: 'write', target: 'patient' } as const;
const read = { kind: 'read', target: 'patient' } as const;

/** Every GraphQL operation (root field) of the API: the 20 list mutations, then the rest. */
export const OPERATIONS = {
  startMedication: write,
  changeDosage: write,
  pauseMedication: write,
  resumeMedication: write,
  discontinueMedication: write,
  retractMedication: write,
  issuePrescription: write,
  renewPrescription: write,
  recallPrescription: write,
  recordDispensing: write,
  annulDispensing: write,
  registerMultidose: write,
  endMultidose: write,
  recordMultidosePacking: write,
  askMultidoseQuestion: write,
  answerMultidoseQuestion: write,
  markListReviewed: write,
  markListNotReviewed: write,
  startCareRelation: write,
  endCareRelation: write,
  resolveDiscrepancy: write,
  importFeed: { kind: 'write', target: 'none' },
  medicationList: read,
  medicationHistory: read,
  discrepancies: read,
  accessLog: read,
  careUnit: { kind: 'read', target: 'care-unit' },
  gpWorklist: { kind: 'read', target: 'gp' },
  medicationListChanged: { kind: 'subscription', target: 'patient' },
  careUnitChanged: { kind: 'subscription', target: 'care-unit' },
} as const satisfies Record<string, { readonly kind: OperationKind; readonly target: OperationTarget }>;

export type Operation = keyof typeof OPERATIONS;

export const ALL_OPERATIONS = Object.keys(OPERATIONS) as readonly Operation[];

export const isWriteOperation = (operation: Operation): boolean => OPERATIONS[operation].kind === 'write';

const only = (...operations: Operation[]): ReadonlySet<Operation> => new Set(operations);

/**
 * Prescriber: every list command, resolving discrepancies, every read of a patient. Not the access log, not feed
 * import (a system role, issue 15), not a care organisation's list of residents (its own staff's and auditors',
 * issue 15). The GP worklist only for the prescriber's own HPR number (it lists patient ids).
 */
const NOT_PRESCRIBER = only('accessLog', 'importFeed', 'careUnit', 'careUnitChanged');
const PRESCRIBER: ReadonlySet<Operation> = new Set(
  ALL_OPERATIONS.filter((operation) => !NOT_PRESCRIBER.has(operation)),
);
/** Pharmacy: dispensing and multidose reports (M10, M25.2, M25.3) and reading the list and its history. */
const PHARMACY = only(
  'recordDispensing',
  'annulDispensing',
  'recordMultidosePacking',
  'askMultidoseQuestion',
  'medicationList',
  'medicationHistory',
);
/** Nursing home / home care, per patient: only with an active care relation ("tjenstlig behov"). */
const CARE_PATIENT = only('medicationList', 'medicationHistory', 'medicationListChanged');
/** Nursing home / home care, per organisation: its own overview only. */
const CARE_UNIT = only('careUnit', 'careUnitChanged');
/** Nursing home / home care: its own admissions and discharges, for its own organisation and unit (issue 15). */
const CARE_RELATION_WRITES = only('startCareRelation', 'endCareRelation');
/** Feed: a system (client credentials, no person) importing another register's records (issue 15). */
const FEED = only('importFeed');
/** Patient: their own list, history and access log (Helsenorge). */
const PATIENT = only('medicationList', 'medicationHistory', 'accessLog');
/** Auditor: the access log, and who is in a care organisation's care (a supervisory look, issue 15). */
const AUDITOR = only('accessLog', 'careUnit', 'careUnitChanged');
/** Emergency access is a one-off look: no standing subscription, no writes. */
const EMERGENCY = only('medicationList', 'medicationHistory');

export type AccessBasis = 'prescriber' | 'pharmacy' | 'care-relation' | 'own-data' | 'emergency' | 'auditor' | 'feed';

export type DenialReason =
  | 'ROLE_NOT_PERMITTED'
  | 'MISSING_HPR'
  | 'MISSING_ORGANISATION'
  | 'NO_CARE_RELATION'
  | 'OTHER_ORGANISATION'
  | 'NOT_OWN_DATA'
  | 'INSUFFICIENT_SECURITY_LEVEL'
  | 'EMERGENCY_REASON_REQUIRED'
  | 'MISSING_PATIENT_CONTEXT'
  | 'MISSING_CARE_UNIT'
  | 'NOT_OWN_WORKLIST'
  | 'MISSING_WORKLIST_HPR'
  | 'EMERGENCY_NOT_FOR_SUBSCRIPTIONS'
  | 'ORGANISATION_NOT_REGISTERED'
  | 'HER_ID_NOT_CALLERS'
  | 'ORGANISATION_HAS_NO_HER_ID'
  | 'FEED_NEEDS_CLIENT_CREDENTIALS';

/** Norwegian access basis codes for access without a care relation (domain.md). */
export const EMERGENCY_BASIS_CODES = ['HPAKUTT', 'HPMOTTATTSAMTYKKE', 'HPUNNTAK'] as const;
export type EmergencyBasisCode = (typeof EMERGENCY_BASIS_CODES)[number];

export interface EmergencyAccess {
  readonly reason: string;
  readonly basisCode: EmergencyBasisCode;
}

/** A care relation of the patient (the current-list document's `careRelations` fit as they are). */
export interface CareRelationContext {
  readonly relationId?: string;
  readonly organisationNumber: string;
  readonly unit?: string | null;
  /** first day (YYYY-MM-DD), inclusive */
  readonly from?: string;
  /** last day (YYYY-MM-DD), inclusive; null/absent: open-ended */
  readonly to?: string | null;
}

export interface PatientAccessContext {
  /** computed by the edge with isCallerThePatient(caller, patientId) */
  readonly isCallerThePatient: boolean;
  readonly careRelations: readonly CareRelationContext[];
}

export interface CareUnitTarget {
  readonly organisationNumber: string;
  /** null/absent: the whole organisation's overview */
  readonly unit?: string | null;
}

/** Whose GP worklist is asked for (gpWorklist). */
export interface GpTarget {
  /** the requested HPR number, validated (assertHprNumber) by the edge */
  readonly hprNumber: string;
}

export interface AccessRequest {
  readonly caller: Caller;
  readonly operation: Operation;
  /** required for patient operations; absent → denied (fail closed) */
  readonly patient?: PatientAccessContext;
  /** required for careUnit / careUnitChanged */
  readonly careUnit?: CareUnitTarget;
  /** required for gpWorklist */
  readonly gp?: GpTarget;
  readonly emergency?: EmergencyAccess;
  /**
   * The token names an `orgnr_child` the organisation register does not place under its `orgnr_parent` (issue 15):
   * HelseID does not validate the child, so such a token is refused whatever else it holds.
   */
  readonly untrustedChildOrganisation?: boolean;
  /**
   * startCareRelation / endCareRelation: the organisation and unit the relation names (for an end, the relation's as
   * the patient's list holds it; absent when the list holds no such relation). A care organisation writes its own.
   */
  readonly careRelation?: CareUnitTarget;
  /**
   * An operation that records who acted by HER-id (recordDispensing, issue 15): the HER-id the register gives the
   * caller's organisation (absent: it has none) and the one the input names, if any. Checked once access is granted.
   */
  readonly attribution?: { readonly callerHerId?: string; readonly claimedHerId?: string };
  readonly minimumSecurityLevel: { readonly read: SecurityLevel; readonly write: SecurityLevel };
  /** now (ISO 8601): which care relations are active today (Norwegian date) */
  readonly at: string;
}

export type AccessDecision =
  | { readonly allowed: true; readonly basis: AccessBasis; readonly flagged: boolean }
  | {
      readonly allowed: false;
      readonly reasonCode: DenialReason;
      /** set when a basis existed but the security level was too low */
      readonly basis?: AccessBasis;
      readonly flagged: boolean;
    };

type RoleOutcome =
  | { readonly kind: 'granted'; readonly basis: AccessBasis }
  | { readonly kind: 'denied'; readonly reason: DenialReason }
  | { readonly kind: 'not-applicable' };

const granted = (basis: AccessBasis): RoleOutcome => ({ kind: 'granted', basis });
const denied = (reason: DenialReason): RoleOutcome => ({ kind: 'denied', reason });
const notApplicable: RoleOutcome = { kind: 'not-applicable' };

// Care relations are dated in Norwegian calendar days; near midnight UTC and Oslo disagree on "today".
const todayOf = (at: string): string | undefined => osloDateOf(at);

const callerOrganisations = (caller: Caller): string[] =>
  [caller.organisation.child, caller.organisation.parent].filter((org): org is string => org !== undefined);

/**
 * A relation covers the caller when it names the caller's sub-unit or legal entity (orgnr_child / orgnr_parent),
 * is active today, and — when both the relation and the token name a unit — the units are equal. A token without
 * a unit acts for the whole organisation; a relation without a unit covers every unit of it.
 */
const relationCovers = (caller: Caller, relation: CareRelationContext, today: string): boolean =>
  callerOrganisations(caller).includes(relation.organisationNumber) &&
  (relation.from === undefined || relation.from <= today) &&
  (relation.to === undefined || relation.to === null || today <= relation.to) &&
  (relation.unit === undefined ||
    relation.unit === null ||
    caller.careUnit === undefined ||
    caller.careUnit === relation.unit);

/** The overview of an organisation (or a unit of it); a unit-scoped caller sees its own unit only. */
const careUnitCovers = (caller: Caller, target: CareUnitTarget): boolean =>
  callerOrganisations(caller).includes(target.organisationNumber) &&
  (caller.careUnit === undefined || caller.careUnit === target.unit);

const evaluateRole = (role: CallerRole, request: AccessRequest): RoleOutcome => {
  const { caller, operation } = request;
  const hasOrganisation = callerOrganisations(caller).length > 0;
  switch (role) {
    case 'prescriber':
      if (!PRESCRIBER.has(operation)) {
        return notApplicable;
      }
      if (caller.hprNumber === undefined) {
        return denied('MISSING_HPR');
      }
      // A worklist names patients: a GP reads only their own.
      if (OPERATIONS[operation].target === 'gp' && request.gp?.hprNumber !== caller.hprNumber) {
        return denied('NOT_OWN_WORKLIST');
      }
      return granted('prescriber');
    case 'pharmacy':
      if (!PHARMACY.has(operation)) {
        return notApplicable;
      }
      return hasOrganisation ? granted('pharmacy') : denied('MISSING_ORGANISATION');
    case 'care': {
      if (!CARE_PATIENT.has(operation) && !CARE_UNIT.has(operation) && !CARE_RELATION_WRITES.has(operation)) {
        return notApplicable;
      }
      if (!hasOrganisation) {
        return denied('MISSING_ORGANISATION');
      }
      if (CARE_RELATION_WRITES.has(operation)) {
        return request.careRelation !== undefined && careUnitCovers(caller, request.careRelation)
          ? granted('care-relation')
          : denied('OTHER_ORGANISATION');
      }
      if (CARE_UNIT.has(operation)) {
        return request.careUnit !== undefined && careUnitCovers(caller, request.careUnit)
          ? granted('care-relation')
          : denied('OTHER_ORGANISATION');
      }
      const today = todayOf(request.at);
      const relations = request.patient?.careRelations ?? [];
      const covered = today !== undefined && relations.some((relation) => relationCovers(caller, relation, today));
      return covered ? granted('care-relation') : denied('NO_CARE_RELATION');
    }
    case 'patient':
      if (!PATIENT.has(operation)) {
        return notApplicable;
      }
      return caller.pid !== undefined && request.patient?.isCallerThePatient === true
        ? granted('own-data')
        : denied('NOT_OWN_DATA');
    case 'auditor':
      return AUDITOR.has(operation) ? granted('auditor') : notApplicable;
    case 'feed':
      if (!FEED.has(operation)) {
        return notApplicable;
      }
      // A system, not a person: a token naming a person is not a feed's, whatever scopes it holds.
      if (caller.pid !== undefined || caller.hprNumber !== undefined) {
        return denied('FEED_NEEDS_CLIENT_CREDENTIALS');
      }
      return hasOrganisation ? granted('feed') : denied('MISSING_ORGANISATION');
  }
};

const withSecurityLevel = (request: AccessRequest, basis: AccessBasis, flagged: boolean): AccessDecision => {
  if (basis === 'feed') {
    // A client-credentials token has no person and so no security level; the feed scope is granted to a system.
    return { allowed: true, basis, flagged };
  }
  const { read: minRead, write: minWrite } = request.minimumSecurityLevel;
  const minimum = isWriteOperation(request.operation) ? minWrite : minRead;
  const level = request.caller.securityLevel;
  // No level (a client-credentials token without a person) never passes: every operation touches patient data.
  return level !== undefined && level >= minimum
    ? { allowed: true, basis, flagged }
    : { allowed: false, reasonCode: 'INSUFFICIENT_SECURITY_LEVEL', basis, flagged };
};

const MAX_EMERGENCY_REASON = 1000;

const isStatedEmergency = (emergency: EmergencyAccess): boolean => {
  const reason = emergency.reason.trim();
  return (
    reason !== '' &&
    reason.length <= MAX_EMERGENCY_REASON &&
    EMERGENCY_BASIS_CODES.some((code) => code === emergency.basisCode)
  );
};

/**
 * Emergency access ("break the glass", basis codes HPAKUTT / HPMOTTATTSAMTYKKE / HPUNNTAK): a prescriber or nurse
 * without another basis may read the list when they state a reason. Allowed and flagged; the health worker must be
 * identifiable by HPR number, because the patient is shown who looked. Used only when no ordinary basis applies.
 */
const emergencyDecision = (request: AccessRequest, emergency: EmergencyAccess): AccessDecision | undefined => {
  const { caller } = request;
  const eligibleRole = caller.roles.includes('prescriber') || caller.roles.includes('care');
  if (eligibleRole && OPERATIONS[request.operation].kind === 'subscription') {
    // A standing feed is not a one-off look (issue 15): refused with its own code, flagged so the patient sees it.
    return { allowed: false, reasonCode: 'EMERGENCY_NOT_FOR_SUBSCRIPTIONS', flagged: true };
  }
  if (!eligibleRole || !EMERGENCY.has(request.operation)) {
    return undefined;
  }
  if (caller.hprNumber === undefined) {
    return { allowed: false, reasonCode: 'MISSING_HPR', flagged: true };
  }
  if (!isStatedEmergency(emergency)) {
    return { allowed: false, reasonCode: 'EMERGENCY_REASON_REQUIRED', flagged: true };
  }
  return withSecurityLevel(request, 'emergency', true);
};

/**
 * A write is attributed to the caller, never to the request body (issue 15): the HER-id recorded is the caller's
 * organisation's, so a caller whose organisation has none cannot record, and an input naming another is refused.
 */
const attributionDenial = (request: AccessRequest): DenialReason | undefined => {
  const { attribution } = request;
  if (attribution === undefined) {
    return undefined;
  }
  if (attribution.callerHerId === undefined) {
    return 'ORGANISATION_HAS_NO_HER_ID';
  }
  return attribution.claimedHerId !== undefined && attribution.claimedHerId !== attribution.callerHerId
    ? 'HER_ID_NOT_CALLERS'
    : undefined;
};

/** Decides one request. Pure and total: every input yields a decision; anything missing is a denial. */
export const decideAccess = (request: AccessRequest): AccessDecision => {
  const { target } = OPERATIONS[request.operation];
  const flagged = request.emergency !== undefined;
  if (target === 'patient' && request.patient === undefined) {
    return { allowed: false, reasonCode: 'MISSING_PATIENT_CONTEXT', flagged };
  }
  if (target === 'care-unit' && request.careUnit === undefined) {
    return { allowed: false, reasonCode: 'MISSING_CARE_UNIT', flagged };
  }
  if (target === 'gp' && request.gp === undefined) {
    return { allowed: false, reasonCode: 'MISSING_WORKLIST_HPR', flagged };
  }
  if (request.untrustedChildOrganisation === true) {
    return { allowed: false, reasonCode: 'ORGANISATION_NOT_REGISTERED', flagged };
  }
  const outcomes = request.caller.roles.map((role) => evaluateRole(role, request));
  for (const outcome of outcomes) {
    if (outcome.kind === 'granted') {
      // An ordinary basis wins: a stated emergency is then not needed and not flagged.
      const attribution = attributionDenial(request);
      return attribution === undefined
        ? withSecurityLevel(request, outcome.basis, false)
        : { allowed: false, reasonCode: attribution, basis: outcome.basis, flagged: false };
    }
  }
  const viaEmergency = request.emergency === undefined ? undefined : emergencyDecision(request, request.emergency);
  if (viaEmergency !== undefined) {
    return viaEmergency;
  }
  const firstDenial = outcomes.find((outcome) => outcome.kind === 'denied');
  return { allowed: false, reasonCode: firstDenial?.reason ?? 'ROLE_NOT_PERMITTED', flagged };
};

/** The role a decision was made under, for audit and event metadata (emergency: the caller's clinical role). */
export const roleOfDecision = (caller: Caller, decision: AccessDecision): CallerRole | undefined => {
  switch (decision.basis) {
    case 'prescriber':
      return 'prescriber';
    case 'pharmacy':
      return 'pharmacy';
    case 'care-relation':
      return 'care';
    case 'own-data':
      return 'patient';
    case 'auditor':
      return 'auditor';
    case 'feed':
      return 'feed';
    case 'emergency':
      return caller.roles.includes('prescriber') ? 'prescriber' : 'care';
    case undefined:
      return caller.roles[0];
  }
};

/** Throws AccessDeniedError (FORBIDDEN) for a denial. Call after the decision is audited. */
export const assertAllowed = (operation: Operation, decision: AccessDecision): void => {
  if (!decision.allowed) {
    throw new AccessDeniedError(operation, decision.reasonCode);
  }
};
