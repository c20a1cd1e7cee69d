import type { Bundle, Resource } from '@medplum/fhirtypes';
import {
  NURSING_HOME_ORG,
  PHARMACY_HER_ID,
  STARTED_ON,
  sampleDosage,
  sampleMedication,
} from '../../src/medication-list/domain/medication-list.fixtures';
import { OID } from '../../src/identifiers/norwegian-identifiers';
import { FHIR_SYSTEM, IDENTIFIER_TYPE } from '../../src/reconciliation/feeds/fhir-elements';
import { EVENT_STORE, type EventStorePort } from '../../src/shared/event-sourcing/event-store.port';
import type { TestApp, Who } from './app.e2e-helpers';
import { PATIENT } from './access-matrix.e2e-helpers';

/** FHIR requests against the e2e app (app.e2e-helpers.ts), and the patient every FHIR spec reads. */

export interface FhirResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Resource & Partial<Bundle>;
}

export interface FhirOptions {
  readonly as?: Who | null;
  readonly method?: 'GET' | 'POST';
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export const fhirClient =
  (app: TestApp) =>
  async (
    path: string,
    { as = { role: 'prescriber', hpr: '999999999' }, method = 'GET', body, headers = {} }: FhirOptions = {},
  ): Promise<FhirResponse> => {
    const authorization: Record<string, string> = as === null ? {} : { authorization: `Bearer ${await app.token(as)}` };
    const response = await fetch(`${app.baseUrl}/fhir/${path}`, {
      method,
      headers: {
        accept: 'application/fhir+json',
        ...(body === undefined ? {} : { 'content-type': 'application/fhir+json' }),
        ...authorization,
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    app.responses.push(text);
    return { status: response.status, headers: response.headers, body: JSON.parse(text) as FhirResponse['body'] };
  };

export const PATIENT_PARAM = `patient.identifier=${encodeURIComponent(`${OID.fnr}|${PATIENT}`)}`;

/** Waits until the read models have applied every event stored so far (no sleeps: a position, not a time). */
export const settle = async (app: TestApp): Promise<void> => {
  const head = await app.app.get<EventStorePort>(EVENT_STORE).headPosition();
  if (head !== undefined) {
    await app.projector.waitForPosition('currentMedicationList', head, 10_000);
  }
};

/** The patient's list as the specs set it up through GraphQL (a GP writes there): a relation, an entry, a prescription. */
export const seedList = async (app: TestApp): Promise<void> => {
  const run = async (mutation: string, input: Record<string, unknown>): Promise<void> => {
    const type = `${mutation.charAt(0).toUpperCase()}${mutation.slice(1)}Input`;
    const response = await app.graphql(`mutation($input: ${type}!) { ${mutation}(input: $input) { version } }`, {
      input: { patientId: PATIENT, ...input },
    });
    expect(response.body.errors).toBeUndefined();
  };
  await run('startCareRelation', { relationId: 'rel-fhir', organisationNumber: NURSING_HOME_ORG, from: '2026-01-01' });
  await run('startMedication', {
    entryId: 'entry-fhir',
    medication: sampleMedication,
    use: '1',
    dosage: sampleDosage,
    startedOn: STARTED_ON,
    prescriptionType: 'E',
  });
  await run('issuePrescription', {
    prescriptionId: 'rx-fhir',
    entryId: 'entry-fhir',
    issuedAt: '2026-03-01T09:00:00Z',
    dispensingsAllowed: 3,
  });
  await settle(app);
};

/** A pharmacy's M10 as FHIR: what a pharmacy system posts. */
export const aDispense = (
  dispensingId: string,
  status: 'completed' | 'entered-in-error' = 'completed',
): Record<string, unknown> => ({
  resourceType: 'MedicationDispense',
  identifier: [{ type: { text: IDENTIFIER_TYPE.dispensing }, value: dispensingId }],
  status,
  medicationCodeableConcept: {
    coding: [{ system: FHIR_SYSTEM.atc, code: sampleMedication.atcCode }],
    text: sampleMedication.displayName,
  },
  subject: { identifier: { system: OID.fnr, value: PATIENT } },
  performer: [{ actor: { identifier: { system: OID.herId, value: PHARMACY_HER_ID } } }],
  authorizingPrescription: [{ identifier: { type: { text: IDENTIFIER_TYPE.prescription }, value: 'rx-fhir' } }],
  quantity: { value: 100, unit: 'tablett' },
  whenHandedOver: '2026-03-02T08:00:00Z',
});
