import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RebuildRequestWatcher, rebuildLockFile } from '../read-models/online-rebuild';
import { FileLock, ownerLockFile } from '../read-models/read-model-file.lock';
import { SqliteReadModelStore } from '../read-models/read-model.store';
import type { EventStorePort } from '../shared/event-sourcing/event-store.port';
import { OnlineRebuildInterruptedError, rebuildOnline } from './rebuild-online';

/*
 * The CLI's side of the online rebuild against a real read-model file and real locks, with the owner played by the
 * real RebuildRequestWatcher over a projector double that switches at once (the fastest possible rebuild: a read
 * model with nothing in it). Before the request file, a switch this fast could happen before the CLI read the
 * served generation, and the CLI then waited forever for a second switch.
 */

const NAME = 'currentMedicationList.v2';
const eventStore = { headPosition: () => Promise.resolve(10n) } as unknown as EventStorePort;

describe('rebuildOnline', () => {
  let dir: string;
  let file: string;
  let store: SqliteReadModelStore;
  let owner: FileLock | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rebuild-online-'));
    file = join(dir, 'read-models.db');
    store = new SqliteReadModelStore({ file, backgroundCheckpoints: false });
    owner = await FileLock.tryAcquire(ownerLockFile(file));
  });
  afterEach(() => {
    owner?.release();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The service: a watcher whose projector switches to the next copy the moment it is asked. */
  const service = (pollMs: number) => {
    const projector = {
      startRebuild: (name: string) => {
        const { generation } = store.prepareGeneration(name);
        store.switchGeneration(name, generation);
        return Promise.resolve();
      },
      abandonRebuild: () => Promise.resolve(),
    };
    const watcher = new RebuildRequestWatcher(file, projector, [NAME], (name) => store.servedGeneration(name));
    watcher.start(pollMs);
    return watcher;
  };

  it('given a service that switches within a millisecond of the request, then the CLI returns its own switch', async () => {
    const watcher = service(1);
    try {
      for (const expected of [1, 2, 3]) {
        const request = await FileLock.tryAcquire(rebuildLockFile(file, NAME));
        // the service looks at the held lock many times before the CLI reads the served copy: it must not switch
        await new Promise((resolve) => setTimeout(resolve, 30));
        expect(store.servedGeneration(NAME)).toBe(expected - 1);
        const summary = await rebuildOnline({ file, projection: NAME, eventStore, pollMs: 5 });
        request?.release();
        expect(summary.generation).toBe(expected);
        expect(store.servedGeneration(NAME)).toBe(expected);
      }
    } finally {
      watcher.stop();
    }
  });

  it('given the service ends before it switches, then it throws and the served copy is untouched', async () => {
    const request = await FileLock.tryAcquire(rebuildLockFile(file, NAME));
    owner?.release();
    owner = undefined;
    await expect(rebuildOnline({ file, projection: NAME, eventStore, pollMs: 5 })).rejects.toBeInstanceOf(
      OnlineRebuildInterruptedError,
    );
    expect(store.servedGeneration(NAME)).toBe(0);
    request?.release();
  });
});
