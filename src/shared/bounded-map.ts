/**
 * Bounds a Map used as a cache or a table of pending things: drops its oldest entries (insertion order; a caller
 * that re-inserts on use gets LRU order) until it holds at most `max`. Call it after `set`.
 */
export const dropOldestBeyond = <K, V>(map: Map<K, V>, max: number): void => {
  if (map.size <= max) {
    return;
  }
  for (const key of map.keys()) {
    map.delete(key);
    if (map.size <= max) {
      return;
    }
  }
};
