import type Database from 'better-sqlite3';
import { EventStoreUnavailableError } from './event-store.errors';
import { isEventMetadata, type RecordedEvent } from './event-store.port';

/* The SQL side of the SQLite event store: schema, prepared statements, row parsing, error mapping. */

/**
 * The one `events` table (schema version 2; sqlite.event-store.migrations.ts creates it and converts older files).
 * Two B-trees per row: the table itself in position order (rows append at its end) and the unique
 * (stream_name, revision) index (an index rather than a table constraint, so the migration builds it in one sorted
 * pass after copying the rows: the same uniqueness, and the same index SQLite would build for the constraint).
 */
// - Positions are the rowid (INTEGER PRIMARY KEY, without AUTOINCREMENT): SQLite gives a new row the largest rowid
//   plus one, so positions grow in commit order (appends are serialised by BEGIN IMMEDIATE). A rowid could only come
//   back if the row holding the largest one were deleted, and nothing deletes events; a rolled-back append's
//   positions were never visible to a reader. AUTOINCREMENT cost a write to `sqlite_sequence` on every commit.
// - Stream heads come from MAX(revision) on the (stream_name, revision) index: one index seek, while a separate
//   `streams` head table costs an extra B-tree write per append (the hot path).
// - No index on event_id: the idempotency check looks for an append's event ids among its own stream's rows, under
//   the write lock, instead of a second unique index keyed by random UUIDs that every insert dirtied a random page of
//   (docs/events.md, "The event table"). With an expected revision it reads only where a retry's events would stand
//   (retryWindow: the rows after that revision); with `any`, findById walks the stream along the
//   (stream_name, revision) index.
export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position    INTEGER PRIMARY KEY,
    stream_name TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    event_id    TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT    NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS events_stream_revision ON events (stream_name, revision);`;

// Read as arrays (`raw`), in this order: cheaper than one object per row, and a stream read leaves out the stream
// name it already knows (the last column). Together they take about a fifth off an 11-row stream read measured on
// its own (91–108 µs → 69–85 µs on the bench's 1M-event file); inside B1's command loop, where the page reads
// dominate, the gain is within the noise (docs/performance.md).
const STREAM_COLUMNS = 'position, revision, event_id, type, data, metadata';
const COLUMNS = `${STREAM_COLUMNS}, stream_name`;

/** a promise of a synchronous result; a throw becomes a rejection (the Promise executor catches it) */
export const settle = <T>(run: () => T): Promise<T> =>
  new Promise((resolve) => {
    resolve(run());
  });

/** Prepared once per connection: appends and reads are the hot path. */
export const prepareStatements = (db: Database.Database) => ({
  begin: db.prepare('BEGIN IMMEDIATE'),
  commit: db.prepare('COMMIT'),
  rollback: db.prepare('ROLLBACK'),
  ping: db.prepare('SELECT 1'),
  maxRevision: db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream_name = ?').safeIntegers(true),
  // The stream's rows along the (stream_name, revision) index, event_id compared on each: as many rows as the
  // stream has, which the command read before deciding (and which are in the page cache since).
  findById: db
    .prepare('SELECT position, revision FROM events WHERE stream_name = ? AND event_id = ?')
    .safeIntegers(true),
  // Where a retry of an append with this expected revision put its events: the first rows after that revision.
  retryWindow: db
    .prepare(
      'SELECT position, revision, event_id FROM events WHERE stream_name = ? AND revision > ? ORDER BY revision LIMIT ?',
    )
    .safeIntegers(true),
  insert: db.prepare(
    'INSERT INTO events (stream_name, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
  ),
  readStream: db
    .prepare(`SELECT ${STREAM_COLUMNS} FROM events WHERE stream_name = ? AND revision >= ? ORDER BY revision`)
    .safeIntegers(true)
    .raw(true),
  readAll: db
    .prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`)
    .safeIntegers(true)
    .raw(true),
  head: db.prepare('SELECT MAX(position) AS position FROM events').safeIntegers(true),
  // keyset pages over the UNIQUE (stream_name, revision) index: stream after stream, each in revision order
  readStreamsPage: db
    .prepare(
      `SELECT ${COLUMNS} FROM events
       WHERE (stream_name, revision) > (?, ?) AND stream_name < ? AND position <= ?
       ORDER BY stream_name, revision LIMIT ?`,
    )
    .safeIntegers(true)
    .raw(true),
});

const isRow = (row: unknown): row is Readonly<Record<string, unknown>> => typeof row === 'object' && row !== null;

/** A column of a row typed `unknown` (better-sqlite3 rows are parsed here, never cast). */
export const field = (row: unknown, name: string): unknown => (isRow(row) ? row[name] : undefined);

/** The `position` column, a bigint because the statements read with safeIntegers. */
export const bigintOf = (row: unknown): bigint => {
  const position = field(row, 'position');
  if (typeof position !== 'bigint') {
    throw new Error('malformed event row: no position');
  }
  return position;
};

/**
 * Parses one row (an array in STREAM_COLUMNS or COLUMNS order) at the boundary; a malformed row is corruption, not
 * "unavailable", and says so. `streamName` is the stream a stream read asked for; other reads carry it as the
 * last column. Runs for every event of every stream read and of every catch-up page.
 */
const parseRow = (row: unknown, streamName: string | undefined): RecordedEvent => {
  if (!Array.isArray(row)) {
    throw new Error('malformed event row: not a row');
  }
  const columns: readonly unknown[] = row;
  const [position, revision, id, type, data, metadata, storedName] = columns;
  const name = streamName ?? storedName;
  if (typeof position !== 'bigint') {
    throw new Error('malformed event row: no position');
  }
  if (
    typeof name !== 'string' ||
    typeof revision !== 'bigint' ||
    typeof id !== 'string' ||
    typeof type !== 'string' ||
    typeof data !== 'string' ||
    typeof metadata !== 'string'
  ) {
    throw new Error(`malformed event row at position ${position}`);
  }
  const parsedMetadata: unknown = JSON.parse(metadata);
  if (!isEventMetadata(parsedMetadata)) {
    throw new Error(`malformed event metadata at position ${position}`);
  }
  const parsedData: unknown = JSON.parse(data);
  return {
    id,
    streamName: name,
    revision: Number(revision),
    position,
    type,
    data: parsedData,
    metadata: parsedMetadata,
  };
};

/** A row of `readAll` or `readStreamsPage` (COLUMNS: the stream name is the last column). */
export const toRecordedEvent = (row: unknown): RecordedEvent => parseRow(row, undefined);

/** The parser of `readStream`'s rows (STREAM_COLUMNS): their stream is the one the read asked for. */
export const toStreamEvent =
  (streamName: string) =>
  (row: unknown): RecordedEvent =>
    parseRow(row, streamName);

/**
 * The SQLite result code (`SQLITE_BUSY`, `SQLITE_CANTOPEN`, …) of an error thrown by better-sqlite3, or undefined
 * for any other. The code is the reason an error reports; SQLite's messages could quote a path.
 */
export const sqliteCodeOf = (error: unknown): string | undefined => {
  if (typeof error !== 'object' || error === null || !('code' in error)) {
    return undefined;
  }
  const { code } = error;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
};

export const toUnavailable = (error: unknown): EventStoreUnavailableError => {
  if (error instanceof EventStoreUnavailableError) {
    return error;
  }
  // Duck-typed, not `instanceof Database.SqliteError`: the native addon keeps the SqliteError class of the first
  // module registry that loaded it, so in a second registry (Jest runs test files in one process) the check fails.
  const code = sqliteCodeOf(error);
  if (code !== undefined) {
    return new EventStoreUnavailableError(`SQLite ${code}`);
  }
  return new EventStoreUnavailableError(error instanceof Error ? error.message : 'unknown error');
};
