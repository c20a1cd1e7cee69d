import WebSocket from 'ws';
import {
  PATIENT_ID,
  STARTED_ON,
  sampleDosage,
  sampleMedication,
} from '../../src/medication-list/domain/medication-list.fixtures';
import { type GraphqlResponse, type TestApp, bootTestApp } from './app.e2e-helpers';

/**
 * The real AppModule over real HTTP (Fastify listening on an ephemeral port), with the embedded SQLite store
 * in a temp dir and one provider swapped: the clock. Requests carry a dev prescriber token (app.e2e-helpers.ts).
 */

// Same digits as PATIENT_ID with the last check digit changed: fails the mod-11 rule.
const INVALID_PATIENT_ID = '31129956716';
const NOW = '2026-03-02T09:15:00.000Z';

const START_MEDICATION = /* GraphQL */ `
  mutation Start($input: StartMedicationInput!) {
    startMedication(input: $input) {
      entryId
      position
      alreadyApplied
      list {
        version
        entries {
          entryId
          status
          medication {
            displayName
            atcCode
          }
          use
          dosage {
            shortCode
          }
        }
      }
    }
  }
`;

const MEDICATION_LIST = /* GraphQL */ `
  query List($patientId: String!, $minPosition: String) {
    medicationList(patientId: $patientId, minPosition: $minPosition) {
      version
      entries {
        entryId
        status
        startedOn
        prescriptionType
        medication {
          displayName
        }
        dosage {
          periods {
            start
          }
        }
      }
    }
  }
`;

const startInput = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  patientId: PATIENT_ID,
  entryId: 'entry-metformin',
  commandId: 'cmd-start-metformin',
  medication: sampleMedication,
  use: '1',
  indication: 'Diabetes type 2',
  dosage: sampleDosage,
  startedOn: STARTED_ON,
  prescriptionType: 'E',
  ...overrides,
});

describe('the service end to end (AppModule, SQLite in a temp dir, real HTTP)', () => {
  let t: TestApp;
  let baseUrl: string;
  let logLines: string[];

  const graphql = (query: string, variables: Record<string, unknown> = {}): Promise<GraphqlResponse> =>
    t.graphql(query, variables);

  beforeAll(async () => {
    t = await bootTestApp({ now: NOW });
    ({ baseUrl, logLines } = t);
  });

  afterAll(async () => {
    await t.close();
  });

  it('answers /health while the process runs', async () => {
    const response = await fetch(`${baseUrl}/health`);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', info: { process: { status: 'up' } } });
  });

  it('is ready when the event store answers', async () => {
    const response = await fetch(`${baseUrl}/ready`);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      info: { eventStore: { status: 'up' }, lifecycle: { status: 'up' } },
    });
  });

  it('starts a medication and shows it on the folded list', async () => {
    const started = await graphql(START_MEDICATION, { input: startInput() });

    expect(started.status).toBe(200);
    expect(started.body.errors).toBeUndefined();
    expect(started.body.data?.startMedication).toEqual({
      entryId: 'entry-metformin',
      position: expect.stringMatching(/^[0-9]+$/),
      alreadyApplied: false,
      list: {
        version: 1,
        entries: [
          {
            entryId: 'entry-metformin',
            status: 'active',
            medication: { displayName: 'Metformin Teva Tab 500 mg', atcCode: 'A10BA02' },
            use: '1',
            dosage: { shortCode: '1+0+0+1' },
          },
        ],
      },
    });

    // Read your own write: the list is a projection, so wait until this replica has applied the position.
    const { position } = started.body.data?.startMedication as { position: string };
    const listed = await graphql(MEDICATION_LIST, { patientId: PATIENT_ID, minPosition: position });

    expect(listed.body).toEqual({
      data: {
        medicationList: {
          version: 1,
          entries: [
            {
              entryId: 'entry-metformin',
              status: 'active',
              startedOn: STARTED_ON,
              prescriptionType: 'E',
              medication: { displayName: 'Metformin Teva Tab 500 mg' },
              dosage: { periods: [{ start: STARTED_ON }] },
            },
          ],
        },
      },
    });
  });

  it('appends nothing for a retried command id', async () => {
    const retried = await graphql(START_MEDICATION, { input: startInput() });

    expect(retried.body.errors).toBeUndefined();
    expect(retried.body.data?.startMedication).toMatchObject({ alreadyApplied: true, list: { version: 1 } });
  });

  it('rejects a stale expected version with CONFLICT', async () => {
    const stale = await graphql(START_MEDICATION, {
      input: startInput({ entryId: 'entry-other', commandId: 'cmd-stale', expectedVersion: 0 }),
    });

    expect(stale.status).toBe(200);
    expect(stale.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
  });

  it('rejects an invalid patient id with BAD_USER_INPUT and never echoes the number', async () => {
    const started = await graphql(START_MEDICATION, { input: startInput({ patientId: INVALID_PATIENT_ID }) });
    const listed = await graphql(MEDICATION_LIST, { patientId: INVALID_PATIENT_ID });

    for (const response of [started, listed]) {
      expect(response.status).toBe(200);
      expect(response.body.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        errorCode: 'INVALID_IDENTIFIER',
      });
      expect(response.text).not.toContain(INVALID_PATIENT_ID);
    }
  });

  it('rejects input that fails class-validator with BAD_USER_INPUT and the field names', async () => {
    const response = await graphql(START_MEDICATION, { input: startInput({ use: '9', commandId: 'cmd-bad-use' }) });

    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      errorCode: 'INVALID_INPUT',
      fields: ['use'],
    });
  });

  it('rejects an invalid document before execution with HTTP 400', async () => {
    const unknownField = await graphql('{ medicationList(patientId: "x") { nope } }');
    // 12 levels against a limit of 10 (valid otherwise: the limit runs after validation)
    const tooDeep = await graphql(
      '{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }',
    );

    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.errors?.[0]?.message).toMatch(/depth/);
  });

  it('accepts GraphQL WebSocket connections (graphql-transport-ws, the graphql-ws library protocol)', async () => {
    const token = await t.token();
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const firstMessage = new Promise<unknown>((resolve, reject) => {
      socket.once('message', (data: Buffer) => {
        resolve(JSON.parse(data.toString()));
      });
      socket.once('error', reject);
    });
    socket.once('open', () => {
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    });

    try {
      expect(await firstMessage).toEqual({ type: 'connection_ack' });
      expect(socket.protocol).toBe('graphql-transport-ws');
    } finally {
      socket.close();
    }
  });

  it('exposes Prometheus metrics: request latency by route and operation, append latency, conflicts', async () => {
    const response = await fetch(`${baseUrl}/metrics`);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toMatch(/http_request_duration_seconds_bucket\{.*route="\/health".*\}/);
    expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*operation="mutation:startMedication"[^}]*\}/);
    expect(text).toMatch(/^event_store_append_seconds_count [1-9]/m);
    expect(text).toMatch(/^command_conflicts_total /m);
    expect(text).toContain('# TYPE projection_lag_seconds histogram');
  });

  it('never writes a patient id to the logs', () => {
    const logs = logLines.join('');

    expect(logs).not.toContain(PATIENT_ID);
    expect(logs).not.toContain(INVALID_PATIENT_ID);
  });
});
