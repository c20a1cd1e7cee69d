import fc from 'fast-check';
import { fixedClock } from '../shared/clock';
import { InMemoryEventStore } from '../shared/event-sourcing/in-memory.event-store';
import type { FeedSource } from './domain/external-record';
import { generateSyntheticPatients, SYNTHETIC_NOW } from './synthetic/feed-generator';
import { foldListFacts } from './domain/list-view';
import { ReconciliationService } from './reconciliation.service';
import { listEventsOf, reconciliationEventsOf, SECRET } from './reconciliation.spec-helpers';

/**
 * The import never throws on bad input and never applies part of a patient: for arbitrary mixes of valid lines,
 * lines broken so that they are rejected but still name their patient, lines replaced by garbage, and arbitrary
 * text or JSON inserted anywhere.
 */

const patients = [...generateSyntheticPatients({ patients: 6, seed: 9 })];

type Edit =
  { readonly kind: 'keep' } | { readonly kind: 'break' } | { readonly kind: 'replace'; readonly text: string };

const garbage = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.constantFrom(
    '{',
    '{"resourceType":"MedicationDispense"}',
    '{"resourceType":"Patient","id":"x"}',
    '',
    '\uFEFF{}',
    '[1,2',
  ),
);
const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Edit>({ kind: 'keep' }) },
  { weight: 1, arbitrary: fc.constant<Edit>({ kind: 'break' }) },
  { weight: 1, arbitrary: garbage.map((text): Edit => ({ kind: 'replace', text })) },
);

/** A line rejected for its status, with its subject (so its patient) intact. */
const broken = (line: string): string => line.replace(/"status":"[a-z-]+"/, '"status":"bogus"');

const linesOf = (source: FeedSource) =>
  patients.flatMap((p) =>
    (source === 'eprescription' ? p.eprescriptionLines : p.coreRecordLines).map((line) => ({
      patientId: p.patientId,
      line,
    })),
  );

describe('import service (property)', () => {
  it('never throws and applies each patient all or nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<FeedSource>('eprescription', 'core-record'),
        fc.infiniteStream(edit),
        fc.array(fc.tuple(fc.nat(), garbage), { maxLength: 5 }),
        async (source, edits, inserted) => {
          const base = linesOf(source);
          const heldBack = new Set<string>();
          const kept = new Map<string, string[]>();
          const lines = base.map(({ patientId, line }, i): string => {
            const e = edits.next().value as Edit;
            if (e.kind === 'break' && line.includes('"status"') && !line.includes('"Organization"')) {
              heldBack.add(patientId);
              return broken(line);
            }
            if (e.kind === 'replace') {
              return e.text;
            }
            kept.set(patientId, [...(kept.get(patientId) ?? []), line]);
            return base[i]?.line ?? line;
          });
          for (const [at, text] of inserted) {
            lines.splice(at % (lines.length + 1), 0, text);
          }
          const store = new InMemoryEventStore();
          const service = new ReconciliationService(store, fixedClock(SYNTHETIC_NOW), { patientIdSecret: SECRET });

          const summary = await service.importFeed(source, { kind: 'ndjson', lines });

          const applied = [...kept.keys()].filter(
            (id) => !heldBack.has(id) && (kept.get(id) ?? []).some((l) => !l.includes('"Organization"')),
          );
          expect(summary.patientsHeldBack).toBe(heldBack.size);
          expect(summary.patientsApplied).toBe(applied.length);
          for (const p of patients) {
            const listEvents = await listEventsOf(store, p.patientId);
            if (heldBack.has(p.patientId)) {
              expect(listEvents).toEqual([]);
              expect(await reconciliationEventsOf(store, p.patientId)).toEqual([]);
            } else if (source === 'core-record') {
              // every dispensing the kept lines hand over (and do not annul) is on the list
              const ids = (kept.get(p.patientId) ?? []).map(
                (l) => JSON.parse(l) as { identifier: { value: string }[]; status: string },
              );
              const annulled = new Set(
                ids.filter((r) => r.status === 'entered-in-error').map((r) => r.identifier[0]?.value),
              );
              const facts = foldListFacts(listEvents);
              for (const record of ids.filter((r) => r.status === 'completed')) {
                const id = record.identifier[0]?.value ?? '';
                expect(facts.dispensings.get(id)?.annulled).toBe(annulled.has(id));
              }
            }
          }
        },
      ),
      { numRuns: 40, seed: 20260301 },
    );
  });

  it('arbitrary text never throws and changes nothing but the run record', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(garbage, { maxLength: 20 }), async (lines) => {
        const store = new InMemoryEventStore();
        const service = new ReconciliationService(store, fixedClock(SYNTHETIC_NOW), { patientIdSecret: SECRET });
        const summary = await service.importFeed('core-record', { kind: 'ndjson', lines });
        expect(summary.recordsRead).toBe(lines.length);
        expect((await store.readAll()).every((e) => e.streamName.startsWith('reconciliationRun-'))).toBe(true);
      }),
      { numRuns: 60, seed: 20260302 },
    );
  });
});
