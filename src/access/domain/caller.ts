import type { JWTPayload } from 'jose';
import { isValidHprNumber, isValidOrganisationNumber, isValidPatientId } from '../../identifiers/norwegian-identifiers';
import type { Actor, ActorRole } from '../../shared/event-sourcing/event-store.port';
import { AuthenticationError } from './access.errors';

/**
 * The verified caller of a request, mapped from HelseID access-token claims (domain.md, "Identity of callers").
 * HelseID claim names: https://utviklerportal.nhn.no (HelseID, "Claims in access tokens").
 *
 * `pid` is the caller's own fødselsnummer: it is used only to decide "is this the patient?" and must never be
 * logged, audited or put in an error. Use `callerLogFields` for logs and `toActor` for event metadata.
 */

export const HELSEID_CLAIMS = {
  pid: 'helseid://claims/identity/pid',
  securityLevel: 'helseid://claims/identity/security_level',
  hprNumber: 'helseid://claims/hpr/hpr_number',
  orgnrParent: 'helseid://claims/client/claims/orgnr_parent',
  orgnrChild: 'helseid://claims/client/claims/orgnr_child',
  clientId: 'client_id',
  scope: 'scope',
} as const;

/**
 * Not a HelseID claim: the care unit (ward, home-care district) a nursing-home or home-care client acts for,
 * matched against the `unit` of a care relation. HelseID identifies the organisation by orgnr_parent/orgnr_child
 * only; a unit below the sub-unit must come from the client's own token profile (or token exchange). Absent: the
 * caller acts for the whole organisation. Pending confirmation with the HelseID client registration.
 */
export const CARE_UNIT_CLAIM = 'e-helse:pll/care_unit';

/**
 * The API scopes of this service, in the HelseID style `<audience prefix>/<scope>`. One scope per role; the
 * identity requirements of each role (HPR number, organisation, pid) are checked by the policy, not here.
 */
export const PLL_SCOPES = {
  prescriber: 'e-helse:pll/prescriber',
  pharmacy: 'e-helse:pll/pharmacy',
  care: 'e-helse:pll/care',
  patient: 'e-helse:pll/patient',
  auditor: 'e-helse:pll/audit',
  /** a system importing another register's records (importFeed): client credentials, no person (issue 15) */
  feed: 'e-helse:pll/feed',
} as const;

export type CallerRole = keyof typeof PLL_SCOPES;

/** Role precedence: when a token holds several role scopes, the policy tries them in this order. */
export const CALLER_ROLES: readonly CallerRole[] = ['prescriber', 'pharmacy', 'care', 'patient', 'auditor', 'feed'];

/** HelseID security levels (Norwegian "sikkerhetsnivå"): 4 is BankID / Buypass, 3 is MinID and the like. */
export type SecurityLevel = 2 | 3 | 4;

export interface CallerOrganisation {
  /** legal entity (juridisk enhet) */
  readonly parent?: string;
  /** sub-unit (virksomhet / underenhet) */
  readonly child?: string;
}

export interface Caller {
  readonly clientId: string;
  /** the caller's fødselsnummer: compare only, never log */
  readonly pid?: string;
  /** absent for client-credentials tokens without a person */
  readonly securityLevel?: SecurityLevel;
  readonly hprNumber?: string;
  readonly organisation: CallerOrganisation;
  readonly careUnit?: string;
  readonly scopes: readonly string[];
  readonly roles: readonly CallerRole[];
  /**
   * The token's `exp` (seconds since the epoch). A WebSocket connection outlives the request that opened it, so its
   * subscriptions are stopped when the token ends (exp plus the clock skew; src/graphql/ws-connection.ts).
   */
  readonly expiresAt?: number;
}

const invalid = (): AuthenticationError => new AuthenticationError('TOKEN_CLAIMS_INVALID');

/** A string claim (numbers accepted: some issuers emit HPR numbers as numbers). Present but malformed → reject. */
const optionalString = (payload: JWTPayload, claim: string, valid: (value: string) => boolean): string | undefined => {
  const raw = payload[claim];
  if (raw === undefined) {
    return undefined;
  }
  const value = typeof raw === 'number' && Number.isInteger(raw) ? String(raw) : raw;
  if (typeof value !== 'string' || !valid(value.trim())) {
    throw invalid();
  }
  return value.trim();
};

const securityLevelOf = (payload: JWTPayload): SecurityLevel | undefined => {
  // HelseID sends the level as a string ("4"); accept a number too.
  const raw = optionalString(payload, HELSEID_CLAIMS.securityLevel, (value) => /^[234]$/.test(value));
  return raw === undefined ? undefined : (Number(raw) as SecurityLevel);
};

/** RFC 8693 §4.2 / RFC 9068: `scope` is a space-separated string; some issuers emit an array. */
const scopesOf = (payload: JWTPayload): string[] => {
  const raw = payload[HELSEID_CLAIMS.scope];
  if (typeof raw === 'string') {
    return raw.split(' ').filter((scope) => scope !== '');
  }
  if (Array.isArray(raw) && raw.every((scope): scope is string => typeof scope === 'string')) {
    return raw;
  }
  throw invalid();
};

/** Maps verified claims to a Caller. Throws AuthenticationError (TOKEN_CLAIMS_INVALID) for malformed claims. */
export const callerFromClaims = (payload: JWTPayload): Caller => {
  const clientId = payload[HELSEID_CLAIMS.clientId];
  if (typeof clientId !== 'string' || clientId === '') {
    throw invalid();
  }
  const scopes = scopesOf(payload);
  const pid = optionalString(payload, HELSEID_CLAIMS.pid, isValidPatientId);
  const securityLevel = securityLevelOf(payload);
  const hprNumber = optionalString(payload, HELSEID_CLAIMS.hprNumber, isValidHprNumber);
  const parent = optionalString(payload, HELSEID_CLAIMS.orgnrParent, isValidOrganisationNumber);
  const child = optionalString(payload, HELSEID_CLAIMS.orgnrChild, isValidOrganisationNumber);
  // Unit names are Norwegian words ("Sjøsiden 2"): letters and digits of any script, spaces, . _ -
  const careUnit = optionalString(payload, CARE_UNIT_CLAIM, (value) => /^[\p{L}\p{N} ._-]{1,100}$/u.test(value));
  return {
    clientId,
    ...(pid === undefined ? {} : { pid }),
    ...(securityLevel === undefined ? {} : { securityLevel }),
    ...(hprNumber === undefined ? {} : { hprNumber }),
    organisation: { ...(parent === undefined ? {} : { parent }), ...(child === undefined ? {} : { child }) },
    ...(careUnit === undefined ? {} : { careUnit }),
    scopes,
    roles: CALLER_ROLES.filter((role) => scopes.includes(PLL_SCOPES[role])),
    ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp } : {}),
  };
};

/** "Is the caller the patient?": the token's pid against the patient id of the request (trimmed, exact). */
export const isCallerThePatient = (caller: Caller, patientId: string): boolean =>
  caller.pid !== undefined && caller.pid === patientId.trim();

/** The organisation to name the caller by: the sub-unit when given (more precise), else the legal entity. */
export const callerOrganisationNumber = (caller: Caller): string | undefined =>
  caller.organisation.child ?? caller.organisation.parent;

const ACTOR_ROLE: Readonly<Record<CallerRole, ActorRole>> = {
  prescriber: 'prescriber',
  pharmacy: 'pharmacy',
  care: 'nurse',
  patient: 'patient',
  // ActorRole has no auditor (event-store.port.ts is shared); auditors only read, so this appears in audit only.
  auditor: 'system',
  feed: 'system',
};

/**
 * The actor recorded in event metadata: HPR number for health personnel, organisation number for institutions,
 * never the pid (a patient acting on their own data is recorded as role `patient` without identifiers).
 * `role`: the role the access was granted under (policy basis); defaults to the caller's first role.
 */
export const toActor = (caller: Caller, role: CallerRole | undefined = caller.roles[0]): Actor => {
  const organisationNumber = callerOrganisationNumber(caller);
  if (role === undefined || role === 'patient') {
    return { role: role === undefined ? 'system' : 'patient' };
  }
  return {
    role: ACTOR_ROLE[role],
    ...(caller.hprNumber === undefined ? {} : { hprNumber: caller.hprNumber }),
    ...(organisationNumber === undefined ? {} : { organisationNumber }),
  };
};

/** What may be logged about a caller: no pid, no token. */
export const callerLogFields = (caller: Caller): Readonly<Record<string, string | readonly string[] | number>> => ({
  clientId: caller.clientId,
  roles: caller.roles,
  ...(caller.hprNumber === undefined ? {} : { hprNumber: caller.hprNumber }),
  ...(callerOrganisationNumber(caller) === undefined ? {} : { organisation: callerOrganisationNumber(caller) ?? '' }),
  ...(caller.securityLevel === undefined ? {} : { securityLevel: caller.securityLevel }),
});
