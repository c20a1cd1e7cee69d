import { failedLine, progressBar as cliProgressBar, runCli } from './cli-runner';
import { performance } from 'node:perf_hooks';
import type { Projection } from '../../projections/projection';
import { type AppConfig, ConfigError, describeEventStore, loadConfig } from '../config/config';
import { createLogger } from '../observability/logger';
import { rebuildLockFile } from '../read-models/online-rebuild';
import { FileLock, ownerLockFile } from '../read-models/read-model-file.lock';
import { SqliteReadModelStore } from '../read-models/read-model.store';
import { readModelProjections } from '../read-models/read-models.module';
import { createEventStore } from '../shared/event-sourcing/event-store.module';
import type { EventStorePort } from '../shared/event-sourcing/event-store.port';
import { Projector, UnknownProjectionError, findProjection } from '../shared/event-sourcing/projector';
import { OnlineRebuildInterruptedError, rebuildOnline } from './rebuild-online';

/**
 * `npm run rebuild -- <projection>`: rebuilds one read model (`currentMedicationList` or `currentMedicationList.v2`)
 * from position zero of the configured event store, with a progress bar. With no service on the read-model file it
 * drops and rebuilds it itself (offline); beside a service that owns the file, the service builds a new copy beside
 * the one it serves and switches to it once caught up (online, see rebuild-online.ts).
 */
export const USAGE = (names: readonly string[]): string => `Usage: npm run rebuild -- <projection>
Rebuilds the read model from the first event.
Projections: ${names.join(', ')} (the version suffix is optional).
With no service on the read-model file, the rebuild drops the read model and builds it itself; an interrupted one
leaves a read model that the service (or a new rebuild) completes. Beside a service running on the file, that
service builds a new copy while it serves the old one, and switches to it in one step once it has caught up;
stopping this command before the switch (Ctrl-C) abandons the new copy and leaves the served one untouched.
A second rebuild of the same projection while one runs refuses and changes nothing.
Environment: DATA_DIR (default ./data), READ_MODELS_FILE (default DATA_DIR/read-models.db), EVENT_STORE (sqlite | eventstoredb), EVENTSTORE_CONNECTION_STRING.`;

/** The largest delay setTimeout accepts (about 24.8 days): a rebuild has no deadline of its own. */
const NO_DEADLINE_MS = 2 ** 31 - 1;

export interface RebuildOptions {
  readonly eventStore: EventStorePort;
  readonly store: SqliteReadModelStore;
  readonly projection: Projection<unknown>;
  /** called after each committed batch with the position reached and the head it is heading for */
  readonly onProgress?: (position: bigint, head: bigint) => void;
}

export interface RebuildSummary {
  readonly projection: string;
  readonly events: number;
  readonly seconds: number;
  /** undefined when the event store is empty */
  readonly head: bigint | undefined;
}

/**
 * Resets the projection and runs the ordinary Projector over it until it reaches the head as it was when the
 * rebuild started (events appended meanwhile are the running service's business). Fails on the first error
 * rather than retrying for ever as the service does.
 */
export const rebuildProjection = async (options: RebuildOptions): Promise<RebuildSummary> => {
  const { eventStore, store, projection } = options;
  const started = performance.now();
  const head = await eventStore.headPosition();
  store.reset(projection.name);
  if (head === undefined) {
    return { projection: projection.name, events: 0, seconds: 0, head };
  }
  // Stream by stream (a per-stream projection on SQLite) nothing commits a position until the end: progress is
  // the events folded so far, which on SQLite count like positions.
  const streamByStream = projection.perStream !== undefined && eventStore.readStreamsByPrefix !== undefined;
  let committed = false;
  let events = 0;
  let fail: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => (fail = reject));
  const projector = new Projector({
    eventStore,
    store,
    projections: [projection],
    observer: {
      onApplied: (_name, count) => {
        events += count;
        if (streamByStream && !committed) {
          options.onProgress?.(BigInt(events), head);
        }
      },
      onUnknownEvent: () => undefined,
      onError: (_name, error) => fail(error),
    },
  });
  const progress = projector.changes.subscribe((change) => {
    committed = true;
    options.onProgress?.(change.position, head);
  });
  projector.start();
  try {
    await Promise.race([projector.waitForPosition(projection.name, head, NO_DEADLINE_MS), failed]);
  } finally {
    progress.unsubscribe();
    await projector.stop();
  }
  return { projection: projection.name, events, seconds: (performance.now() - started) / 1000, head };
};

const main = async (argv: readonly string[]): Promise<number> => {
  const projections = readModelProjections();
  const names = projections.map((projection) => projection.name);
  const [name] = argv;
  if (name === undefined || name === '-h' || name === '--help' || argv.length > 1) {
    console.error(USAGE(names));
    return name === '-h' || name === '--help' ? 0 : 2;
  }
  let projection: Projection<unknown>;
  let config: AppConfig;
  try {
    projection = findProjection(projections, name);
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof UnknownProjectionError) {
      console.error(`${error.message}\n\n${USAGE(names)}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  // One rebuild per projection: its lock is held until this process ends (a service watches it, see online-rebuild).
  // A short wait rides out the instant a service looks at the lock.
  const request = await FileLock.tryAcquire(rebuildLockFile(config.readModelsFile, projection.name), LOCK_WAIT_MS);
  if (request === undefined) {
    console.error(
      `A rebuild of ${projection.name} on ${config.readModelsFile} is already running. Nothing was changed.`,
    );
    return 1;
  }
  try {
    // Owning the file (no service on it): the offline rebuild. Held by a service: that service rebuilds online.
    const owner = await FileLock.tryAcquire(ownerLockFile(config.readModelsFile));
    return owner === undefined ? await online(config, projection) : await offline(config, projection, owner);
  } finally {
    request.release();
  }
};

/** How long a rebuild waits for its lock before it says another one is running. */
const LOCK_WAIT_MS = 1_000;

const progressBar = (projection: Projection<unknown>) => {
  const bar = cliProgressBar(
    `Rebuilding ${projection.name} |{bar}| {percentage}% | position {value}/{total} | ETA {eta_formatted}`,
  );
  let barStarted = false;
  return {
    // positions are event numbers in the SQLite store, byte offsets in EventStoreDB: proportional either way
    update: (position: bigint, head: bigint): void => {
      if (!barStarted) {
        bar.start(Number(head), 0);
        barStarted = true;
      }
      bar.setTotal(Number(head));
      bar.update(Number(position));
    },
    stop: () => bar.stop(),
  };
};

/** Beside a service: it builds and switches; this process holds the request and reports. */
const online = async (config: AppConfig, projection: Projection<unknown>): Promise<number> => {
  const eventStore = createEventStore(config, createLogger({ level: config.logLevel }));
  const bar = progressBar(projection);
  console.log(
    `A service holds ${config.readModelsFile}: it builds a new copy of ${projection.name} beside the one it serves.`,
  );
  try {
    const summary = await rebuildOnline({
      file: config.readModelsFile,
      projection: projection.name,
      eventStore,
      onProgress: bar.update,
    });
    bar.stop();
    console.log(
      `Rebuilt ${summary.projection} beside the running service from ${describeEventStore(config)} in ` +
        `${summary.seconds.toFixed(2)} s: it serves copy ${summary.generation}, checkpoint ${summary.checkpoint ?? 'none'}.`,
    );
    return 0;
  } catch (error) {
    bar.stop();
    if (error instanceof OnlineRebuildInterruptedError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await eventStore.close();
  }
};

/** No service on the file: drop the read model and build it here, owning the file meanwhile. */
const offline = async (config: AppConfig, projection: Projection<unknown>, owner: FileLock): Promise<number> => {
  const eventStore = createEventStore(config, createLogger({ level: config.logLevel }));
  const store = new SqliteReadModelStore({ file: config.readModelsFile });
  const bar = progressBar(projection);
  let summary: RebuildSummary;
  try {
    summary = await rebuildProjection({ eventStore, store, projection, onProgress: bar.update });
  } finally {
    bar.stop();
    store.close();
    await eventStore.close();
    owner.release();
  }
  const rate = summary.seconds > 0 ? Math.round(summary.events / summary.seconds) : summary.events;
  console.log(
    `Rebuilt ${summary.projection} from ${describeEventStore(config)}: ${summary.events} events in ` +
      `${summary.seconds.toFixed(2)} s (${rate} events/s), checkpoint ${summary.head ?? 'none'}.`,
  );
  return 0;
};

if (require.main === module) {
  runCli(() => main(process.argv.slice(2)), { failure: failedLine('rebuild') });
}
