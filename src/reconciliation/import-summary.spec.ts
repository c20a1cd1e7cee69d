import { ImportTally, MAX_REPORTED_LINES, osloDateTime } from './import-summary';

describe('import summary', () => {
  it('writes instants in Norwegian local time, so "today" is the Norwegian date', () => {
    expect(osloDateTime(new Date('2026-01-15T23:30:00.000Z'))).toBe('2026-01-16T00:30:00.000+01:00');
    expect(osloDateTime(new Date('2026-07-01T22:30:00.000Z'))).toBe('2026-07-02T00:30:00.000+02:00');
  });

  it('caps the reported lines but counts them all, in line order', () => {
    const tally = new ImportTally();
    for (let line = MAX_REPORTED_LINES + 5; line >= 1; line -= 1) {
      tally.reject({ line, reason: 'malformed JSON' });
    }
    tally.skip('Patient');
    tally.skip('Patient');
    const summary = tally.finish({ runId: 'r', source: 'core-record', startedAt: 'a', completedAt: 'b' });
    expect(summary.linesRejected).toBe(MAX_REPORTED_LINES + 5);
    expect(summary.rejected).toHaveLength(MAX_REPORTED_LINES);
    expect(summary.rejected[0]?.line).toBeLessThan(summary.rejected[1]?.line ?? 0);
    expect(summary.skipped).toEqual({ Patient: 2 });
  });
});
