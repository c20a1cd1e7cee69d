import {
  Inject,
  Injectable,
  Module,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { careUnitOverviewProjection } from '../../projections/care-unit-overview/care-unit-overview.projection';
import { currentMedicationListProjection } from '../../projections/current-medication-list/current-medication-list.projection';
import { gpWorklistProjection } from '../../projections/gp-worklist/gp-worklist.projection';
import type { Projection } from '../../projections/projection';
import { accessEventTypes } from '../access/audit';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ReadinessChecks, type ReadinessStatus } from '../health/readiness';
import { LOGGER } from '../observability/logger';
import { Metrics } from '../observability/metrics';
import { reconciliationRunEventTypes } from '../reconciliation/domain/reconciliation.events';
import { CLOCK, type Clock } from '../shared/clock';
import { isDomainError } from '../shared/errors/domain-error';
import { EVENT_STORE, type EventStorePort } from '../shared/event-sourcing/event-store.port';
import {
  PROJECTOR,
  type ProjectionStatus,
  Projector,
  type ProjectorObserver,
  type ProjectorOptions,
  eraseDocumentType,
} from '../shared/event-sourcing/projector';
import { RebuildRequestWatcher } from './online-rebuild';
import { FileLock, acquireReadModelFile } from './read-model-file.lock';
import { READ_MODEL_STORE, SqliteReadModelStore } from './read-model.store';

/** Injection token of this process's hold on its read-model file (a FileLock, see read-model-file.lock.ts). */
export const READ_MODEL_OWNER = Symbol('READ_MODEL_OWNER');

/**
 * How long a starting service waits for its read-model file to be free: long enough to ride out the instant an
 * offline `npm run rebuild` holds it to switch copies, short enough that a second service fails fast.
 */
const OWNER_LOCK_WAIT_MS = 2_000;

/** A replica whose read model is further behind than this reports not ready (a load balancer routes elsewhere). */
export const READY_MAX_LAG_SECONDS = 10;

/** The read models this service keeps (and `npm run rebuild` can rebuild). */
export const readModelProjections = (): Projection<unknown>[] => [
  eraseDocumentType(currentMedicationListProjection),
  eraseDocumentType(careUnitOverviewProjection),
  eraseDocumentType(gpWorklistProjection),
];

/**
 * Every event type this build writes. The projector counts an event of any other type as unknown
 * (`projection_unknown_events_total`: written by a newer build, or a projection that forgot a type). The access log
 * and the import runs' own events are known and projected by no read model: without them here, every look at a
 * list counted as an unknown event of each projection.
 */
const knownEventTypes = (): string[] => [
  ...readModelProjections().flatMap((projection) => projection.handles),
  ...accessEventTypes,
  ...reconciliationRunEventTypes,
];

/** The service's projector over its read models (the module's provider; the specs build the same one). */
export const readModelProjector = (
  options: Pick<ProjectorOptions, 'eventStore' | 'store'> &
    Partial<Pick<ProjectorOptions, 'observer' | 'clock' | 'batchSize'>>,
): Projector => new Projector({ ...options, projections: readModelProjections(), knownEventTypes: knownEventTypes() });

/** The projector's observer: lag and unknown events to Prometheus, errors to the log (codes only, no data). */
export const projectorObserver = (
  metrics: Pick<Metrics, 'projectionLag' | 'projectionUnknownEvents'> | undefined,
  logger: Pick<Logger, 'warn'> | undefined,
): ProjectorObserver => ({
  onApplied: (projection, _count, lagSeconds) => metrics?.projectionLag(projection, lagSeconds),
  onUnknownEvent: (projection) => metrics?.projectionUnknownEvents(projection),
  onError: (projection, error) =>
    logger?.warn(
      { projection, code: isDomainError(error) ? error.code : error instanceof Error ? error.name : 'unknown' },
      'projection failed; resubscribing from its checkpoint after a backoff',
    ),
});

/** Ready when the projection's subscription is up and its lag is within `maxLagSeconds`. */
export const projectionReadiness = (
  status: ProjectionStatus,
  maxLagSeconds = READY_MAX_LAG_SECONDS,
): ReadinessStatus => ({
  up: status.running && status.lagSeconds !== null && status.lagSeconds <= maxLagSeconds,
  details: {
    running: status.running,
    checkpoint: status.checkpoint?.toString() ?? 'none',
    lagEvents: status.lagEvents,
    lagSeconds: status.lagSeconds ?? -1,
  },
});

/** While an online rebuild builds a new copy of `name`, /ready shows its progress beside the served copy's. */
const withRebuild = (
  readiness: ReadinessStatus,
  name: string,
  statuses: Record<string, ProjectionStatus>,
): ReadinessStatus => {
  const copy = Object.keys(statuses).find((key) => key.startsWith(`${name}#`));
  const building = copy === undefined ? undefined : statuses[copy];
  if (copy === undefined || building === undefined) {
    return readiness;
  }
  const rebuild = {
    rebuildCopy: copy,
    rebuildCheckpoint: building.checkpoint?.toString() ?? 'none',
    rebuildLagEvents: building.lagEvents,
  };
  return { ...readiness, details: { ...readiness.details, ...rebuild } };
};

/** Starts the projector once the app is up, stops it first on shutdown, closes the read-model file last. */
@Injectable()
export class ReadModelsLifecycle
  implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown
{
  private readonly rebuildRequests: RebuildRequestWatcher;

  constructor(
    @Inject(PROJECTOR) private readonly projector: Projector,
    @Inject(READ_MODEL_STORE) private readonly store: SqliteReadModelStore,
    @Inject(READ_MODEL_OWNER) private readonly owner: FileLock,
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() private readonly readiness?: ReadinessChecks,
    @Optional() @Inject(LOGGER) logger?: Logger,
  ) {
    const names = readModelProjections().map((projection) => projection.name);
    this.rebuildRequests = new RebuildRequestWatcher(
      config.readModelsFile,
      projector,
      names,
      (name) => store.servedGeneration(name),
      logger,
    );
  }

  onModuleInit(): void {
    // One /ready runs every check at once (terminus): they share one status() call, so one call costs at most one
    // head read (SQLite, in memory) and none on EventStoreDB, however many projections there are.
    let pending: Promise<Record<string, ProjectionStatus>> | undefined;
    const status = (): Promise<Record<string, ProjectionStatus>> =>
      (pending ??= this.projector.status().finally(() => {
        pending = undefined;
      }));
    for (const { name } of readModelProjections()) {
      this.readiness?.register(`projection:${name}`, async () => {
        const statuses = await status();
        const projection = statuses[name];
        return projection === undefined ? { up: false } : withRebuild(projectionReadiness(projection), name, statuses);
      });
    }
  }

  onApplicationBootstrap(): void {
    this.projector.start();
    this.rebuildRequests.start();
  }

  /** The earliest shutdown hook: stop projecting before other modules close the event store. */
  async onModuleDestroy(): Promise<void> {
    this.rebuildRequests.stop();
    await this.projector.stop();
  }

  /** After the HTTP server has closed, so no query is still reading; the file is free once it is closed. */
  onApplicationShutdown(): void {
    this.store.close();
    this.owner.release();
  }
}

/**
 * Read models: the SQLite read-model file (READ_MODELS_FILE, default `${DATA_DIR}/read-models.db`, apart from the
 * events file: design decision 4), held exclusively by this process (a second service on it fails to start), and
 * the projector that keeps it current. Needs APP_CONFIG and EVENT_STORE; uses Metrics, LOGGER, CLOCK and
 * ReadinessChecks when the app provides them.
 */
@Module({
  providers: [
    {
      provide: READ_MODEL_OWNER,
      inject: [APP_CONFIG],
      // Before the file is opened: a second service must not even run its migrations on a file someone projects into.
      useFactory: (config: AppConfig) => acquireReadModelFile(config.readModelsFile, OWNER_LOCK_WAIT_MS),
    },
    {
      provide: READ_MODEL_STORE,
      inject: [APP_CONFIG, READ_MODEL_OWNER, { token: LOGGER, optional: true }],
      useFactory: (config: AppConfig, _owner: FileLock, logger: Logger | undefined) =>
        new SqliteReadModelStore({
          file: config.readModelsFile,
          onCheckpointError: (reason) => {
            logger?.warn({ reason }, 'read-model WAL checkpoint failed: the writer checkpoints later instead');
          },
        }),
    },
    {
      provide: PROJECTOR,
      inject: [
        EVENT_STORE,
        READ_MODEL_STORE,
        { token: Metrics, optional: true },
        { token: LOGGER, optional: true },
        { token: CLOCK, optional: true },
      ],
      useFactory: (
        eventStore: EventStorePort,
        store: SqliteReadModelStore,
        metrics: Metrics | undefined,
        logger: Logger | undefined,
        clock: Clock | undefined,
      ) => readModelProjector({ eventStore, store, observer: projectorObserver(metrics, logger), clock }),
    },
    ReadModelsLifecycle,
  ],
  exports: [READ_MODEL_STORE, PROJECTOR, READ_MODEL_OWNER],
})
export class ReadModelsModule {}
