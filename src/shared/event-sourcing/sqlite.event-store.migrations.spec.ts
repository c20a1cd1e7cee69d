import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AT, fixedMeta } from '../../medication-list/domain/medication-list.fixtures';
import { migrateSqliteFile } from '../sqlite-migrations';
import type { EventMetadata, NewEvent } from './event-store.port';
import { SqliteEventStore } from './sqlite.event-store';
import { EVENT_FILE_MIGRATIONS } from './sqlite.event-store.migrations';
import { SCHEMA } from './sqlite.event-store.sql';

/* Step 2 of the event file: the table without AUTOINCREMENT and without the (stream_name, event_id) index. */

const metadata: EventMetadata = { ...fixedMeta, clinicalTime: AT, schemaVersion: 1 };
const event = (id: string): NewEvent => ({
  id,
  type: 'ListMarkedReviewed',
  data: { reviewedAt: '2026-12-01' },
  metadata,
});

/** the events table's indexes, each as its columns */
const indexesOf = (db: Database.Database): string[][] =>
  db
    .prepare<[], { name: string }>("SELECT name FROM pragma_index_list('events')")
    .all()
    .map(({ name }) =>
      db
        .prepare<[string], { name: string }>('SELECT name FROM pragma_index_info(?) ORDER BY seqno')
        .all(name)
        .map((column) => column.name),
    );

const tableSql = (db: Database.Database): string =>
  String(db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'").pluck().get());

describe('event file step 2: the events table without AUTOINCREMENT and the (stream_name, event_id) index', () => {
  let dir: string;
  let filename: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'event-migrations-'));
    filename = join(dir, 'events.db');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** a version-1 file with three events in two streams, as the build of 2026-12-05 wrote them */
  const versionOneFile = (): void => {
    const db = new Database(filename);
    migrateSqliteFile(db, 'event', EVENT_FILE_MIGRATIONS.slice(0, 1));
    const insert = db.prepare(
      'INSERT INTO events (stream_name, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const [stream, revision, id] of [
      ['s-a', 0, 'a0'],
      ['s-b', 0, 'b0'],
      ['s-a', 1, 'a1'],
    ] as const) {
      insert.run(stream, revision, id, 'ListMarkedReviewed', '{"reviewedAt":"2026-12-01"}', JSON.stringify(metadata));
    }
    expect(indexesOf(db)).toEqual(expect.arrayContaining([['stream_name', 'event_id']]));
    db.close();
  };

  it('a new file gets the version-2 table: position is the rowid, one unique index on (stream_name, revision)', async () => {
    const store = new SqliteEventStore({ filename, backgroundCheckpoints: false });
    await store.close();
    const db = new Database(filename, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(indexesOf(db)).toEqual([['stream_name', 'revision']]);
    expect(tableSql(db)).not.toMatch(/AUTOINCREMENT/i);
    expect(db.prepare("SELECT COUNT(*) FROM sqlite_sequence WHERE name = 'events'").pluck().get()).toBe(0);
    db.close();
  });

  it('the migrations create the table SCHEMA describes (columns, key, unique index)', () => {
    const migrated = new Database(':memory:');
    migrateSqliteFile(migrated, 'event', EVENT_FILE_MIGRATIONS);
    const described = new Database(':memory:');
    described.exec(SCHEMA);
    const shape = (db: Database.Database) => ({
      columns: db.prepare('SELECT name, type, "notnull", pk FROM pragma_table_info(\'events\')').all(),
      indexes: db.prepare('SELECT name, "unique" FROM pragma_index_list(\'events\')').all(),
      indexColumns: indexesOf(db),
    });
    expect(shape(migrated)).toEqual(shape(described));
    migrated.close();
    described.close();
  });

  it('keeps every row and position of a version-1 file; the next append takes the next position', async () => {
    versionOneFile();
    const before = new Database(filename, { readonly: true });
    const rows = before.prepare('SELECT * FROM events ORDER BY position').all();
    before.close();

    const store = new SqliteEventStore({ filename, backgroundCheckpoints: false });
    try {
      expect((await store.readAll()).map((recorded) => [recorded.id, recorded.position])).toEqual([
        ['a0', 1n],
        ['b0', 2n],
        ['a1', 3n],
      ]);
      // idempotency by event id still holds on the migrated file, through the stream's own rows
      expect(await store.appendToStream('s-a', [event('a1')], { expectedRevision: 0 })).toEqual({
        nextExpectedRevision: 1,
        position: 3n,
        appended: false,
      });
      expect(await store.appendToStream('s-b', [event('b1')], { expectedRevision: 0 })).toEqual({
        nextExpectedRevision: 1,
        position: 4n,
        appended: true,
      });
    } finally {
      await store.close();
    }
    const after = new Database(filename, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(2);
    expect(indexesOf(after)).toEqual([['stream_name', 'revision']]);
    expect(after.prepare('SELECT * FROM events WHERE position <= 3 ORDER BY position').all()).toEqual(rows);
    after.close();
  });

  it('refuses a version-1 file whose newest events were deleted by hand (a position would come back), changing nothing', () => {
    versionOneFile();
    const db = new Database(filename);
    db.prepare('DELETE FROM events WHERE position = 3').run();
    db.close();
    expect(() => new SqliteEventStore({ filename, backgroundCheckpoints: false })).toThrow(
      /handed out positions up to 3 but holds events only up to 2/,
    );
    const unchanged = new Database(filename, { readonly: true });
    expect(unchanged.pragma('user_version', { simple: true })).toBe(1);
    expect(indexesOf(unchanged)).toEqual(expect.arrayContaining([['stream_name', 'event_id']]));
    unchanged.close();
  });
});
