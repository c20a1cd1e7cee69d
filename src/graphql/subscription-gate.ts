import { GraphQLError, type GraphQLSchema, type ValidationRule, parse, specifiedRules, validate } from 'graphql';
import { type ErrorLog, errorSiteOf, normaliseErrors } from '../shared/errors/graphql-error.normaliser';
import { maxDepthRule } from './query-limits';

/**
 * The same gate for a subscription as for a query (issue 15, part 1). Mercurius validates an HTTP document with
 * graphql-js's rules plus ours (`validationRules`) and its `queryDepth`, but a subscription over WebSocket gets only
 * the depth check: no unknown-argument check, no single-root-field check, no alias or field limits. Seen: 1,000
 * aliases served, an unknown `emergency` argument dropped silently, two root fields answered with an internal
 * error. This runs as Mercurius's `preSubscriptionParsing` hook, before anything is subscribed or executed, with
 * the rules HTTP uses, and refuses with the error HTTP would give (`GRAPHQL_VALIDATION_FAILED`, the same message),
 * logged once the same way. graphql-transport-ws carries one `error` message per operation: the first error is
 * sent (HTTP sends them all).
 */

export interface SubscriptionGateOptions {
  /** the rules HTTP adds to graphql-js's (limits, introspection off in production) */
  readonly rules: readonly ValidationRule[];
  readonly depth: number;
  readonly log: ErrorLog;
  /** production: no "Did you mean …" (as HTTP) */
  readonly hideSuggestions: boolean;
  /** names the operation for the log (knownOperationLabel) */
  readonly label: (schema: GraphQLSchema, document: ReturnType<typeof parse>) => string;
}

/** Mercurius's request-level validation error, as the normaliser knows it from HTTP. */
const validationFailure = (errors: readonly GraphQLError[]): Error =>
  Object.assign(new Error('Graphql validation error'), { statusCode: 400, code: 'MER_ERR_GQL_VALIDATION', errors });

export const createSubscriptionGate =
  ({ rules, depth, log, label, hideSuggestions }: SubscriptionGateOptions) =>
  (schema: GraphQLSchema, source: string, context: object): void => {
    // Mercurius has parsed this source already (a syntax error never gets here); parsing again is cheap next to a
    // subscription's lifetime.
    const document = parse(source);
    Reflect.set(context, 'operation', label(schema, document));
    const errors = validate(schema, document, [...specifiedRules, maxDepthRule(depth), ...rules]);
    if (errors.length === 0) {
      return;
    }
    const formatted = normaliseErrors(
      [new GraphQLError('', { originalError: validationFailure(errors) })],
      false,
      errorSiteOf(context),
      log,
      hideSuggestions,
    );
    const first = formatted.errors[0];
    throw new GraphQLError(first?.message ?? 'Graphql validation error', {
      extensions: first?.extensions ?? { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  };
