import type { CallerRole } from './caller';
import type { AccessBasis, DenialReason, EmergencyBasisCode, Operation } from './policy';

/*
 * The access log's event (issue 5, "Audit"): what is recorded of every look at, or change of, a patient's data.
 * The service that appends and reads it is ../audit.ts; the FHIR AuditEvent mapper reads this shape too.
 */

export const ACCESS_EVENT_SCHEMA_VERSION = 1;

/** Who looked (HPR number, organisation, role — never a pid), at what, on what basis, with what outcome. */
export interface PatientDataAccessed {
  readonly type: 'PatientDataAccessed';
  readonly data: {
    readonly operation: Operation;
    /** absent when denied without any basis */
    readonly basis?: AccessBasis;
    readonly outcome: 'allowed' | 'denied';
    readonly reasonCode?: DenialReason;
    /** emergency access stated: shown to the patient */
    readonly flagged: boolean;
    readonly emergencyReason?: string;
    readonly emergencyBasisCode?: EmergencyBasisCode;
    readonly callerHpr?: string;
    /** the organisation the caller acted for: the trusted sub-unit, else the legal entity */
    readonly callerOrganisation?: string;
    /** orgnr_parent (legal entity) */
    readonly callerParentOrganisation?: string;
    /** orgnr_child, only when the organisation register places it under the parent */
    readonly callerChildOrganisation?: string;
    /** an orgnr_child the register does not place under the parent: a claim, recorded, never blamed */
    readonly untrustedChildOrganisation?: string;
    /** the client system (HelseID client_id) */
    readonly clientId?: string;
    /** the patient looked at their own data (never their number) */
    readonly byPatient?: boolean;
    /** a feed import named this patient: which feed (eprescription, core-record; issue 15) */
    readonly feedSource?: string;
    readonly callerRole: CallerRole | 'none';
    readonly at: string;
  };
}

/** The access log's event types: no read model projects them (the log is read from its stream). */
export const accessEventTypes: readonly PatientDataAccessed['type'][] = ['PatientDataAccessed'];
