import { Global, Inject, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from 'pino';
import { AUDIT_STREAM_PREFIXES } from '../../access/audit';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { LOGGER } from '../../observability/logger';
import { Metrics } from '../../observability/metrics';
import { withEventSchemas } from '../../event-schemas';
import { CLOCK, systemClock } from '../clock';
import { EsdbEventStore } from './esdb.event-store';
import { EVENT_STORE, type EventStorePort } from './event-store.port';
import { SqliteEventStore } from './sqlite.event-store';

/**
 * The adapter the configuration names (the embedded SQLite file by default, EventStoreDB in production), with
 * every read upcast to the current event shapes (src/event-schemas.ts); an event this build cannot read is
 * skipped by its readers and counted (event_store_unreadable_events_total) and logged by type and version only.
 */
export const createEventStore = (
  config: AppConfig,
  logger: Logger,
  metrics?: Pick<Metrics, 'projectionUnknownEvents' | 'unreadableEvent'>,
): EventStorePort =>
  withEventSchemas(createAdapter(config, logger, metrics), ({ type, schemaVersion, position }) => {
    metrics?.unreadableEvent(type, schemaVersion);
    logger.warn(
      { type, schemaVersion, position: position.toString() },
      'stored event in a schema version this build cannot read: skipped',
    );
  });

const createAdapter = (
  config: AppConfig,
  logger: Logger,
  metrics?: Pick<Metrics, 'projectionUnknownEvents'>,
): EventStorePort => {
  const { eventStore } = config;
  switch (eventStore.kind) {
    case 'sqlite':
      // A fresh clone has no ./data yet.
      mkdirSync(path.dirname(eventStore.file), { recursive: true });
      return new SqliteEventStore({
        filename: eventStore.file,
        lockWaitMs: eventStore.lockWaitMs,
        onCheckpointError: (reason) => {
          logger.warn({ reason }, 'event store WAL checkpoint failed: the writer checkpoints later instead');
        },
      });
    case 'eventstoredb':
      return new EsdbEventStore({
        connectionString: eventStore.connectionString,
        clientPackage: eventStore.clientPackage,
        deadlineMs: eventStore.deadlineMs,
        // no read model projects the access log: its events never reach the projector (docs/eventstoredb.md)
        subscriptionExcludesStreamPrefixes: AUDIT_STREAM_PREFIXES,
        // Counted as the SQLite store's unknown types are (projection_unknown_events_total), under the label
        // `event-store`: the one shared subscription skips them before any projection sees them.
        onForeignEvent: () => metrics?.projectionUnknownEvents('event-store'),
        // The adapter resubscribes by itself; say so, so a flapping connection shows in the logs.
        onSubscriptionError: (error, attempt) => {
          logger.warn({ err: error, attempt }, 'event store subscription dropped: resubscribing');
        },
      });
  }
};

const eventStoreProvider: Provider = {
  provide: EVENT_STORE,
  inject: [APP_CONFIG, LOGGER, { token: Metrics, optional: true }],
  useFactory: createEventStore,
};

/**
 * Provides `EVENT_STORE` (from config) and `CLOCK` (the system clock; tests override it with `fixedClock`).
 * Global, so capability modules inject both without importing this module. The store is closed in
 * onApplicationShutdown, which Nest runs after the HTTP server has drained in-flight requests, and, this module
 * being global, after the non-global modules' shutdown hooks (a projector stops reading before the store closes).
 */
@Global()
@Module({
  providers: [eventStoreProvider, { provide: CLOCK, useValue: systemClock }],
  exports: [EVENT_STORE, CLOCK],
})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStorePort) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
