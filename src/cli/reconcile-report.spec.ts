import { ImportTally } from '../reconciliation/domain/import-summary';
import { formatImportSummary, parseReconcileArgs } from './reconcile';

describe('the reconcile CLI summary', () => {
  const summaryWith = (fill: (tally: ImportTally) => void) => {
    const tally = new ImportTally();
    fill(tally);
    return tally.finish({ runId: 'r', source: 'core-record', mode: 'changes', startedAt: 'a', completedAt: 'b' });
  };

  it('lists held-back lines by number, as the docs promise', () => {
    const text = formatImportSummary(
      summaryWith((t) => {
        t.holdBack({ line: 12, reason: 'held back: another line of the same patient was rejected' });
        t.holdBack({ line: 4, reason: 'held back: another line of the same patient was rejected' });
      }),
      'feed.ndjson',
      1,
    );
    expect(text).toContain('Held-back lines');
    expect(text.indexOf('line 4:')).toBeLessThan(text.indexOf('line 12:'));
  });

  it('lists codings in unknown systems by line and system, and prints the mode and the not-comparable pairs', () => {
    const text = formatImportSummary(
      summaryWith((t) => {
        t.unknownCoding(3, 'urn:oid:1.2.3');
        t.pairsNotComparable = 2;
      }),
      'feed.ndjson',
      1,
    );
    expect(text).toContain('line 3: urn:oid:1.2.3');
    expect(text).toMatch(/mode\s+changes/);
    expect(text).toMatch(/pairs not comparable \(D7\)\s+2/);
  });

  it.each([
    [['--mode', 'changes'], 'changes'],
    [['--mode', 'snapshot'], 'snapshot'],
    [[], undefined],
  ])('reads --mode %j', (extra, mode) => {
    expect(parseReconcileArgs(['--source', 'eprescription', '--file', 'f', ...extra])?.mode).toBe(mode);
  });

  it('refuses an unknown mode', () => {
    expect(() => parseReconcileArgs(['--source', 'eprescription', '--file', 'f', '--mode', 'all'])).toThrow('--mode');
  });
});
