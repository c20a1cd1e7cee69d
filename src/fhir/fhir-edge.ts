import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AccessGate, type GateRequest } from '../access/access-gate';
import { AUTH_CONFIG } from '../access/access.module';
import type { AuthConfig } from '../access/auth-config';
import type { Caller } from '../access/domain/caller';
import { EMERGENCY_BASIS_CODES, type EmergencyAccess, type Operation } from '../access/domain/policy';
import { TokenVerifier } from '../access/tokens/token-verifier';
import { TokenBucketLimiter, rateLimitKey } from '../graphql/rate-limit';
import { correlationIdOf, type RequestContext } from '../graphql/request-context';
import { parsePatientId } from '../identifiers/norwegian-identifiers';
import type { PatientKey } from '../medication-list/patient-stream';
import { isCleanText } from '../shared/text/free-text';
import type { FhirPatient } from '../../projections/fhir/fhir-systems';
import { FhirRateLimitedError, FhirRequestError } from './fhir.errors';

/**
 * What every FHIR request passes before a handler reads anything: JSON only (406 otherwise), a verified HelseID
 * token (the same TokenVerifier, DPoP included, as /graphql: 401 otherwise), the caller's rate limit (the same
 * bucket as /graphql: 429 with Retry-After), then the one access step
 * (AccessGate: policy + audit before the answer, fail closed). Emergency access ("break the glass") is stated in
 * two headers, `X-Emergency-Basis` (HPAKUTT, HPMOTTATTSAMTYKKE, HPUNNTAK) and `X-Emergency-Reason`
 * (percent-encoded UTF-8), and decided by the same policy as GraphQL's `emergency` argument.
 */

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const JSON_TYPES = [
  'application/fhir+json',
  'application/json',
  'application/*',
  '*/*',
  'json',
  'application/json+fhir',
];

/** True when the client accepts JSON (Accept header and FHIR's `_format` parameter). */
const acceptsJson = (request: FastifyRequest): boolean => {
  const format = (request.query as Record<string, unknown> | undefined)?._format;
  if (typeof format === 'string' && !JSON_TYPES.includes(format.trim().toLowerCase())) {
    return false;
  }
  const accept = header(request, 'accept');
  return (
    accept === undefined ||
    accept.split(',').some((part) => JSON_TYPES.includes((part.split(';')[0] ?? '').trim().toLowerCase()))
  );
};

const PATIENT_SYSTEMS = new Set([
  'urn:oid:2.16.578.1.12.4.1.4.1',
  'urn:oid:2.16.578.1.12.4.1.4.2',
  'urn:oid:2.16.578.1.12.4.1.4.3',
]);

/**
 * `patient.identifier=<OID>|<number>` (or `subject.identifier`): the patient as Norwegian FHIR names them. The
 * number must be valid and of the kind its system names; it is never echoed in an error.
 */
export const patientOfParameter = (raw: unknown, parameter = 'patient.identifier'): FhirPatient => {
  if (typeof raw !== 'string' || !raw.includes('|')) {
    throw new FhirRequestError(400, 'required', `${parameter} is required as <system>|<value>`, parameter);
  }
  const [system = '', value = ''] = raw.split('|');
  if (!PATIENT_SYSTEMS.has(system)) {
    throw new FhirRequestError(400, 'code-invalid', `${parameter}: unknown identifier system`, parameter);
  }
  const parsed = (() => {
    try {
      return parsePatientId(value, parameter);
    } catch {
      throw new FhirRequestError(
        400,
        'value',
        `${parameter}: invalid patient identifier`,
        parameter,
        'INVALID_IDENTIFIER',
      );
    }
  })();
  if (parsed.system !== system) {
    throw new FhirRequestError(400, 'value', `${parameter}: the number is not of the kind its system names`, parameter);
  }
  return { system, value: parsed.value };
};

const emergencyOf = (request: FastifyRequest): EmergencyAccess | undefined => {
  const basis = header(request, 'x-emergency-basis');
  const rawReason = header(request, 'x-emergency-reason');
  if (basis === undefined && rawReason === undefined) {
    return undefined;
  }
  const basisCode = EMERGENCY_BASIS_CODES.find((code) => code === basis?.trim());
  let reason = '';
  try {
    reason = decodeURIComponent(rawReason ?? '');
  } catch {
    throw new FhirRequestError(400, 'value', 'X-Emergency-Reason must be percent-encoded UTF-8');
  }
  // Free text is text (free-text.ts), as for GraphQL's emergency.reason: refused before anything is audited.
  if (!isCleanText(reason, true)) {
    throw new FhirRequestError(
      400,
      'value',
      'X-Emergency-Reason contains a control, bidirectional override or unpaired surrogate character (tab and newline are allowed)',
      'X-Emergency-Reason',
      'INVALID_TEXT',
    );
  }
  // An unknown basis code is still a stated emergency: the policy refuses it (EMERGENCY_REASON_REQUIRED), flagged.
  return { reason: reason.normalize('NFC'), basisCode: basisCode ?? ('' as EmergencyAccess['basisCode']) };
};

export interface Admitted {
  readonly caller: Caller;
  readonly context: RequestContext;
}

/** Admitted to a patient named by id: the context carries the patient the gate parsed and keyed (once per request). */
export interface PatientAdmitted extends Admitted {
  readonly context: RequestContext & { readonly patient: PatientKey };
}

/** Admitted to a list named by its id: whether the caller is its patient (the gate has compared the keyed pid). */
export interface ListAdmitted extends Admitted {
  readonly callerIsPatient: boolean;
}

@Injectable()
export class FhirEdge {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly gate: AccessGate,
    private readonly limiter: TokenBucketLimiter,
    @Inject(AUTH_CONFIG) private readonly auth: AuthConfig,
  ) {}

  /** 406 unless JSON is acceptable; no token needed (the CapabilityStatement is public). */
  negotiate(request: FastifyRequest): void {
    if (!acceptsJson(request)) {
      throw new FhirRequestError(406, 'not-supported', 'Only application/fhir+json is supported');
    }
  }

  /**
   * 406, then 401 unless the token verifies (the same verifier as /graphql, DPoP included), then 429 when the
   * caller's bucket is empty. Every authenticated FHIR request passes here exactly once, so it takes one token.
   */
  async authenticate(request: FastifyRequest): Promise<Caller> {
    this.negotiate(request);
    const base = this.auth.publicBaseUrl ?? `${request.protocol}://${request.host}`;
    const dpop = header(request, 'dpop');
    const caller = await this.verifier.verify({
      authorization: header(request, 'authorization'),
      ...(dpop === undefined ? {} : { dpop }),
      method: request.method,
      url: `${base}${request.url}`,
    });
    const decision = this.limiter.take(rateLimitKey(caller));
    if (!decision.allowed) {
      throw new FhirRateLimitedError(decision.retryAfterSeconds);
    }
    return caller;
  }

  /**
   * The access step for `operation` on the patient `patientId` names: policy, audit (awaited, fail closed), 403 when
   * denied. The gate parses and keys the patient once; the context hands that key on to the service and the reads.
   */
  async authorisePatient(
    request: FastifyRequest,
    caller: Caller,
    operation: Operation,
    patientId: string,
    attributed?: GateRequest['attributed'],
  ): Promise<PatientAdmitted> {
    const correlationId = correlationIdOf(request);
    const { actor, patient } = await this.gate.checkPatient({
      ...this.gateRequest(request, caller, operation, correlationId, attributed),
      target: { patientId },
    });
    return { caller, context: { actor, correlationId, patient } };
  }

  /** The same step for a list named by its id (a read by resource id). */
  async authoriseList(
    request: FastifyRequest,
    caller: Caller,
    operation: Operation,
    listId: string,
  ): Promise<ListAdmitted> {
    const correlationId = correlationIdOf(request);
    const { actor, callerIsPatient } = await this.gate.checkList({
      ...this.gateRequest(request, caller, operation, correlationId),
      target: { listId },
    });
    return { caller, context: { actor, correlationId }, callerIsPatient };
  }

  /** authenticate, then authorisePatient. */
  async admit(request: FastifyRequest, operation: Operation, patientId: string): Promise<PatientAdmitted> {
    return this.authorisePatient(request, await this.authenticate(request), operation, patientId);
  }

  /** The service's base URL for `fullUrl`s. */
  baseUrl(request: FastifyRequest): string {
    return `${this.auth.publicBaseUrl ?? `${request.protocol}://${request.host}`}/fhir`;
  }

  /** What both steps send the gate besides the target: the emergency headers, read here, and the attribution. */
  private gateRequest(
    request: FastifyRequest,
    caller: Caller,
    operation: Operation,
    correlationId: string,
    attributed?: GateRequest['attributed'],
  ): Omit<GateRequest, 'target'> {
    const emergency = emergencyOf(request);
    return {
      caller,
      operation,
      correlationId,
      ...(emergency === undefined ? {} : { emergency }),
      ...(attributed === undefined ? {} : { attributed }),
    };
  }
}
