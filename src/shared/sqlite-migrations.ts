import type Database from 'better-sqlite3';

/*
 * The files on disk evolve too: each SQLite file the service owns (events.db, read-models.db) carries its schema
 * version in `PRAGMA user_version`, and opening it runs the forward migrations it has not had yet. A file written by
 * any earlier build opens in every later one; a file from a newer build is refused rather than misread.
 */

/** One forward step; `up` runs in the same transaction that sets `user_version` to `version`. */
export interface SqliteMigration {
  readonly version: number;
  /** what the step does, for the log and the docs */
  readonly description: string;
  readonly up: (db: Database.Database) => void;
}

/** The file's schema is newer than this build knows: a newer build wrote it. Nothing was changed. */
export class FileSchemaTooNewError extends Error {
  readonly code = 'FILE_SCHEMA_TOO_NEW';
  constructor(kind: string, found: number, known: number) {
    super(
      `The ${kind} file has schema version ${found}; this build knows up to ${known}. Run a build at least as new as the one that wrote it.`,
    );
    this.name = 'FileSchemaTooNewError';
  }
}

const userVersion = (db: Database.Database): number => {
  const version: unknown = db.pragma('user_version', { simple: true });
  return typeof version === 'number' ? version : 0;
};

/**
 * Brings the file to the last migration's version. A file at that version costs one PRAGMA read (every start of
 * every replica). Otherwise the steps run under the write lock (BEGIN IMMEDIATE) after reading the version again,
 * so two processes opening one file at once migrate it once; a step that throws rolls back with its version.
 */
export const migrateSqliteFile = (
  db: Database.Database,
  kind: string,
  migrations: readonly SqliteMigration[],
): { readonly from: number; readonly to: number } => {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new TypeError(`${kind} migrations must be numbered 1, 2, 3, … in order`);
    }
  });
  const latest = migrations.length;
  const found = userVersion(db);
  if (found === latest) {
    return { from: found, to: found };
  }
  if (found > latest) {
    throw new FileSchemaTooNewError(kind, found, latest);
  }
  return db
    .transaction(() => {
      const from = userVersion(db);
      if (from > latest) {
        throw new FileSchemaTooNewError(kind, from, latest);
      }
      for (const migration of migrations.slice(from)) {
        migration.up(db);
        db.pragma(`user_version = ${migration.version}`);
      }
      return { from, to: latest };
    })
    .immediate();
};
