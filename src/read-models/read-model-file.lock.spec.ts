import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLock, ReadModelFileLockedError, acquireReadModelFile, ownerLockFile } from './read-model-file.lock';

// Within one process SQLite still refuses a second EXCLUSIVE lock on the same file (it tracks locks per inode), so
// these run in-process; test/integration/replicas.e2e-spec.ts shows the same between processes and after SIGKILL.
describe('the read-model file lock', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-model-lock-'));
    file = join(dir, 'read-models.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given a held file, when another owner asks, then it is refused with a message naming the file', async () => {
    const first = await acquireReadModelFile(file, 0);

    const second = acquireReadModelFile(file, 100);

    await expect(second).rejects.toThrow(ReadModelFileLockedError);
    await expect(second).rejects.toThrow(`Read-model file ${file} is held by another process`);
    await expect(second).rejects.toMatchObject({ code: 'READ_MODEL_FILE_LOCKED' });
    first.release();
  });

  it('given a released file, when another owner asks, then it gets it', async () => {
    const first = await acquireReadModelFile(file, 0);
    first.release();

    const second = await acquireReadModelFile(file, 0);

    expect(second.path).toBe(ownerLockFile(file));
    second.release();
  });

  it('given a held file, when the holder lets go within the wait, then the waiting owner gets it', async () => {
    const first = await acquireReadModelFile(file, 0);
    const waiting = FileLock.tryAcquire(ownerLockFile(file), 10_000);

    first.release();

    const second = await waiting;
    expect(second).toBeInstanceOf(FileLock);
    second?.release();
  });

  it('locks one file only: a different read-model file is free', async () => {
    const first = await acquireReadModelFile(file, 0);

    const other = await acquireReadModelFile(join(dir, 'replica-2.db'), 0);

    other.release();
    first.release();
  });
});
