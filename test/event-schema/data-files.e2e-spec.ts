import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withEventSchemas } from '../../src/event-schemas';
import { READ_MODEL_FILE_MIGRATIONS } from '../../src/read-models/read-model.migrations';
import { SqliteReadModelStore } from '../../src/read-models/read-model.store';
import { readModelProjections } from '../../src/read-models/read-models.module';
import { EVENT_FILE_MIGRATIONS } from '../../src/shared/event-sourcing/sqlite.event-store.migrations';
import { SqliteEventStore } from '../../src/shared/event-sourcing/sqlite.event-store';
import { rebuiltDocuments } from './answers';

/*
 * An events.db and a read-models.db written by the build of 2026-12-05 (test/fixtures/files-2026-12-05, written
 * once, never regenerated; no schema version in them) open in today's build: migrated forward on open, with every
 * event and every read-model document and checkpoint as they were. The spec works on copies.
 */

const FIXTURE = join(__dirname, '../fixtures/files-2026-12-05');

const userVersion = (file: string): unknown => {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true });
  } finally {
    db.close();
  }
};

const rowsOf = (file: string, sql: string): unknown[] => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
};

describe('data files written by the build of 2026-12-05', () => {
  let dir: string;
  let eventsFile: string;
  let readModelsFile: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'data-files-'));
    eventsFile = join(dir, 'events.db');
    readModelsFile = join(dir, 'read-models.db');
    copyFileSync(join(FIXTURE, 'events.db'), eventsFile);
    copyFileSync(join(FIXTURE, 'read-models.db'), readModelsFile);
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('carry no schema version, as that build wrote them', () => {
    expect([userVersion(eventsFile), userVersion(readModelsFile)]).toEqual([0, 0]);
  });

  it("open in today's build, migrated to its schema versions, with every event, document and checkpoint kept", async () => {
    const eventRows = rowsOf(eventsFile, 'SELECT * FROM events ORDER BY position');
    const documentRows = rowsOf(readModelsFile, 'SELECT * FROM documents ORDER BY projection, id');
    const checkpointRows = rowsOf(readModelsFile, 'SELECT projection, position FROM checkpoints ORDER BY projection');

    const events = withEventSchemas(new SqliteEventStore({ filename: eventsFile, backgroundCheckpoints: false }));
    const readModels = new SqliteReadModelStore({ file: readModelsFile, backgroundCheckpoints: false });
    try {
      const read = await events.readAll();
      expect(read).toHaveLength(eventRows.length);
      expect(read.map((event) => event.id)).toEqual(eventRows.map((row) => (row as { event_id: string }).event_id));
      // The read models the old build wrote are what today's build would rebuild from the same events.
      for (const projection of readModelProjections()) {
        const expected = rebuiltDocuments(read)[projection.name] ?? {};
        expect(Object.keys(expected).length).toBeGreaterThan(0);
        for (const [id, document] of Object.entries(expected)) {
          expect(readModels.getDocument(projection.name, id)).toEqual(document);
        }
        expect(readModels.checkpoint(projection.name)).toBe(read.at(-1)?.position);
      }
    } finally {
      readModels.close();
      await events.close();
    }
    expect(userVersion(eventsFile)).toBe(EVENT_FILE_MIGRATIONS.length);
    expect(userVersion(readModelsFile)).toBe(READ_MODEL_FILE_MIGRATIONS.length);
    expect(rowsOf(eventsFile, 'SELECT * FROM events ORDER BY position')).toEqual(eventRows);
    expect(rowsOf(readModelsFile, 'SELECT * FROM documents ORDER BY projection, id')).toEqual(documentRows);
    expect(rowsOf(readModelsFile, 'SELECT projection, position FROM checkpoints ORDER BY projection')).toEqual(
      checkpointRows,
    );
  });

  it('a file from a newer build is refused, not misread', () => {
    for (const [file, version] of [
      [eventsFile, EVENT_FILE_MIGRATIONS.length + 1],
      [readModelsFile, READ_MODEL_FILE_MIGRATIONS.length + 1],
    ] as const) {
      const db = new Database(file);
      db.pragma(`user_version = ${version}`);
      db.close();
    }
    const events = EVENT_FILE_MIGRATIONS.length;
    const readModels = READ_MODEL_FILE_MIGRATIONS.length;
    expect(() => new SqliteEventStore({ filename: eventsFile, backgroundCheckpoints: false })).toThrow(
      `event file has schema version ${events + 1}; this build knows up to ${events}`,
    );
    expect(() => new SqliteReadModelStore({ file: readModelsFile, backgroundCheckpoints: false })).toThrow(
      `read-model file has schema version ${readModels + 1}; this build knows up to ${readModels}`,
    );
  });
});
