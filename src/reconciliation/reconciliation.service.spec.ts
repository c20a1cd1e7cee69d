import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { medicationListDecider } from '../medication-list/domain/medication-list.decider';
import { isMedicationListEvent } from '../medication-list/domain/medication-list.events';
import * as patientStream from '../medication-list/patient-stream';
import { type PatientKey, patientStreamName } from '../medication-list/patient-stream';
import { fixedClock } from '../shared/clock';
import { handleCommand } from '../shared/event-sourcing/handle-command';
import { InMemoryEventStore } from '../shared/event-sourcing/in-memory.event-store';
import { foldDiscrepancies } from './domain/discrepancy-view';
import {
  generateSyntheticPatients,
  SYNTHETIC_NOW,
  syntheticFeedLines,
  type SyntheticPatient,
} from './synthetic/feed-generator';
import { ReconciliationService } from './reconciliation.service';
import { keyOf, listEventsOf, reconciliationEventsOf, SECRET, seedList } from './reconciliation.spec-helpers';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'fixtures', 'feeds');

const setup = () => {
  const store = new InMemoryEventStore();
  const service = new ReconciliationService(store, fixedClock(SYNTHETIC_NOW), { patientIdSecret: SECRET });
  const ndjson = (lines: Iterable<string>) => ({ kind: 'ndjson' as const, lines });
  return { store, service, ndjson };
};

const openKeys = async (store: InMemoryEventStore, patientId: string): Promise<string[]> =>
  foldDiscrepancies(await reconciliationEventsOf(store, patientId))
    .views.filter((d) => d.status === 'open')
    .map((d) => d.detected.key);

/** Every event outside the run streams (runs record each import's counts, by design). */
const nonRunEvents = async (store: InMemoryEventStore) =>
  (await store.readAll()).filter((e) => !e.streamName.startsWith('reconciliationRun-'));

/**
 * Two seeded patients with two dispensings or more each; A's second line gets an unknown status: rejected, but its
 * subject is valid, so A is held back as a whole. `lines`: A's, then B's.
 */
const oneBrokenLine = async (store: InMemoryEventStore) => {
  const [a, b] = [...generateSyntheticPatients({ patients: 20, seed: 3 })].filter((p) => p.coreRecordLines.length >= 2);
  if (a === undefined || b === undefined) {
    throw new Error('the generator gave too few patients with two dispensings');
  }
  await seedList(store, a.list);
  await seedList(store, b.list);
  const broken = a.coreRecordLines.map((line, i) =>
    i === 1 ? line.replace(/"status":"(completed|entered-in-error)"/, '"status":"bogus"') : line,
  );
  return { a, b, lines: [...broken, ...b.coreRecordLines] };
};

describe('ReconciliationService.importFeed', () => {
  describe('the generator population end to end (100 patients, both feeds)', () => {
    const { store, service, ndjson } = setup();
    let patients: SyntheticPatient[];

    beforeAll(async () => {
      patients = [...generateSyntheticPatients({ patients: 100, seed: 11 })];
      for (const patient of patients) {
        await seedList(store, patient.list);
      }
      await service.importFeed('eprescription', ndjson(syntheticFeedLines(patients, 'eprescription')));
      await service.importFeed('core-record', ndjson(syntheticFeedLines(patients, 'core-record')));
    });

    it('finds every planted discrepancy and invents none', async () => {
      for (const patient of patients) {
        expect({ patient: patient.list.entries[0]?.entryId, keys: await openKeys(store, patient.patientId) }).toEqual({
          patient: patient.list.entries[0]?.entryId,
          keys: patient.planted.map((d) => d.key).sort(),
        });
      }
    });

    it('records nothing new when the same feeds come again', async () => {
      const before = (await nonRunEvents(store)).length;
      const again = [
        await service.importFeed('eprescription', ndjson(syntheticFeedLines(patients, 'eprescription'))),
        await service.importFeed('core-record', ndjson(syntheticFeedLines(patients, 'core-record'))),
      ];
      expect(
        again.map((s) => [s.discrepanciesNew, s.discrepanciesCleared, s.dispensingsRecorded, s.dispensingsAnnulled]),
      ).toEqual([
        [0, 0, 0, 0],
        [0, 0, 0, 0],
      ]);
      expect((await nonRunEvents(store)).length).toBe(before);
      expect(again[1]?.patientsApplied).toBe(again[1]?.patients);
    });
  });

  it('holds back a patient with a rejected line entirely and applies the others', async () => {
    const { store, service, ndjson } = setup();
    const { a, b, lines } = await oneBrokenLine(store);
    const before = (await listEventsOf(store, a.patientId)).length;
    const summary = await service.importFeed('core-record', ndjson(lines));

    expect(summary).toMatchObject({ patients: 2, patientsApplied: 1, patientsHeldBack: 1, linesRejected: 1 });
    expect(summary.rejected).toEqual([{ line: 2, reason: 'unknown status code', resourceType: 'MedicationDispense' }]);
    expect(summary.heldBack.map((r) => r.line)).toEqual(
      a.coreRecordLines.map((_, i) => i + 1).filter((line) => line !== 2),
    );
    expect((await listEventsOf(store, a.patientId)).length).toBe(before);
    expect(await reconciliationEventsOf(store, a.patientId)).toEqual([]);
    expect((await listEventsOf(store, b.patientId)).some((e) => e.type === 'DispensingRecorded')).toBe(true);
    expect(JSON.stringify(summary)).not.toContain(a.patientId);
  });

  // Issue 17: the raw id enters from the feed; the import keys each patient there, once per run, and the audit hook
  // and the patient's streams take that key. The spies sit on patient-stream's exports, which every caller (and
  // patientKeyOf itself) calls through: patientStreamId counts every HMAC of a patient id.
  it('keys each patient the feed names once per run, held back or not, and hands that key on', async () => {
    const { store, service, ndjson } = setup();
    // A is named (and audited) but held back.
    const { a, b, lines } = await oneBrokenLine(store);
    const expected = [keyOf(a.patientId), keyOf(b.patientId)];
    const keyOfSpy = jest.spyOn(patientStream, 'patientKeyOf');
    const streamIdOf = jest.spyOn(patientStream, 'patientStreamId');
    const audited: PatientKey[][] = [];
    try {
      const summary = await service.importFeed('core-record', ndjson(lines), {
        beforeApply: (patients) => Promise.resolve(void audited.push([...patients])),
      });
      expect(summary).toMatchObject({ patients: 2, patientsApplied: 1, patientsHeldBack: 1 });
      expect(streamIdOf).toHaveBeenCalledTimes(2);
      const keys = keyOfSpy.mock.results.map((result) => (result.type === 'return' ? result.value : undefined));
      expect(keys).toEqual(expected);
      expect(audited).toHaveLength(1);
      expect(audited[0]?.[0]).toBe(keys[0]);
      expect(audited[0]?.[1]).toBe(keys[1]);
    } finally {
      jest.restoreAllMocks();
    }
    expect(await reconciliationEventsOf(store, a.patientId)).toEqual([]);
    expect((await listEventsOf(store, b.patientId)).some((e) => e.type === 'DispensingRecorded')).toBe(true);
  });

  it('records a dispensing once when the feed and a pharmacy both report it, in either order', async () => {
    const [patient] = [...generateSyntheticPatients({ patients: 20, seed: 5 })].filter((p) =>
      p.coreRecordLines.some((l) => l.includes('"completed"')),
    );
    const line = patient?.coreRecordLines.find((l) => l.includes('"completed"'));
    if (patient === undefined || line === undefined) {
      throw new Error('no patient with a dispensing');
    }
    const dispensingId = (JSON.parse(line) as { identifier: { value: string }[] }).identifier[0]?.value ?? '';
    const pharmacyReport = (store: InMemoryEventStore, commandId: string) =>
      handleCommand(
        store,
        medicationListDecider,
        patientStreamName(patient.patientId, SECRET),
        {
          type: 'RecordDispensing',
          data: {
            dispensingId,
            prescriptionId: 'rx-from-pharmacy',
            dispensedAt: '2026-02-01T10:00:00.000Z',
            product: { displayName: 'Some product', atcCode: 'C09AA05' },
            quantity: { value: 30, unit: 'stk' },
            pharmacyHerId: '81235',
            prescriptionUsedUp: false,
          },
          meta: {
            commandId,
            correlationId: 'c',
            causationId: 'c',
            actor: { role: 'pharmacy', herId: '81235' },
            recordedAt: SYNTHETIC_NOW,
          },
        },
        { isEvent: isMedicationListEvent },
      );
    const recordedIn = async (store: InMemoryEventStore) =>
      (await listEventsOf(store, patient.patientId)).filter((e) => e.type === 'DispensingRecorded');

    const feedFirst = setup();
    expect((await feedFirst.service.importFeed('core-record', feedFirst.ndjson([line]))).dispensingsRecorded).toBe(1);
    expect((await pharmacyReport(feedFirst.store, 'pharmacy-after-feed')).appendedEvents).toBe(0);
    expect(await recordedIn(feedFirst.store)).toHaveLength(1);

    const pharmacyFirst = setup();
    await pharmacyReport(pharmacyFirst.store, 'pharmacy-first');
    expect(
      (await pharmacyFirst.service.importFeed('core-record', pharmacyFirst.ndjson([line]))).dispensingsRecorded,
    ).toBe(0);
    expect(await recordedIn(pharmacyFirst.store)).toHaveLength(1);
  });

  it('imports the fixture Bundle and reports its bad entries by number', async () => {
    const { service } = setup();
    const text = readFileSync(path.join(FIXTURES, 'eprescription.bundle.json'), 'utf8');
    const summary = await service.importFeed('eprescription', { kind: 'bundle', text });
    expect(summary).toMatchObject({
      recordsRead: 5,
      recordsAccepted: 2,
      linesRejected: 2,
      skipped: { OperationOutcome: 1 },
    });
    expect(summary.rejected.map((r) => r.line)).toEqual([2, 4]);
  });

  it('reports a Bundle that is not JSON as one rejected entry 0 and changes nothing', async () => {
    const { store, service } = setup();
    const summary = await service.importFeed('eprescription', {
      kind: 'bundle',
      text: '{"resourceType": "Bundle", "entry": [',
    });
    expect(summary).toMatchObject({
      recordsRead: 1,
      linesRejected: 1,
      rejected: [{ line: 0, reason: 'malformed JSON' }],
    });
    expect(await nonRunEvents(store)).toEqual([]);
  });

  it('reports the fixture NDJSON lines with their numbers and reasons, and records the run', async () => {
    const { store, service } = setup();
    const lines = readFileSync(path.join(FIXTURES, 'core-record.ndjson'), 'utf8').split('\n');
    const summary = await service.importFeed('core-record', { kind: 'ndjson', lines }, { runId: 'run-fixture' });
    expect(summary.rejected.map((r) => r.line)).toEqual([5, 6, 7, 8]);
    expect(summary.skipped).toEqual({ MedicationRequest: 1 });
    const run = await store.readStream('reconciliationRun-run-fixture');
    expect(run.map((e) => e.type)).toEqual(['ReconciliationRunCompleted']);
    expect(run[0]?.data).toMatchObject({ recordsRead: 8, linesRejected: 4, patients: summary.patients });
  });
});
