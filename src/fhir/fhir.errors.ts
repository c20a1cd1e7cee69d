import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from '@nestjs/common';
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { AuthenticationError } from '../access/domain/access.errors';
import { LOGGER, maskIdentifiers } from '../observability/logger';
import { type DomainErrorKind, isDomainError } from '../shared/errors/domain-error';
import { StaleVersionError } from '../shared/event-sourcing/event-store.errors';

/**
 * Errors of the FHIR edge as OperationOutcome with the HTTP status FHIR's RESTful API prescribes (docs/fhir.md):
 * 400 a request or resource we cannot read (with a FHIRPath `expression` to the field), 401 no valid token,
 * 403 denied (audited before), 404 unknown resource, 406 not JSON, 409 a concurrent write, 412 a stale
 * `If-Match`, 422 a domain rule refused the command (the same error code GraphQL gives, in `details.coding`),
 * 429 the caller's rate limit (RATE_LIMITED, with Retry-After), 503 a dependency unavailable. Messages carry codes and field paths only, never patient data.
 */

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';
/** The system of this service's error codes in OperationOutcome.issue.details: GraphQL's `extensions.errorCode`. */
export const ERROR_CODE_SYSTEM = 'http://legemiddelliste.no/fhir/CodeSystem/error-code';

type IssueType = OperationOutcomeIssue['code'];

/** A refusal made by the FHIR edge itself (bad search parameter, unknown id, wrong format …). */
export class FhirRequestError extends Error {
  constructor(
    readonly status: number,
    readonly issueCode: IssueType,
    message: string,
    readonly expression?: string,
    readonly errorCode?: string,
  ) {
    super(message);
    this.name = 'FhirRequestError';
  }
}

/** The caller's bucket is empty (the limiter /graphql uses, rate-limit.module.ts): 429 with Retry-After. */
export class FhirRateLimitedError extends FhirRequestError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      429,
      'throttled',
      'Too many requests: slow down and retry after the number of seconds in Retry-After',
      undefined,
      'RATE_LIMITED',
    );
    this.name = 'FhirRateLimitedError';
  }
}

export const outcomeOf = (
  issueCode: IssueType,
  text: string,
  extra: Partial<OperationOutcomeIssue> = {},
): OperationOutcome => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: issueCode, diagnostics: maskIdentifiers(text), ...extra }],
});

/** A domain error's status: writes refused by a rule are 422; what a read cannot find is 404. */
const DOMAIN_STATUS: Readonly<Record<DomainErrorKind, { status: number; code: IssueType }>> = {
  invalid: { status: 422, code: 'processing' },
  forbidden: { status: 403, code: 'forbidden' },
  'not-found': { status: 422, code: 'not-found' },
  conflict: { status: 409, code: 'conflict' },
  unavailable: { status: 503, code: 'transient' },
};

const detailsOf = (errorCode: string): Pick<OperationOutcomeIssue, 'details'> => ({
  details: { coding: [{ system: ERROR_CODE_SYSTEM, code: errorCode }], text: errorCode },
});

/** The status and body of any error thrown in a FHIR handler. */
export const fhirErrorResponse = (
  error: unknown,
): { status: number; body: OperationOutcome; challenge?: string; retryAfterSeconds?: number } => {
  if (error instanceof FhirRequestError) {
    return {
      ...(error instanceof FhirRateLimitedError ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
      status: error.status,
      body: outcomeOf(error.issueCode, error.message, {
        ...(error.expression === undefined ? {} : { expression: [error.expression] }),
        ...(error.errorCode === undefined ? {} : detailsOf(error.errorCode)),
      }),
    };
  }
  if (error instanceof AuthenticationError) {
    return { status: 401, body: outcomeOf('login', error.message, detailsOf(error.code)), challenge: error.challenge };
  }
  if (error instanceof StaleVersionError) {
    return { status: 412, body: outcomeOf('conflict', error.message, detailsOf(error.code)) };
  }
  if (isDomainError(error)) {
    const { status, code } = DOMAIN_STATUS[error.kind];
    return { status, body: outcomeOf(code, error.message, detailsOf(error.code)) };
  }
  return { status: 500, body: outcomeOf('exception', 'Internal server error') };
};

/** Every error of the FHIR controllers becomes an OperationOutcome; unexpected ones are logged with their stack. */
@Catch()
export class FhirExceptionFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body, challenge, retryAfterSeconds } = fhirErrorResponse(exception);
    if (status >= 500) {
      this.logger.error({ err: exception }, 'FHIR request failed');
    } else {
      this.logger.info({ status, code: body.issue[0]?.details?.text ?? body.issue[0]?.code }, 'FHIR request refused');
    }
    if (challenge !== undefined) {
      void reply.header('www-authenticate', challenge);
    }
    if (retryAfterSeconds !== undefined) {
      void reply.header('retry-after', String(retryAfterSeconds));
    }
    void reply.code(status).header('content-type', FHIR_JSON).header('cache-control', 'no-store').send(body);
  }
}
