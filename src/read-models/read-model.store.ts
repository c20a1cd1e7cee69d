import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DomainError } from '../shared/errors/domain-error';
import { parseProjectionName } from '../shared/event-sourcing/projector.types';
import { WalCheckpointer } from '../shared/wal-checkpointer';
import { migrateSqliteFile } from '../shared/sqlite-migrations';
import { READ_MODEL_FILE_MIGRATIONS } from './read-model.migrations';
import { LRUCache } from 'lru-cache';

/** Injection token of the read-model store (a SqliteReadModelStore). */
export const READ_MODEL_STORE = Symbol('READ_MODEL_STORE');

/** Lifecycle of one versioned projection in this file: being built, serving, or superseded by a newer version. */
export type ProjectionMetaStatus = 'catching-up' | 'live' | 'retired';

/** One row of `projection_meta`. */
export interface ProjectionMeta {
  readonly projection: string;
  readonly version: number;
  readonly status: ProjectionMetaStatus;
}

/** Options of the read-model store: the file (`:memory:` for tests), the LRU size and the fsync level. */
export interface ReadModelStoreOptions {
  readonly file: string;
  readonly cacheSize?: number;
  readonly synchronous?: 'NORMAL' | 'FULL';
  /**
   * Deep-freeze cached documents, so code that mutates one fails loudly instead of corrupting the cache. It costs
   * about three quarters of a document's JSON.parse (a freeze per nested object), on every cache miss, so it is on
   * where it finds bugs and costs nothing that matters: under Jest (NODE_ENV=test), which runs every reader. The
   * document types are readonly throughout, so the compiler already refuses such code.
   */
  readonly freezeCachedDocuments?: boolean;
  /**
   * Run WAL checkpoints on a worker thread (wal-checkpointer.ts) instead of inside the commit that fills the WAL.
   * Default: on for a file; off for ':memory:' (no WAL).
   */
  readonly backgroundCheckpoints?: boolean;
  /** a background checkpoint failed (the writer's own automatic checkpoint stays as a backstop): the app logs it */
  readonly onCheckpointError?: (message: string) => void;
}

/** The stored checkpoint moved under this store: another process (a rebuild) wrote the same projection. */
export class ReadModelCheckpointConflictError extends DomainError {
  readonly code = 'READ_MODEL_CHECKPOINT_CONFLICT';
  readonly kind = 'conflict' as const;
  constructor(projection: string, expected: string, actual: string) {
    super(`Checkpoint of ${projection} is ${actual}, expected ${expected}`, { projection, expected, actual });
  }
}

/** The read-model file of a data directory (design decision 4: apart from the events file). */
export const readModelFile = (dataDir: string): string => join(dataDir, 'read-models.db');

const NONE = '';

/**
 * The key under which copy `generation` of a projection is stored: the name itself for the first copy (files
 * written before online rebuilds keep working), `name#g<n>` for the copies online rebuilds built.
 */
export const generationKey = (name: string, generation: number): string =>
  generation === 0 ? name : `${name}#g${generation}`;

/** The least string above every string that starts with `prefix` (non-empty): its last character plus one. */
const prefixEnd = (prefix: string): string =>
  prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
type CacheKey = string;
const cacheKey = (projection: string, id: string): CacheKey => `${projection}\u0000${id}`;

/** Freezes a cached document so a caller that mutates it fails loudly instead of corrupting the cache (tests). */
const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
  }
  return value;
};

interface ListParams {
  projection: string;
  from: string;
  end: string;
  afterId: string;
  prefix: string;
  limit: number;
}

const prepare = (db: Database.Database) => ({
  dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
  getDocument: db.prepare<[string, string], { body: string }>(
    'SELECT body FROM documents WHERE projection = ? AND id = ?',
  ),
  // A range on the primary key: from max(afterId, prefix) (afterId itself excluded) to just past the prefix.
  // substr() keeps exactly the prefix (the end bound is the prefix with its last character plus one).
  listDocuments: db.prepare<[ListParams], { id: string; body: string }>(
    `SELECT id, body FROM documents
     WHERE projection = @projection AND id >= @from AND id < @end AND id <> @afterId
       AND substr(id, 1, length(@prefix)) = @prefix
     ORDER BY id LIMIT @limit`,
  ),
  listAllDocuments: db.prepare<[Omit<ListParams, 'end' | 'prefix'>], { id: string; body: string }>(
    `SELECT id, body FROM documents WHERE projection = @projection AND id >= @from AND id <> @afterId
     ORDER BY id LIMIT @limit`,
  ),
  upsertDocument: db.prepare<[string, string, string]>(
    `INSERT INTO documents (projection, id, body) VALUES (?, ?, ?)
     ON CONFLICT (projection, id) DO UPDATE SET body = excluded.body`,
  ),
  getCheckpoint: db.prepare<[string], { position: string }>('SELECT position FROM checkpoints WHERE projection = ?'),
  upsertCheckpoint: db.prepare<[string, string, string]>(
    `INSERT INTO checkpoints (projection, position, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (projection) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
  ),
  deleteDocuments: db.prepare<[string]>('DELETE FROM documents WHERE projection = ?'),
  deleteSomeDocuments: db.prepare<[string, string, number]>(
    'DELETE FROM documents WHERE projection = ? AND id IN (SELECT id FROM documents WHERE projection = ? LIMIT ?)',
  ),
  deleteCheckpoint: db.prepare<[string]>('DELETE FROM checkpoints WHERE projection = ?'),
  listMeta: db.prepare<[], ProjectionMeta>('SELECT projection, version, status FROM projection_meta'),
  upsertMeta: db.prepare<[string, number, string]>(
    `INSERT INTO projection_meta (projection, version, status) VALUES (?, ?, ?)
     ON CONFLICT (projection) DO UPDATE SET status = excluded.status`,
  ),
  insertMetaIfAbsent: db.prepare<[string, number, string]>(
    'INSERT INTO projection_meta (projection, version, status) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  ),
  listServed: db.prepare<[], { projection: string; generation: number }>(
    'SELECT projection, generation FROM served_generations',
  ),
  upsertServed: db.prepare<[string, number]>(
    `INSERT INTO served_generations (projection, generation) VALUES (?, ?)
     ON CONFLICT (projection) DO UPDATE SET generation = excluded.generation`,
  ),
  // every copy of a projection but the served one (`name#g…`): what an abandoned online rebuild left
  deleteOtherDocuments: db.prepare<[string, string, string]>(
    'DELETE FROM documents WHERE projection >= ? AND projection < ? AND projection <> ?',
  ),
  deleteOtherCheckpoints: db.prepare<[string, string, string]>(
    'DELETE FROM checkpoints WHERE projection >= ? AND projection < ? AND projection <> ?',
  ),
});
type Statements = ReturnType<typeof prepare>;

/**
 * Projection documents and checkpoints in one SQLite file. The documents of a batch and the checkpoint after
 * it commit in ONE transaction, so whatever survives a crash is a consistent prefix of the event log.
 */
export class SqliteReadModelStore {
  private readonly db: Database.Database;
  /**
   * LRU of parsed documents (recency order: a reader's hit refreshes, the projector's peek does not); holds
   * committed state only (filled after commit), so it never runs ahead of disk.
   */
  private readonly cache: LRUCache<CacheKey, object>;
  private readonly cacheSize: number;
  private readonly freezeCachedDocuments: boolean;
  /** The checkpoint this instance last read or wrote, per projection: detects a second writer (optimistic). */
  private readonly knownCheckpoints = new Map<string, string>();
  private readonly statements: Statements;
  /** SQLite's data_version as last seen: it changes only when ANOTHER connection commits to the file. */
  private dataVersion: number;
  private readonly checkpointer: WalCheckpointer | undefined;
  /** Which copy (generation) of each projection readers and the projector see; absent: generation 0. */
  private readonly served = new Map<string, number>();
  /** Blue/green of a version: a new version served from the previous version's copy until it switches (adopt). */
  private readonly adopted = new Map<string, string>();

  constructor(options: ReadModelStoreOptions) {
    if (options.file !== ':memory:') {
      mkdirSync(dirname(options.file), { recursive: true });
    }
    this.db = new Database(options.file);
    this.freezeCachedDocuments = options.freezeCachedDocuments ?? process.env.NODE_ENV === 'test';
    this.cacheSize = options.cacheSize ?? 1_000; // a list document is ~20 KB of JSON, several times that parsed
    this.cache = new LRUCache({ max: Math.max(1, this.cacheSize) }); // size 0: remember() keeps nothing
    this.db.pragma('journal_mode = WAL');
    // synchronous=NORMAL in WAL mode survives a process crash (SIGKILL) fully; only a power or OS failure may
    // roll back the newest commits. Because every commit carries its own checkpoint, such a rollback takes the
    // documents and the checkpoint back together: the projector resumes from the older checkpoint and re-applies
    // the lost suffix. No gap, no double apply, and a read model is rebuildable anyway. Measured with 20 KB
    // documents: one-event commits (the live case) 3,000–3,400/s with NORMAL against 750–1,150/s with FULL;
    // catch-up batches of 500 show no difference. FULL stays available as an option.
    this.db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    // The tables, created or brought forward to this build's schema version (read-model.migrations.ts).
    try {
      migrateSqliteFile(this.db, 'read-model', READ_MODEL_FILE_MIGRATIONS);
    } catch (error) {
      this.db.close(); // a file from a newer build (FileSchemaTooNewError) or a failed step: nothing stays open
      throw error;
    }
    this.statements = prepare(this.db);
    for (const row of this.statements.listServed.all()) {
      this.served.set(row.projection, row.generation);
    }
    this.dataVersion = this.statements.dataVersion.get() ?? 0;
    if (options.backgroundCheckpoints ?? options.file !== ':memory:') {
      this.checkpointer = WalCheckpointer.attach(this.db, options.file, { onError: options.onCheckpointError });
    }
  }

  /**
   * The committed document for a writer that is about to replace it (the Projector): the cached copy when there
   * is one, else parsed from disk WITHOUT entering the cache. Filling the cache with what only the projector reads
   * (every document an event touches) would evict what readers use and freeze documents nobody reads.
   */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- as getDocument
  getDocumentForUpdate<T>(name: string, id: string): T | undefined {
    const projection = this.keyOf(name);
    const cached = this.cachedCopy(cacheKey(projection, id));
    if (cached !== undefined) {
      return cached as T;
    }
    const row = this.statements.getDocument.get(projection, id);
    return row === undefined ? undefined : (JSON.parse(row.body) as T);
  }

  /** The committed document, or undefined. Cached documents are shared (and frozen under test): never mutate one. */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names its projection's document type
  getDocument<T>(name: string, id: string): T | undefined {
    const projection = this.keyOf(name);
    const key = cacheKey(projection, id);
    const cached = this.cachedCopy(key);
    if (cached !== undefined) {
      this.cache.get(key); // a reader's hit: to the young end
      return cached as T;
    }
    const row = this.statements.getDocument.get(projection, id);
    if (!row) {
      return undefined;
    }
    const document = JSON.parse(row.body) as T;
    this.remember(key, document);
    return document;
  }

  /** Documents of a projection in id order; `idPrefix` narrows (e.g. one organisation), `afterId` pages. */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- as getDocument
  listDocuments<T>(
    name: string,
    options: { readonly idPrefix?: string; readonly afterId?: string; readonly limit?: number } = {},
  ): { id: string; document: T }[] {
    const projection = this.keyOf(name);
    const prefix = options.idPrefix ?? NONE;
    const afterId = options.afterId ?? NONE;
    const from = afterId > prefix ? afterId : prefix;
    const limit = options.limit ?? -1;
    const rows =
      prefix === NONE
        ? this.statements.listAllDocuments.all({ projection, from, afterId, limit })
        : this.statements.listDocuments.all({ projection, from, end: prefixEnd(prefix), afterId, prefix, limit });
    return rows.map((row) => ({ id: row.id, document: JSON.parse(row.body) as T }));
  }

  /**
   * Writes the documents of a batch and the checkpoint after its last event in ONE transaction. Throws
   * ReadModelCheckpointConflictError (writing nothing) if the stored checkpoint is not the one this instance
   * last saw: another writer moved it, and applying our batch on top could double-apply or skip events.
   */
  applyBatch(name: string, documents: ReadonlyMap<string, unknown>, checkpoint: bigint): void {
    const projection = this.keyOf(name);
    const position = checkpoint.toString();
    this.write(projection, documents, position);
    // Only after the commit: the cache and the known checkpoint follow the disk, never precede it. Documents a
    // reader has cached are refreshed; the others stay out until a reader asks (see getDocumentForUpdate).
    this.knownCheckpoints.set(projection, position);
    for (const [id, document] of documents) {
      const key = cacheKey(projection, id);
      if (this.cache.has(key)) {
        this.remember(key, document);
      }
    }
  }

  /**
   * Writes whole documents WITHOUT moving the checkpoint (a bulk build from zero, see the Projector), checked
   * against a second writer as applyBatch is. The documents bypass the cache: a bulk build writes every document
   * once, and caching (freezing) each would only evict the ones being read.
   */
  writeDocuments(name: string, documents: ReadonlyMap<string, unknown>): void {
    const projection = this.keyOf(name);
    this.write(projection, documents, undefined);
    for (const id of documents.keys()) {
      this.cache.delete(cacheKey(projection, id));
    }
  }

  /** One transaction: the expected checkpoint is checked, the documents written, the checkpoint moved if given. */
  private write(projection: string, documents: ReadonlyMap<string, unknown>, position: string | undefined): void {
    const expected = this.knownCheckpoints.get(projection) ?? this.readCheckpoint(projection);
    const serialised = [...documents].map(([id, document]) => [id, JSON.stringify(document)] as const);
    const write = this.db.transaction(() => {
      const actual = this.statements.getCheckpoint.get(projection)?.position ?? NONE;
      if (actual !== expected) {
        throw new ReadModelCheckpointConflictError(projection, expected || 'none', actual || 'none');
      }
      for (const [id, body] of serialised) {
        this.statements.upsertDocument.run(projection, id, body);
      }
      if (position !== undefined) {
        this.statements.upsertCheckpoint.run(projection, position, new Date().toISOString());
      }
    });
    try {
      write.immediate(); // BEGIN IMMEDIATE: take the write lock first, so a second writer waits instead of failing mid-way
    } catch (error) {
      if (error instanceof ReadModelCheckpointConflictError) {
        this.forget(projection);
      }
      throw error;
    }
  }

  /** The committed checkpoint (last applied position), or undefined: the projection starts from zero. */
  checkpoint(name: string): bigint | undefined {
    const position = this.readCheckpoint(this.keyOf(name));
    return position === NONE ? undefined : BigInt(position);
  }

  /** Drops a projection's documents and checkpoint (a rebuild from zero follows). */
  reset(name: string): void {
    const projection = this.keyOf(name);
    this.db.transaction(() => {
      this.statements.deleteDocuments.run(projection);
      this.statements.deleteCheckpoint.run(projection);
      const { version } = parseProjectionName(name);
      this.statements.upsertMeta.run(name, version, 'catching-up');
    })();
    this.forget(projection);
  }

  /** The copy of `name` that is served (0 until an online rebuild switched it). */
  servedGeneration(name: string): number {
    return this.served.get(name) ?? 0;
  }

  /**
   * Prepares the next copy of `name` for an online rebuild: drops what an abandoned one left and returns the key
   * under which the new copy is built (the projector builds it as a projection of that name, unseen by readers).
   */
  prepareGeneration(name: string): { generation: number; key: string } {
    const served = this.keyOf(name);
    const others = `${name}#`;
    this.db.transaction(() => {
      this.statements.deleteOtherDocuments.run(others, prefixEnd(others), served);
      this.statements.deleteOtherCheckpoints.run(others, prefixEnd(others), served);
      if (served !== name) {
        this.statements.deleteDocuments.run(name); // the first copy, if its dropping was cut short
      }
    })();
    const generation = this.servedGeneration(name) + 1;
    const key = generationKey(name, generation);
    this.forget(key);
    return { generation, key };
  }

  /**
   * Serves copy `generation` of `name` from now on, in ONE transaction: a reader sees the old copy or the new one,
   * never a mix nor an empty read model. Returns the old copy's key: its checkpoint is gone, its documents are for
   * dropDocuments (a 1M-event read model's are a gigabyte: deleted at once they would stall the service).
   */
  switchGeneration(name: string, generation: number): string {
    const old = this.keyOf(name);
    this.db.transaction(() => {
      this.statements.upsertServed.run(name, generation);
      this.statements.deleteCheckpoint.run(old);
    })();
    this.served.set(name, generation);
    this.adopted.delete(name);
    this.forget(old);
    return old;
  }

  /**
   * Deletes up to `limit` documents of a copy that is no longer served or will not be (the old copy after a switch,
   * an abandoned new one) and its checkpoint; returns how many documents it deleted (0: the copy is gone).
   */
  dropDocuments(key: string, limit: number): number {
    const deleted = this.db.transaction(() => {
      this.statements.deleteCheckpoint.run(key);
      return this.statements.deleteSomeDocuments.run(key, key, limit).changes;
    })();
    this.forget(key);
    return deleted;
  }

  /** Records a projection as known to this file; a new name starts as 'catching-up'. */
  register(projection: string): void {
    this.statements.insertMetaIfAbsent.run(projection, parseProjectionName(projection).version, 'catching-up');
  }

  /** Marks a projection caught up, and retires (drops the documents of) older versions of the same base name. */
  markLive(projection: string): ProjectionMeta[] {
    const { base, version } = parseProjectionName(projection);
    const retired = this.projections().filter((meta) => {
      const other = parseProjectionName(meta.projection);
      return other.base === base && other.version < version && meta.status !== 'retired';
    });
    this.db.transaction(() => {
      this.statements.upsertMeta.run(projection, version, 'live');
      for (const old of retired) {
        this.statements.deleteDocuments.run(this.keyOf(old.projection));
        this.statements.deleteCheckpoint.run(this.keyOf(old.projection));
        this.statements.upsertMeta.run(old.projection, old.version, 'retired');
      }
    })();
    retired.forEach((old) => this.forget(this.keyOf(old.projection)));
    return retired;
  }

  /** Every projection this file has seen, with its status. */
  projections(): ProjectionMeta[] {
    return this.statements.listMeta.all();
  }

  close(): void {
    this.checkpointer?.stop();
    this.cache.clear();
    this.db.close();
  }

  /** Where the documents of `name` are stored: the served copy's key. A copy's own key maps to itself. */
  private keyOf(name: string): string {
    return this.adopted.get(name) ?? generationKey(name, this.servedGeneration(name));
  }

  /** The status this file records for a projection (undefined: never registered here). */
  status(name: string): ProjectionMetaStatus | undefined {
    return this.projections().find((meta) => meta.projection === name)?.status;
  }

  /**
   * Blue/green of a new version (Projection.previous): until `name` switches, `name` reads and writes the served
   * copy of `previous` (its documents and checkpoint). In memory only: a restart before the switch adopts again and
   * builds the new version from zero.
   */
  adopt(name: string, previous: string): void {
    this.adopted.set(name, this.keyOf(previous));
    this.forget(this.keyOf(name));
  }

  /**
   * The adopted copy was replaced (switchGeneration): `name` is live, `previous` retired, in one transaction. The
   * previous version's documents are the old copy that switchGeneration returned, dropped in chunks by the caller.
   */
  endAdoption(name: string, previous: string): void {
    this.db.transaction(() => {
      this.statements.upsertMeta.run(name, parseProjectionName(name).version, 'live');
      this.statements.upsertMeta.run(previous, parseProjectionName(previous).version, 'retired');
    })();
  }

  private readCheckpoint(projection: string): string {
    const position = this.statements.getCheckpoint.get(projection)?.position ?? NONE;
    const known = this.knownCheckpoints.get(projection);
    if (known !== undefined && known !== position) {
      this.forget(projection); // someone else wrote this projection: cached documents may be stale
    }
    this.knownCheckpoints.set(projection, position);
    return position;
  }

  /**
   * The cached copy of a document, if it is still the committed one. Normally this store is the file's only writer
   * and the cache stays valid. If another process wrote (a `npm run rebuild` beside a running service), we cannot
   * tell which documents changed: drop them all. Checked only on a hit: a miss reads the committed row anyway (one
   * PRAGMA less per miss, which is most reads of a large file).
   */
  private cachedCopy(key: CacheKey): unknown {
    const cached = this.cache.peek(key);
    if (cached === undefined) {
      return undefined;
    }
    const version = this.statements.dataVersion.get() ?? 0;
    if (version === this.dataVersion) {
      return cached;
    }
    this.dataVersion = version;
    this.cache.clear();
    return undefined;
  }

  private forget(projection: string): void {
    this.knownCheckpoints.delete(projection);
    const prefix = cacheKey(projection, '');
    for (const key of [...this.cache.keys()]) {
      if (key.startsWith(prefix)) {
        this.cache.delete(key);
      }
    }
  }

  private remember(key: CacheKey, document: unknown): void {
    if (this.cacheSize <= 0) {
      return;
    }
    // a projection document is a JSON object; set moves an existing key to the young end
    this.cache.set(key, (this.freezeCachedDocuments ? deepFreeze(document) : document) as object);
  }
}
