import { asNeededDosage, paracetamol, sampleDosage, sampleMedication } from '../../src/medication-list/medication-list.fixtures';
import { type TestApp, bootApp, dataOf, syntheticPatientId } from './read-side.e2e-helpers';

/**
 * Issue 22 over real HTTP: what the list shows depends only on what was recorded and on the reader's instant,
 * and every instant a client sends is exactly understood or refused.
 */

const NOW = '2026-12-05T10:00:00.000Z';
const DAY_MS = 24 * 60 * 60 * 1000;
const dayIn = (days: number): string => new Date(Date.parse(NOW) + days * DAY_MS).toISOString().slice(0, 10);

const LIST = `query L($patientId: String!, $minPosition: String) {
  medicationList(patientId: $patientId, minPosition: $minPosition) { version entries { entryId } discontinued { entryId } }
}`;
const START = `mutation S($input: StartMedicationInput!) { startMedication(input: $input) { position } }`;
const DISCONTINUE = `mutation D($input: DiscontinueMedicationInput!) { discontinueMedication(input: $input) { position } }`;
const CHANGE = `mutation C($input: ChangeDosageInput!) { changeDosage(input: $input) { position list { discontinued { entryId } } } }`;

describe('exact inputs end to end (issue 22)', () => {
  let t: TestApp;
  const patientId = syntheticPatientId(21);

  beforeAll(async () => {
    t = await bootApp(NOW);
  });
  afterAll(async () => {
    await t.close();
  });

  it('a dosage change planned 100 days ahead does not hide a drug discontinued today, in the answer or the live list', async () => {
    const start = (entryId: string, medication: object, dosage: object) =>
      t.graphql(START, { input: { patientId, entryId, medication, use: '1', dosage, startedOn: dayIn(-30), prescriptionType: 'E' } });
    dataOf(await start('e-stopped', sampleMedication, sampleDosage));
    dataOf(await start('e-kept', paracetamol, asNeededDosage));
    dataOf(await t.graphql(DISCONTINUE, { input: { patientId, entryId: 'e-stopped', discontinuedAt: NOW, reasonCode: 'L' } }));

    const changed = dataOf(await t.graphql(CHANGE, {
      input: { patientId, entryId: 'e-kept', dosage: sampleDosage, effectiveFrom: dayIn(100) },
    })).changeDosage as { position: string; list: { discontinued: { entryId: string }[] } };

    expect(changed.list.discontinued).toEqual([{ entryId: 'e-stopped' }]);
    const live = dataOf(await t.graphql(LIST, { patientId, minPosition: changed.position })).medicationList;
    expect(live).toMatchObject({ version: 4, entries: [{ entryId: 'e-kept' }], discontinued: [{ entryId: 'e-stopped' }] });
  });
});
