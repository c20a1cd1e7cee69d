import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RebuildRequestWatcher,
  readRebuildRequest,
  rebuildLockFile,
  rebuildRequestFile,
  writeRebuildRequest,
} from './online-rebuild';
import { FileLock } from './read-model-file.lock';

/*
 * The owner's side of the online-rebuild protocol: a held rebuild lock with a request naming the served copy starts
 * one rebuild, a lock let go before the switch abandons it, a request whose copy was replaced starts nothing more,
 * and a new request (a new id) is a new rebuild even when the owner never saw the lock let go in between. The
 * projector is a recording double (its own rebuild is in projector.online-rebuild.spec.ts); locks and files are real.
 */

const NAME = 'currentMedicationList.v2';

describe('RebuildRequestWatcher', () => {
  let dir: string;
  let file: string;
  let served: number;
  let finish: () => void;
  let fail: (error: Error) => void;
  const calls: string[] = [];
  const projector = {
    startRebuild: (name: string): Promise<void> => {
      calls.push(`start ${name}`);
      return new Promise<void>((resolve, reject) => {
        finish = () => {
          served += 1; // the switch: the new copy is served
          resolve();
        };
        fail = reject;
      });
    },
    abandonRebuild: (name: string): Promise<void> => {
      calls.push(`abandon ${name}`);
      return Promise.resolve();
    },
  };
  const watcher = () => new RebuildRequestWatcher(file, projector, [NAME], () => served);
  const lock = async (): Promise<FileLock> => {
    const taken = await FileLock.tryAcquire(rebuildLockFile(file, NAME));
    if (taken === undefined) {
      throw new Error('lock not taken');
    }
    return taken;
  };
  /** What the CLI does: the lock, then a request naming the copy served now. */
  const request = async (id: string): Promise<FileLock> => {
    const taken = await lock();
    writeRebuildRequest(file, NAME, { id, replaces: served });
    return taken;
  };
  const settled = () => new Promise((resolve) => setImmediate(resolve));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rebuild-watcher-'));
    file = join(dir, 'read-models.db');
    served = 0;
    calls.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given no request, when it looks, then nothing starts', async () => {
    await watcher().poll();
    expect(calls).toEqual([]);
  });

  it('given a held lock whose CLI has not written its request yet, then nothing starts (it cannot switch unseen)', async () => {
    const held = await lock();
    const owner = watcher();
    await owner.poll();
    await owner.poll();
    expect(calls).toEqual([]);
    writeRebuildRequest(file, NAME, { id: 'a', replaces: served });
    await owner.poll();
    expect(calls).toEqual([`start ${NAME}`]);
    held.release();
  });

  it('given a held request, when it looks twice, then one rebuild starts; let go before the switch, it is abandoned', async () => {
    const owner = watcher();
    const held = await request('a');
    await owner.poll();
    await owner.poll();
    expect(calls).toEqual([`start ${NAME}`]);
    held.release();
    await owner.poll();
    expect(calls).toEqual([`start ${NAME}`, `abandon ${NAME}`]);
  });

  it('given a switched rebuild whose request is still held, then nothing more starts until a new request', async () => {
    const owner = watcher();
    const held = await request('a');
    await owner.poll();
    finish();
    await settled();
    await owner.poll();
    held.release();
    await owner.poll();
    expect(calls).toEqual([`start ${NAME}`]);
    const again = await request('b');
    await owner.poll();
    expect(calls).toEqual([`start ${NAME}`, `start ${NAME}`]);
    again.release();
  });

  it('given a lock let go and taken again between two looks after a switch, then the new request starts a rebuild', async () => {
    const owner = watcher();
    const first = await request('a');
    await owner.poll();
    finish();
    await settled();
    first.release();
    const second = await request('b'); // the owner never saw the lock free
    await owner.poll();
    expect(calls).toEqual([`start ${NAME}`, `start ${NAME}`]);
    second.release();
  });

  it('given a request for a copy that is no longer served, then nothing starts', async () => {
    const held = await lock();
    writeRebuildRequest(file, NAME, { id: 'old', replaces: 3 });
    served = 4;
    await watcher().poll();
    expect(calls).toEqual([]);
    held.release();
  });

  it('given a failed build, then the same request is not retried but a new one (lock still held) is', async () => {
    const owner = watcher();
    const held = await request('a');
    await owner.poll();
    fail(new Error('projector stopped'));
    await settled();
    await owner.poll();
    expect(calls).toEqual([`start ${NAME}`]);
    writeRebuildRequest(file, NAME, { id: 'b', replaces: served });
    await owner.poll();
    expect(calls).toEqual([`start ${NAME}`, `start ${NAME}`]);
    held.release();
  });

  it('reads back what was written and ignores what is not a request', () => {
    expect(readRebuildRequest(file, NAME)).toBeUndefined();
    writeRebuildRequest(file, NAME, { id: 'x', replaces: 2 });
    expect(readRebuildRequest(file, NAME)).toEqual({ id: 'x', replaces: 2 });
    for (const junk of ['{"replaces": 2', '{"id": "x", "replaces": -1}', '{"id": 7, "replaces": 2}', '[]']) {
      writeFileSync(rebuildRequestFile(file, NAME), junk);
      expect(readRebuildRequest(file, NAME)).toBeUndefined();
    }
  });
});
