import { isValidSyntheticNumber } from '../../identifiers/norwegian-identifiers';
import type { ExternalRecord } from '../domain/external-record';
import { generateSyntheticPatients, SYNTHETIC_NOW, syntheticFeedLines, type SyntheticPatient } from './feed-generator';
import { parseFhirLines, type FeedLineOutcome } from '../feeds/fhir-ndjson.feed';
import { reconcile, type DiscrepancyCode } from '../domain/reconcile';
import { FEST_ID_FIELDS, FEST_NAMING_SYSTEMS } from '../feeds/fest-naming-systems';
import { MAX_SYNTHETIC_PATIENTS, SYNTHETIC_UNKNOWN_SYSTEM, syntheticPatientId } from './synthetic-fhir';

const PATIENTS = 200;
const population = (seed = 42): SyntheticPatient[] => [...generateSyntheticPatients({ patients: PATIENTS, seed })];

/** Parses both feeds of a population the way an import would, and groups the records by patient. */
const parsedRecords = (
  patients: SyntheticPatient[],
): { byPatient: Map<string, ExternalRecord[]>; outcomes: FeedLineOutcome[] } => {
  const outcomes = [
    ...parseFhirLines(syntheticFeedLines(patients, 'eprescription'), 'eprescription'),
    ...parseFhirLines(syntheticFeedLines(patients, 'core-record'), 'core-record'),
  ];
  const byPatient = new Map<string, ExternalRecord[]>();
  for (const outcome of outcomes) {
    if ('record' in outcome) {
      byPatient.set(outcome.record.patientId, [...(byPatient.get(outcome.record.patientId) ?? []), outcome.record]);
    }
  }
  return { byPatient, outcomes };
};

describe('synthetic feed generator', () => {
  const patients = population();
  const { byPatient, outcomes } = parsedRecords(patients);

  it('writes only lines the parser accepts (or skips as other resource types)', () => {
    expect(outcomes.filter((o) => 'rejected' in o)).toEqual([]);
    expect(outcomes.filter((o) => 'skipped' in o).every((o) => 'skipped' in o && o.skipped === 'Organization')).toBe(
      true,
    );
  });

  it('writes every FEST level under every published spelling, and codings in an unknown system', () => {
    const lines = [...syntheticFeedLines(patients, 'eprescription'), ...syntheticFeedLines(patients, 'core-record')];
    const systems = new Set(lines.flatMap((line) => [...line.matchAll(/"system":"([^"]+)"/g)].map((m) => m[1])));
    expect(FEST_NAMING_SYSTEMS.map((s) => s.system).filter((system) => !systems.has(system))).toEqual([]);
    expect(systems.has(SYNTHETIC_UNKNOWN_SYSTEM)).toBe(true);
    const drugs = outcomes.flatMap((o) =>
      'record' in o ? [o.record.kind === 'dispensing' ? o.record.product : o.record.medication] : [],
    );
    expect(FEST_ID_FIELDS.filter((name) => !drugs.some((drug) => drug[name] !== undefined))).toEqual([]);
    // A substance-level prescription names no brand.
    expect(drugs.some((drug) => drug.festSubstanceId !== undefined && drug.festId === undefined)).toBe(true);
    expect(drugs.some((drug) => drug.otherCodings?.[0]?.system === SYNTHETIC_UNKNOWN_SYSTEM)).toBe(true);
  });

  it('plants every discrepancy type D1–D8', () => {
    const planted = new Set(patients.flatMap((p) => p.planted.map((d) => d.code)));
    expect([...planted].sort()).toEqual<DiscrepancyCode[]>(['D1', 'D2', 'D3', 'D4', 'D5', 'D6', 'D7', 'D8']);
  });

  it('reconcile finds every planted discrepancy on the parsed feed and invents none', () => {
    for (const patient of patients) {
      const found = reconcile(patient.list, byPatient.get(patient.patientId) ?? [], SYNTHETIC_NOW).map((d) => d.key);
      expect({ patient: patient.list.entries[0]?.entryId, keys: found }).toEqual({
        patient: patient.list.entries[0]?.entryId,
        keys: patient.planted.map((d) => d.key).sort(),
      });
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(population(42)).toEqual(patients);
    expect(population(43)).not.toEqual(patients);
  });

  it('streams: the first patients do not depend on how many are asked for', () => {
    expect([...generateSyntheticPatients({ patients: 5, seed: 42 })]).toEqual(patients.slice(0, 5));
  });

  it('numbers patients with distinct synthetic (month + 80) test numbers with valid check digits', () => {
    const ids = [0, 1, 17_999, 18_000, 100_000, MAX_SYNTHETIC_PATIENTS - 1].map(syntheticPatientId);
    expect(ids.every(isValidSyntheticNumber)).toBe(true);
    expect(new Set(patients.map((p) => p.patientId)).size).toBe(PATIENTS);
    expect(new Set(ids).size).toBe(ids.length);
    expect(() => syntheticPatientId(MAX_SYNTHETIC_PATIENTS)).toThrow(RangeError);
  });
});
