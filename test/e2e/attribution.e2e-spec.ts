import { currentMedicationListProjection } from '../../projections/current-medication-list/current-medication-list.projection';
import { careUnitOverviewProjection } from '../../projections/care-unit-overview/care-unit-overview.projection';
import { generateOrganisationNumber } from '../../src/identifiers/norwegian-identifiers';
import { NURSING_HOME_ORG, sampleMedication } from '../../src/medication-list/domain/medication-list.fixtures';
import { generateSyntheticPatients } from '../../src/reconciliation/synthetic/feed-generator';
import {
  E2E_MUNICIPALITY,
  E2E_ORGANISATIONS,
  type GraphqlResponse,
  type TestApp,
  type Who,
  bootTestApp,
} from './app.e2e-helpers';
import { EVENT_STORE, type EventStorePort } from '../../src/shared/event-sourcing/event-store.port';
import { syntheticPatientId } from './read-side.e2e-helpers';

/**
 * A write is attributed to the caller, feeds are a system role, care relations belong to the care organisation
 * (issue 15, parts 3 and 4), end to end against the production configuration (a register file, tokens of a key
 * pair the test generates, not the dev key).
 */

const orgNumber = (serial: number): string =>
  generateOrganisationNumber(serial) ?? generateOrganisationNumber(serial + 1) ?? '';
const CHAIN = orgNumber(98_000_000);
const TORGET = orgNumber(98_100_000);
const FEED_ORG = orgNumber(98_050_000);
const OTHER_HOME = orgNumber(97_482_200);

const PATIENT = syntheticPatientId(14);
const RESIDENT = syntheticPatientId(15);
const PHARMACY: Who = { role: 'pharmacy', org: CHAIN, childOrg: TORGET };
const GP: Who = { role: 'prescriber', hpr: '1111111' };
const NURSE: Who = {
  role: 'care',
  org: E2E_MUNICIPALITY,
  childOrg: NURSING_HOME_ORG,
  hpr: '7654321',
  unit: 'Avdeling 2',
};
const FEED: Who = { role: 'feed', org: FEED_ORG, clientId: 'feed-client' };
const AUDITOR: Who = { role: 'auditor' };

const DISPENSE =
  'mutation D($input: RecordDispensingInput!) { recordDispensing(input: $input) { version list { entries { entryId } } } }';
const HISTORY = 'query H($patientId: String!) { medicationHistory(patientId: $patientId) { type } }';
const ACCESS_LOG = /* GraphQL */ `
  query A($patientId: String!) {
    accessLog(patientId: $patientId, first: 100) {
      entries {
        operation
        outcome
        basis
        reasonCode
        callerRole
        clientId
        callerOrganisation
        callerOrganisationName
        feedSource
      }
    }
  }
`;
const START = 'mutation S($input: StartCareRelationInput!) { startCareRelation(input: $input) { position } }';
const END = 'mutation E($input: EndCareRelationInput!) { endCareRelation(input: $input) { position } }';
const LIST = 'query L($patientId: String!) { medicationList(patientId: $patientId) { version } }';
const CARE_UNIT =
  'query U($org: String!, $unit: String) { careUnit(organisationNumber: $org, unit: $unit) { patients { relationId } } }';

const errorOf = (response: GraphqlResponse): Record<string, unknown> | undefined =>
  response.body.errors?.[0]?.extensions;
const denied = (reasonCode: string) => ({ code: 'FORBIDDEN', errorCode: 'ACCESS_DENIED', details: { reasonCode } });

describe('attribution, feeds and care relations (issue 15, parts 3 and 4)', () => {
  let t: TestApp;

  const dispensing = (dispensingId: string, extra: Record<string, unknown> = {}) => ({
    input: {
      patientId: PATIENT,
      dispensingId,
      prescriptionId: 'rx-unknown',
      dispensedAt: '2026-03-02T09:00:00+01:00',
      product: sampleMedication,
      quantity: { value: 30, unit: 'tablett' },
      prescriptionUsedUp: false,
      ...extra,
    },
  });
  const accessLog = async (patientId: string): Promise<Record<string, unknown>[]> => {
    const log = await t.graphql(ACCESS_LOG, { patientId }, { as: AUDITOR });
    return (log.body.data?.accessLog as { entries: Record<string, unknown>[] }).entries;
  };
  const caughtUp = async (response: GraphqlResponse, mutation: string): Promise<void> => {
    const position = BigInt((response.body.data?.[mutation] as { position: string }).position);
    await t.projector.waitForPosition(currentMedicationListProjection.name, position, 5_000);
    await t.projector.waitForPosition(careUnitOverviewProjection.name, position, 5_000);
  };

  beforeAll(async () => {
    t = await bootTestApp({
      production: true,
      organisations: [
        ...E2E_ORGANISATIONS,
        { organisationNumber: CHAIN, name: 'Apotekkjeden AS' },
        { organisationNumber: TORGET, parentOrganisationNumber: CHAIN, herId: '81235', name: 'Apotek 1 Torget' },
        { organisationNumber: FEED_ORG, name: 'Reseptformidleren' },
        { organisationNumber: OTHER_HOME, parentOrganisationNumber: E2E_MUNICIPALITY, name: 'Fjellheimen' },
      ],
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('records a dispensing under the HER-id the register gives the caller’s organisation, whatever the input says', async () => {
    const recorded = await t.graphql(DISPENSE, dispensing('disp-1'), { as: PHARMACY });
    const same = await t.graphql(DISPENSE, dispensing('disp-2', { pharmacyHerId: '81235' }), { as: PHARMACY });
    const history = await t.graphql(HISTORY, { patientId: PATIENT }, { as: GP });

    expect(recorded.body.errors).toBeUndefined();
    expect(same.body.errors).toBeUndefined();
    expect(history.body.errors).toBeUndefined();
    const events = await t.app.get<EventStorePort>(EVENT_STORE).readAll();
    const dispensings = events.filter((event) => event.type === 'DispensingRecorded');
    expect(
      dispensings.map((event) => [(event.data as { pharmacyHerId?: string }).pharmacyHerId, event.metadata.actor]),
    ).toEqual([
      ['81235', { role: 'pharmacy', organisationNumber: TORGET, herId: '81235' }],
      ['81235', { role: 'pharmacy', organisationNumber: TORGET, herId: '81235' }],
    ]);
  });

  it('refuses a dispensing naming another HER-id (FORBIDDEN, HER_ID_NOT_CALLERS), audited, nothing recorded', async () => {
    const before = await t.graphql(LIST, { patientId: PATIENT }, { as: GP });
    const forged = await t.graphql(DISPENSE, dispensing('disp-3', { pharmacyHerId: '99999' }), { as: PHARMACY });
    const noHerId = await t.graphql(DISPENSE, dispensing('disp-4'), { as: GP });
    const after = await t.graphql(LIST, { patientId: PATIENT }, { as: GP });
    const refusals = (await accessLog(PATIENT)).filter(
      (e) => e.operation === 'recordDispensing' && e.outcome === 'denied',
    );
    const [gpDispensing, forgedEntry] = refusals; // newest first

    expect(errorOf(forged)).toMatchObject(denied('HER_ID_NOT_CALLERS'));
    expect(errorOf(noHerId)).toMatchObject(denied('ORGANISATION_HAS_NO_HER_ID'));
    expect(after.body.data).toEqual(before.body.data);
    expect(forgedEntry).toMatchObject({
      operation: 'recordDispensing',
      outcome: 'denied',
      reasonCode: 'HER_ID_NOT_CALLERS',
      callerOrganisation: TORGET,
      callerOrganisationName: 'Apotek 1 Torget',
    });
    expect(gpDispensing).toMatchObject({
      operation: 'recordDispensing',
      outcome: 'denied',
      reasonCode: 'ORGANISATION_HAS_NO_HER_ID',
    });
  });

  it('records a multidose question under the asking pharmacy’s register HER-id, and refuses one naming another', async () => {
    const ASK = 'mutation Q($input: AskMultidoseQuestionInput!) { askMultidoseQuestion(input: $input) { version } }';
    const question = (questionId: string, extra: Record<string, unknown> = {}) => ({
      input: {
        patientId: PATIENT,
        questionId,
        questionCode: '5',
        text: 'Ring apoteket',
        askedAt: '2026-03-02T10:00:00+01:00',
        ...extra,
      },
    });
    const asked = await t.graphql(ASK, question('q-1'), { as: PHARMACY });
    const before = await t.graphql(LIST, { patientId: PATIENT }, { as: GP });
    const forged = await t.graphql(ASK, question('q-2', { pharmacyHerId: '99999' }), { as: PHARMACY });
    const after = await t.graphql(LIST, { patientId: PATIENT }, { as: GP });

    expect(asked.body.errors).toBeUndefined();
    expect(errorOf(forged)).toMatchObject(denied('HER_ID_NOT_CALLERS'));
    expect(after.body.data).toEqual(before.body.data);
    const events = await t.app.get<EventStorePort>(EVENT_STORE).readAll();
    const questions = events.filter((event) => event.type === 'MultidoseQuestionAsked');
    expect(
      questions.map((event) => [(event.data as { pharmacyHerId?: string }).pharmacyHerId, event.metadata.actor]),
    ).toEqual([['81235', { role: 'pharmacy', organisationNumber: TORGET, herId: '81235' }]]);
  });

  it('imports a feed only with the feed scope on a client-credentials token, and logs the import in each patient’s access log', async () => {
    const [fed] = [...generateSyntheticPatients({ patients: 1, seed: 15 })].filter((p) => p.coreRecordLines.length > 0);
    const ndjson = `${fed?.coreRecordLines.join('\n') ?? ''}\n`;
    const IMPORT = 'mutation I($ndjson: String) { importFeed(source: CORE_RECORD, ndjson: $ndjson) { patients } }';

    const asPrescriber = await t.graphql(IMPORT, { ndjson }, { as: GP });
    const withPerson = await t.graphql(IMPORT, { ndjson }, { as: { ...FEED, hpr: '1111111' } });
    const imported = await t.graphql(IMPORT, { ndjson }, { as: FEED });

    expect(errorOf(asPrescriber)).toMatchObject(denied('ROLE_NOT_PERMITTED'));
    expect(errorOf(withPerson)).toMatchObject(denied('FEED_NEEDS_CLIENT_CREDENTIALS'));
    expect(imported.body).toEqual({ data: { importFeed: { patients: 1 } } });
    expect(await accessLog(fed?.patientId ?? '')).toContainEqual({
      operation: 'importFeed',
      outcome: 'allowed',
      basis: 'feed',
      reasonCode: null,
      callerRole: 'feed',
      clientId: 'feed-client',
      callerOrganisation: FEED_ORG,
      callerOrganisationName: 'Reseptformidleren',
      feedSource: 'core-record',
    });
  });

  it('lets a nursing home register its own admission and discharge, for its own unit only', async () => {
    const own = {
      patientId: RESIDENT,
      relationId: 'adm-1',
      organisationNumber: NURSING_HOME_ORG,
      unit: 'Avdeling 2',
      from: '2026-03-01',
    };
    const admitted = await t.graphql(START, { input: own }, { as: NURSE });
    const otherUnit = await t.graphql(
      START,
      { input: { ...own, relationId: 'adm-2', unit: 'Avdeling 3' } },
      { as: NURSE },
    );
    const otherHome = await t.graphql(
      START,
      { input: { ...own, relationId: 'adm-3', organisationNumber: OTHER_HOME } },
      { as: NURSE },
    );
    await caughtUp(admitted, 'startCareRelation');
    const reads = await t.graphql(LIST, { patientId: RESIDENT }, { as: NURSE });
    const starts = (await accessLog(RESIDENT)).filter((e) => e.operation === 'startCareRelation');

    expect(admitted.body.errors).toBeUndefined();
    expect(errorOf(otherUnit)).toMatchObject(denied('OTHER_ORGANISATION'));
    expect(errorOf(otherHome)).toMatchObject(denied('OTHER_ORGANISATION'));
    expect(reads.body).toEqual({ data: { medicationList: { version: 1 } } });
    expect(starts).toEqual([
      expect.objectContaining({
        outcome: 'denied',
        reasonCode: 'OTHER_ORGANISATION',
        callerOrganisation: NURSING_HOME_ORG,
      }),
      expect.objectContaining({ outcome: 'denied', reasonCode: 'OTHER_ORGANISATION' }),
      expect.objectContaining({
        outcome: 'allowed',
        basis: 'care-relation',
        callerRole: 'care',
        callerOrganisation: NURSING_HOME_ORG,
      }),
    ]);
  });

  it('shows careUnit to the home’s own staff and to auditors, not to a prescriber', async () => {
    const nurse = await t.graphql(CARE_UNIT, { org: NURSING_HOME_ORG, unit: 'Avdeling 2' }, { as: NURSE });
    const auditor = await t.graphql(CARE_UNIT, { org: NURSING_HOME_ORG, unit: 'Avdeling 2' }, { as: AUDITOR });
    const prescriber = await t.graphql(CARE_UNIT, { org: NURSING_HOME_ORG, unit: 'Avdeling 2' }, { as: GP });

    expect(nurse.body).toEqual({ data: { careUnit: { patients: [{ relationId: 'adm-1' }] } } });
    expect(auditor.body).toEqual(nurse.body);
    expect(errorOf(prescriber)).toMatchObject(denied('ROLE_NOT_PERMITTED'));
  });

  it('ends a relation with a future end date at that date: access and the resident listed through it, not after', async () => {
    const ended = await t.graphql(
      END,
      { input: { patientId: RESIDENT, relationId: 'adm-1', endedOn: '2026-03-05' } },
      { as: NURSE },
    );
    await caughtUp(ended, 'endCareRelation');
    const read = async (): Promise<[GraphqlResponse, GraphqlResponse]> => [
      await t.graphql(LIST, { patientId: RESIDENT }, { as: NURSE }),
      await t.graphql(CARE_UNIT, { org: NURSING_HOME_ORG, unit: 'Avdeling 2' }, { as: NURSE }),
    ];

    const [now, residentsNow] = await read();
    t.clock.set('2026-03-05T22:30:00.000Z'); // 23:30 in Oslo on the end date
    const [lastDay, residentsLastDay] = await read();
    t.clock.set('2026-03-05T23:30:00.000Z'); // 00:30 in Oslo the day after
    const [dayAfter, residentsDayAfter] = await read();

    expect(ended.body.errors).toBeUndefined();
    for (const [list, residents] of [
      [now, residentsNow],
      [lastDay, residentsLastDay],
    ] as const) {
      expect(list.body).toEqual({ data: { medicationList: { version: 2 } } });
      expect(residents.body).toEqual({ data: { careUnit: { patients: [{ relationId: 'adm-1' }] } } });
    }
    expect(errorOf(dayAfter)).toMatchObject(denied('NO_CARE_RELATION'));
    expect(residentsDayAfter.body).toEqual({ data: { careUnit: { patients: [] } } });
  });
});
