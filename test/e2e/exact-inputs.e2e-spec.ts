import {
  asNeededDosage,
  paracetamol,
  sampleDosage,
  sampleMedication,
} from '../../src/medication-list/domain/medication-list.fixtures';
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
      t.graphql(START, {
        input: { patientId, entryId, medication, use: '1', dosage, startedOn: dayIn(-30), prescriptionType: 'E' },
      });
    dataOf(await start('e-stopped', sampleMedication, sampleDosage));
    dataOf(await start('e-kept', paracetamol, asNeededDosage));
    dataOf(
      await t.graphql(DISCONTINUE, {
        input: { patientId, entryId: 'e-stopped', discontinuedAt: NOW, reasonCode: 'L' },
      }),
    );

    const changed = dataOf(
      await t.graphql(CHANGE, {
        input: { patientId, entryId: 'e-kept', dosage: sampleDosage, effectiveFrom: dayIn(100) },
      }),
    ).changeDosage as { position: string; list: { discontinued: { entryId: string }[] } };

    expect(changed.list.discontinued).toEqual([{ entryId: 'e-stopped' }]);
    const live = dataOf(await t.graphql(LIST, { patientId, minPosition: changed.position })).medicationList;
    expect(live).toMatchObject({
      version: 4,
      entries: [{ entryId: 'e-kept' }],
      discontinued: [{ entryId: 'e-stopped' }],
    });
  });

  describe('one strict instant scalar (RFC 3339 with Z or offset, a real calendar date and time)', () => {
    const AS_OF = `query A($patientId: String!, $asOf: DateTime) { medicationList(patientId: $patientId, asOf: $asOf) { version } }`;
    const expectRefused = (response: Awaited<ReturnType<TestApp['graphql']>>, code: string, sent: string) => {
      expect(response.status).toBe(400);
      expect(response.body).not.toHaveProperty('data');
      expect(response.body.errors?.[0]?.extensions?.code).toBe(code);
      expect(response.body.errors?.[0]?.message).toContain('RFC 3339');
      expect(response.text).not.toContain(sent);
    };

    it.each([
      '12345',
      'true',
      '"2026-02-30T10:00:00Z"',
      '"2026-12-05"',
      '"1"',
      '"12/05/2026"',
      '"Sat Dec 05 2026"',
      '"2026-12-05T10:00:00"',
      '[1]',
    ])(
      'a literal asOf: %s fails validation (GRAPHQL_VALIDATION_FAILED, HTTP 400), the value not echoed',
      async (literal) => {
        const response = await t.graphql(`{ medicationList(patientId: "${patientId}", asOf: ${literal}) { version } }`);
        expectRefused(
          response,
          'GRAPHQL_VALIDATION_FAILED',
          literal.replace(/"/g, '').replace(/^\[|\]$/g, '') === '1' ? '"1"' : literal,
        );
      },
    );

    it.each([
      12345,
      true,
      [1],
      '2026-02-30T10:00:00Z',
      '2026-12-05',
      'Sat Dec 05 2026',
      '2026-12-05T10:00:00',
      '2026-12-05T10:00Z',
    ])('a variable asOf %p gets HTTP 400 stating the expected form, the value not echoed', async (value) => {
      const response = await t.graphql(AS_OF, { patientId, asOf: value });
      expectRefused(response, 'BAD_USER_INPUT', JSON.stringify(value));
    });

    it('a mutation instant that is not RFC 3339 gets HTTP 400 naming the field, before anything is recorded', async () => {
      const response = await t.graphql(DISCONTINUE, {
        input: { patientId, entryId: 'e-kept', discontinuedAt: '2026-02-30T10:00:00Z', reasonCode: 'A' },
      });
      expectRefused(response, 'BAD_USER_INPUT', '2026-02-30');
      expect(response.body.errors?.[0]?.message).toContain('discontinuedAt');
    });

    it('accepts Z, an offset and a fraction: the same instant gives the same list', async () => {
      const answers = await Promise.all(
        ['2026-12-05T09:00:00Z', '2026-12-05T10:00:00+01:00', '2026-12-05T04:00:00.000-05:00'].map(
          async (asOf) => dataOf(await t.graphql(AS_OF, { patientId, asOf })).medicationList,
        ),
      );
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
    });

    it('checks minPosition whatever comes with it: beside asOf a malformed one is BAD_USER_INPUT naming it', async () => {
      const query = `query($asOf: DateTime) { medicationList(patientId: "${patientId}", asOf: $asOf, minPosition: "not-a-position") { version } }`;
      for (const asOf of [NOW, null]) {
        const response = await t.graphql(query, { asOf });
        expect(response.body.errors?.[0]?.extensions).toMatchObject({
          code: 'BAD_USER_INPUT',
          fields: ['minPosition'],
        });
      }
    });
  });

  describe('an instant that has not happened yet', () => {
    const AS_OF = `query A($patientId: String!, $asOf: DateTime) { medicationList(patientId: $patientId, asOf: $asOf) { version } }`;

    it('asOf 100 days ahead is BAD_USER_INPUT (INSTANT_IN_FUTURE) naming asOf', async () => {
      const response = await t.graphql(AS_OF, { patientId, asOf: `${dayIn(100)}T10:00:00Z` });
      expect(response.status).toBe(200);
      expect(response.body.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        errorCode: 'INSTANT_IN_FUTURE',
        details: { argument: 'asOf' },
      });
      expect(response.body.errors?.[0]?.message).toContain('later than now');
    });

    it('asOf within the clock tolerance (30 s by default) is answered; just beyond it is refused', async () => {
      const within = await t.graphql(AS_OF, { patientId, asOf: '2026-12-05T10:00:30Z' });
      const beyond = await t.graphql(AS_OF, { patientId, asOf: '2026-12-05T10:00:31Z' });
      expect(within.body.errors).toBeUndefined();
      expect(beyond.body.errors?.[0]?.extensions?.errorCode).toBe('INSTANT_IN_FUTURE');
    });
  });
});
