import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RebuildRequestWatcher, rebuildLockFile } from './online-rebuild';
import { FileLock } from './read-model-file.lock';

/*
 * The owner's side of the online-rebuild protocol: a held rebuild lock starts one rebuild, a lock let go before the
 * switch abandons it, a lock still held after the switch starts nothing more. The projector is a recording double
 * (its own rebuild is in projector.online-rebuild.spec.ts); the locks are real.
 */

const NAME = 'currentMedicationList.v2';

describe('RebuildRequestWatcher', () => {
  let dir: string;
  let file: string;
  let finish: () => void;
  const calls: string[] = [];
  const projector = {
    startRebuild: (name: string): Promise<void> => {
      calls.push(`start ${name}`);
      return new Promise<void>((resolve) => (finish = resolve));
    },
    abandonRebuild: (name: string): Promise<void> => {
      calls.push(`abandon ${name}`);
      return Promise.resolve();
    },
  };
  const request = async (): Promise<FileLock> => {
    const lock = await FileLock.tryAcquire(rebuildLockFile(file, NAME));
    if (lock === undefined) {
      throw new Error('lock not taken');
    }
    return lock;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rebuild-watcher-'));
    file = join(dir, 'read-models.db');
    calls.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given no request, when it looks, then nothing starts', async () => {
    await new RebuildRequestWatcher(file, projector, [NAME]).poll();
    expect(calls).toEqual([]);
  });

  it('given a held request, when it looks twice, then one rebuild starts; let go before the switch, it is abandoned', async () => {
    const watcher = new RebuildRequestWatcher(file, projector, [NAME]);
    const lock = await request();
    await watcher.poll();
    await watcher.poll();
    expect(calls).toEqual([`start ${NAME}`]);
    lock.release();
    await watcher.poll();
    expect(calls).toEqual([`start ${NAME}`, `abandon ${NAME}`]);
  });

  it('given a switched rebuild whose request is still held, then nothing more starts until a new request', async () => {
    const watcher = new RebuildRequestWatcher(file, projector, [NAME]);
    const lock = await request();
    await watcher.poll();
    finish();
    await watcher.poll();
    lock.release();
    await watcher.poll();
    expect(calls).toEqual([`start ${NAME}`]);
    const again = await request();
    await watcher.poll();
    expect(calls).toEqual([`start ${NAME}`, `start ${NAME}`]);
    again.release();
  });
});
