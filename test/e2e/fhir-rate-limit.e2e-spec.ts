import { type TestApp, type Who, bootTestApp } from './app.e2e-helpers';
import { PATIENT } from './access-matrix.e2e-helpers';
import { PATIENT_PARAM, fhirClient } from './fhir.e2e-helpers';

/**
 * /fhir under the per-caller rate limit of /graphql (issue 19): the same bucket (RATE_LIMIT_PER_MINUTE, per
 * caller), refused with 429, Retry-After and an OperationOutcome carrying GraphQL's RATE_LIMITED code. The clock is
 * the app's fixed clock: refills are driven by advancing it, never by waiting.
 */

const LIST = 'query L($patientId: String!) { medicationList(patientId: $patientId) { version } }';

describe('FHIR rate limit (RATE_LIMIT_PER_MINUTE=3)', () => {
  let t: TestApp;
  let fhir: ReturnType<typeof fhirClient>;
  const pharmacy: Who = { role: 'pharmacy', org: '123456785' };

  beforeAll(async () => {
    t = await bootTestApp({ env: { RATE_LIMIT_PER_MINUTE: '3' } });
    fhir = fhirClient(t);
  });

  afterAll(async () => {
    await t.close();
  });

  it('given a caller that spent its burst on /fhir, when it reads again, then 429 with Retry-After and an OperationOutcome; others are unaffected', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push((await fhir(`List?${PATIENT_PARAM}`)).status);
    }

    const limited = await fhir(`List?${PATIENT_PARAM}`);
    const someoneElse = await fhir(`MedicationDispense?${PATIENT_PARAM}`, { as: pharmacy });

    expect(statuses).toEqual([200, 200, 200]);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('20');
    expect(limited.headers.get('content-type')).toContain('application/fhir+json');
    expect(limited.body).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'throttled',
          diagnostics: expect.stringContaining('Too many requests'),
          details: { coding: [{ system: expect.any(String), code: 'RATE_LIMITED' }], text: 'RATE_LIMITED' },
        },
      ],
    });
    expect(someoneElse.status).toBe(200);
  });

  it('given one token refilled (20 s at 3 per minute), when the caller spends it on /graphql, then /fhir is still refused: one bucket for both', async () => {
    t.clock.advance(20_000);

    const graphql = await t.graphql(LIST, { patientId: PATIENT });
    const fhirAfter = await fhir(`List?${PATIENT_PARAM}`);

    expect(graphql.status).toBe(200);
    expect(fhirAfter.status).toBe(429);
  });

  it('given an unauthenticated request, when the caller is limited, then it is still 401 (the limit counts verified callers only)', async () => {
    expect((await fhir(`List?${PATIENT_PARAM}`, { as: null })).status).toBe(401);
  });
});
