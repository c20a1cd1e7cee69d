import { HttpException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type ExecutionResult, type FormattedExecutionResult, GraphQLError, type GraphQLFormattedError } from 'graphql';
import { maskIdentifiers } from '../../observability/logger';
import { DomainError, type DomainErrorKind, isDomainError } from './domain-error';

/**
 * The one place where errors become what a GraphQL client sees (Mercurius `errorFormatter`).
 *
 *  - DomainError: `extensions.code` from its kind, `extensions.errorCode` its own stable code, its safe `details`.
 *  - Parse / validation / limit errors: GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED; bad variable values:
 *    BAD_USER_INPUT, with the submitted value cut from the message (graphql-js quotes it, and it may be a
 *    fødselsnummer typed into the wrong field). An HTTP request Fastify refused (not JSON, too large): BAD_REQUEST.
 *  - class-validator failures (InvalidInputError): BAD_USER_INPUT with the offending field paths.
 *  - Nest HTTP exceptions below 500 (guards, later): their conventional code.
 *  - Anything else: INTERNAL_SERVER_ERROR, a generic message and a correlation id; the real error is logged
 *    under that id, with identifiers masked.
 * Every message also passes through the 11-digit mask, belt and braces.
 *
 * HTTP status: 200 whenever the operation was executed, domain errors included (GraphQL over HTTP with
 * application/json: the errors array carries the outcome, partial data stays meaningful). 400 (405 for a
 * mutation over GET) when the request never reached execution: syntax, validation, depth or alias limits,
 * variables of the wrong type, a body that is not JSON.
 */

export const KIND_TO_CODE: Readonly<Record<DomainErrorKind, string>> = {
  invalid: 'BAD_USER_INPUT',
  forbidden: 'FORBIDDEN',
  'not-found': 'NOT_FOUND',
  conflict: 'CONFLICT',
  unavailable: 'SERVICE_UNAVAILABLE',
};

const HTTP_STATUS_TO_CODE: Readonly<Record<number, string>> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'TOO_MANY_REQUESTS',
};

/** Input that failed class-validator. Carries field paths only, never the submitted values. */
export class InvalidInputError extends DomainError {
  readonly code = 'INVALID_INPUT';
  readonly kind = 'invalid' as const;
  constructor(readonly fields: readonly string[]) {
    super(`Invalid input: ${fields.join(', ')}`, { fields: fields.join(',') });
  }
}

const fieldPaths = (errors: readonly ValidationError[], prefix = ''): string[] =>
  errors.flatMap((error) => {
    const path = prefix === '' ? error.property : `${prefix}.${error.property}`;
    const own = error.constraints === undefined ? [] : [path];
    return [...own, ...fieldPaths(error.children ?? [], path)];
  });

/** The global ValidationPipe: whitelisted DTOs, failures as InvalidInputError (field names, no values). */
export const createInputValidationPipe = (): ValidationPipe =>
  new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new InvalidInputError(fieldPaths(errors)),
  });

/** Logs an unexpected error under its correlation id. */
export type ErrorLog = (fields: { correlationId: string; error: unknown }, message: string) => void;

interface RequestLevelError {
  readonly code?: string;
  readonly statusCode?: number;
  readonly errors?: readonly unknown[];
}

const asRequestLevel = (error: unknown): RequestLevelError | undefined =>
  typeof error === 'object' && error !== null && 'statusCode' in error && typeof error.statusCode === 'number'
    ? (error as RequestLevelError)
    : undefined;

const messageOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
    ? error.message
    : String(error);

const locationFields = (error: GraphQLError): Pick<GraphQLFormattedError, 'locations' | 'path'> => ({
  ...(error.locations === undefined ? {} : { locations: error.locations }),
  ...(error.path === undefined ? {} : { path: error.path }),
});

/** graphql-js puts the submitted value into coercion messages; keep only which variable or argument it was. */
export const sanitiseInputMessage = (message: string): string => {
  const variable = /^Variable "(\$[A-Za-z0-9_]+)"/.exec(message);
  if (variable !== null) {
    const notProvided = / was not provided\.$/.test(message) || / must not be null\.$/.test(message);
    return notProvided ? maskIdentifiers(message) : `Variable "${variable[1]}" has an invalid value.`;
  }
  const argument = /^Argument "([A-Za-z0-9_.]+)"/.exec(message);
  if (argument !== null) {
    return `Argument "${argument[1]}" has an invalid value.`;
  }
  return maskIdentifiers(message.replace(/(found|value:) .*$/s, '$1 <redacted>.'));
};

/** One inner error of a request that never reached execution. */
const requestLevelError = (inner: unknown): GraphQLFormattedError => {
  const message = messageOf(inner);
  const innerCode = asRequestLevel(inner)?.code;
  if (message.startsWith('Syntax Error')) {
    return { message: maskIdentifiers(message), extensions: { code: 'GRAPHQL_PARSE_FAILED' } };
  }
  if (innerCode?.startsWith('FST_') === true) {
    // Fastify refused the HTTP request itself (a body that is not JSON, an unsupported content type, too large).
    return { message: maskIdentifiers(message), extensions: { code: 'BAD_REQUEST' } };
  }
  if (message.startsWith('Variable "$')) {
    return { message: sanitiseInputMessage(message), extensions: { code: 'BAD_USER_INPUT' } };
  }
  const located = typeof inner === 'object' && inner !== null && 'locations' in inner ? (inner as GraphQLError) : undefined;
  return {
    message: innerCode === 'MER_ERR_GQL_QUERY_DEPTH' ? maskIdentifiers(message) : sanitiseInputMessage(message),
    ...(located?.locations === undefined ? {} : { locations: located.locations }),
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
  };
};

const domainError = (error: GraphQLError, original: DomainError): GraphQLFormattedError => ({
  message: maskIdentifiers(original.message),
  ...locationFields(error),
  extensions: {
    code: KIND_TO_CODE[original.kind],
    errorCode: original.code,
    ...(Object.keys(original.details).length === 0 ? {} : { details: original.details }),
    ...(original instanceof InvalidInputError ? { fields: original.fields } : {}),
  },
});

/**
 * A DomainError as a GraphQLError with the extensions the formatter gives it: for the setup of a subscription,
 * which Mercurius sends without the errorFormatter. Anything else becomes a generic internal error.
 */
export const toSubscriptionError = (error: unknown): GraphQLError => {
  if (isDomainError(error)) {
    return new GraphQLError(maskIdentifiers(error.message), {
      originalError: error,
      extensions: domainError(new GraphQLError(error.message), error).extensions,
    });
  }
  return new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
};

export interface NormalisedErrors {
  readonly statusCode: number;
  readonly errors: readonly GraphQLFormattedError[];
}

/** Maps the errors of one GraphQL response; `correlationId` ties an internal error to its log line. */
export const normaliseErrors = (
  errors: readonly GraphQLError[],
  hasData: boolean,
  correlationId: string,
  log: ErrorLog,
): NormalisedErrors => {
  let statusCode = 200;
  const formatted = errors.flatMap((error): GraphQLFormattedError[] => {
    const original: unknown = error.originalError;
    const requestLevel = asRequestLevel(original);
    if (isDomainError(original)) {
      return [domainError(error, original)];
    }
    if (original instanceof HttpException && original.getStatus() < 500) {
      const code = HTTP_STATUS_TO_CODE[original.getStatus()] ?? 'BAD_REQUEST';
      return [{ message: maskIdentifiers(original.message), ...locationFields(error), extensions: { code } }];
    }
    if (requestLevel?.statusCode !== undefined && requestLevel.statusCode < 500) {
      // Mercurius's MER_ERR_GQL_VALIDATION (with the graphql-js errors inside), 405 on GET, Fastify body errors.
      statusCode = hasData ? 200 : requestLevel.statusCode;
      const inner = requestLevel.errors ?? [original];
      return inner.map(requestLevelError);
    }
    if (original === undefined && /^(Variable "\$|Argument ")/.test(error.message)) {
      return [{ message: sanitiseInputMessage(error.message), ...locationFields(error), extensions: { code: 'BAD_USER_INPUT' } }];
    }
    log({ correlationId, error: original ?? error }, 'unexpected error in a GraphQL operation');
    return [
      {
        message: 'Internal server error',
        ...locationFields(error),
        extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId },
      },
    ];
  });
  return { statusCode, errors: formatted };
};

const correlationIdOf = (context: unknown): string =>
  typeof context === 'object' &&
  context !== null &&
  'correlationId' in context &&
  typeof context.correlationId === 'string'
    ? context.correlationId
    : randomUUID();

/** The Mercurius `errorFormatter`. */
export const createErrorFormatter =
  (log: ErrorLog) =>
  (
    execution: ExecutionResult & Required<Pick<ExecutionResult, 'errors'>>,
    context: unknown,
  ): { statusCode: number; response: FormattedExecutionResult } => {
    const hasData = execution.data !== undefined && execution.data !== null;
    const { statusCode, errors } = normaliseErrors(execution.errors, hasData, correlationIdOf(context), log);
    return { statusCode, response: { data: execution.data ?? null, errors } };
  };
