import { currentMedicationListProjection } from '../../projections/current-medication-list/current-medication-list.projection';
import { AuditService } from '../../src/access/audit';
import { APP_CONFIG, type AppConfig } from '../../src/config/config';
import { generateOrganisationNumber } from '../../src/identifiers/norwegian-identifiers';
import {
  NURSING_HOME_ORG,
  STARTED_ON,
  sampleDosage,
  sampleMedication,
} from '../../src/medication-list/domain/medication-list.fixtures';
import { MEDICATION_LIST_STREAM_PREFIX } from '../../src/medication-list/domain/medication-list.events';
import { patientStreamId } from '../../src/medication-list/patient-stream';
import { CLOCK, type Clock } from '../../src/shared/clock';
import { EVENT_STORE, type EventStorePort } from '../../src/shared/event-sourcing/event-store.port';
import { type TestApp, type Who, bootTestApp } from './app.e2e-helpers';
import { syntheticPatientId } from './read-side.e2e-helpers';

/**
 * The audit log end to end: a nursing home without a care relation is refused (FORBIDDEN) and the patient sees
 * the attempt; emergency access is allowed and flagged; `accessLog` pages newest first; and when the audit
 * append fails, the request fails and nothing is done or answered (fail closed). AuditService is swapped for one
 * whose store can be made to fail (overrideProvider); everything else is the real AppModule.
 */

const PATIENT = syntheticPatientId(23);
const OTHER_PATIENT = syntheticPatientId(24);
const STRANGER_ORG = generateOrganisationNumber(41_000_001) ?? generateOrganisationNumber(41_000_002) ?? '';
const PATIENT_SELF: Who = { role: 'patient', pid: PATIENT };
const NURSE_WITHOUT_RELATION: Who = { role: 'care', org: STRANGER_ORG, hpr: '7654321' };

const LIST = 'query L($patientId: String!) { medicationList(patientId: $patientId) { version } }';
const EMERGENCY_LIST = /* GraphQL */ `
  query E($patientId: String!, $emergency: EmergencyAccessInput) {
    medicationList(patientId: $patientId, emergency: $emergency) {
      version
    }
  }
`;
const ACCESS_LOG = /* GraphQL */ `
  query A($patientId: String!, $first: Int, $after: String) {
    accessLog(patientId: $patientId, first: $first, after: $after) {
      hasNextPage
      endCursor
      entries {
        cursor
        operation
        outcome
        basis
        reasonCode
        flagged
        emergencyReason
        emergencyBasisCode
        callerRole
        callerHpr
        callerOrganisation
      }
    }
  }
`;
const START = `mutation S($input: StartMedicationInput!) { startMedication(input: $input) { position } }`;

/** The audit's event store, switchable to failing appends (a full disk, a lost connection). */
class SwitchableStore {
  failing = false;
  constructor(private readonly inner: EventStorePort) {}
  readonly port = (): EventStorePort => ({
    appendToStream: (stream, events, options) =>
      this.failing
        ? Promise.reject(new Error('simulated audit store failure'))
        : this.inner.appendToStream(stream, events, options),
    readStream: (stream, options) => this.inner.readStream(stream, options),
    readAll: (options) => this.inner.readAll(options),
    subscribeToAll: (options) => this.inner.subscribeToAll(options),
    headPosition: () => this.inner.headPosition(),
    ping: () => this.inner.ping(),
    close: () => Promise.resolve(),
  });
}

describe('audit log: denials, emergency access, accessLog and fail-closed (issue 5)', () => {
  let t: TestApp;
  let auditStore: SwitchableStore | undefined;

  beforeAll(async () => {
    t = await bootTestApp({
      override: (builder) =>
        builder.overrideProvider(AuditService).useFactory({
          inject: [EVENT_STORE, CLOCK],
          factory: (store: EventStorePort, clock: Clock) => {
            auditStore = new SwitchableStore(store);
            return new AuditService(auditStore.port(), clock);
          },
        }),
    });
  });

  afterAll(async () => {
    await t.close();
  });

  afterEach(() => {
    if (auditStore !== undefined) {
      auditStore.failing = false;
    }
  });

  it('refuses a nursing home without a care relation with FORBIDDEN (NO_CARE_RELATION)', async () => {
    const relation = await t.graphql(
      'mutation C($input: StartCareRelationInput!) { startCareRelation(input: $input) { position } }',
      { input: { patientId: PATIENT, relationId: 'rel-1', organisationNumber: NURSING_HOME_ORG, from: '2026-01-01' } },
    );
    const position = BigInt((relation.body.data?.startCareRelation as { position: string }).position);
    await t.projector.waitForPosition(currentMedicationListProjection.name, position, 5_000);

    const stranger = await t.graphql(LIST, { patientId: PATIENT }, { as: { role: 'care', org: STRANGER_ORG } });
    const related = await t.graphql(LIST, { patientId: PATIENT }, { as: { role: 'care', org: NURSING_HOME_ORG } });

    expect(stranger.body.data).toBeNull();
    expect(stranger.body.errors?.[0]?.extensions).toEqual({
      code: 'FORBIDDEN',
      errorCode: 'ACCESS_DENIED',
      details: { operation: 'medicationList', reasonCode: 'NO_CARE_RELATION' },
    });
    expect(stranger.text).not.toContain(PATIENT);
    expect(related.body).toEqual({ data: { medicationList: { version: 1 } } });
  });

  it('allows emergency access with a stated reason, flagged; refuses it without a reason', async () => {
    const withReason = await t.graphql(
      EMERGENCY_LIST,
      { patientId: PATIENT, emergency: { reason: 'Akutt innlagt, bevisstløs', basisCode: 'HPAKUTT' } },
      { as: NURSE_WITHOUT_RELATION },
    );
    const blank = await t.graphql(
      EMERGENCY_LIST,
      { patientId: PATIENT, emergency: { reason: ' ', basisCode: 'HPAKUTT' } },
      { as: NURSE_WITHOUT_RELATION },
    );

    expect(withReason.body).toEqual({ data: { medicationList: { version: 1 } } });
    expect(blank.body.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      details: { reasonCode: 'EMERGENCY_REASON_REQUIRED' },
    });
  });

  it('shows the patient who looked, newest first, denials and emergency access flagged, page by page', async () => {
    const first = await t.graphql(ACCESS_LOG, { patientId: PATIENT, first: 3 }, { as: PATIENT_SELF });
    const page = first.body.data?.accessLog as {
      hasNextPage: boolean;
      endCursor: string;
      entries: Record<string, unknown>[];
    };
    const second = await t.graphql(
      ACCESS_LOG,
      { patientId: PATIENT, first: 3, after: page.endCursor },
      { as: PATIENT_SELF },
    );
    const next = second.body.data?.accessLog as { hasNextPage: boolean; entries: Record<string, unknown>[] };

    expect(page.hasNextPage).toBe(true);
    expect(page.entries).toEqual([
      expect.objectContaining({
        operation: 'accessLog',
        outcome: 'allowed',
        basis: 'own-data',
        callerRole: 'patient',
        callerHpr: null,
      }),
      expect.objectContaining({
        operation: 'medicationList',
        outcome: 'denied',
        reasonCode: 'EMERGENCY_REASON_REQUIRED',
        flagged: true,
      }),
      expect.objectContaining({
        operation: 'medicationList',
        outcome: 'allowed',
        basis: 'emergency',
        flagged: true,
        emergencyReason: 'Akutt innlagt, bevisstløs',
        emergencyBasisCode: 'HPAKUTT',
        callerRole: 'care',
        callerHpr: '7654321',
        callerOrganisation: STRANGER_ORG,
      }),
    ]);
    expect(next.entries.slice(0, 2)).toEqual([
      expect.objectContaining({
        operation: 'medicationList',
        outcome: 'allowed',
        basis: 'care-relation',
        flagged: false,
      }),
      expect.objectContaining({
        operation: 'medicationList',
        outcome: 'denied',
        reasonCode: 'NO_CARE_RELATION',
        callerOrganisation: STRANGER_ORG,
      }),
    ]);
    expect(next.entries.at(-1)).toMatchObject({
      operation: 'startCareRelation',
      outcome: 'allowed',
      basis: 'prescriber',
      callerHpr: '999999999',
    });
  });

  it('lets an auditor read any patient’s log, but not another patient', async () => {
    const auditor = await t.graphql(ACCESS_LOG, { patientId: PATIENT, first: 1 }, { as: { role: 'auditor' } });
    const other = await t.graphql(ACCESS_LOG, { patientId: PATIENT }, { as: { role: 'patient', pid: OTHER_PATIENT } });

    expect(auditor.body.data?.accessLog).toMatchObject({ entries: [{ operation: 'accessLog', basis: 'auditor' }] });
    expect(other.body.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      details: { reasonCode: 'NOT_OWN_DATA' },
    });
  });

  it('fails closed when the audit cannot be written: no answer, no change', async () => {
    const streamName = `${MEDICATION_LIST_STREAM_PREFIX}${patientStreamId(OTHER_PATIENT, t.app.get<AppConfig>(APP_CONFIG).patientIdSecret)}`;
    const store = t.app.get<EventStorePort>(EVENT_STORE);
    if (auditStore === undefined) {
      throw new Error('the audit store was not swapped');
    }
    auditStore.failing = true;

    const read = await t.graphql(LIST, { patientId: PATIENT });
    const write = await t.graphql(START, {
      input: {
        patientId: OTHER_PATIENT,
        entryId: 'entry-1',
        medication: sampleMedication,
        use: '1',
        dosage: sampleDosage,
        startedOn: STARTED_ON,
        prescriptionType: 'E',
      },
    });

    for (const response of [read, write]) {
      expect(response.body.data).toBeNull();
      expect(response.body.errors?.[0]?.extensions).toEqual({
        code: 'SERVICE_UNAVAILABLE',
        errorCode: 'AUDIT_UNAVAILABLE',
      });
      expect(response.text).not.toMatch(/simulated|stack/);
    }
    expect(await store.readStream(streamName)).toEqual([]);
  });
});
