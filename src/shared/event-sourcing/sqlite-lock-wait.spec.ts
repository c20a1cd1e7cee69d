import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreLockedError } from './event-store.errors';
import type { NewEvent } from './event-store.port';
import { pauseBefore } from './sqlite-lock-wait';
import { SqliteEventStore } from './sqlite.event-store';

/*
 * The SQLite event store while another connection holds the file's write lock (issue 14, part 4): appends and the
 * readiness probe wait on timers, not on the event loop; past the configured wait they fail with
 * EventStoreLockedError and nothing is written; once the lock is gone the waiting appends go through.
 */

const event = (): NewEvent => ({
  id: randomUUID(),
  type: 'LockTestEventRecorded',
  data: { n: 1 },
  metadata: {
    commandId: randomUUID(),
    correlationId: 'c',
    causationId: 'c',
    actor: { role: 'system' },
    clinicalTime: '2026-03-02T09:15:00.000Z',
    recordedAt: '2026-03-02T09:15:00.000Z',
    schemaVersion: 1,
  },
});

/** Settles (true/false) whether `promise` has settled, after letting timers and I/O run `turns` times. */
const settledAfterTurns = async (promise: Promise<unknown>, turns: number): Promise<boolean> => {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set when the promise settles, during the awaits
  for (let turn = 0; turn < turns && !settled; turn += 1) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return settled;
};

describe('SQLite event store under another connection’s write lock', () => {
  let dir: string;
  let filename: string;
  let other: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-lock-wait-'));
    filename = join(dir, 'events.db');
  });
  afterEach(() => {
    if (other.inTransaction) {
      other.exec('ROLLBACK');
    }
    other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const lockedStore = (options: { lockWaitMs?: number; readyProbeMs?: number }): SqliteEventStore => {
    const store = new SqliteEventStore({ filename, backgroundCheckpoints: false, ...options });
    other = new Database(filename);
    other.exec('BEGIN IMMEDIATE');
    return store;
  };

  it('given a held lock, when appending, then the append waits on timers and goes through once the lock is released', async () => {
    const store = lockedStore({ lockWaitMs: 600_000 });
    try {
      const append = store.appendToStream('s-1', [event()], { expectedRevision: 'no_stream' });
      const joiner = store.appendToStream('s-2', [event()], { expectedRevision: 'no_stream' });
      // Timers fire meanwhile: the event loop is not held by SQLite's busy wait.
      expect(await settledAfterTurns(append, 20)).toBe(false);
      await expect(store.readStream('s-1')).resolves.toEqual([]); // reads take no lock in WAL mode
      other.exec('ROLLBACK');
      await expect(append).resolves.toMatchObject({ appended: true, nextExpectedRevision: 0 });
      await expect(joiner).resolves.toMatchObject({ appended: true, nextExpectedRevision: 0 });
      expect(await store.headPosition()).toBe(2n);
    } finally {
      await store.close();
    }
  });

  it('given a lock held past the wait, when appending, then EventStoreLockedError and nothing is appended', async () => {
    const store = lockedStore({ lockWaitMs: 30 });
    try {
      const error: unknown = await store
        .appendToStream('s-1', [event(), event()], { expectedRevision: 'any' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventStoreLockedError);
      expect(error).toMatchObject({ code: 'EVENT_STORE_LOCKED', kind: 'unavailable', details: { waitedMs: 30 } });
      other.exec('ROLLBACK');
      expect(await store.headPosition()).toBeUndefined();
      await expect(store.appendToStream('s-1', [event()], { expectedRevision: 'no_stream' })).resolves.toMatchObject({
        appended: true,
      });
    } finally {
      await store.close();
    }
  });

  it('given a held lock, when probing readiness, then EventStoreLockedError; released, the probe passes', async () => {
    const store = lockedStore({ readyProbeMs: 20 });
    try {
      await expect(store.ping()).rejects.toMatchObject({ code: 'EVENT_STORE_LOCKED' });
      other.exec('ROLLBACK');
      await expect(store.ping()).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('given a waiting append, when the store closes, then the append is refused rather than left pending', async () => {
    const store = lockedStore({ lockWaitMs: 600_000 });
    const append = store.appendToStream('s-1', [event()], { expectedRevision: 'any' });
    expect(await settledAfterTurns(append, 5)).toBe(false);
    await store.close();
    await expect(append).rejects.toMatchObject({ code: 'EVENT_STORE_UNAVAILABLE' });
  });
});

describe('pauseBefore', () => {
  it('doubles from 2 ms, stops at 50 ms and never passes the deadline', () => {
    expect([1, 2, 3, 4, 5, 6, 30].map((attempt) => pauseBefore(attempt, 1_000))).toEqual([2, 4, 8, 16, 32, 50, 50]);
    expect(pauseBefore(6, 7)).toBe(7);
    expect(pauseBefore(1, -3)).toBe(0);
  });
});
