import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isValidOrganisationNumber, isValidSyntheticNumber } from '../identifiers/norwegian-identifiers';
import type { MedicationListCommand } from '../medication-list/domain/medication-list.commands';
import { decide, evolve, initialState } from '../medication-list/domain/medication-list.decider';
import type { MedicationListState } from '../medication-list/domain/medication-list.state';
import { SqliteEventStore } from '../shared/event-sourcing/sqlite.event-store';
import { mulberry32 } from '../shared/seeded-random';
import { parseSeedArgs, seedSyntheticPatients } from './seed';
import {
  DRUG_CATALOGUE,
  festIdOf,
  generateSyntheticPatients,
  syntheticCareProviders,
  type SyntheticPatient,
} from './synthetic-patients';

const NOW = new Date('2026-05-20T13:45:00.000Z');
const generate = (patients: number, seed = 42, now = NOW): SyntheticPatient[] => [
  ...generateSyntheticPatients({ patients, seed, now }),
];
const ofType = <T extends MedicationListCommand['type']>(patient: SyntheticPatient, type: T) =>
  patient.commands.filter((c): c is Extract<MedicationListCommand, { type: T }> => c.type === type);

/** Folds a command sequence through the real decider; throws the decider's error if one is rejected. */
const foldThroughDecider = (
  commands: readonly MedicationListCommand[],
): { state: MedicationListState; noOps: string[] } =>
  commands.reduce(
    ({ state, noOps }, command) => {
      const events = decide(command, state);
      return {
        state: events.reduce(evolve, state),
        noOps: events.length === 0 ? [...noOps, command.type] : noOps,
      };
    },
    { state: initialState(), noOps: [] as string[] },
  );

describe('synthetic patients', () => {
  const patients = generate(500);

  it('is deterministic: the same seed and day give the same patients and command ids', () => {
    expect(generate(20)).toEqual(patients.slice(0, 20));
    // Another hour of the same day: identical. Patient i does not depend on how many are generated.
    expect(generate(5, 42, new Date('2026-05-20T23:59:00.000Z'))).toEqual(patients.slice(0, 5));
  });

  it('a later day gives the same commands and ids, shifted by whole days (a re-seed appends nothing)', () => {
    const later = generate(20, 42, new Date('2026-05-27T08:00:00.000Z'));
    const ids = (list: SyntheticPatient[]) => list.map((p) => [p.patientId, p.commands.map((c) => c.meta.commandId)]);
    expect(ids(later)).toEqual(ids(patients.slice(0, 20)));
  });

  it('another seed gives other patients', () => {
    const other = generate(20, 43);
    expect(other.map((p) => p.patientId)).not.toEqual(patients.slice(0, 20).map((p) => p.patientId));
  });

  it('the PRNG is mulberry32 (the published reference output for seed 1)', () => {
    const next = mulberry32(1);
    expect([next(), next()]).toEqual([0.6270739405881613, 0.002735721180215478]);
  });

  it('every command sequence is accepted by the real decider, and every command changes the list', () => {
    for (const patient of patients) {
      const { noOps } = foldThroughDecider(patient.commands);
      expect(noOps).toEqual([]);
    }
  });

  it('patient ids are unique, valid synthetic numbers (month + 80) of people born 1925–1960', () => {
    expect(new Set(patients.map((p) => p.patientId)).size).toBe(patients.length);
    for (const { patientId } of patients) {
      expect(isValidSyntheticNumber(patientId)).toBe(true);
      expect(Number(patientId.slice(2, 4))).toBeGreaterThan(80);
      const year = 1900 + Number(patientId.slice(4, 6));
      expect(year).toBeGreaterThanOrEqual(1925);
      expect(year).toBeLessThanOrEqual(1960);
    }
  });

  it('commands are chronological, within the two years before the day of now, with unique command ids', () => {
    const dayOfNow = '2026-05-20';
    const twoYearsBefore = '2024-04-01';
    const ids = new Set<string>();
    for (const patient of patients) {
      const times = patient.commands.map((c) => c.meta.recordedAt);
      expect(times).toEqual([...times].sort());
      expect(times[0]! >= twoYearsBefore && times.at(-1)! < dayOfNow).toBe(true);
      patient.commands.forEach((c) => ids.add(c.meta.commandId));
    }
    expect(ids.size).toBe(patients.reduce((n, p) => n + p.commands.length, 0));
  });

  it('every patient has one care relation; actors are a GP (HPR), a pharmacy (HER-id) or a nurse (org)', () => {
    for (const patient of patients) {
      const relations = ofType(patient, 'StartCareRelation');
      expect(relations).toHaveLength(1);
      expect(relations[0]).toMatchObject({
        type: 'StartCareRelation',
        data: { patientId: patient.patientId, organisationNumber: patient.careProvider.organisationNumber },
        meta: { actor: { role: 'nurse', organisationNumber: patient.careProvider.organisationNumber } },
      });
    }
    const unidentified = patients
      .flatMap((patient) => patient.commands.map((command) => command.meta.actor))
      .filter(
        (actor) =>
          !(
            (actor.role === 'prescriber' && /^[0-9]{7}$/.test(actor.hprNumber ?? '')) ||
            (actor.role === 'pharmacy' && /^[0-9]{5,6}$/.test(actor.herId ?? '')) ||
            (actor.role === 'nurse' && isValidOrganisationNumber(actor.organisationNumber ?? ''))
          ),
      );
    expect(unidentified).toEqual([]);
  });

  it("a nursing home registers each resident's name and room with the admission; home care registers neither", () => {
    for (const patient of patients) {
      const [relation] = ofType(patient, 'StartCareRelation');
      if (relation === undefined) {
        throw new Error(`patient ${patient.index} has no care relation`);
      }
      if (patient.careProvider.kind === 'nursing-home') {
        expect(relation.data).toMatchObject({
          residentName: expect.stringMatching(/^\p{L}+ \p{L}+$/u),
          room: expect.stringMatching(/^Rom [0-9]{3}$/),
        });
      } else {
        expect(relation.data).not.toHaveProperty('residentName');
        expect(relation.data).not.toHaveProperty('room');
      }
    }
  });

  it('has 3–12 entries per patient and a realistic spread of what happens to them', () => {
    const share = (test: (p: SyntheticPatient) => boolean) => patients.filter(test).length / patients.length;
    const has = (type: MedicationListCommand['type']) => (p: SyntheticPatient) => ofType(p, type).length > 0;
    for (const patient of patients) {
      expect(ofType(patient, 'StartMedication').length).toBeGreaterThanOrEqual(3);
      expect(ofType(patient, 'StartMedication').length).toBeLessThanOrEqual(12);
    }
    expect(share((p) => p.multidose)).toBeGreaterThan(0.18);
    expect(share((p) => p.multidose)).toBeLessThan(0.32);
    const stoppedForAReason = (p: SyntheticPatient) =>
      ofType(p, 'DiscontinueMedication').some((c) => c.data.note !== 'Kuren er fullført');
    expect(share(stoppedForAReason)).toBeGreaterThan(0.08);
    expect(share(stoppedForAReason)).toBeLessThan(0.25);
    expect(share(has('RecordDispensing'))).toBeGreaterThan(0.5);
    expect(share(has('IssuePrescription'))).toBeGreaterThan(0.9);
    expect(share(has('ChangeDosage'))).toBeGreaterThan(0.1);
    expect(share(has('MarkListReviewed'))).toBeGreaterThan(0.4);
    expect(share(has('RenewPrescription'))).toBeGreaterThan(0.05);
    expect(share((p) => p.careProvider.kind === 'home-care' && p.unit === undefined)).toBeGreaterThan(0.03);
    const reasonCodes = new Set(
      patients.flatMap((p) => ofType(p, 'DiscontinueMedication').map((c) => c.data.reasonCode)),
    );
    expect([...reasonCodes].sort()).toEqual(['A', 'I', 'L', 'M', 'S', 'X']);
    const types = new Set(patients.flatMap((p) => p.commands.map((c) => c.type)));
    for (const type of ['PauseMedication', 'AnnulDispensing', 'AskMultidoseQuestion', 'MarkListNotReviewed'] as const) {
      expect(types).toContain(type);
    }
  });

  it('every multidose patient gets packing reports with at least one entry outside multidose', () => {
    const multidose = patients.filter((p) => p.multidose);
    for (const patient of multidose) {
      const packings = ofType(patient, 'RecordMultidosePacking');
      expect(ofType(patient, 'RegisterMultidose')).toHaveLength(1);
      expect(packings.length).toBeGreaterThan(0);
      expect(packings.every((packing) => packing.data.entries.some((line) => !line.packed))).toBe(true);
    }
    expect(patients.filter((p) => !p.multidose).every((p) => ofType(p, 'RecordMultidosePacking').length === 0)).toBe(
      true,
    );
  });

  it('some dispensings substitute a generic: same ATC code, another FEST product', () => {
    const substitutions = patients.flatMap((patient) => {
      const started = new Map(ofType(patient, 'StartMedication').map((c) => [c.data.entryId, c.data.medication]));
      const entryOf = new Map(ofType(patient, 'IssuePrescription').map((c) => [c.data.prescriptionId, c.data.entryId]));
      ofType(patient, 'RenewPrescription').forEach((c) =>
        entryOf.set(c.data.newPrescriptionId, entryOf.get(c.data.prescriptionId) ?? ''),
      );
      return ofType(patient, 'RecordDispensing')
        .map((c) => ({ prescribed: started.get(entryOf.get(c.data.prescriptionId) ?? ''), dispensed: c.data.product }))
        .filter(({ prescribed, dispensed }) => prescribed?.festId !== dispensed.festId);
    });
    expect(substitutions.length).toBeGreaterThan(20);
    for (const { prescribed, dispensed } of substitutions) {
      expect(dispensed.atcCode).toBe(prescribed?.atcCode);
      expect(dispensed.displayName).not.toBe(prescribed?.displayName);
    }
  });

  it('uses several nursing homes with valid organisation numbers and named units', () => {
    const providers = syntheticCareProviders(4);
    expect(providers.filter((p) => p.kind === 'nursing-home')).toHaveLength(4);
    expect(providers.every((p) => isValidOrganisationNumber(p.organisationNumber))).toBe(true);
    expect(new Set(patients.map((p) => p.careProvider.organisationNumber)).size).toBe(5);
    expect(patients.map((p) => p.unit)).toEqual(expect.arrayContaining(['Avdeling 1', 'Skjermet enhet', undefined]));
    expect(() => syntheticCareProviders(0)).toThrow(RangeError);
  });

  it('has a catalogue of ~30 drugs with level-5 ATC codes and FEST-style ids', () => {
    expect(DRUG_CATALOGUE.length).toBeGreaterThanOrEqual(30);
    for (const drug of DRUG_CATALOGUE) {
      if (drug.atcCode !== undefined) {
        expect(drug.atcCode).toMatch(/^[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}$/);
      }
    }
    expect(festIdOf('Paracet Tab 500 mg')).toMatch(
      /^ID_[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/,
    );
    expect(DRUG_CATALOGUE.find((d) => d.atcCode === 'H02AB06')?.dosage('2026-01-05').periods).toHaveLength(5);
  });
});

describe('seed', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'seed-spec-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends every command through the decider, and a second run with the same seed appends nothing', async () => {
    const options = { patientIdSecret: 'a-test-secret-of-at-least-32-characters!', patients: 5, seed: 7, now: NOW };
    const store = new SqliteEventStore({ filename: path.join(dir, 'events.db'), synchronous: 'NORMAL' });
    try {
      const progress: number[] = [];
      const first = await seedSyntheticPatients({ ...options, store, onProgress: (p) => progress.push(p.patients) });
      const stored = await store.readAll();
      expect(first.patients).toBe(5);
      expect(first.eventsAppended).toBe(stored.length);
      expect(first.eventsAppended).toBeGreaterThanOrEqual(first.commands);
      expect(first.commandsAlreadyApplied).toBe(0);
      expect(progress).toEqual([1, 2, 3, 4, 5]);
      expect(first.samplePatients).toHaveLength(3);
      // No patient id in a stream name (domain.md).
      expect(stored.every((event) => !/[0-9]{11}/.test(event.streamName))).toBe(true);

      const second = await seedSyntheticPatients({ ...options, store, concurrency: 2 });
      expect(second.eventsAppended).toBe(0);
      expect(second.commandsAlreadyApplied).toBe(second.commands);
      expect(await store.readAll()).toHaveLength(stored.length);
    } finally {
      await store.close();
    }
  });

  it('parses --patients and --seed, with documented defaults', () => {
    expect(parseSeedArgs([])).toMatchObject({ patients: 500, seed: 42, nursingHomes: 4, concurrency: 32 });
    expect(parseSeedArgs(['--patients', '20', '--seed', '7'])).toMatchObject({ patients: 20, seed: 7 });
    expect(() => parseSeedArgs(['--patients', 'many'])).toThrow('--patients must be a whole number');
    expect(() => parseSeedArgs(['--unknown'])).toThrow();
  });
});
