import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { rebuildProjection } from '../src/cli/rebuild';
import { SqliteReadModelStore } from '../src/read-models/read-model.store';
import { readModelProjections, readModelProjector } from '../src/read-models/read-models.module';
import { findProjection } from '../src/shared/event-sourcing/projector';
import { SqliteEventStore } from '../src/shared/event-sourcing/sqlite.event-store';

/*
 * Issue 23, part 1: the time of an online rebuild of currentMedicationList (a new copy built beside the served one
 * by the owner's projector, then the switch) against the offline one (`npm run rebuild` with no service), on one
 * events file. Not a figure of `npm run bench` (no target); run by hand:
 *   node -r ./test/integration/register-ts.js bench/online-rebuild.ts <events.db> [<caught-up read-models.db>]
 * The optional read-model file (the bench cache's) spares the first catch-up; it is copied, never changed.
 */

const NAME = 'currentMedicationList';

const main = async (eventsFile: string, readModels: string | undefined): Promise<void> => {
  const dir = path.join('bench-results', 'online-rebuild');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const eventStore = new SqliteEventStore({ filename: eventsFile, synchronous: 'NORMAL' });
  const head = await eventStore.headPosition();
  console.log(`events: head ${String(head)}`);

  // offline: into a fresh file, as `npm run rebuild` with no service on it (ONLINE_ONLY=1 skips it)
  const projection = findProjection(readModelProjections(), NAME);
  if (process.env.ONLINE_ONLY !== '1') {
    const offlineStore = new SqliteReadModelStore({ file: path.join(dir, 'offline.db') });
    const offline = await rebuildProjection({ eventStore, store: offlineStore, projection });
    offlineStore.close();
    console.log(`offline rebuild: ${offline.events} events in ${offline.seconds.toFixed(1)} s`);
  }

  // online: a served, caught-up file; the owner's projector builds a new copy and switches
  const file = path.join(dir, 'online.db');
  if (readModels !== undefined) {
    copyFileSync(readModels, file);
  }
  const store = new SqliteReadModelStore({ file });
  // the switch's one transaction (it also deletes the old copy's rows), timed apart
  let switchSeconds = 0;
  const switchGeneration = store.switchGeneration.bind(store);
  store.switchGeneration = (name, generation) => {
    const switchStarted = performance.now();
    const old = switchGeneration(name, generation);
    switchSeconds = (performance.now() - switchStarted) / 1000;
    return old;
  };
  const projector = readModelProjector({ eventStore, store });
  projector.start();
  const caughtUp = performance.now();
  for (const { name } of readModelProjections()) {
    await projector.waitForPosition(name, head ?? 0n, 2 ** 31 - 1);
  }
  console.log(`served read models caught up in ${((performance.now() - caughtUp) / 1000).toFixed(1)} s`);
  const started = performance.now();
  await projector.startRebuild(NAME);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `online rebuild: switched to copy ${store.servedGeneration(projection.name)} in ${seconds.toFixed(1)} s ` +
      `(the switch transaction ${switchSeconds.toFixed(2)} s)`,
  );
  // the first copy's key is the projection's name: nothing left to drop once the rebuild has resolved
  console.log(`the old copy dropped: ${String(store.dropDocuments(projection.name, 1) === 0)}`);
  await projector.stop();
  store.close();
  await eventStore.close();
};

const [eventsFile, readModelsFile] = process.argv.slice(2);
if (eventsFile === undefined) {
  console.error('usage: bench/online-rebuild.ts <events.db> [<caught-up read-models.db>]');
  process.exitCode = 2;
} else {
  void main(eventsFile, readModelsFile);
}
