import type { Client } from 'graphql-ws';
import { generateOrganisationNumber } from '../../src/identifiers/norwegian-identifiers';
import {
  NURSING_HOME_ORG,
  STARTED_ON,
  asNeededDosage,
  paracetamol,
  sampleDosage,
  sampleMedication,
} from '../../src/medication-list/domain/medication-list.fixtures';
import { type TestApp, bootApp, dataOf, subscribe, syntheticPatientId } from './read-side.e2e-helpers';

/**
 * The read side end to end: the real AppModule (SQLite in a temp dir, fixed clock) over real HTTP and
 * WebSocket. Mutations go through the write side's GraphQL mutations; reads wait for positions, never sleep.
 */

const NOW = '2026-03-02T09:15:00.000Z';
const DAY_MS = 24 * 60 * 60 * 1000;
const plus = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();
const OTHER_ORG =
  [11_223_344, 11_223_345, 11_223_346].map((serial) => generateOrganisationNumber(serial)).find(Boolean) ?? '';
const INVALID_PATIENT_ID = '31129956716';

const LIST = /* GraphQL */ `
  query List($patientId: String!, $asOf: DateTime, $minPosition: String) {
    medicationList(patientId: $patientId, asOf: $asOf, minPosition: $minPosition) {
      version
      position
      entries {
        entryId
        status
        use
        useLabel
        dosageText
        administrationTimes
        asNeeded {
          maxPer24h
        }
        multidose
        changedAt
        medication {
          displayName
        }
        changedBy {
          role
          hprNumber
        }
      }
      discontinued {
        entryId
        reasonCode
        reasonLabel
        note
        discontinuedAt
        discontinuedBy {
          role
        }
      }
      review {
        status
      }
      recentChanges {
        type
        entryId
        summary
        at
      }
    }
  }
`;
const HISTORY = `query H($patientId: String!) { medicationHistory(patientId: $patientId) { type entryId what who why position } }`;
const CARE_UNIT = /* GraphQL */ `
  query Unit($org: String!, $unit: String, $since: DateTime) {
    careUnit(organisationNumber: $org, unit: $unit, changesSince: $since) {
      organisationNumber
      unit
      changesSince
      patients {
        patientId
        relationId
        from
        unit
        listVersion
        changes {
          type
          entryId
          summary
        }
      }
    }
  }
`;
const START = `mutation S($input: StartMedicationInput!) { startMedication(input: $input) { position version } }`;
const DISCONTINUE = `mutation D($input: DiscontinueMedicationInput!) { discontinueMedication(input: $input) { position } }`;
const CARE = `mutation C($input: StartCareRelationInput!) { startCareRelation(input: $input) { position version } }`;
const LIST_CHANGED = `subscription L($patientId: String!) { medicationListChanged(patientId: $patientId) { version entries { entryId } } }`;
const UNIT_CHANGED = /* GraphQL */ `
  subscription U($org: String!) {
    careUnitChanged(organisationNumber: $org) {
      patients {
        patientId
        listVersion
      }
    }
  }
`;

describe('read side end to end (queries and subscriptions over HTTP and WebSocket)', () => {
  let t: TestApp;
  const graphql = (query: string, variables: Record<string, unknown> = {}) => t.graphql(query, variables);
  const patients = Array.from({ length: 7 }, (_, index) => syntheticPatientId(index + 1));

  const mutate = async (query: string, field: string, input: Record<string, unknown>) => {
    const result = dataOf(await graphql(query, { input }))[field] as { position: string; version: number };
    expect(result.position).toMatch(/^[0-9]+$/);
    return result;
  };
  const start = (patientId: string, entryId: string, extra: Record<string, unknown> = {}) =>
    mutate(START, 'startMedication', {
      patientId,
      entryId,
      medication: sampleMedication,
      use: '1',
      dosage: sampleDosage,
      startedOn: STARTED_ON,
      prescriptionType: 'E',
      ...extra,
    });
  const list = async (variables: Record<string, unknown>) =>
    dataOf(await graphql(LIST, variables)).medicationList as Record<string, unknown>;
  /** Both read models have applied `position` (the care-unit query has no minPosition of its own). */
  const projected = async (position: string) => {
    await t.projector.waitForPosition('currentMedicationList', BigInt(position), 5_000);
    await t.projector.waitForPosition('careUnitOverview', BigInt(position), 5_000);
  };

  beforeAll(async () => {
    t = await bootApp(NOW);
  });
  beforeEach(() => t.clock.set(NOW));
  afterAll(async () => {
    await t.close();
  });

  it('gives an unknown patient an empty list at version 0, not an error', async () => {
    expect(await list({ patientId: patients[0] })).toEqual({
      version: 0,
      position: null,
      entries: [],
      discontinued: [],
      review: { status: 'NEVER' },
      recentChanges: [],
    });
  });

  it('reads its own write with minPosition: labels, derived times, multidose and who changed it', async () => {
    const { position } = await start(patients[1]!, 'entry-metformin');

    const read = await list({ patientId: patients[1], minPosition: position });

    expect(read).toMatchObject({ version: 1, position, discontinued: [], review: { status: 'NEVER' } });
    expect(read.entries).toEqual([
      {
        entryId: 'entry-metformin',
        status: 'active',
        use: '1',
        useLabel: 'Fast',
        dosageText: '1 tablett morgen, 1 tablett kveld',
        administrationTimes: ['Morgen', 'Kveld'],
        asNeeded: null,
        multidose: 'NOT_IN_MULTIDOSE',
        changedAt: NOW,
        medication: { displayName: sampleMedication.displayName },
        changedBy: { role: 'prescriber', hprNumber: '999999999' },
      },
    ]);
    expect(read.recentChanges).toEqual([
      { type: 'MedicationStarted', entryId: 'entry-metformin', summary: expect.stringContaining('Startet'), at: NOW },
    ]);
  });

  it('shows with asOf the list as it stood at an earlier instant (recorded time)', async () => {
    const first = await start(patients[2]!, 'entry-metformin');
    t.clock.set(plus(NOW, 60 * 60 * 1000));
    const second = await start(patients[2]!, 'entry-paracetamol', {
      medication: paracetamol,
      use: '3',
      dosage: asNeededDosage,
    });

    const before = await list({ patientId: patients[2], asOf: plus(NOW, -1) });
    const between = await list({ patientId: patients[2], asOf: plus(NOW, 30 * 60 * 1000) });
    const now = await list({ patientId: patients[2], minPosition: second.position });

    expect(before).toMatchObject({ version: 0, position: null, entries: [] });
    expect(between).toMatchObject({ version: 1, position: first.position, entries: [{ entryId: 'entry-metformin' }] });
    expect(now).toMatchObject({ version: 2, position: second.position });
    expect(now.entries).toEqual([
      expect.objectContaining({ entryId: 'entry-metformin' }),
      expect.objectContaining({
        entryId: 'entry-paracetamol',
        useLabel: 'Ved behov',
        administrationTimes: [],
        asNeeded: { maxPer24h: 3 },
      }),
    ]);
  });

  it('tells the history as a readable timeline: what, who, when', async () => {
    const response = await graphql(HISTORY, { patientId: patients[2] });

    expect(dataOf(response).medicationHistory).toEqual([
      expect.objectContaining({
        type: 'MedicationStarted',
        entryId: 'entry-metformin',
        what: expect.stringContaining('Startet Metformin'),
      }),
      expect.objectContaining({
        type: 'MedicationStarted',
        entryId: 'entry-paracetamol',
        who: expect.stringContaining('HPR 999999999'),
      }),
    ]);
  });

  it('hides discontinued entries 90 days after discontinuation, with reason and who', async () => {
    await start(patients[3]!, 'entry-metformin');
    const { position } = await mutate(DISCONTINUE, 'discontinueMedication', {
      patientId: patients[3],
      entryId: 'entry-metformin',
      discontinuedAt: NOW,
      reasonCode: 'L',
      note: 'Kvalme',
    });

    const today = await list({ patientId: patients[3], minPosition: position });
    t.clock.set(plus(NOW, 89 * DAY_MS));
    const after89Days = await list({ patientId: patients[3] });
    t.clock.set(plus(NOW, 91 * DAY_MS));
    const after91Days = await list({ patientId: patients[3] });

    expect(today).toMatchObject({ entries: [] });
    expect(today.discontinued).toEqual([
      {
        entryId: 'entry-metformin',
        reasonCode: 'L',
        reasonLabel: 'Bivirkning',
        note: 'Kvalme',
        discontinuedAt: NOW,
        discontinuedBy: { role: 'prescriber' },
      },
    ]);
    expect(after89Days.discontinued).toHaveLength(1);
    expect(after91Days).toMatchObject({ entries: [], discontinued: [] });
  });

  it('lists a care unit’s residents with their list changes since a time', async () => {
    const care = await mutate(CARE, 'startCareRelation', {
      patientId: patients[4],
      relationId: 'rel-1',
      organisationNumber: NURSING_HOME_ORG,
      unit: 'Avdeling 2',
      from: STARTED_ON,
    });
    t.clock.set(plus(NOW, 60_000));
    const started = await start(patients[4]!, 'entry-metformin');
    await projected(started.position);
    expect(BigInt(started.position)).toBeGreaterThan(BigInt(care.position));

    // The residents are the home's own staff's to see (issue 15), not every prescriber's.
    const staff = { as: { role: 'care', org: NURSING_HOME_ORG } } as const;
    const whole = await t.graphql(CARE_UNIT, { org: NURSING_HOME_ORG, since: plus(NOW, 1) }, staff);
    const unit = await t.graphql(CARE_UNIT, { org: NURSING_HOME_ORG, unit: 'Avdeling 2' }, staff);
    const otherUnit = await t.graphql(CARE_UNIT, { org: NURSING_HOME_ORG, unit: 'Avdeling 9' }, staff);
    const later = await t.graphql(CARE_UNIT, { org: NURSING_HOME_ORG, since: plus(NOW, DAY_MS) }, staff);

    const resident = {
      patientId: patients[4],
      relationId: 'rel-1',
      from: STARTED_ON,
      unit: 'Avdeling 2',
      listVersion: 2,
      changes: [{ type: 'MedicationStarted', entryId: 'entry-metformin', summary: expect.stringContaining('Startet') }],
    };
    expect(dataOf(whole).careUnit).toEqual({
      organisationNumber: NURSING_HOME_ORG,
      unit: null,
      changesSince: plus(NOW, 1),
      patients: [resident],
    });
    expect(dataOf(unit).careUnit).toMatchObject({
      unit: 'Avdeling 2',
      changesSince: plus(NOW, 60_000 - DAY_MS),
      patients: [resident],
    });
    expect(dataOf(otherUnit).careUnit).toMatchObject({ unit: 'Avdeling 9', patients: [] });
    expect(dataOf(later).careUnit).toMatchObject({ patients: [{ ...resident, changes: [] }] });
  });

  it("shows the resident's name and room to the care organisation's own staff only, and the attention badges to auditors too", async () => {
    const care = await mutate(CARE, 'startCareRelation', {
      patientId: patients[6],
      relationId: 'rel-named',
      organisationNumber: NURSING_HOME_ORG,
      unit: 'Avdeling 7',
      from: STARTED_ON,
      residentName: 'Astrid Hansen',
      room: 'Rom 214',
    });
    await mutate(START, 'startMedication', {
      patientId: patients[6],
      entryId: 'entry-paused',
      medication: sampleMedication,
      use: '1',
      dosage: sampleDosage,
      startedOn: STARTED_ON,
      prescriptionType: 'E',
    });
    const paused = await mutate(
      `mutation P($input: PauseMedicationInput!) { pauseMedication(input: $input) { position version } }`,
      'pauseMedication',
      { patientId: patients[6], entryId: 'entry-paused', pausedAt: NOW, reason: 'Innlagt' },
    );
    await projected(paused.position);
    expect(BigInt(paused.position)).toBeGreaterThan(BigInt(care.position));
    const UNIT = `query U($org: String!) { careUnit(organisationNumber: $org, unit: "Avdeling 7") {
      patients { residentName room attention { changesSinceReview paused outsideMultidose openDiscrepancies score } } } }`;

    const nurse = await t.graphql(
      UNIT,
      { org: NURSING_HOME_ORG },
      { as: { role: 'care', org: NURSING_HOME_ORG, unit: 'Avdeling 7' } },
    );
    // Not the organisation's staff: an auditor reads the residents without name and room; a prescriber not at all
    // (issue 15).
    const auditor = await t.graphql(UNIT, { org: NURSING_HOME_ORG }, { as: { role: 'auditor' } });
    const doctor = await graphql(UNIT, { org: NURSING_HOME_ORG });

    const attention = { changesSinceReview: 2, paused: 1, outsideMultidose: 0, openDiscrepancies: 0, score: 201 };
    expect(dataOf(nurse).careUnit).toEqual({
      patients: [{ residentName: 'Astrid Hansen', room: 'Rom 214', attention }],
    });
    expect(dataOf(auditor).careUnit).toEqual({ patients: [{ residentName: null, room: null, attention }] });
    expect(doctor.body.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      details: { reasonCode: 'ROLE_NOT_PERMITTED' },
    });
  });

  describe('subscriptions over graphql-ws', () => {
    let client: Client;
    beforeAll(() => {
      client = t.ws();
    });
    afterAll(async () => {
      await client.dispose();
    });

    it('medicationListChanged sends the current list, then the list after a committed change', async () => {
      const live = subscribe(client, LIST_CHANGED, { patientId: patients[5] });
      expect(await live.next()).toEqual({ medicationListChanged: { version: 0, entries: [] } });

      await start(patients[5]!, 'entry-metformin');

      expect(await live.next()).toEqual({
        medicationListChanged: { version: 1, entries: [{ entryId: 'entry-metformin' }] },
      });
    });

    it('careUnitChanged fires when a resident joins and when a resident’s list changes', async () => {
      const staff = t.ws({ role: 'care', org: OTHER_ORG }); // the organisation's own staff (issue 15)
      const live = subscribe(staff, UNIT_CHANGED, { org: OTHER_ORG });
      expect(await live.next()).toEqual({ careUnitChanged: { patients: [] } });

      const joined = await mutate(CARE, 'startCareRelation', {
        patientId: patients[5],
        relationId: 'rel-2',
        organisationNumber: OTHER_ORG,
        from: STARTED_ON,
      });
      const resident = (version: number) => (data: Record<string, unknown>) =>
        JSON.stringify(data) ===
        JSON.stringify({ careUnitChanged: { patients: [{ patientId: patients[5], listVersion: version }] } });
      await live.next(resident(joined.version));
      const changed = await start(patients[5]!, 'entry-paracetamol', {
        medication: paracetamol,
        use: '3',
        dosage: asNeededDosage,
      });

      await expect(live.next(resident(changed.version))).resolves.toBeDefined();
      expect(live.errors).toEqual([]);
      await staff.dispose();
    });

    it('rejects an invalid patient id on a subscription without echoing it', async () => {
      const live = subscribe(client, LIST_CHANGED, { patientId: INVALID_PATIENT_ID });

      await expect(live.next()).rejects.toThrow(/"code":"BAD_USER_INPUT","errorCode":"INVALID_IDENTIFIER"/);
      expect(JSON.stringify(live.errors)).not.toContain(INVALID_PATIENT_ID);
    });
  });

  it('rejects invalid identifiers and positions with BAD_USER_INPUT, never echoing a patient id', async () => {
    const responses = [
      await graphql(LIST, { patientId: INVALID_PATIENT_ID }),
      await graphql(LIST, { patientId: INVALID_PATIENT_ID, asOf: NOW }),
      await graphql(HISTORY, { patientId: INVALID_PATIENT_ID }),
      await graphql(CARE_UNIT, { org: '123456789' }),
      await graphql(LIST, { patientId: patients[0], minPosition: 'latest' }),
    ];

    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(response.text).not.toContain(INVALID_PATIENT_ID);
    }
  });

  it('gives up waiting for a position this replica has not reached with SERVICE_UNAVAILABLE', async () => {
    const response = await graphql(LIST, { patientId: patients[0], minPosition: '999999999' });

    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      errorCode: 'PROJECTION_NOT_CAUGHT_UP',
    });
  });

  it('never writes a patient id to the logs', () => {
    const logs = t.logLines.join('');
    for (const patientId of [...patients, INVALID_PATIENT_ID]) {
      expect(logs).not.toContain(patientId);
    }
  });
});
