import { ImportTally, MAX_REPORTED_LINES, osloDateTime, reportableSystem } from './import-summary';

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
    const summary = tally.finish({
      runId: 'r',
      source: 'core-record',
      mode: 'snapshot',
      startedAt: 'a',
      completedAt: 'b',
    });
    expect(summary.linesRejected).toBe(MAX_REPORTED_LINES + 5);
    expect(summary.rejected).toHaveLength(MAX_REPORTED_LINES);
    expect(summary.rejected[0]?.line).toBeLessThan(summary.rejected[1]?.line ?? 0);
    expect(summary.skipped).toEqual({ Patient: 2 });
  });

  it('reports unknown-system codings by line and system, in line order', () => {
    const tally = new ImportTally();
    tally.unknownCoding(7, 'urn:oid:2.16.578.1.12.4.1.1.9999');
    tally.unknownCoding(3, undefined);
    const summary = tally.finish({
      runId: 'r',
      source: 'core-record',
      mode: 'changes',
      startedAt: 'a',
      completedAt: 'b',
    });
    expect(summary.codingsUnknown).toBe(2);
    expect(summary.unknownCodings).toEqual([
      { line: 3, system: '(no system)' },
      { line: 7, system: 'urn:oid:2.16.578.1.12.4.1.1.9999' },
    ]);
  });

  it.each([
    ['a URI', 'http://example.org/fhir/CodeSystem/x', 'http://example.org/fhir/CodeSystem/x'],
    ['a bare fødselsnummer', '17858512387', '(system not shown)'],
    ['a URI holding an 11-digit run', 'urn:x:17858512387', '(system not shown)'],
    ['text with spaces', 'my system', '(system not shown)'],
  ])('reports %s as a system only when it cannot carry a patient id', (_name, system, shown) => {
    expect(reportableSystem(system)).toBe(shown);
  });
});
