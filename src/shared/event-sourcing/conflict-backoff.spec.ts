import { backOffBeforeRetry, conflictDelay, conflictDelayCeiling } from './conflict-backoff';

describe('conflict backoff', () => {
  it('the ceiling doubles from the base with each retry and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((retry) => conflictDelayCeiling(retry))).toEqual([
      3, 6, 12, 24, 48, 96, 100, 100,
    ]);
    expect([1, 2, 3, 4].map((retry) => conflictDelayCeiling(retry, 5, 30))).toEqual([5, 10, 20, 30]);
    expect(conflictDelayCeiling(1_000)).toBe(100);
  });

  it('the pause is full jitter: anywhere in [0, ceiling), as the random number says', () => {
    expect(conflictDelay(3, { random: () => 0 })).toBe(0);
    expect(conflictDelay(3, { random: () => 0.5 })).toBe(6);
    expect(conflictDelay(3, { random: () => 0.999_999 })).toBeLessThan(12);
    for (let retry = 1; retry <= 10; retry += 1) {
      const delay = conflictDelay(retry);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(conflictDelayCeiling(retry));
    }
  });

  it('waits on the injected sleep, or on a real timer', async () => {
    const slept: number[] = [];
    await backOffBeforeRetry(2, { random: () => 0.25, sleep: (ms) => Promise.resolve(void slept.push(ms)) });
    expect(slept).toEqual([1.5]);
    const started = Date.now();
    await backOffBeforeRetry(1, { baseMs: 20, random: () => 0.99 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });
});
