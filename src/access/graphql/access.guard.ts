import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { type GraphQLResolveInfo, OperationTypeNode } from 'graphql';
import type { Logger } from 'pino';
import type { GraphqlContext } from '../../graphql/graphql.module';
import { LOGGER } from '../../observability/logger';
import { CLOCK, type Clock } from '../../shared/clock';
import {
  type ErrorLog,
  errorLogTo,
  logGraphqlError,
  toSubscriptionError,
} from '../../shared/errors/graphql-error.normaliser';
import { AccessDeniedError, SubscriptionTokenExpiredError } from '../domain/access.errors';
import { ACCESS_RULE, type AccessRule, type LiveCheck, recordGrant, recordLiveCheck } from './access.decorator';
import { AccessStep } from '../access-step';
import type { Caller } from '../domain/caller';

/**
 * The access step of every GraphQL operation (issue 5), global (APP_GUARD): the verified caller (set by the edge,
 * src/graphql/edge-auth.ts) → AccessStep.authorize (facts → decideAccess → audit, awaited; FORBIDDEN when denied)
 * → a grant (actor = toActor(caller, role granted)) for @CommandContext(). A resolver without a marker is denied.
 * HTTP controllers (/health, /metrics, the dev JWKS) pass: they hold no patient data.
 *
 * A subscription is authorized here when it starts (its first snapshot) and again before every later snapshot
 * (issue 15): the guard leaves a LiveCheck for the resolver that closes the connection when the token has ended
 * (4401) and otherwise runs the same step, audited as a look; a denial ends the subscription with a typed error.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly log: ErrorLog;

  constructor(
    private readonly reflector: Reflector,
    private readonly step: AccessStep,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = errorLogTo(logger);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType<GqlContextType>() !== 'graphql') {
      return true;
    }
    const gql = GqlExecutionContext.create(context);
    const info = gql.getInfo<GraphQLResolveInfo>();
    const subscription = info.operation.operation === OperationTypeNode.SUBSCRIPTION;
    try {
      const rule = this.reflector.get<AccessRule | undefined>(ACCESS_RULE, context.getHandler());
      if (rule === undefined) {
        // Default deny: an operation nobody classified reaches no data.
        throw new AccessDeniedError(info.fieldName, 'NO_ACCESS_RULE');
      }
      const graphqlContext = gql.getContext<GraphqlContext>();
      const { caller, correlationId } = graphqlContext;
      if (caller === undefined) {
        // The edge authenticates every request and connection; reaching here without a caller is a wiring error.
        throw new AccessDeniedError(rule.operation, 'UNAUTHENTICATED');
      }
      const args = gql.getArgs<Record<string, unknown>>();
      if (subscription) {
        recordLiveCheck(info, this.liveCheck(rule, caller, args, graphqlContext));
      }
      const { actor, patient } = await this.step.authorize(rule, caller, args, correlationId);
      recordGrant(info, patient === undefined ? { actor, correlationId } : { actor, correlationId, patient });
      return true;
    } catch (error) {
      // Mercurius sends a subscription's setup errors without the errorFormatter: give them their codes here.
      throw subscription ? toSubscriptionError(error) : error;
    }
  }

  /** Before each later snapshot: the token still valid (else the connection closes, 4401), then the same step. */
  private liveCheck(
    rule: AccessRule,
    caller: Caller,
    args: Record<string, unknown>,
    context: GraphqlContext,
  ): LiveCheck {
    const deadline = this.step.tokenDeadline(caller);
    if (deadline !== undefined) {
      context.connection?.watchExpiry(deadline);
    }
    const site = { correlationId: context.correlationId, operation: `subscription:${rule.operation}` };
    return async () => {
      try {
        if (deadline !== undefined && this.clock.now().getTime() >= deadline) {
          context.connection?.closeIfExpired(deadline);
          throw new SubscriptionTokenExpiredError();
        }
        await this.step.authorize(rule, caller, args, context.correlationId);
      } catch (error) {
        // A snapshot is not a resolver call: Nest's filter does not see it, so it is logged here, as the filter would.
        logGraphqlError(error, site, this.log);
        throw toSubscriptionError(error);
      }
    };
  }
}
