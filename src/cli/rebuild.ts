import { failedLine, progressBar, runCli } from './cli-runner';
import { performance } from 'node:perf_hooks';
import type { Projection } from '../../projections/projection';
import { type AppConfig, ConfigError, describeEventStore, loadConfig } from '../config/config';
import { createLogger } from '../observability/logger';
import { acquireReadModelFile, ReadModelFileLockedError } from '../read-models/read-model-file.lock';
import { SqliteReadModelStore } from '../read-models/read-model.store';
import { readModelProjections } from '../read-models/read-models.module';
import { createEventStore } from '../shared/event-sourcing/event-store.module';
import type { EventStorePort } from '../shared/event-sourcing/event-store.port';
import { Projector, UnknownProjectionError, findProjection } from '../shared/event-sourcing/projector';

/**
 * `npm run rebuild -- <projection>`: drops one read model (`currentMedicationList` or `currentMedicationList.v2`)
 * and rebuilds it from position zero of the configured event store, with a progress bar.
 */
export const USAGE = (names: readonly string[]): string => `Usage: npm run rebuild -- <projection>
Drops the read model and rebuilds it from the first event.
Projections: ${names.join(', ')} (the version suffix is optional).
A service running on the same read-model file holds it: the rebuild then refuses and changes nothing (stop that
service first; a replica with its own READ_MODELS_FILE is not affected). An interrupted rebuild leaves a
read model that the service (or a new rebuild) completes: from its checkpoint, or from zero when it was
interrupted while building stream by stream (the current list on the SQLite store).
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
  // Own the file as a service does: with a service projecting into it, both would overwrite each other's documents
  // (issue 23). Refused, nothing has been opened or changed.
  let owner;
  try {
    owner = await acquireReadModelFile(config.readModelsFile, 0);
  } catch (error) {
    if (error instanceof ReadModelFileLockedError) {
      console.error(`${error.message}\nNothing was changed. Stop the service on this file, then run the rebuild again.`);
      return 1;
    }
    throw error;
  }
  const eventStore = createEventStore(config, createLogger({ level: config.logLevel }));
  const store = new SqliteReadModelStore({ file: config.readModelsFile });
  const bar = progressBar(`Rebuilding ${projection.name} |{bar}| {percentage}% | position {value}/{total} | ETA {eta_formatted}`);
  let barStarted = false;
  let summary: RebuildSummary;
  try {
    summary = await rebuildProjection({
      eventStore,
      store,
      projection,
      onProgress: (position, head) => {
        // positions are event numbers in the SQLite store, byte offsets in EventStoreDB: proportional either way
        if (!barStarted) {
          bar.start(Number(head), 0);
          barStarted = true;
        }
        bar.update(Number(position));
      },
    });
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
