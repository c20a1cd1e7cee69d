import { SqliteReadModelStore } from './read-model.store';

/*
 * Copies (generations) of a projection in one read-model file, for the online rebuild (issue 23, part 1): readers
 * see the served copy only, the switch is one transaction, and an unserved copy goes in chunks.
 */

const NAME = 'list.v1';

describe('SqliteReadModelStore: copies of a projection', () => {
  let store: SqliteReadModelStore;
  beforeEach(() => {
    store = new SqliteReadModelStore({ file: ':memory:' });
    store.applyBatch(
      NAME,
      new Map([
        ['a', { v: 1 }],
        ['b', { v: 1 }],
      ]),
      5n,
    );
  });
  afterEach(() => store.close());

  it('given a new copy being built, readers see only the served one; after the switch, only the new one', () => {
    const { generation, key } = store.prepareGeneration(NAME);
    expect({ generation, key }).toEqual({ generation: 1, key: `${NAME}#g1` });
    store.applyBatch(key, new Map([['a', { v: 2 }]]), 6n);
    expect(store.getDocument(NAME, 'a')).toEqual({ v: 1 });
    expect(store.checkpoint(NAME)).toBe(5n);

    const old = store.switchGeneration(NAME, generation);
    expect(old).toBe(NAME);
    expect(store.servedGeneration(NAME)).toBe(1);
    expect(store.getDocument(NAME, 'a')).toEqual({ v: 2 });
    expect(store.listDocuments(NAME)).toEqual([{ id: 'a', document: { v: 2 } }]);
    expect(store.checkpoint(NAME)).toBe(6n);
    store.applyBatch(NAME, new Map([['b', { v: 2 }]]), 7n); // the projector goes on in the new copy
    expect(store.checkpoint(key)).toBe(7n);

    // the old copy's documents go in chunks
    expect([store.dropDocuments(old, 1), store.dropDocuments(old, 1), store.dropDocuments(old, 1)]).toEqual([1, 1, 0]);
    expect(store.listDocuments(NAME)).toHaveLength(2);
  });

  it('given leftovers of an abandoned copy and of a cut-short drop, when the next copy is prepared, they go', () => {
    const first = store.prepareGeneration(NAME);
    const old = store.switchGeneration(NAME, first.generation);
    expect(store.dropDocuments(old, 1)).toBe(1); // cut short: one of the old copy's documents is left
    const abandoned = store.prepareGeneration(NAME);
    store.applyBatch(abandoned.key, new Map([['x', {}]]), 3n);

    const next = store.prepareGeneration(NAME);
    expect(next).toEqual(abandoned); // the same number again: the abandoned copy is gone
    expect(store.listDocuments(next.key)).toEqual([]);
    expect(store.checkpoint(next.key)).toBeUndefined();
    expect(store.dropDocuments(old, 100)).toBe(0);
  });
});
