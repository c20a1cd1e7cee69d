import fc from 'fast-check';
import { fixedClock } from '../../shared/clock';
import { InMemoryEventStore } from '../../shared/event-sourcing/in-memory.event-store';
import type { Medication } from '../../medication-list/domain/medication-list.events';
import { generateSyntheticPatients, SYNTHETIC_NOW } from '../synthetic/feed-generator';
import { ReconciliationService } from '../reconciliation.service';
import { SECRET } from '../reconciliation.spec-helpers';
import { FEST_NAMING_SYSTEMS, festNamingSystemOf } from './fest-naming-systems';
import { FHIR_SYSTEM } from './fhir-elements';
import { parseFhirLine } from './fhir-ndjson.feed';

/**
 * Feeds whose drugs are coded in random mixes of known and unknown systems (and codings without a system): the
 * parser never throws; a line is either rejected with a reason, or every one of its codings is accounted for (at
 * its level, as the ATC code, or kept in `otherCodings`); and the import reports every kept coding by line.
 */

const [patient] = [...generateSyntheticPatients({ patients: 1, seed: 3 })];
const template = patient?.coreRecordLines.find((line) => line.includes('"status":"completed"')) ?? '';

interface Coding {
  readonly system?: string;
  readonly code?: string;
  readonly display?: string;
}

const text = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() === s && s !== '');
const festCode = fc.uuid().map((uuid) => `ID_${uuid.toUpperCase()}`);
const codeFor = (system: string): fc.Arbitrary<string> => {
  const field = festNamingSystemOf(system)?.field;
  const valid =
    field === 'packageNumber'
      ? fc.stringMatching(/^[0-9]{6}$/)
      : field === 'lmrNumber'
        ? fc.stringMatching(/^[0-9]{7}$/)
        : system === FHIR_SYSTEM.atc
          ? fc.constantFrom('C09AA05', 'A10BA02')
          : festCode;
  return fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: text }); // sometimes invalid: rejected
};
const known: fc.Arbitrary<Coding> = fc
  .constantFrom(...FEST_NAMING_SYSTEMS.map((s) => s.system), FHIR_SYSTEM.atc)
  .chain((system) => codeFor(system).map((code) => ({ system, code })));
const unknown: fc.Arbitrary<Coding> = fc.record(
  {
    system: fc.oneof(
      fc.webUrl(),
      fc.constantFrom('http://HL7.no/fhir/NamingSystem/festLegemiddelmerkevare', 'urn:oid:1.2.3'),
    ),
    code: text,
    display: text,
  },
  { requiredKeys: [] },
);
const codings = fc.array(fc.oneof(known, unknown), { maxLength: 6 });

const lineWith = (coding: readonly Coding[]): string => {
  const resource = JSON.parse(template) as Record<string, unknown>;
  resource.medicationCodeableConcept = { coding, text: 'Legemiddel' };
  return JSON.stringify(resource);
};
const isKnown = (c: Coding): boolean =>
  c.system !== undefined && (c.system === FHIR_SYSTEM.atc || festNamingSystemOf(c.system) !== undefined);

const accountedFor = (drug: Medication, c: Coding): boolean => {
  if (c.system === FHIR_SYSTEM.atc) {
    return drug.atcCode === c.code;
  }
  const level = c.system === undefined ? undefined : festNamingSystemOf(c.system)?.field;
  return level !== undefined
    ? drug[level] === c.code
    : (drug.otherCodings ?? []).some((o) => JSON.stringify(o) === JSON.stringify(c));
};

describe('drug codings from random systems (property)', () => {
  it('never throws, and a line is rejected or has every coding accounted for', () => {
    fc.assert(
      fc.property(codings, (coding) => {
        const outcome = parseFhirLine(lineWith(coding), 1, 'core-record');
        if ('rejected' in outcome) {
          return true; // reported with its line number and a fixed reason
        }
        if (!('record' in outcome) || outcome.record.kind !== 'dispensing') {
          return false;
        }
        const drug = outcome.record.product;
        return (
          coding.every((c) => accountedFor(drug, c)) &&
          (drug.otherCodings ?? []).length === coding.filter((c) => !isKnown(c)).length
        );
      }),
      { numRuns: 500, seed: 16 },
    );
  });

  it('reports every kept coding in the import summary, by line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(codings, { minLength: 1, maxLength: 8 }), async (lists) => {
        const lines = lists.map(lineWith);
        const expected = lines.flatMap((line, i) => {
          const outcome = parseFhirLine(line, i + 1, 'core-record');
          return 'record' in outcome ? (lists[i]?.filter((c) => !isKnown(c)).map(() => i + 1) ?? []) : [];
        });
        const service = new ReconciliationService(new InMemoryEventStore(), fixedClock(SYNTHETIC_NOW), {
          patientIdSecret: SECRET,
        });
        const summary = await service.importFeed('core-record', { kind: 'ndjson', lines });
        expect(summary.codingsUnknown).toBe(expected.length);
        expect(summary.unknownCodings.map((c) => c.line)).toEqual(expected);
      }),
      { numRuns: 40, seed: 16 },
    );
  });
});
