import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKSTOP_AUTOCHECKPOINT_PAGES, WalCheckpointer } from './wal-checkpointer';

const turn = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

describe('WalCheckpointer', () => {
  let dir: string;
  let file: string;
  let db: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-checkpointer-'));
    file = join(dir, 'test.db');
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  });

  afterEach(() => {
    if (db.open) {
      db.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves the writer’s own automatic checkpoint to the backstop size', () => {
    const checkpointer = WalCheckpointer.attach(db, file);
    try {
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_AUTOCHECKPOINT_PAGES);
    } finally {
      checkpointer.stop();
    }
  });

  it('lets the WAL start over under steady writes instead of growing to the backstop', async () => {
    // Commits one after another, each followed by one turn of the event loop (as commands are). Checkpoints on the
    // worker alone never let such a WAL start over: each transaction starts while frames are still uncopied. It
    // grew to the backstop (4,000 commits of a 3 KB row: 50 MB).
    const checkpointer = WalCheckpointer.attach(db, file, { intervalMs: 5, restartFrames: 100, leftoverFrames: 64 });
    const insert = db.prepare('INSERT INTO rows (body) VALUES (?)');
    const body = 'x'.repeat(3_000);
    try {
      await new Promise((resolve) => setTimeout(resolve, 300)); // the worker thread starts
      for (let commit = 0; commit < 4_000; commit += 1) {
        insert.run(body);
        await turn(); // the writer's thread between transactions, where the worker's request is handled
      }
      // The file never shrinks: its size is the most the WAL ever held.
      expect(statSync(`${file}-wal`).size).toBeLessThan(8 * 1024 * 1024);
      expect(checkpointer.finishedCheckpoints).toBeGreaterThan(0);
      expect(db.prepare('SELECT COUNT(*) AS n FROM rows').get()).toEqual({ n: 4_000 });
    } finally {
      checkpointer.stop();
    }
  });

  it('reports a checkpoint that fails through onError', async () => {
    const notADatabase = join(dir, 'not-a-database.db');
    writeFileSync(notADatabase, 'x'.repeat(8_192));
    const errors: string[] = [];
    const checkpointer = new WalCheckpointer(notADatabase, {
      intervalMs: 5,
      onError: (message) => errors.push(message),
    });
    try {
      for (let waited = 0; errors.length === 0 && waited < 5_000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(errors[0]).toMatch(/not a database/);
    } finally {
      checkpointer.stop();
    }
  });
});
