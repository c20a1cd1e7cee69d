import type { SqliteMigration } from '../shared/sqlite-migrations';

/**
 * The read-model file's schema versions (`PRAGMA user_version`, docs/operations.md). Append a step for every change
 * to the file's tables; never edit a step that has shipped. (A new projection version needs no step: it is rows.)
 */
export const READ_MODEL_FILE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    // Files written before versions existed (user_version 0) already have these tables; IF NOT EXISTS keeps the
    // step a no-op for them. Documents are large (a list is ~20 KB): an ordinary rowid table, as SQLite advises
    // against WITHOUT ROWID for rows that big, and no json_valid CHECK (it re-parses every body).
    description: 'documents, checkpoints and projection_meta as of 2026-12-05',
    up: (db) => {
      db.exec(`
        CREATE TABLE IF NOT EXISTS documents (
          projection TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (projection, id));
        CREATE TABLE IF NOT EXISTS checkpoints (
          projection TEXT PRIMARY KEY, position TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS projection_meta (
          projection TEXT PRIMARY KEY, version INTEGER NOT NULL, status TEXT NOT NULL);
      `);
    },
  },
  {
    version: 2,
    // Online rebuild (issue 23): which copy of each projection is served; no row means copy 0, the name itself.
    description: 'served_generations: the copy of each projection that readers see',
    up: (db) => {
      db.exec(
        `CREATE TABLE IF NOT EXISTS served_generations (projection TEXT PRIMARY KEY, generation INTEGER NOT NULL);`,
      );
    },
  },
];
