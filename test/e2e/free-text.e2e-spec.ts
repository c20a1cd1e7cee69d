import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { currentMedicationListProjection } from '../../projections/current-medication-list/current-medication-list.projection';
import { generateOrganisationNumber } from '../../src/identifiers/norwegian-identifiers';
import {
  AT,
  STARTED_ON,
  sampleDosage,
  sampleMedication,
} from '../../src/medication-list/domain/medication-list.fixtures';
import { DEV_FEED_CLIENT, type GraphqlResponse, type TestApp, type Who, bootTestApp } from './app.e2e-helpers';
import { ROLES } from './access-matrix.e2e-helpers';
import { PATIENT_PARAM, aDispense, fhirClient } from './fhir.e2e-helpers';
import { syntheticPatientId } from './read-side.e2e-helpers';

/**
 * Free text is text (issue 14, part 3) over real HTTP: control, bidi-override and lone-surrogate characters in any
 * free-text field of a mutation, an emergency reason or a feed line are refused with BAD_USER_INPUT naming the field
 * (never echoing the value) and append nothing; accepted text is stored in NFC; an over-long id's error says the
 * limit.
 */

const PATIENT = syntheticPatientId(25);
const STRANGER_ORG = generateOrganisationNumber(41_000_101) ?? generateOrganisationNumber(41_000_102) ?? '';
const NURSE_WITHOUT_RELATION: Who = { role: 'care', org: STRANGER_ORG, hpr: '7654321' };
const PATIENT_SELF: Who = { role: 'patient', pid: PATIENT };
const MARKER = 'evil-marker';

const START =
  'mutation S($input: StartMedicationInput!) { startMedication(input: $input) { version position entryId } }';
const DISCONTINUE =
  'mutation D($input: DiscontinueMedicationInput!) { discontinueMedication(input: $input) { version position } }';
const LIST = /* GraphQL */ `
  query L($patientId: String!) {
    medicationList(patientId: $patientId) {
      version
      entries {
        entryId
      }
      discontinued {
        entryId
        note
        medication {
          displayName
        }
      }
    }
  }
`;
const EMERGENCY_LIST = /* GraphQL */ `
  query E($patientId: String!, $emergency: EmergencyAccessInput) {
    medicationList(patientId: $patientId, emergency: $emergency) {
      version
    }
  }
`;
const ACCESS_LOG =
  'query A($patientId: String!) { accessLog(patientId: $patientId, first: 50) { entries { emergencyReason } } }';
const IMPORT = /* GraphQL */ `
  mutation I($ndjson: String) {
    importFeed(source: EPRESCRIPTION, ndjson: $ndjson) {
      linesRejected
      rejected {
        line
        reason
      }
    }
  }
`;
const RESOLVE = /* GraphQL */ `
  mutation R($patientId: String!, $key: String!) {
    resolveDiscrepancy(patientId: $patientId, key: $key, resolution: ACCEPT) {
      alreadyApplied
    }
  }
`;

const startInput = (overrides: Record<string, unknown>): Record<string, unknown> => ({
  patientId: PATIENT,
  medication: sampleMedication,
  use: '1',
  dosage: sampleDosage,
  startedOn: STARTED_ON,
  prescriptionType: 'E',
  ...overrides,
});

const errorOf = (response: GraphqlResponse) => response.body.errors?.[0];

describe('free text is text (issue 14, part 3)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // within 90 days of AT, so the discontinued entry is still shown
    t = await bootTestApp({ now: '2026-04-10T12:00:00.000Z' });
  });

  afterAll(async () => {
    await t.close();
  });

  it.each([
    [
      'a NUL in medication.displayName',
      { medication: { ...sampleMedication, displayName: `Metformin\u0000${MARKER}` } },
      'medication.displayName',
    ],
    ['a right-to-left override in indication', { indication: `Diabetes \u202E${MARKER}` }, 'indication'],
    ['a newline in indication (one line)', { indication: `Diabetes\n${MARKER}` }, 'indication'],
    [
      'a C1 control in the dosage instruction',
      { dosage: { ...sampleDosage, instruction: `1 tablett\u0085${MARKER}` } },
      'dosage.instruction',
    ],
    [
      'a lone surrogate in a dose unit',
      {
        dosage: {
          periods: [
            { start: STARTED_ON, fixedDoses: [{ quantity: 1, unit: `tablett\uD83D${MARKER}`, partOfDay: '1' }] },
          ],
        },
      },
      'dosage.periods[0].fixedDoses[0].unit',
    ],
  ])(
    'refuses %s with BAD_USER_INPUT naming the field, never the value, and appends nothing',
    async (_case, overrides, field) => {
      const refused = await t.graphql(START, { input: startInput({ entryId: 'entry-refused', ...overrides }) });

      expect(refused.body.data).toBeNull();
      expect(errorOf(refused)?.extensions).toEqual({
        code: 'BAD_USER_INPUT',
        errorCode: 'INVALID_TEXT',
        details: { field },
      });
      expect(errorOf(refused)?.message).toContain(field);
      expect(refused.text).not.toContain(MARKER);
      expect(t.logLines.join('\n')).not.toContain(MARKER);
    },
  );

  it('refuses a control character in a command id', async () => {
    const refused = await t.graphql(START, {
      input: startInput({ entryId: 'entry-refused', commandId: `cmd\u0007${MARKER}` }),
    });

    expect(errorOf(refused)?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      errorCode: 'INVALID_TEXT',
      details: { field: 'commandId' },
    });
    expect(refused.text).not.toContain(MARKER);
  });

  it('tells a client that sent a 101-character commandId the limit, without the id', async () => {
    const commandId = 'c'.repeat(101);
    const refused = await t.graphql(START, { input: startInput({ entryId: 'entry-refused', commandId }) });

    expect(errorOf(refused)?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      errorCode: 'INVALID_INPUT',
      fields: ['commandId'],
    });
    expect(errorOf(refused)?.message).toBe('Invalid input: commandId (commandId must be at most 100 characters)');
    expect(refused.text).not.toContain(commandId);
  });

  it('stores accepted text in NFC, keeps newlines in a note, and none of the refused commands left a trace', async () => {
    const started = await t.graphql(START, {
      input: startInput({
        entryId: 'entry-nfc',
        medication: { ...sampleMedication, displayName: 'Metformin Te\u0301va Tab 500 mg' }, // e + combining acute
        indication: 'Diabe\u0301tes type 2',
      }),
    });
    const discontinued = await t.graphql(DISCONTINUE, {
      input: {
        patientId: PATIENT,
        entryId: 'entry-nfc',
        discontinuedAt: AT,
        reasonCode: 'A',
        note: 'Ferdig.\nSe epikrise.',
      },
    });
    const { position } = discontinued.body.data?.discontinueMedication as { position: string };
    await t.projector.waitForPosition(currentMedicationListProjection.name, BigInt(position), 5_000);
    const list = await t.graphql(LIST, { patientId: PATIENT });

    // version 1 for the first accepted start: every refusal above appended nothing.
    expect(started.body.data?.startMedication).toMatchObject({ version: 1, entryId: 'entry-nfc' });
    expect(list.body.data?.medicationList).toEqual({
      version: 2,
      entries: [],
      discontinued: [
        {
          entryId: 'entry-nfc',
          note: 'Ferdig.\nSe epikrise.',
          medication: { displayName: 'Metformin T\u00e9va Tab 500 mg' },
        },
      ],
    });
    const history = await t.graphql(
      'query H($patientId: String!) { medicationHistory(patientId: $patientId) { why } }',
      {
        patientId: PATIENT,
      },
    );
    expect(history.body.data?.medicationHistory).toEqual(
      expect.arrayContaining([{ why: 'Diab\u00e9tes type 2' }, { why: 'Ferdig.\nSe epikrise.' }]),
    );
  });

  it('refuses an emergency reason with a bidi override before anything is audited, and logs a clean one in NFC', async () => {
    const refused = await t.graphql(
      EMERGENCY_LIST,
      { patientId: PATIENT, emergency: { reason: `Akutt \u202E${MARKER}`, basisCode: 'HPAKUTT' } },
      { as: NURSE_WITHOUT_RELATION },
    );
    const allowed = await t.graphql(
      EMERGENCY_LIST,
      {
        patientId: PATIENT,
        emergency: { reason: 'Bevisstlo\u0308s i akuttmottak.\nIngen pa\u030Arørende.', basisCode: 'HPAKUTT' },
      },
      { as: NURSE_WITHOUT_RELATION },
    );
    const log = await t.graphql(ACCESS_LOG, { patientId: PATIENT }, { as: PATIENT_SELF });
    const reasons = (log.body.data?.accessLog as { entries: { emergencyReason: string | null }[] }).entries
      .map((entry) => entry.emergencyReason)
      .filter((reason) => reason !== null);

    expect(errorOf(refused)?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      errorCode: 'INVALID_TEXT',
      details: { field: 'emergency.reason' },
    });
    expect(refused.text).not.toContain(MARKER);
    expect(allowed.body.errors).toBeUndefined();
    expect(reasons).toEqual(['Bevisstl\u00f6s i akuttmottak.\nIngen p\u00e5rørende.']);
  });

  it('rejects a feed line with unclean text by its FHIR path and goes on with the next line', async () => {
    const fixture = readFileSync(path.join(__dirname, '..', 'fixtures', 'feeds', 'eprescription.ndjson'), 'utf8').split(
      '\n',
    );
    const resource = JSON.parse(fixture[0] ?? '') as Record<string, unknown>;
    const unclean = { ...resource, medicationCodeableConcept: { text: `Triatec\u0000${MARKER}` } };
    const imported = await t.graphql(
      IMPORT,
      { ndjson: [JSON.stringify(unclean), fixture[1] ?? ''].join('\n') },
      { as: DEV_FEED_CLIENT }, // feeds are a system role (issue 15)
    );

    expect(imported.body.data?.importFeed).toEqual({
      linesRejected: 1,
      rejected: [{ line: 1, reason: 'invalid text: medicationCodeableConcept.text' }],
    });
    expect(imported.text).not.toContain(MARKER);
  });

  it('FHIR: refuses a posted MedicationDispense with unclean text with 400 at its FHIRPath, never echoing it', async () => {
    const fhir = fhirClient(t);
    const dispense = aDispense('disp-unclean');
    const refused = await fhir('MedicationDispense', {
      as: ROLES.pharmacy.who,
      method: 'POST',
      body: { ...dispense, quantity: { value: 100, unit: `tablett\u202E${MARKER}` } },
    });

    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      issue: [{ expression: ['MedicationDispense.quantity.unit'], details: { text: 'INVALID_TEXT' } }],
    });
    expect(t.responses.at(-1)).not.toContain(MARKER);
  });

  it('FHIR: refuses an X-Emergency-Reason with a bidi override (percent-encoded) with 400, before anything is audited', async () => {
    const fhir = fhirClient(t);
    const refused = await fhir(`List?${PATIENT_PARAM}`, {
      as: ROLES['emergency reader'].who,
      headers: { 'x-emergency-basis': 'HPAKUTT', 'x-emergency-reason': encodeURIComponent(`Akutt \u202E${MARKER}`) },
    });

    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      issue: [{ expression: ['X-Emergency-Reason'], details: { text: 'INVALID_TEXT' } }],
    });
    expect(t.responses.at(-1)).not.toContain(MARKER);
  });

  it('refuses a discrepancy key that no discrepancy can have, stating the rule and not the key', async () => {
    const key = `D1|${MARKER} ${'x'.repeat(10)}`;
    const refused = await t.graphql(RESOLVE, { patientId: PATIENT, key });

    expect(errorOf(refused)?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      errorCode: 'INVALID_DISCREPANCY_KEY',
    });
    expect(errorOf(refused)?.message).toContain('at most 4000 characters');
    expect(refused.text).not.toContain(MARKER);
  });
});
