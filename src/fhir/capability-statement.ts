import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';

/**
 * GET /fhir/metadata: exactly what src/fhir implements (a test compares it with the routes). Pure.
 */
const patientParam = {
  name: 'patient.identifier',
  type: 'token' as const,
  documentation: '<OID>|<number>: fødselsnummer, D-number or felles hjelpenummer OID',
};
const lastUpdated = { name: '_lastUpdated', type: 'date' as const };
const status = { name: 'status', type: 'token' as const };

const readable = (
  type: CapabilityStatementRestResource['type'],
  extra: Partial<CapabilityStatementRestResource> = {},
): CapabilityStatementRestResource => ({
  type,
  interaction: [{ code: 'read' }, { code: 'search-type' }],
  searchParam: [patientParam, status, lastUpdated],
  ...extra,
});

export const capabilityStatement = (date: string): CapabilityStatement => ({
  resourceType: 'CapabilityStatement',
  status: 'active',
  date,
  kind: 'instance',
  software: { name: 'pasientens legemiddelliste' },
  implementation: { description: 'The patient’s medication list: FHIR R4 read and dispensing interface' },
  fhirVersion: '4.0.1',
  format: ['application/fhir+json', 'json'],
  rest: [
    {
      mode: 'server',
      security: {
        service: [
          {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth' }],
            text: 'HelseID access token (Bearer or DPoP)',
          },
        ],
        description:
          'HelseID JWT; role by scope (e-helse:pll/...); access by the same policy and audit as GraphQL (docs/security.md).',
      },
      resource: [
        {
          type: 'List',
          interaction: [{ code: 'read' }, { code: 'vread' }, { code: 'search-type' }, { code: 'history-instance' }],
          versioning: 'versioned',
          readHistory: true,
          searchParam: [
            patientParam,
            { name: '_at', type: 'date', documentation: 'the list as it was shown at this instant' },
          ],
          searchInclude: ['List:item'],
        },
        readable('MedicationStatement'),
        readable('MedicationRequest'),
        readable('MedicationDispense', {
          interaction: [{ code: 'read' }, { code: 'search-type' }, { code: 'create' }],
          conditionalCreate: true,
          documentation:
            'create records a dispensing (idempotent by identifier, If-None-Exist honoured); status entered-in-error annuls it',
        }),
        { type: 'AuditEvent', interaction: [{ code: 'search-type' }], searchParam: [patientParam] },
      ],
    },
  ],
});
