import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  type HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { isDomainError } from '../shared/errors/domain-error';
import { EVENT_STORE, type EventStorePort } from '../shared/event-sourcing/event-store.port';
import { type ReadinessCheck, ReadinessChecks } from './readiness';

/** A readiness probe must answer quickly even when a dependency hangs (e.g. an unreachable EventStoreDB). */
const CHECK_TIMEOUT_MS = 2000;

const withTimeout = async <T>(work: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly readiness: ReadinessChecks,
    @Inject(EVENT_STORE) private readonly eventStore: EventStorePort,
  ) {}

  /** Liveness: the process runs and serves HTTP. Deliberately checks nothing else, so a slow event store never gets the pod restarted. */
  @Get('health')
  @HealthCheck()
  async liveness(): Promise<HealthCheckResult> {
    return this.health.check([() => this.indicator.check('process').up()]);
  }

  /** Readiness: the event store answers and every registered check (e.g. projection lag) is up. 503 otherwise. */
  @Get('ready')
  @HealthCheck()
  async readinessCheck(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.lifecycle(),
      async () => this.eventStorePing(),
      ...this.readiness.list().map(
        ([name, check]) =>
          async () =>
            this.registered(name, check),
      ),
    ]);
  }

  private lifecycle(): HealthIndicatorResult {
    const session = this.indicator.check('lifecycle');
    return this.readiness.isShuttingDown() ? session.down({ message: 'shutting down' }) : session.up();
  }

  private async eventStorePing(): Promise<HealthIndicatorResult> {
    const session = this.indicator.check('eventStore');
    try {
      await withTimeout(this.eventStore.ping(), CHECK_TIMEOUT_MS);
      return session.up();
    } catch (error) {
      // A code, not the raw message: a driver error could carry a connection string.
      return session.down({ message: isDomainError(error) ? error.code : 'EVENT_STORE_UNAVAILABLE' });
    }
  }

  private async registered(name: string, check: ReadinessCheck): Promise<HealthIndicatorResult> {
    const session = this.indicator.check(name);
    try {
      const status = await withTimeout(check(), CHECK_TIMEOUT_MS);
      return status.up ? session.up({ ...status.details }) : session.down({ ...status.details });
    } catch {
      return session.down({ message: 'check failed' });
    }
  }
}
