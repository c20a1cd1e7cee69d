import type { Caller } from '../access/domain/caller';
import { fixedClock } from '../shared/clock';
import { TokenBucketLimiter, rateLimitKey } from './rate-limit';

const caller = (overrides: Partial<Caller> = {}): Caller => ({
  clientId: 'client',
  organisation: {},
  scopes: [],
  roles: [],
  ...overrides,
});

describe('TokenBucketLimiter', () => {
  it('allows a burst up to the limit, then says when the next token comes', () => {
    const limiter = new TokenBucketLimiter(60, fixedClock('2026-03-02T09:00:00Z'));

    const burst = Array.from({ length: 60 }, () => limiter.take('a').allowed);

    expect(burst.every(Boolean)).toBe(true);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refills continuously, never above the limit', () => {
    const clock = fixedClock('2026-03-02T09:00:00Z');
    const limiter = new TokenBucketLimiter(2, clock);
    limiter.take('a');
    limiter.take('a');

    clock.advance(30_000);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 30 });

    clock.advance(10 * 60_000);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')].map((decision) => decision.allowed)).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('with a burst smaller than the rate: a full bucket holds only the burst, and refills at the rate', () => {
    const clock = fixedClock('2026-03-02T09:00:00Z');
    const limiter = new TokenBucketLimiter(20, clock, 10, 5);

    const burst = Array.from({ length: 6 }, () => limiter.take('a').allowed);
    expect(burst).toEqual([true, true, true, true, true, false]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 3 });

    clock.advance(3_000);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);

    clock.advance(60 * 60_000);
    expect(Array.from({ length: 6 }, () => limiter.take('a').allowed)).toEqual([true, true, true, true, true, false]);
  });

  it('keeps callers apart and forgets the least recently used bucket beyond its bound', () => {
    const limiter = new TokenBucketLimiter(1, fixedClock('2026-03-02T09:00:00Z'), 2);
    limiter.take('a');
    limiter.take('b');
    limiter.take('c'); // evicts a: a full bucket again

    expect(limiter.take('c').allowed).toBe(false);
    expect(limiter.take('a').allowed).toBe(true);
  });
});

describe('rateLimitKey', () => {
  it('tells callers apart without holding their identifiers', () => {
    const patient = caller({ pid: '31129956715' });

    expect(rateLimitKey(patient)).not.toBe(rateLimitKey(caller({ pid: '15834712358' })));
    expect(rateLimitKey(patient)).toBe(rateLimitKey(caller({ pid: '31129956715' })));
    expect(rateLimitKey(patient)).not.toContain('31129956715');
    expect(rateLimitKey(caller({ hprNumber: '1' }))).not.toBe(rateLimitKey(caller({ organisation: { parent: '1' } })));
  });
});
