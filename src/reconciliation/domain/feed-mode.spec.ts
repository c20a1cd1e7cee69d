import { fixedClock } from '../../shared/clock';
import { InMemoryEventStore } from '../../shared/event-sourcing/in-memory.event-store';
import { foldDiscrepancies } from './discrepancy-view';
import { generateSyntheticPatients, SYNTHETIC_NOW, syntheticFeedLines } from '../synthetic/feed-generator';
import { codesFor, feedModeOf } from './feed-mode';
import { ReconciliationService } from '../reconciliation.service';
import { reconciliationEventsOf, SECRET, seedList } from '../reconciliation.spec-helpers';

describe('feed modes', () => {
  it.each([
    ['named snapshot wins over a history Bundle', 'snapshot', 'history', 'snapshot'],
    ['named changes', 'changes', undefined, 'changes'],
    ['a searchset Bundle is a snapshot', undefined, 'searchset', 'snapshot'],
    ['a history Bundle is a change feed', undefined, 'history', 'changes'],
    ['a collection Bundle claims no completeness', undefined, 'collection', 'changes'],
    ['NDJSON without a named mode: snapshot, as before', undefined, undefined, 'snapshot'],
  ] as const)('%s', (_name, named, bundleType, mode) => {
    expect(feedModeOf(named, bundleType)).toBe(mode);
  });

  it('a change feed raises no absence-based discrepancy and clears only what the list alone decides', () => {
    expect(codesFor('eprescription', 'changes')).toEqual({
      raised: ['D1', 'D2', 'D3', 'D4', 'D5', 'D6'],
      cleared: ['D3', 'D5', 'D6'],
    });
    expect(codesFor('eprescription', 'snapshot').raised).toContain('D8');
  });

  describe('importing the registry feed of patients with a planted D8', () => {
    const patients = [...generateSyntheticPatients({ patients: 60, seed: 5 })].filter((p) =>
      p.planted.some((d) => d.code === 'D8'),
    );
    const lines = [...syntheticFeedLines(patients, 'eprescription')];
    const openCodes = async (store: InMemoryEventStore): Promise<string[]> => {
      const all = await Promise.all(patients.map((p) => reconciliationEventsOf(store, p.patientId)));
      return all.flatMap((events) =>
        foldDiscrepancies(events)
          .views.filter((d) => d.status === 'open')
          .map((d) => d.detected.code),
      );
    };
    const importAs = async (input: Parameters<ReconciliationService['importFeed']>[1], mode?: 'changes') => {
      const store = new InMemoryEventStore();
      for (const patient of patients) {
        await seedList(store, patient.list);
      }
      const service = new ReconciliationService(store, fixedClock(SYNTHETIC_NOW), { patientIdSecret: SECRET });
      const summary = await service.importFeed('eprescription', input, mode === undefined ? {} : { mode });
      return { summary, codes: await openCodes(store) };
    };
    const bundle = (type: string) => ({
      kind: 'bundle' as const,
      text: JSON.stringify({
        resourceType: 'Bundle',
        type,
        entry: lines.map((line) => ({ resource: JSON.parse(line) as unknown })),
      }),
    });

    it('raises D8 from a snapshot', async () => {
      expect(patients.length).toBeGreaterThan(0);
      const { summary, codes } = await importAs({ kind: 'ndjson', lines });
      expect(summary.mode).toBe('snapshot');
      expect(codes).toContain('D8');
    });

    it('raises no D8 from a change feed named by the caller', async () => {
      const { summary, codes } = await importAs({ kind: 'ndjson', lines }, 'changes');
      expect(summary.mode).toBe('changes');
      expect(codes).not.toContain('D8');
      expect(codes).not.toEqual([]); // presence-based discrepancies (here D2) are still raised
    });

    it('reads a history Bundle as a change feed and a searchset Bundle as a snapshot', async () => {
      const history = await importAs(bundle('history'));
      expect([history.summary.mode, history.codes.includes('D8')]).toEqual(['changes', false]);
      const searchset = await importAs(bundle('searchset'));
      expect([searchset.summary.mode, searchset.codes.includes('D8')]).toEqual(['snapshot', true]);
    });
  });
});
