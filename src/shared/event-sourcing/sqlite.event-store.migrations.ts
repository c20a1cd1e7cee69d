import type { SqliteMigration } from '../sqlite-migrations';
import { SCHEMA } from './sqlite.event-store.sql';

/**
 * The event file's schema versions (`PRAGMA user_version`, docs/operations.md). Append a step for every change to
 * the file; never edit a step that has shipped, since files out there already passed it.
 */
export const EVENT_FILE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    // Files written before versions existed (user_version 0) already have this table: IF NOT EXISTS makes the step
    // a no-op for them and the schema for a new file.
    description: 'the events table as of 2026-12-05',
    up: (db) => {
      db.exec(SCHEMA);
    },
  },
];
