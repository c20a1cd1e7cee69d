import { currentMedicationListProjection } from '../../projections/current-medication-list/current-medication-list.projection';
import { careUnitOverviewProjection } from '../../projections/care-unit-overview/care-unit-overview.projection';
import { GENERAL_AUDIT_STREAM, accessLogStreamName } from '../../src/access/audit';
import { ALL_OPERATIONS, type Operation } from '../../src/access/domain/policy';
import { APP_CONFIG, type AppConfig } from '../../src/config/config';
import { NURSING_HOME_ORG } from '../../src/medication-list/domain/medication-list.fixtures';
import { EVENT_STORE, type EventStorePort, type RecordedEvent } from '../../src/shared/event-sourcing/event-store.port';
import {
  COVERED_OPERATIONS,
  OTHER_HPR,
  PATIENT,
  PRESCRIBER_HPR,
  RELATION_ID,
  ROLES,
  type Role,
  type RoleName,
  callOf,
  variablesOf,
} from './access-matrix.e2e-helpers';
import { type TestApp, bootTestApp } from './app.e2e-helpers';

/**
 * Issue 5's authorization matrix over real HTTP and WebSocket: every role × every operation, allowed or denied
 * as the table in access-matrix.e2e-helpers.ts says, each decision (denials included) audited exactly once in the
 * access log before the answer. The patient has an active care relation to NURSING_HOME_ORG, read from the read
 * model (the test waits for the projection, as the lag is documented).
 */

interface Outcome {
  readonly codes: readonly string[];
  readonly data: Record<string, unknown> | null | undefined;
}

const field = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null ? (Reflect.get(value, name) as unknown) : undefined;

/** `extensions.code` and `extensions.errorCode` of every error, in order. */
const codesOf = (errors: readonly unknown[] | undefined): string[] =>
  (errors ?? []).flatMap((error) =>
    [field(field(error, 'extensions'), 'code'), field(field(error, 'extensions'), 'errorCode')].filter(
      (code): code is string => typeof code === 'string',
    ),
  );

describe('authorization matrix: every role × every operation (issue 5)', () => {
  let t: TestApp;
  let store: EventStorePort;
  let secret: string;

  const auditEvents = async (): Promise<RecordedEvent[]> => [
    ...(await store.readStream(accessLogStreamName(PATIENT, secret))),
    ...(await store.readStream(GENERAL_AUDIT_STREAM)),
  ];

  const subscribeOnce = async (role: Role, operation: Operation): Promise<Outcome> => {
    const call = callOf(operation);
    const client = t.ws(role.who);
    try {
      return await new Promise<Outcome>((resolve) => {
        client.subscribe(
          { query: call.document(role.emergency), variables: variablesOf(call, role.emergency) },
          {
            next: (message) => resolve({ codes: codesOf(message.errors), data: message.data }),
            error: (error: unknown) => resolve({ codes: codesOf(Array.isArray(error) ? error : [error]), data: null }),
            complete: () => resolve({ codes: [], data: null }),
          },
        );
      });
    } finally {
      await client.dispose();
    }
  };

  const run = async (role: Role, operation: Operation): Promise<Outcome> => {
    const call = callOf(operation);
    if (call.kind === 'subscription') {
      return subscribeOnce(role, operation);
    }
    const response = await t.graphql(call.document(role.emergency), variablesOf(call, role.emergency), {
      as: role.who,
    });
    expect(response.status).toBe(200);
    return { codes: codesOf(response.body.errors), data: response.body.data };
  };

  beforeAll(async () => {
    t = await bootTestApp();
    store = t.app.get<EventStorePort>(EVENT_STORE);
    secret = t.app.get<AppConfig>(APP_CONFIG).patientIdSecret;
    const started = await t.graphql(
      'mutation C($input: StartCareRelationInput!) { startCareRelation(input: $input) { position } }',
      {
        input: {
          patientId: PATIENT,
          relationId: RELATION_ID,
          organisationNumber: NURSING_HOME_ORG,
          from: '2026-01-01',
        },
      },
    );
    const position = BigInt((started.body.data?.startCareRelation as { position: string }).position);
    await t.projector.waitForPosition(currentMedicationListProjection.name, position, 5_000);
    await t.projector.waitForPosition(careUnitOverviewProjection.name, position, 5_000);
  });

  afterAll(async () => {
    await t.close();
  });

  it('covers every operation of the policy, for every role', () => {
    expect([...COVERED_OPERATIONS].sort()).toEqual([...ALL_OPERATIONS].sort());
    expect(Object.keys(ROLES)).toHaveLength(9);
  });

  const cells = (Object.entries(ROLES) as [RoleName, Role][]).flatMap(([name, role]) =>
    ALL_OPERATIONS.map((operation) => [name, operation, role.allowed.has(operation) ? 'allowed' : 'denied'] as const),
  );

  it.each(cells)('%s × %s → %s, audited', async (name, operation, expected) => {
    const role = ROLES[name];
    const before = new Set((await auditEvents()).map((event) => event.id));

    const outcome = await run(role, operation);

    const fresh = (await auditEvents()).filter((event) => !before.has(event.id));
    expect(fresh.map((event) => [event.type, field(event.data, 'operation'), field(event.data, 'outcome')])).toEqual([
      ['PatientDataAccessed', operation, expected],
    ]);
    if (expected === 'denied') {
      expect(outcome.codes).toEqual(['FORBIDDEN', 'ACCESS_DENIED']);
      expect(outcome.data?.[operation] ?? null).toBeNull();
    } else {
      expect(outcome.codes).not.toContain('FORBIDDEN');
    }
    if (role.emergency && expected === 'allowed') {
      expect(fresh[0]?.data).toMatchObject({ basis: 'emergency', flagged: true, emergencyBasisCode: 'HPAKUTT' });
    }
  });

  describe("gpWorklist is the caller's own worklist", () => {
    const WORKLIST = 'query G($hpr: String!) { gpWorklist(hprNumber: $hpr) { hprNumber } }';

    it.each([
      ['own HPR number', PRESCRIBER_HPR, 'allowed'],
      ['another HPR number', OTHER_HPR, 'denied'],
    ] as const)('prescriber × gpWorklist for their %s → %s, audited', async (_name, hpr, expected) => {
      const before = new Set((await auditEvents()).map((event) => event.id));

      const response = await t.graphql(WORKLIST, { hpr }, { as: ROLES.prescriber.who });

      const fresh = (await auditEvents()).filter((event) => !before.has(event.id));
      expect(fresh.map((event) => event.data)).toEqual([
        expect.objectContaining({
          operation: 'gpWorklist',
          outcome: expected,
          callerHpr: PRESCRIBER_HPR,
          ...(expected === 'denied' ? { reasonCode: 'NOT_OWN_WORKLIST' } : { basis: 'prescriber' }),
        }),
      ]);
      if (expected === 'denied') {
        expect(codesOf(response.body.errors)).toEqual(['FORBIDDEN', 'ACCESS_DENIED']);
        expect(response.body.errors?.[0]?.extensions?.details).toMatchObject({ reasonCode: 'NOT_OWN_WORKLIST' });
        expect(response.body.data?.gpWorklist ?? null).toBeNull();
      } else {
        expect(response.body.errors).toBeUndefined();
        expect(response.body.data?.gpWorklist).toEqual({ hprNumber: PRESCRIBER_HPR });
      }
    });

    it('an invalid HPR number is BAD_USER_INPUT, never echoed, and names no decision to audit', async () => {
      const before = (await auditEvents()).length;
      const response = await t.graphql(WORKLIST, { hpr: 'not-an-hpr' }, { as: ROLES.prescriber.who });
      expect(codesOf(response.body.errors)).toEqual(['BAD_USER_INPUT', 'INVALID_IDENTIFIER']);
      expect(response.text).not.toContain('not-an-hpr');
      expect(await auditEvents()).toHaveLength(before);
    });
  });
});
