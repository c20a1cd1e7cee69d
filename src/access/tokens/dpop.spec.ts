import { fixedClock } from '../../shared/clock';
import { DpopReplayCache } from './dpop';

describe('DpopReplayCache (bounded by lru-cache)', () => {
  const TTL_MS = 60_000;

  it('refuses a replay within its window even when the cache is full, and a replay attempt keeps no entry alive', () => {
    const clock = fixedClock('2026-12-06T02:00:00Z');
    const cache = new DpopReplayCache(clock, TTL_MS, 3);
    expect(['a', 'b', 'c'].map((jti) => cache.remember(jti))).toEqual([true, true, true]);
    // Full (3 of 3): nothing has been evicted, so every jti in its window is refused.
    expect(['a', 'b', 'c'].map((jti) => cache.remember(jti))).toEqual([false, false, false]);
    // The bound, documented on the class: a 4th proof within the window evicts the oldest jti (insertion order;
    // the replay attempts above did not refresh it), never a younger one.
    expect(cache.remember('d')).toBe(true);
    expect(['b', 'c', 'd'].map((jti) => cache.remember(jti))).toEqual([false, false, false]);
  });

  it('expired jtis are the oldest, so they go first: the live ones stay refused', () => {
    const clock = fixedClock('2026-12-06T02:00:00Z');
    const cache = new DpopReplayCache(clock, TTL_MS, 2);
    expect(cache.remember('old')).toBe(true);
    clock.advance(TTL_MS + 1);
    expect(cache.remember('live')).toBe(true);
    expect(cache.remember('new')).toBe(true); // full: evicts 'old', whose window is over
    expect(cache.remember('live')).toBe(false);
    expect(cache.remember('new')).toBe(false);
  });

  it('accepts a jti again once its window is over', () => {
    const clock = fixedClock('2026-12-06T02:00:00Z');
    const cache = new DpopReplayCache(clock, TTL_MS);
    expect(cache.remember('a')).toBe(true);
    clock.advance(TTL_MS - 1);
    expect(cache.remember('a')).toBe(false);
    clock.advance(1);
    expect(cache.remember('a')).toBe(true);
    expect(cache.remember('a')).toBe(false);
  });
});
