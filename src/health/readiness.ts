import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/** What a readiness check reports. Details are ids and numbers only: `/ready` is unauthenticated. */
export interface ReadinessStatus {
  readonly up: boolean;
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

export type ReadinessCheck = () => Promise<ReadinessStatus>;

/**
 * The readiness checks beyond the event store. Other modules register theirs at start-up, e.g. the projector:
 * `readiness.register('projection:currentMedicationList.v2', async () => ({ up: lag < 5, details: { lag } }))`.
 * Once shutdown begins the service reports not ready, so a load balancer stops routing to it while in-flight
 * requests finish.
 */
@Injectable()
export class ReadinessChecks implements BeforeApplicationShutdown {
  private readonly checks = new Map<string, ReadinessCheck>();
  private shuttingDown = false;

  register(name: string, check: ReadinessCheck): void {
    if (this.checks.has(name)) {
      throw new Error(`Readiness check ${name} is already registered`);
    }
    this.checks.set(name, check);
  }

  list(): readonly (readonly [string, ReadinessCheck])[] {
    return [...this.checks.entries()];
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }
}
