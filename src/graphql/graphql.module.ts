import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  type DocumentNode,
  type GraphQLSchema,
  Kind,
  NoSchemaIntrospectionCustomRule,
  type OperationDefinitionNode,
  OperationTypeNode,
} from 'graphql';
import type { Logger } from 'pino';
import * as path from 'node:path';
import type { Caller } from '../access/domain/caller';
import { TokenVerifier } from '../access/tokens/token-verifier';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { LOGGER } from '../observability/logger';
import { Metrics } from '../observability/metrics';
import { CLOCK, type Clock } from '../shared/clock';
import { createErrorFormatter, errorLogTo } from '../shared/errors/graphql-error.normaliser';
import { callerOf, createEdgeAuth } from './edge-auth';
import { GraphqlErrorLogFilter } from './graphql-error-log.filter';
import { checkGraphqlParameters, negotiateGraphqlResponseType } from './http-parameters';
import { QUERY_LIMITS, REQUEST_LIMITS, maxAliasesRule, maxFieldsRule } from './query-limits';
import { TokenBucketLimiter } from './rate-limit';
import { RateLimitModule } from './rate-limit.module';
import { correlationIdOf } from './request-context';
import { SecurityHeaders } from './security-headers';
import { createSubscriptionGate } from './subscription-gate';
import { type WsConnection, type WsSocket, adoptSocket } from './ws-connection';
import { WardSessions } from '../ward/ward-sessions';

/**
 * GraphQL over Fastify with Mercurius, code first. Resolvers live in their capability modules; this module only
 * sets up the endpoint: `/graphql` (HTTP and WebSocket subscriptions), GraphiQL at `/graphiql` outside
 * production, authentication at the edge (edge-auth.ts), the per-caller rate limit, limits, the one error
 * normaliser (and its logging: GraphqlErrorLogFilter keeps Nest from logging the same errors again, louder),
 * security headers and the per-request context. Access decisions are the AccessGuard's.
 */

/**
 * What the access step reads from `@Context()`: the caller the edge verified and the correlation id. Resolvers
 * take their command context (the actor) from `@CommandContext()`, never from here.
 */
export interface GraphqlContext {
  /** absent only if the edge was bypassed; the AccessGuard then denies */
  readonly caller?: Caller;
  readonly correlationId: string;
  /**
   * The operation label (`query:gpWorklist`, operationLabel), set once the document is parsed: what the error log
   * names. Absent for a request that never parsed.
   */
  operation?: string;
  /** Nest's Mercurius driver adds the Fastify request */
  readonly req?: FastifyRequest;
  /** a WebSocket connection's socket, as the access step closes it (4401 when the token ends) */
  readonly connection?: WsConnection;
}

/** Where the generated schema is written outside production; committed, and checked by a test (issue 3). */
export const SCHEMA_FILE = path.join('docs', 'schema.graphql');

/** `query:medicationList`: the operation type and root field, bounded by the schema (a safe metric label). */
export const operationLabel = (document: DocumentNode): string => {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operations.at(0);
  if (operations.length !== 1 || operation === undefined) {
    return 'multiple';
  }
  const fields = operation.selectionSet.selections.flatMap((selection) =>
    selection.kind === Kind.FIELD ? [selection.name.value] : [],
  );
  const first = fields.at(0);
  return `${operation.operation}:${fields.length === 1 && first !== undefined ? first : 'multiple'}`;
};

const labels = new WeakMap<DocumentNode, string>();

/** operationLabel, once per document: Mercurius hands the same parsed document to every request of one query. */
const cachedOperationLabel = (document: DocumentNode): string => {
  const known = labels.get(document);
  if (known !== undefined) {
    return known;
  }
  const label = operationLabel(document);
  labels.set(document, label);
  return label;
};

const ROOT_TYPES = [OperationTypeNode.QUERY, OperationTypeNode.MUTATION, OperationTypeNode.SUBSCRIPTION] as const;

/**
 * operationLabel for a document not yet validated: a root field the schema lacks is the client's free text, and
 * becomes `unknown` (`query:unknown`), so a log line never carries it.
 */
export const knownOperationLabel = (schema: GraphQLSchema, document: DocumentNode): string => {
  const label = operationLabel(document);
  const [type, field] = label.split(':');
  const rootType = ROOT_TYPES.find((candidate) => candidate.valueOf() === type);
  if (rootType === undefined || field === undefined || field === 'multiple') {
    return label;
  }
  return schema.getRootType(rootType)?.getFields()[field] === undefined ? `${rootType}:unknown` : label;
};

interface GraphqlDependencies {
  readonly sessions: WardSessions;
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly verifier: TokenVerifier;
  readonly clock: Clock;
  /** shared with /fhir (rate-limit.module.ts) */
  readonly limiter: TokenBucketLimiter;
}

const graphqlOptions = ({
  config,
  logger,
  metrics,
  verifier,
  clock,
  sessions,
  limiter,
}: GraphqlDependencies): MercuriusDriverConfig => {
  const development = config.nodeEnv !== 'production';
  // Only a development server rewrites the committed schema: test boots must not, or a stale file would be
  // refreshed by one e2e spec before the schema spec compares it (npm run schema regenerates it on purpose).
  const writeSchemaFile = config.nodeEnv === 'development';
  const edge = createEdgeAuth({
    verifier,
    auth: config.auth,
    limiter,
    logger,
    sessions,
  });
  const rules = [
    maxAliasesRule(QUERY_LIMITS.aliases),
    maxFieldsRule(QUERY_LIMITS.fields),
    // The schema is published as docs/schema.graphql; production does not answer introspection.
    ...(development ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
  return {
    driver: MercuriusDriver,
    // Sorted so the committed file diffs only when the schema really changes.
    autoSchemaFile: writeSchemaFile ? path.resolve(process.cwd(), SCHEMA_FILE) : true,
    sortSchema: true,
    // GraphiQL (development only) is served with local assets by LocalGraphiqlController (graphiql-local.ts), not by
    // Mercurius, whose page loads its scripts from unpkg.com. Its queries need a token like any other (README).
    graphiql: false,
    path: '/graphql',
    // Authenticate (and rate-limit) before the body is read; bound the body (importFeed stays below this).
    // Parameters of the wrong type are 400 BAD_REQUEST; the response type follows Accept (http-parameters.ts).
    additionalRouteOptions: {
      preParsing: edge.preParsing,
      preValidation: checkGraphqlParameters,
      onSend: negotiateGraphqlResponseType,
      bodyLimit: REQUEST_LIMITS.bodyBytes,
    },
    // One operation per request: an array of operations would multiply every per-request limit.
    allowBatchedQueries: false,
    // graphql-transport-ws (the graphql-ws library) and the legacy graphql-ws protocol, chosen by the client.
    subscription: {
      context: (socket: WsSocket, request: FastifyRequest): GraphqlContext => ({
        correlationId: correlationIdOf(request),
        connection: adoptSocket(socket, clock),
      }),
      // The token travels in connection_init: `{ authorization: 'Bearer …' }`. No valid token, no connection.
      onConnect: edge.onConnect,
    },
    context: (request: FastifyRequest, _reply: FastifyReply): GraphqlContext => {
      const caller = callerOf(request);
      // The id the response header already carries (security-headers.ts), so the client can quote it.
      return { ...(caller === undefined ? {} : { caller }), correlationId: correlationIdOf(request) };
    },
    queryDepth: QUERY_LIMITS.depth,
    validationRules: rules,
    // Client errors at info (forbidden: warn) with codes only, unexpected ones at error with the stack.
    // Production hides "Did you mean …" suggestions as it hides introspection.
    errorFormatter: createErrorFormatter(errorLogTo(logger), { hideSuggestions: !development }),
    hooks: {
      // Subscriptions get the validation and limits of HTTP before anything is subscribed (subscription-gate.ts).
      preSubscriptionParsing: createSubscriptionGate({
        rules,
        depth: QUERY_LIMITS.depth,
        log: errorLogTo(logger),
        hideSuggestions: !development,
        label: knownOperationLabel,
      }),
      // Names the operation for the error log as soon as there is a document: validation errors are logged with
      // it too (a document that failed validation before is refused from Mercurius's cache without this hook).
      preValidation: (schema, document, context: { readonly reply?: FastifyReply; operation?: string }) => {
        context.operation = knownOperationLabel(schema, document);
      },
      // Typed `reply?`: Mercurius's type says it is always there, but a query sent over a WebSocket has none
      // (and no HTTP latency to label).
      preExecution: (_schema, document, context: { readonly reply?: FastifyReply; operation?: string }) => {
        const label = cachedOperationLabel(document);
        context.operation = label;
        if (context.reply !== undefined) {
          metrics.labelGraphqlOperation(context.reply.request, label);
        }
      },
    },
  };
};

@Module({
  imports: [
    GraphQLModule.forRootAsync<MercuriusDriverConfig>({
      driver: MercuriusDriver,
      imports: [RateLimitModule],
      inject: [APP_CONFIG, LOGGER, Metrics, TokenVerifier, CLOCK, WardSessions, TokenBucketLimiter],
      useFactory: (
        config: AppConfig,
        logger: Logger,
        metrics: Metrics,
        verifier: TokenVerifier,
        clock: Clock,
        sessions: WardSessions,
        limiter: TokenBucketLimiter,
      ) => graphqlOptions({ config, logger, metrics, verifier, clock, sessions, limiter }),
    }),
  ],
  providers: [SecurityHeaders, { provide: APP_FILTER, useClass: GraphqlErrorLogFilter }],
})
export class GraphqlModule {}
