import { type ArgumentsHost, Catch, Inject } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { type GqlContextType, GqlArgumentsHost } from '@nestjs/graphql';
import { type GraphQLResolveInfo, OperationTypeNode } from 'graphql';
import type { Logger } from 'pino';
import { LOGGER } from '../observability/logger';
import { type ErrorLog, errorLogTo, errorSiteOf, logGraphqlError } from '../shared/errors/graphql-error.normaliser';

/**
 * Nest's default handler of what resolvers, guards and pipes throw ("ExceptionsHandler") logs every error at
 * `error` with its stack: a refused access or an invalid identifier as loudly as a bug. For GraphQL this filter
 * takes its place (global, APP_FILTER) and rethrows the error unchanged:
 *  - queries and mutations: logged once, by the error formatter (graphql-error.normaliser.ts), at the level of
 *    their kind; nothing is logged here;
 *  - subscriptions: their setup errors reach the client without the formatter, so they are logged here, the same
 *    way (`subscription:<field>` and the connection's correlation id).
 * Other contexts (the HTTP controllers) keep Nest's default handling.
 */
@Catch()
export class GraphqlErrorLogFilter extends BaseExceptionFilter {
  private readonly log: ErrorLog;

  constructor(@Inject(LOGGER) logger: Logger) {
    super();
    this.log = errorLogTo(logger);
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType<GqlContextType>() !== 'graphql') {
      super.catch(exception, host);
      return;
    }
    const gql = GqlArgumentsHost.create(host);
    const info = gql.getInfo<GraphQLResolveInfo | undefined>();
    if (info?.operation.operation === OperationTypeNode.SUBSCRIPTION) {
      const site = { ...errorSiteOf(gql.getContext<unknown>()), operation: `subscription:${info.fieldName}` };
      logGraphqlError(exception, site, this.log);
    }
    throw exception;
  }
}
