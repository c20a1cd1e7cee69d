import { Client, fetchExchange, gql } from '@urql/core';
import { serverAudits } from 'graphql-http';
import { sampleDosage, sampleMedication } from '../../src/medication-list/domain/medication-list.fixtures';
import { type TestApp, bootApp, syntheticPatientId } from './read-side.e2e-helpers';

/**
 * GraphQL over HTTP as its specification says, judged by graphql-http's own audit suite (the reference
 * implementation's) against the real server over real HTTP: every MUST, SHOULD and MAY holds, with the one
 * documented exception (README, Errors): under `application/json` a request that fails parsing, validation or
 * variable coercion is answered HTTP 400, where the spec's SHOULD for that media type is 200.
 */

const NOW = '2026-12-05T10:00:00.000Z';
/** The audits of the documented exception (ids from graphql-http's audit list). */
const EXPECTED_400_UNDER_APPLICATION_JSON = new Set<string>([
  '572B', // SHOULD use 200 status code on document parsing failure when accepting application/json
  'FDE2', // SHOULD use 200 status code on document validation failure when accepting application/json
  '7B9B', // SHOULD use a status code of 200 on variable coercion failure when accepting application/json
]);

describe('GraphQL over HTTP: graphql-http server audits', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await bootApp(NOW);
    token = await t.token();
  });
  afterAll(async () => {
    await t.close();
  });

  // Every request of the audits carries a valid token: the audits test the protocol, not authentication.
  const authorisedFetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
  const audits = serverAudits({ url: () => `${t.baseUrl}/graphql`, fetchFn: authorisedFetch });

  it.each(audits.map((audit) => [audit.id, audit.name, audit] as const))('%s %s', async (id, _name, audit) => {
    const result = await audit.fn();
    if (EXPECTED_400_UNDER_APPLICATION_JSON.has(id)) {
      expect(result.status).not.toBe('ok');
      return;
    }
    expect({ id, status: result.status, reason: result.status === 'ok' ? undefined : result.reason }).toEqual({
      id,
      status: 'ok',
      reason: undefined,
    });
  });

  it.each([
    ['query', { query: 1 }],
    ['operationName', { query: '{ __typename }', operationName: 1 }],
    ['variables', { query: '{ __typename }', variables: [1] }],
    ['extensions', { query: '{ __typename }', extensions: 'x' }],
  ])(
    'a body whose %s has the wrong type gets 400 BAD_REQUEST naming it, and is not logged as a fault',
    async (name, body) => {
      const response = await authorisedFetch(`${t.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(response.status).toBe(400);
      expect(json).not.toHaveProperty('data');
      expect(json.errors[0]).toMatchObject({
        message: expect.stringContaining(`"${name}"`) as string,
        extensions: { code: 'BAD_REQUEST' },
      });
      expect(t.logLines.join('')).not.toContain('INTERNAL_SERVER_ERROR');
    },
  );

  it('answers application/graphql-response+json when asked, and "extensions": null is allowed', async () => {
    const response = await authorisedFetch(`${t.baseUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json;q=0.9',
      },
      body: JSON.stringify({ query: '{ __typename }', extensions: null }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('a real client library (urql) writes and reads the list, and meets a refused instant as a GraphQL error', async () => {
    const client = new Client({
      url: `${t.baseUrl}/graphql`,
      exchanges: [fetchExchange],
      fetch: authorisedFetch,
      requestPolicy: 'network-only',
    });
    const patientId = syntheticPatientId(23);
    const started = await client
      .mutation(
        gql`
          mutation S($input: StartMedicationInput!) {
            startMedication(input: $input) {
              position
            }
          }
        `,
        {
          input: {
            patientId,
            entryId: 'urql-1',
            medication: sampleMedication,
            use: '1',
            dosage: sampleDosage,
            startedOn: '2026-12-01',
            prescriptionType: 'E',
          },
        },
      )
      .toPromise();
    expect(started.error).toBeUndefined();
    const position = (started.data as { startMedication: { position: string } }).startMedication.position;

    const LIST = gql`
      query L($patientId: String!, $minPosition: String, $asOf: DateTime) {
        medicationList(patientId: $patientId, minPosition: $minPosition, asOf: $asOf) {
          version
          entries {
            entryId
          }
        }
      }
    `;
    const read = await client.query(LIST, { patientId, minPosition: position }).toPromise();
    expect(read.error).toBeUndefined();
    expect(read.data).toMatchObject({ medicationList: { version: 1, entries: [{ entryId: 'urql-1' }] } });

    const refused = await client.query(LIST, { patientId, asOf: '2026-12-05' }).toPromise();
    expect(refused.data).toBeUndefined();
    expect(refused.error?.graphQLErrors[0]?.message).toContain('RFC 3339');
    expect(refused.error?.graphQLErrors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
