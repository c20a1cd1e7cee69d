import { Controller, Get, Global, Header, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CommandObserver } from '../shared/event-sourcing/handle-command';

/**
 * Prometheus metrics. One `Registry` per app instance (a provider, not prom-client's global registry), so two apps
 * in one process (e2e tests) never share or double-register series.
 *
 * Label values are bounded by the code, never by the client: HTTP routes are route patterns (`/graphql`, not the
 * URL), GraphQL operations are labelled by operation type and root field of the schema, not by the client's
 * free-text operation name.
 */

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LAG_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

type HttpLabel = 'method' | 'route' | 'status_code' | 'operation';

@Injectable()
export class Metrics {
  readonly registry = new Registry();

  private readonly httpDuration = new Histogram<HttpLabel>({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route pattern, status code and GraphQL operation (type:rootField)',
    labelNames: ['method', 'route', 'status_code', 'operation'],
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });

  private readonly appendDuration = new Histogram({
    name: 'event_store_append_seconds',
    help: 'Latency of appending a command’s events to the event store',
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });

  private readonly conflicts = new Counter({
    name: 'command_conflicts_total',
    help: 'Appends rejected because the stream had moved on (optimistic concurrency); retried or surfaced as CONFLICT',
    registers: [this.registry],
  });

  private readonly lag = new Histogram<'projection'>({
    name: 'projection_lag_seconds',
    help: 'Time from an event being recorded to its projection being committed',
    labelNames: ['projection'],
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });

  private readonly currentLag = new Gauge<'projection'>({
    name: 'projection_current_lag_seconds',
    help: 'Lag of the most recently committed event per projection',
    labelNames: ['projection'],
    registers: [this.registry],
  });

  private readonly unknownEvents = new Counter<'projection'>({
    name: 'projection_unknown_events_total',
    help: 'Events a projection skipped because this build does not know their type',
    labelNames: ['projection'],
    registers: [this.registry],
  });

  private readonly unreadableEvents = new Counter<'type' | 'version'>({
    name: 'event_store_unreadable_events_total',
    help: 'Reads that met a stored event of a known type in a schema version this build cannot read (skipped)',
    labelNames: ['type', 'version'],
    registers: [this.registry],
  });

  /** GraphQL operation label per in-flight request, set by the GraphQL module before execution. */
  private readonly operations = new WeakMap<FastifyRequest, string>();

  /** Hand this to handleCommand as its observer. */
  readonly commandObserver: Required<CommandObserver> = {
    onAppend: (ms) => {
      this.appendDuration.observe(ms / 1000);
    },
    onConflict: () => {
      this.conflicts.inc();
    },
  };

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Called by the projector after each committed batch. */
  projectionLag(projection: string, seconds: number): void {
    this.lag.observe({ projection }, seconds);
    this.currentLag.set({ projection }, seconds);
  }

  /** Called by the projector for each event it skipped as unknown. */
  projectionUnknownEvents(projection: string, count = 1): void {
    this.unknownEvents.inc({ projection }, count);
  }

  /** Called by the event store (UpcastingEventStore) for each unreadable event a read passed on as skipped. */
  unreadableEvent(type: string, schemaVersion: number): void {
    this.unreadableEvents.inc({ type, version: String(schemaVersion) });
  }

  /** Labels a GraphQL request's latency with a schema-bounded operation name, e.g. `mutation:startMedication`. */
  labelGraphqlOperation(request: FastifyRequest, operation: string): void {
    this.operations.set(request, operation);
  }

  /** Adds the latency hook to the Fastify instance (before it is ready, so it covers every route). */
  instrument(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      this.httpDuration.observe(
        {
          method: request.method,
          // An unmatched URL must not become a label value: a scanner would create one series per path.
          route: request.routeOptions.url ?? 'unmatched',
          status_code: String(reply.statusCode),
          operation: this.operations.get(request) ?? '',
        },
        reply.elapsedTime / 1000,
      );
      done();
    });
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
}

@Controller()
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get('metrics')
  // prom-client's Registry.contentType for the text format
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.render();
  }
}

/** Global, so the command services, the GraphQL module and the projector can all inject `Metrics`. */
@Global()
@Module({
  providers: [Metrics],
  controllers: [MetricsController],
  exports: [Metrics],
})
export class MetricsModule implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    this.metrics.instrument(fastify);
  }
}
