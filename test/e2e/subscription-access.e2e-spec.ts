import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { currentMedicationListProjection } from '../../projections/current-medication-list/current-medication-list.projection';
import {
  NURSING_HOME_ORG,
  STARTED_ON,
  sampleDosage,
  sampleMedication,
} from '../../src/medication-list/domain/medication-list.fixtures';
import { type TestApp, type Who, bootTestApp } from './app.e2e-helpers';
import { syntheticPatientId } from './read-side.e2e-helpers';

/**
 * Subscriptions go through the same gate as queries (issue 15, part 1), over a real graphql-transport-ws socket,
 * against the production configuration with tokens of a key pair the test generates (never the dev key):
 * validation and limits before anything is subscribed, break-the-glass refused and flagged, authorization and audit
 * per pushed snapshot, a typed error when the care relation ends, and the close codes 4403 / 4401.
 */

const PATIENT = syntheticPatientId(11);
const NURSE: Who = { role: 'care', org: NURSING_HOME_ORG, hpr: '7654321' };
const STRANGER: Who = { role: 'care', org: '974633574', hpr: '1234567' };
const LIST_CHANGED = 'subscription L($patientId: String!) { medicationListChanged(patientId: $patientId) { version } }';
const ACCESS_LOG = /* GraphQL */ `
  query A($patientId: String!) {
    accessLog(patientId: $patientId, first: 100) {
      entries {
        operation
        outcome
        reasonCode
        flagged
        callerRole
      }
    }
  }
`;

interface Outcome {
  readonly data: unknown[];
  readonly errors: unknown[];
  closeCode?: number;
  completed: boolean;
}

/** One subscription on its own connection; `until` resolves when a predicate on what arrived holds. */
const open = (t: TestApp, who: Who | null, query: string, variables: Record<string, unknown>, token?: string) => {
  const outcome: Outcome = { data: [], errors: [], completed: false };
  let wake: (() => void) | undefined;
  const client: Client = createClient({
    url: `${t.baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: async () => {
      const bearer = token ?? (who === null ? undefined : await t.token(who));
      return bearer === undefined ? {} : { authorization: `Bearer ${bearer}` };
    },
    on: {
      closed: (event) => {
        outcome.closeCode = (event as { code?: number }).code;
        wake?.();
      },
    },
  });
  client.subscribe(
    { query, variables },
    {
      next: (message) => {
        outcome.data.push(message.data);
        if (message.errors !== undefined) {
          outcome.errors.push(...message.errors);
        }
        wake?.();
      },
      error: (error: unknown) => {
        outcome.errors.push(...(Array.isArray(error) ? (error as unknown[]) : [error]));
        wake?.();
      },
      complete: () => {
        outcome.completed = true;
        wake?.();
      },
    },
  );
  const until = async (done: (o: Outcome) => boolean): Promise<Outcome> => {
    // No timeout of its own: Jest's test timeout is the failure guard; every wait is driven by a message.
    while (!done(outcome)) {
      await new Promise<void>((resolve) => (wake = resolve));
    }
    return outcome;
  };
  return { outcome, until, dispose: () => client.dispose() };
};

const extensionsOf = (error: unknown): unknown => (error as { extensions?: unknown }).extensions;

describe('subscriptions: the same gate as queries (issue 15, part 1)', () => {
  let t: TestApp;

  const write = async (mutation: string, input: Record<string, unknown>): Promise<void> => {
    const response = await t.graphql(
      `mutation M($input: ${mutation.charAt(0).toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { position } }`,
      { input },
    );
    const position = (response.body.data?.[mutation] as { position?: string } | undefined)?.position;
    if (position === undefined) {
      throw new Error(`${mutation} failed: ${response.text}`);
    }
    await t.projector.waitForPosition(currentMedicationListProjection.name, BigInt(position), 5_000);
  };
  const start = (entryId: string): Promise<void> =>
    write('startMedication', {
      patientId: PATIENT,
      entryId,
      medication: sampleMedication,
      use: '1',
      dosage: sampleDosage,
      startedOn: STARTED_ON,
      prescriptionType: 'E',
    });
  const accessLog = async (): Promise<
    { operation: string; outcome: string; reasonCode: string | null; flagged: boolean }[]
  > => {
    const response = await t.graphql(ACCESS_LOG, { patientId: PATIENT }, { as: { role: 'auditor' } });
    // oldest first (the log answers newest first)
    return [...(response.body.data?.accessLog as { entries: [] }).entries].reverse();
  };
  const subscriptionEntries = async () =>
    (await accessLog()).filter((entry) => entry.operation === 'medicationListChanged');

  beforeAll(async () => {
    t = await bootTestApp({ production: true });
    await write('startCareRelation', {
      patientId: PATIENT,
      relationId: 'rel-1',
      organisationNumber: NURSING_HOME_ORG,
      from: '2026-01-01',
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it.each([
    [
      '1,000 aliases',
      `subscription { medicationListChanged(patientId: "${PATIENT}") { ${Array.from({ length: 1000 }, (_, i) => `a${i}: version`).join(' ')} } }`,
      /too many aliases/,
    ],
    // graphql-js gives up on 1,200 overlapping fields before the field limit counts them (its own budget)
    [
      '1,200 fields',
      `subscription { medicationListChanged(patientId: "${PATIENT}") { ${'version '.repeat(1200)} } }`,
      /too many fields|Validation aborted/,
    ],
    [
      'an unknown argument',
      `subscription { medicationListChanged(patientId: "${PATIENT}", everything: true) { version } }`,
      /Unknown argument "everything"/,
    ],
    [
      'two root fields',
      `subscription { medicationListChanged(patientId: "${PATIENT}") { version } careUnitChanged(organisationNumber: "${NURSING_HOME_ORG}") { unit } }`,
      /must select only one top level field/,
    ],
    // production: no "Did you mean medicationListChanged?", over either path
    [
      'a misspelt root field',
      `subscription { medicationListChange(patientId: "${PATIENT}") { version } }`,
      /^Cannot query field "medicationListChange" on type "Subscription"\.$/,
    ],
    [
      'a field the type lacks',
      `subscription { medicationListChanged(patientId: "${PATIENT}") { everything } }`,
      /Cannot query field "everything"/,
    ],
  ])(
    'refuses %s with GRAPHQL_VALIDATION_FAILED before anything is subscribed or audited',
    async (_name, query, message) => {
      const before = (await accessLog()).length;
      const sub = open(t, NURSE, query, {});

      const outcome = await sub.until((o) => o.errors.length > 0);
      await sub.dispose();

      const overHttp = await t.graphql(query, {}, { as: NURSE });

      expect(outcome.data).toEqual([]);
      expect(extensionsOf(outcome.errors[0])).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
      // the same refusal as the same document gets over HTTP
      expect(outcome.errors[0]).toEqual({
        message: overHttp.body.errors?.[0]?.message,
        extensions: overHttp.body.errors?.[0]?.extensions,
      });
      expect((outcome.errors[0] as { message?: string }).message).toMatch(message);
      expect((await accessLog()).length - 1).toBe(before); // only the auditor's own look at the log
      expect(t.logLines.join('')).not.toMatch(/"level":50|INTERNAL_SERVER_ERROR/);
    },
  );

  it('refuses break-the-glass on a subscription with a typed error, flagged in the access log', async () => {
    const sub = open(
      t,
      STRANGER,
      'subscription E($p: String!, $e: EmergencyAccessInput) { medicationListChanged(patientId: $p, emergency: $e) { version } }',
      {
        p: PATIENT,
        e: { reason: 'Akutt, bevisstløs', basisCode: 'HPAKUTT' },
      },
    );

    const outcome = await sub.until((o) => o.errors.length > 0);
    await sub.dispose();

    expect(extensionsOf(outcome.errors[0])).toEqual({
      code: 'FORBIDDEN',
      errorCode: 'ACCESS_DENIED',
      details: { operation: 'medicationListChanged', reasonCode: 'EMERGENCY_NOT_FOR_SUBSCRIPTIONS' },
    });
    expect((await subscriptionEntries()).at(-1)).toEqual({
      operation: 'medicationListChanged',
      outcome: 'denied',
      reasonCode: 'EMERGENCY_NOT_FOR_SUBSCRIPTIONS',
      flagged: true,
      callerRole: 'care',
    });
  });

  it('authorizes and audits every pushed snapshot, and ends with a typed error when the care relation ends', async () => {
    const before = (await subscriptionEntries()).length;
    const sub = open(t, NURSE, LIST_CHANGED, { patientId: PATIENT });
    await sub.until((o) => o.data.length === 1);
    await start('entry-1');
    await sub.until((o) => o.data.length === 2);
    const whileRelated = (await subscriptionEntries()).slice(before);

    // Ended yesterday (a discharge registered late): access already over; one ended today lasts through today.
    await write('endCareRelation', { patientId: PATIENT, relationId: 'rel-1', endedOn: '2026-03-01' });
    await start('entry-after-the-end');
    const outcome = await sub.until((o) => o.errors.length > 0);
    await sub.dispose();

    expect(whileRelated.map((entry) => [entry.outcome, entry.reasonCode])).toEqual([
      ['allowed', null],
      ['allowed', null],
    ]);
    expect(outcome.data).toHaveLength(2); // nothing after the relation ended
    expect(extensionsOf(outcome.errors[0])).toEqual({
      code: 'FORBIDDEN',
      errorCode: 'ACCESS_DENIED',
      details: { operation: 'medicationListChanged', reasonCode: 'NO_CARE_RELATION' },
    });
    expect((await subscriptionEntries()).slice(before + 2).map((entry) => [entry.outcome, entry.reasonCode])).toEqual([
      ['denied', 'NO_CARE_RELATION'],
    ]);
  });

  it('closes the connection with 4401 once the token has expired (exp plus the clock skew)', async () => {
    const token = await t.token({ role: 'prescriber', hpr: '1111111', expiresInSeconds: 60 });
    const sub = open(t, null, LIST_CHANGED, { patientId: PATIENT }, token);
    await sub.until((o) => o.data.length === 1);

    t.clock.advance(91_000); // 60 s of token and 30 s of skew: over
    await start('entry-after-expiry');
    const outcome = await sub.until((o) => o.closeCode !== undefined);
    t.clock.advance(-91_000);

    expect(outcome.closeCode).toBe(4401);
    expect(outcome.data).toHaveLength(1);
  });

  it('refuses a connection without a valid token with close code 4403', async () => {
    const sub = open(t, null, LIST_CHANGED, { patientId: PATIENT }, 'not-a-token');

    const outcome = await sub.until((o) => o.closeCode !== undefined);

    expect(outcome.closeCode).toBe(4403);
    expect(outcome.data).toEqual([]);
  });
});
