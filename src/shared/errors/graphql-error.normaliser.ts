import { HttpException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type ExecutionResult, type FormattedExecutionResult, GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { maskIdentifiers } from '../../observability/logger';
import { DATE_TIME_EXPECTED } from '../date-time.scalar';
import { type DomainError, type DomainErrorKind, isDomainError } from './domain-error';
import { InvalidInputError } from './invalid-input.error';

// Defined in a pure file (the reads and the access step throw it without depending on this edge file); re-exported
// for the pipe and the specs that import it from here.
export { InvalidInputError };

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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
 * Logging (one entry per error, `ErrorLog`): what the client got wrong or was refused is not a fault of the
 * service. Domain errors invalid / not-found / conflict and parse, validation and input errors are logged at
 * `info`, forbidden at `warn`, all with the error code, the operation label and the correlation id only: no
 * message, no stack. Unavailable dependencies: `warn` with the error (its cause is the operator's lead).
 * Unexpected errors: `error` with the error and its stack. The logger's identifier redaction applies to all.
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

/** How loud a GraphQL error is logged. */
export type ErrorLogLevel = 'info' | 'warn' | 'error';

/** The level of each DomainError kind: a client's mistake or a refusal is not a fault of the service. */
export const LOG_LEVEL_OF_KIND: Readonly<Record<DomainErrorKind, ErrorLogLevel>> = {
  invalid: 'info',
  'not-found': 'info',
  conflict: 'info',
  forbidden: 'warn',
  unavailable: 'warn',
};

/** Where an error happened: the request's correlation id and its operation label (`query:gpWorklist`). */
export interface ErrorSite {
  readonly correlationId: string;
  /** `unknown` when the request failed before its document was parsed */
  readonly operation: string;
}

/** One GraphQL error as it is logged. A request refused before execution counts once, however many errors it has. */
export interface ErrorLogEntry extends ErrorSite {
  readonly level: ErrorLogLevel;
  /** `extensions.code`, as the client saw it */
  readonly code: string;
  /** a DomainError's own code (`ACCESS_DENIED`, `STALE_VERSION`, …) */
  readonly errorCode?: string;
  /** the error itself, with its stack: only for unexpected errors (`error`) and unavailable dependencies (`warn`) */
  readonly error?: unknown;
}

export type ErrorLog = (entry: ErrorLogEntry) => void;

const CLIENT_ERROR_MESSAGE = 'GraphQL error answered to the client';
const UNAVAILABLE_MESSAGE = 'GraphQL operation failed: a dependency is unavailable';
const UNEXPECTED_MESSAGE = 'unexpected error in a GraphQL operation';

/** The ErrorLog that writes to pino (whose redaction masks identifiers in every field, the error's stack too). */
export const errorLogTo =
  (logger: Pick<Logger, ErrorLogLevel>): ErrorLog =>
  ({ level, error, ...fields }) => {
    if (error === undefined) {
      logger[level](fields, CLIENT_ERROR_MESSAGE);
      return;
    }
    const cause: unknown = error instanceof Error ? error.cause : undefined;
    logger[level](
      { ...fields, err: error, ...(cause === undefined ? {} : { cause }) },
      level === 'error' ? UNEXPECTED_MESSAGE : UNAVAILABLE_MESSAGE,
    );
  };

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

/** ` at "input.pausedAt"; DateTime: expected …`: where in a variable an instant was refused, and the form expected. */
const INSTANT_REFUSAL = new RegExp(
  `(?: at "([A-Za-z0-9_.\\[\\]]+)")?; (DateTime: ${escapeRegExp(DATE_TIME_EXPECTED)}\\.)$`,
);

/**
 * graphql-js puts the submitted value into coercion messages; keep only which variable or argument it was, and
 * for an instant (the strict DateTime scalar) the field path and the form expected, which carry no value.
 */
export const sanitiseInputMessage = (message: string): string => {
  const [, variable] = /^Variable "(\$[A-Za-z0-9_]+)"/.exec(message) ?? [];
  if (variable !== undefined) {
    const notProvided = / was not provided\.$/.test(message) || / must not be null\.$/.test(message);
    const instant = INSTANT_REFUSAL.exec(message);
    if (!notProvided && instant !== null) {
      const at = instant[1] === undefined ? '' : ` at "${instant[1]}"`;
      return maskIdentifiers(`Variable "${variable}" has an invalid value${at}: ${instant[2] ?? ''}`);
    }
    return notProvided ? maskIdentifiers(message) : `Variable "${variable}" has an invalid value.`;
  }
  const [, argument] = /^Argument "([A-Za-z0-9_.]+)"/.exec(message) ?? [];
  if (argument !== undefined) {
    return `Argument "${argument}" has an invalid value.`;
  }
  return maskIdentifiers(message.replace(/(found|value:) .*$/s, '$1 <redacted>.'));
};

/** One inner error of a request that never reached execution. */
/**
 * graphql-js appends field and argument suggestions ("Did you mean …?") to validation messages: in production they
 * would reveal the schema that introspection hides (issue 15, part 5).
 */
export const withoutSuggestions = (message: string): string => message.replace(/ Did you mean .*\?$/s, '');

const requestLevelError = (inner: unknown, hideSuggestions: boolean): GraphQLFormattedError => {
  const raw = messageOf(inner);
  const message = hideSuggestions ? withoutSuggestions(raw) : raw;
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
  const located =
    typeof inner === 'object' && inner !== null && 'locations' in inner ? (inner as GraphQLError) : undefined;
  return {
    message: innerCode === 'MER_ERR_GQL_QUERY_DEPTH' ? maskIdentifiers(message) : sanitiseInputMessage(message),
    ...(located?.locations === undefined ? {} : { locations: located.locations }),
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
  };
};

const domainLogEntry = (original: DomainError, site: ErrorSite): ErrorLogEntry => ({
  level: LOG_LEVEL_OF_KIND[original.kind],
  code: KIND_TO_CODE[original.kind],
  errorCode: original.code,
  ...site,
  ...(original.kind === 'unavailable' ? { error: original } : {}),
});

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
 * which Mercurius sends without the errorFormatter. Anything else becomes a generic internal error (the original
 * stays on `originalError`, which is logged and never sent).
 */
export const toSubscriptionError = (error: unknown): GraphQLError => {
  if (isDomainError(error)) {
    return new GraphQLError(maskIdentifiers(error.message), {
      originalError: error,
      extensions: domainError(new GraphQLError(error.message), error).extensions,
    });
  }
  return new GraphQLError('Internal server error', {
    ...(error instanceof Error ? { originalError: error } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
};

export interface NormalisedErrors {
  readonly statusCode: number;
  readonly errors: readonly GraphQLFormattedError[];
}

/**
 * Maps the errors of one GraphQL response and logs each (see the top of this file); the site's correlation id
 * ties an internal error to its log line.
 */
export const normaliseErrors = (
  errors: readonly GraphQLError[],
  hasData: boolean,
  site: ErrorSite,
  log: ErrorLog,
  /** production: no "Did you mean …" in validation messages */
  hideSuggestions = false,
): NormalisedErrors => {
  let statusCode = 200;
  const { correlationId } = site;
  const clientError = (code: string): void => log({ level: code === 'FORBIDDEN' ? 'warn' : 'info', code, ...site });
  const formatted = errors.flatMap((error): GraphQLFormattedError[] => {
    const original: unknown = error.originalError;
    const requestLevel = asRequestLevel(original);
    if (isDomainError(original)) {
      log(domainLogEntry(original, site));
      return [domainError(error, original)];
    }
    if (original instanceof HttpException && original.getStatus() < 500) {
      const code = HTTP_STATUS_TO_CODE[original.getStatus()] ?? 'BAD_REQUEST';
      clientError(code);
      return [{ message: maskIdentifiers(original.message), ...locationFields(error), extensions: { code } }];
    }
    if (requestLevel?.statusCode !== undefined && requestLevel.statusCode < 500) {
      // Mercurius's MER_ERR_GQL_VALIDATION (with the graphql-js errors inside), 405 on GET, Fastify body errors.
      statusCode = hasData ? 200 : requestLevel.statusCode;
      const inner = (requestLevel.errors ?? [original]).map((error) => requestLevelError(error, hideSuggestions));
      const firstCode = inner[0]?.extensions?.code;
      clientError(typeof firstCode === 'string' ? firstCode : 'GRAPHQL_VALIDATION_FAILED');
      return inner;
    }
    if (original === undefined && /^(Variable "\$|Argument ")/.test(error.message)) {
      clientError('BAD_USER_INPUT');
      return [
        {
          message: sanitiseInputMessage(error.message),
          ...locationFields(error),
          extensions: { code: 'BAD_USER_INPUT' },
        },
      ];
    }
    log({ level: 'error', code: 'INTERNAL_SERVER_ERROR', ...site, error: original ?? error });
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

const stringField = (context: unknown, name: string): string | undefined => {
  const value: unknown = typeof context === 'object' && context !== null ? Reflect.get(context, name) : undefined;
  return typeof value === 'string' ? value : undefined;
};

/** The correlation id and operation label a GraphQL context carries (graphql.module.ts sets both). */
export const errorSiteOf = (context: unknown): ErrorSite => ({
  correlationId: stringField(context, 'correlationId') ?? randomUUID(),
  operation: stringField(context, 'operation') ?? 'unknown',
});

/**
 * Logs one error as the formatter would, for errors that never reach it: a subscription's setup errors, which
 * Mercurius sends without the errorFormatter (src/graphql/graphql-error-log.filter.ts).
 */
export const logGraphqlError = (error: unknown, site: ErrorSite, log: ErrorLog): void => {
  const graphqlError =
    error instanceof GraphQLError
      ? error
      : new GraphQLError(messageOf(error), error instanceof Error ? { originalError: error } : {});
  normaliseErrors([graphqlError], false, site, log);
};

/** The Mercurius `errorFormatter`. */
export const createErrorFormatter =
  (log: ErrorLog, options: { readonly hideSuggestions?: boolean } = {}) =>
  (
    execution: ExecutionResult & Required<Pick<ExecutionResult, 'errors'>>,
    context: unknown,
  ): { statusCode: number; response: FormattedExecutionResult } => {
    const hasData = execution.data !== undefined && execution.data !== null;
    const { statusCode, errors } = normaliseErrors(
      execution.errors,
      hasData,
      errorSiteOf(context),
      log,
      options.hideSuggestions,
    );
    // A request that never reached execution (parse, validation, variable coercion) has no `data` key at all
    // (GraphQL over HTTP); an executed one keeps `data`, null included.
    const executed = statusCode < 400 && execution.data !== undefined;
    return { statusCode, response: executed ? { data: execution.data ?? null, errors } : { errors } };
  };
