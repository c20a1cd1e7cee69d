import { SqliteReadModelStore } from '../../src/read-models/read-model.store';
import { SqliteEventStore } from '../../src/shared/event-sourcing/sqlite.event-store';
import { Projector, eraseDocumentType } from '../../src/shared/event-sourcing/projector';
import { streamCountProjection } from './stream-count.projection';

/*
 * The projector as a separate process, for projector-crash.e2e-spec.ts (run with `node -r ./register-ts.js`).
 * argv: <events file> <read-model file>. Prints `checkpoint <position>` after every commit: stdout to a pipe is
 * synchronous on Linux, so the parent reads a line only once its commit is done. SIGTERM stops it cleanly.
 */
const [eventsFile, readModelsFile] = process.argv.slice(2);
if (eventsFile === undefined || readModelsFile === undefined) {
  throw new Error('usage: projector-crash.child.ts <events file> <read-model file>');
}
const eventStore = new SqliteEventStore({ filename: eventsFile, pollIntervalMs: 5 });
const store = new SqliteReadModelStore({ file: readModelsFile });
const projector = new Projector({
  eventStore,
  store,
  projections: [eraseDocumentType(streamCountProjection)],
  batchSize: 50, // small batches: many commits for SIGKILL to land between and inside
  observer: {
    onApplied: () => undefined,
    onUnknownEvent: () => undefined,
    onError: (projection, error) => process.stderr.write(`${projection}: ${String(error)}\n`),
  },
});
projector.changes.subscribe((change) => process.stdout.write(`checkpoint ${change.position}\n`));
process.on('SIGTERM', () => {
  void projector
    .stop()
    .then(() => eventStore.close())
    .then(() => {
      store.close();
      process.stdout.write('stopped\n');
      process.exit(0);
    });
});
projector.start();
process.stdout.write(`started ${store.checkpoint(streamCountProjection.name) ?? 0n}\n`);
