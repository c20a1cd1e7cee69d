import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProjectionName } from '../shared/event-sourcing/projector.types';
import { ReadModelCheckpointConflictError, SqliteReadModelStore, readModelFile } from './read-model.store';

describe('SqliteReadModelStore', () => {
  let dir: string;
  const stores: SqliteReadModelStore[] = [];
  const open = (cacheSize?: number) => {
    const store = new SqliteReadModelStore({ file: readModelFile(dir), cacheSize });
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-models-'));
  });
  afterEach(() => {
    stores.splice(0).forEach((store) => store.close());
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a batch of documents and its checkpoint, readable by another connection', () => {
    open().applyBatch(
      'p.v1',
      new Map([
        ['a', { n: 1 }],
        ['b', { n: 2 }],
      ]),
      7n,
    );
    const reader = open();
    expect(reader.checkpoint('p.v1')).toBe(7n);
    expect(reader.getDocument('p.v1', 'b')).toEqual({ n: 2 });
    expect(reader.getDocument('p.v1', 'missing')).toBeUndefined();
    expect(reader.checkpoint('other.v1')).toBeUndefined();
  });

  it('commits nothing of a batch that fails half-way: documents and checkpoint are one transaction', () => {
    const store = open();
    store.applyBatch('p.v1', new Map([['a', { n: 1 }]]), 1n);
    const broken = new Map<string, unknown>([
      ['a', { n: 2 }],
      ['b', undefined],
    ]); // undefined cannot be stored
    expect(() => store.applyBatch('p.v1', broken, 2n)).toThrow();
    const fresh = open();
    expect(fresh.getDocument('p.v1', 'a')).toEqual({ n: 1 });
    expect(fresh.checkpoint('p.v1')).toBe(1n);
  });

  it('refuses a batch when another writer moved the checkpoint, then continues from the re-read checkpoint', () => {
    const service = open();
    const rebuild = open();
    expect(service.checkpoint('p.v1')).toBeUndefined();
    service.applyBatch('p.v1', new Map([['a', { n: 1 }]]), 1n);
    rebuild.reset('p.v1');
    rebuild.applyBatch('p.v1', new Map([['a', { n: 5 }]]), 5n);

    expect(() => service.applyBatch('p.v1', new Map([['a', { n: 2 }]]), 2n)).toThrow(ReadModelCheckpointConflictError);
    expect(service.getDocument('p.v1', 'a')).toEqual({ n: 5 }); // its stale cached copy was dropped
    expect(service.checkpoint('p.v1')).toBe(5n);
    service.applyBatch('p.v1', new Map([['a', { n: 6 }]]), 6n);
    expect(rebuild.getDocument('p.v1', 'a')).toEqual({ n: 6 }); // its cache noticed the other connection's commit
  });

  it('serves a cached document only while no other connection has written the file', () => {
    const service = open();
    const rebuild = open();
    service.applyBatch(
      'p.v1',
      new Map([
        ['a', { n: 1 }],
        ['b', { n: 1 }],
      ]),
      1n,
    );
    expect(service.getDocument('p.v1', 'a')).toEqual({ n: 1 }); // cached from here on
    rebuild.reset('p.v1');
    rebuild.applyBatch(
      'p.v1',
      new Map([
        ['a', { n: 7 }],
        ['b', { n: 7 }],
      ]),
      7n,
    );

    expect(service.getDocument('p.v1', 'b')).toEqual({ n: 7 }); // a miss reads the committed row
    expect(service.getDocument('p.v1', 'a')).toEqual({ n: 7 }); // the cached copy is dropped, not served
  });

  it('writeDocuments writes documents without moving the checkpoint, and refuses when another writer moved it', () => {
    const bulk = open();
    const other = open();
    expect(bulk.getDocument('p.v1', 'a')).toBeUndefined();
    bulk.writeDocuments(
      'p.v1',
      new Map([
        ['a', { n: 1 }],
        ['b', { n: 2 }],
      ]),
    );
    expect(other.getDocument('p.v1', 'b')).toEqual({ n: 2 });
    expect(other.checkpoint('p.v1')).toBeUndefined();

    other.applyBatch('p.v1', new Map([['a', { n: 9 }]]), 3n);
    expect(() => bulk.writeDocuments('p.v1', new Map([['a', { n: 2 }]]))).toThrow(ReadModelCheckpointConflictError);
    expect(open().getDocument('p.v1', 'a')).toEqual({ n: 9 });
  });

  it('caches committed documents only, frozen, and evicts the least recently used', () => {
    const store = open(2);
    store.applyBatch(
      'p.v1',
      new Map([
        ['a', { list: [1] }],
        ['b', { list: [2] }],
      ]),
      1n,
    );
    const a = store.getDocument<{ list: number[] }>('p.v1', 'a');
    expect(Object.isFrozen(a?.list)).toBe(true);
    expect(() => a?.list.push(9)).toThrow(TypeError);
    store.applyBatch('p.v1', new Map([['c', { list: [3] }]]), 2n); // evicts b (a was used more recently)
    expect(store.getDocument('p.v1', 'b')).toEqual({ list: [2] }); // read back from disk
  });

  it.each([
    [true, 'copies the WAL into the database file on a worker thread'],
    [false, 'leaves the WAL to SQLite when told to (the writer checkpoints when the WAL is full)'],
  ])('backgroundCheckpoints %s: %s', async (background) => {
    const store = new SqliteReadModelStore({ file: readModelFile(dir), backgroundCheckpoints: background });
    stores.push(store);
    const before = statSync(readModelFile(dir)).size;
    const body = 'x'.repeat(10_000);
    for (let batch = 0; batch < 20; batch += 1) {
      const documents = new Map(Array.from({ length: 10 }, (_, n) => [`d${batch}-${n}`, { body }] as const));
      store.applyBatch('p.v1', documents, BigInt(batch + 1));
    }
    const grown = async (): Promise<boolean> => {
      for (let wait = 0; wait < 40; wait += 1) {
        if (statSync(readModelFile(dir)).size > before + 1_000_000) {
          return true;
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return false;
    };
    expect(await grown()).toBe(background); // 2 MB of documents reached the database file only by the worker
    expect(store.getDocument('p.v1', 'd19-9')).toEqual({ body });
  });

  it('freezes cached documents under test by default, and not when told not to (outside tests)', () => {
    const frozen = open();
    frozen.applyBatch('p.v1', new Map([['a', { list: [1] }]]), 1n);
    expect(Object.isFrozen(frozen.getDocument<{ list: number[] }>('p.v1', 'a')?.list)).toBe(true);
    const plain = new SqliteReadModelStore({ file: readModelFile(dir), freezeCachedDocuments: false });
    stores.push(plain);
    const document = plain.getDocument<{ list: number[] }>('p.v1', 'a');
    expect(document).toEqual({ list: [1] });
    expect(Object.isFrozen(document)).toBe(false);
    expect(plain.getDocument('p.v1', 'a')).toBe(document); // cached all the same
  });

  it("leaves the cache to readers: the writer's reads and writes refresh cached documents and add no others", () => {
    const store = open();
    store.applyBatch(
      'p.v1',
      new Map([
        ['a', { n: 1 }],
        ['b', { n: 1 }],
      ]),
      1n,
    );
    const forUpdate = store.getDocumentForUpdate<{ n: number }>('p.v1', 'a');
    expect(forUpdate).toEqual({ n: 1 });
    expect(Object.isFrozen(forUpdate)).toBe(false); // parsed for the writer, not cached
    expect(Object.isFrozen(store.getDocument('p.v1', 'b'))).toBe(true); // a reader caches b

    const [a2, b2] = [{ n: 2 }, { n: 2 }];
    store.applyBatch(
      'p.v1',
      new Map([
        ['a', a2],
        ['b', b2],
      ]),
      2n,
    );
    expect(store.getDocument('p.v1', 'b')).toBe(b2); // refreshed in the cache
    expect(store.getDocumentForUpdate('p.v1', 'b')).toBe(b2); // the writer gets the cached copy
    const a = store.getDocument('p.v1', 'a');
    expect(a).not.toBe(a2); // the write did not cache it: read back from disk
    expect(a).toEqual({ n: 2 });
    expect(store.getDocumentForUpdate('p.v1', 'missing')).toBeUndefined();
  });

  it('lists documents in id order, by prefix and page', () => {
    const store = open();
    const docs = new Map([
      ['org1:x', 1],
      ['org1:y', 2],
      ['org10:z', 3],
      ['org2:a', 4],
    ]);
    store.applyBatch('p.v1', docs, 1n);
    // plain byte order: '0' sorts before ':'
    expect(store.listDocuments('p.v1').map((row) => row.id)).toEqual(['org10:z', 'org1:x', 'org1:y', 'org2:a']);
    expect(store.listDocuments('p.v1', { idPrefix: 'org1:' })).toEqual([
      { id: 'org1:x', document: 1 },
      { id: 'org1:y', document: 2 },
    ]);
    expect(store.listDocuments('p.v1', { afterId: 'org1:x', limit: 2 }).map((row) => row.id)).toEqual([
      'org1:y',
      'org2:a',
    ]);
  });

  it('reset drops documents, checkpoint and cache of one projection only', () => {
    const store = open();
    store.applyBatch('p.v1', new Map([['a', 1]]), 3n);
    store.applyBatch('q.v1', new Map([['a', 2]]), 3n);
    expect(store.getDocument('p.v1', 'a')).toBe(1);
    store.reset('p.v1');
    expect(store.getDocument('p.v1', 'a')).toBeUndefined();
    expect(store.checkpoint('p.v1')).toBeUndefined();
    expect(store.getDocument('q.v1', 'a')).toBe(2);
    store.applyBatch('p.v1', new Map([['a', 7]]), 1n);
    expect(store.getDocument('p.v1', 'a')).toBe(7);
  });

  it('markLive retires older versions of the same base name, never newer ones or other projections', () => {
    const store = open();
    for (const name of ['list.v1', 'list.v2', 'list.v3', 'listing.v1']) {
      store.register(name);
      store.applyBatch(name, new Map([['a', name]]), 1n);
    }
    expect(store.markLive('list.v2').map((meta) => meta.projection)).toEqual(['list.v1']);
    expect(store.getDocument('list.v1', 'a')).toBeUndefined();
    expect(store.getDocument('list.v3', 'a')).toBe('list.v3');
    expect(store.getDocument('listing.v1', 'a')).toBe('listing.v1');
    expect(store.projections().find((meta) => meta.projection === 'list.v1')?.status).toBe('retired');
  });

  it.each([
    ['currentMedicationList.v1', 'currentMedicationList', 1],
    ['careUnitOverview.v12', 'careUnitOverview', 12],
    ['unversioned', 'unversioned', 0],
  ])('parses %s as base %s version %i', (name, base, version) => {
    expect(parseProjectionName(name)).toEqual({ base, version });
  });
});
