import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type DocumentNode, Kind, type OperationDefinitionNode } from 'graphql';
import type { Logger } from 'pino';
import * as path from 'node:path';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { LOGGER } from '../observability/logger';
import { Metrics } from '../observability/metrics';
import { createErrorFormatter } from '../shared/errors/graphql-error.normaliser';
import { QUERY_LIMITS, maxAliasesRule, maxFieldsRule } from './query-limits';
import { type RequestContext, requestContextFrom } from './request-context';

/**
 * GraphQL over Fastify with Mercurius, code first. Resolvers live in their capability modules; this module only
 * sets up the endpoint: `/graphql` (HTTP and WebSocket subscriptions), GraphiQL at `/graphiql` outside
 * production, limits, the one error normaliser and the per-request context.
 */

/** What a resolver receives with `@Context()`. Nest's Mercurius driver adds the Fastify request as `req`. */
export interface GraphqlContext extends RequestContext {
  readonly req?: FastifyRequest;
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

const graphqlOptions = (config: AppConfig, logger: Logger, metrics: Metrics): MercuriusDriverConfig => {
  const development = config.nodeEnv !== 'production';
  // Only a development server rewrites the committed schema: test boots must not, or a stale file would be
  // refreshed by one e2e spec before the schema spec compares it (npm run schema regenerates it on purpose).
  const writeSchemaFile = config.nodeEnv === 'development';
  return {
    driver: MercuriusDriver,
    // Sorted so the committed file diffs only when the schema really changes.
    autoSchemaFile: writeSchemaFile ? path.resolve(process.cwd(), SCHEMA_FILE) : true,
    sortSchema: true,
    graphiql: development,
    path: '/graphql',
    // graphql-transport-ws (the graphql-ws library) and the legacy graphql-ws protocol, chosen by the client.
    subscription: {
      context: (_socket: unknown, request: FastifyRequest): RequestContext => requestContextFrom(request.headers),
    },
    context: (request: FastifyRequest, _reply: FastifyReply): RequestContext => requestContextFrom(request.headers),
    queryDepth: QUERY_LIMITS.depth,
    validationRules: [maxAliasesRule(QUERY_LIMITS.aliases), maxFieldsRule(QUERY_LIMITS.fields)],
    errorFormatter: createErrorFormatter(({ correlationId, error }, message) => {
      logger.error({ correlationId, err: error }, message);
    }),
    hooks: {
      // Typed `reply?`: Mercurius's type says it is always there, but a query sent over a WebSocket has none
      // (and no HTTP latency to label).
      preExecution: (_schema, document, context: { readonly reply?: FastifyReply }) => {
        if (context.reply !== undefined) {
          metrics.labelGraphqlOperation(context.reply.request, operationLabel(document));
        }
      },
    },
  };
};

@Module({
  imports: [
    GraphQLModule.forRootAsync<MercuriusDriverConfig>({
      driver: MercuriusDriver,
      inject: [APP_CONFIG, LOGGER, Metrics],
      useFactory: graphqlOptions,
    }),
  ],
})
export class GraphqlModule {}
