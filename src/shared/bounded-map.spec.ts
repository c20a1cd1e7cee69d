import { dropOldestBeyond } from './bounded-map';

describe('dropOldestBeyond', () => {
  it('drops the oldest entries, in insertion order, until the map holds at most max', () => {
    const map = new Map([['a', 1], ['b', 2], ['c', 3], ['d', 4]]);

    dropOldestBeyond(map, 2);

    expect([...map.keys()]).toEqual(['c', 'd']);
  });

  it('leaves a map within its bound alone, and empties one bounded at 0', () => {
    const within = new Map([['a', 1], ['b', 2]]);
    const none = new Map([['a', 1]]);

    dropOldestBeyond(within, 2);
    dropOldestBeyond(none, 0);

    expect([...within.keys()]).toEqual(['a', 'b']);
    expect(none.size).toBe(0);
  });
});
