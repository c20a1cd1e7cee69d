import Database from 'better-sqlite3';
import { FileSchemaTooNewError, migrateSqliteFile, type SqliteMigration } from './sqlite-migrations';

const tables = (db: Database.Database): string[] =>
  db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all()
    .map((row) => row.name);

const steps: SqliteMigration[] = [
  { version: 1, description: 'a', up: (db) => db.exec('CREATE TABLE IF NOT EXISTS a (x)') },
  { version: 2, description: 'b', up: (db) => db.exec('CREATE TABLE b (y)') },
];

describe('migrateSqliteFile', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
  });
  afterEach(() => {
    db.close();
  });

  it('given a new file, runs every step and records the last version', () => {
    expect(migrateSqliteFile(db, 'test', steps)).toEqual({ from: 0, to: 2 });
    expect(tables(db)).toEqual(['a', 'b']);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
  });

  it('given a file from before versions with the baseline tables, the baseline is a no-op and later steps run', () => {
    db.exec('CREATE TABLE a (x); INSERT INTO a VALUES (1)');
    expect(migrateSqliteFile(db, 'test', steps)).toEqual({ from: 0, to: 2 });
    expect(db.prepare('SELECT x FROM a').pluck().all()).toEqual([1]);
  });

  it('given a file at version 1, runs only step 2; at version 2, runs nothing', () => {
    migrateSqliteFile(db, 'test', steps.slice(0, 1));
    expect(migrateSqliteFile(db, 'test', steps)).toEqual({ from: 1, to: 2 });
    expect(migrateSqliteFile(db, 'test', steps)).toEqual({ from: 2, to: 2 });
  });

  it('refuses a file from a newer build and changes nothing', () => {
    db.pragma('user_version = 3');
    expect(() => migrateSqliteFile(db, 'test', steps)).toThrow(FileSchemaTooNewError);
    expect(() => migrateSqliteFile(db, 'test', steps)).toThrow(
      /test file has schema version 3; this build knows up to 2/,
    );
    expect(tables(db)).toEqual([]);
  });

  it('rolls a failing step back with its version: the file stays as it was', () => {
    const failing = [
      steps[0]!,
      {
        version: 2,
        description: 'bad',
        up: () => {
          throw new Error('disk says no');
        },
      },
    ];
    expect(() => migrateSqliteFile(db, 'test', failing)).toThrow('disk says no');
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(tables(db)).toEqual([]);
  });

  it('refuses steps that are not numbered 1, 2, 3, …', () => {
    expect(() => migrateSqliteFile(db, 'test', [steps[1]!])).toThrow(/numbered 1, 2, 3/);
  });
});
