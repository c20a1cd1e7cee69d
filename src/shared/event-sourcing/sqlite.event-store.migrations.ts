import type Database from 'better-sqlite3';
import type { SqliteMigration } from '../sqlite-migrations';

/**
 * The event file's schema versions (`PRAGMA user_version`, docs/operations.md). Append a step for every change to
 * the file; never edit a step that has shipped, since files out there already passed it. Each step spells out its
 * own tables rather than importing today's SCHEMA, so a later schema cannot change what an old step did.
 */

/** The events table of schema version 1 (the build of 2026-12-05 and before). */
const EVENTS_V1 = `
  CREATE TABLE IF NOT EXISTS events (
    position    INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_name TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    event_id    TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT    NOT NULL,
    UNIQUE (stream_name, revision),
    UNIQUE (stream_name, event_id)
  );`;

/** The events table of schema version 2, under a temporary name while step 2 copies the rows into it. */
const EVENTS_V2_NEW = `
  CREATE TABLE events_v2 (
    position    INTEGER PRIMARY KEY,
    stream_name TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    event_id    TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT    NOT NULL
  );`;

/** Its unique index, built after the rows are in: one sorted pass, some 2–3 times faster than row by row. */
const EVENTS_V2_INDEX = 'CREATE UNIQUE INDEX events_stream_revision ON events (stream_name, revision)';

/** The highest position AUTOINCREMENT ever handed out, and the highest one still in the table. */
const positionsOf = (db: Database.Database): { readonly sequence: number; readonly max: number } => {
  const sequence: unknown = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").pluck().get();
  const max: unknown = db.prepare('SELECT MAX(position) FROM events').pluck().get();
  return { sequence: typeof sequence === 'number' ? sequence : 0, max: typeof max === 'number' ? max : 0 };
};

export const EVENT_FILE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    // Files written before versions existed (user_version 0) already have this table: IF NOT EXISTS makes the step
    // a no-op for them and the schema for a new file.
    description: 'the events table as of 2026-12-05',
    up: (db) => {
      db.exec(EVENTS_V1);
    },
  },
  {
    version: 2,
    // Same columns, same rows, same positions; no AUTOINCREMENT and no (stream_name, event_id) index (see SCHEMA in
    // sqlite.event-store.sql.ts and docs/events.md). SQLite cannot drop either from a table, so the table is copied.
    description: 'the events table without AUTOINCREMENT and without the (stream_name, event_id) index',
    up: (db) => {
      // Without AUTOINCREMENT the next position is the largest one in the table plus one. Should a position above
      // it have been handed out (only a row deleted by hand could do that: the service never deletes an event), it
      // would come back, and a projector's checkpoint past it would skip the new event: refuse instead.
      const { sequence, max } = positionsOf(db);
      if (sequence > max) {
        throw new Error(
          `The event file handed out positions up to ${sequence} but holds events only up to ${max} (events were deleted): not migrated, since a position would be reused.`,
        );
      }
      db.exec(EVENTS_V2_NEW);
      db.exec(`INSERT INTO events_v2 (position, stream_name, revision, event_id, type, data, metadata)
               SELECT position, stream_name, revision, event_id, type, data, metadata FROM events ORDER BY position`);
      db.exec('DROP TABLE events');
      db.exec('ALTER TABLE events_v2 RENAME TO events');
      db.exec(EVENTS_V2_INDEX);
    },
  },
];
