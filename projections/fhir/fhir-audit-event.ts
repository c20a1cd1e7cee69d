import type { AuditEvent, AuditEventAgent } from '@medplum/fhirtypes';
import type { PatientDataAccessed } from '../../src/access/domain/access-log.events';
import { OID } from '../../src/identifiers/norwegian-identifiers';
import { isWriteOperation } from '../../src/access/domain/policy';
import { type FhirPatient, subjectOf } from './fhir-systems';

/**
 * One entry of a patient's access log (who looked, on what basis, allowed or denied, emergency or not) → one
 * FHIR R4 AuditEvent. Pure. The access log never holds the caller's fødselsnummer: a patient reading their own
 * data appears as "the patient", health personnel by HPR number, institutions by organisation number, a system
 * with neither (a scheduled pull, an operator's CLI import) by its client (`command-line:<operator>@<host>`).
 */

type AccessData = PatientDataAccessed['data'];

/** This service's operation names (the GraphQL root fields and their FHIR counterparts share the policy's names). */
export const OPERATION_SYSTEM = 'http://legemiddelliste.no/fhir/CodeSystem/operation';

const actionOf = (operation: AccessData['operation']): AuditEvent['action'] =>
  isWriteOperation(operation) ? 'U' : 'R';

const agentOf = (data: AccessData): AuditEventAgent => {
  const who =
    data.callerHpr !== undefined
      ? { identifier: { system: OID.hprNumber, value: data.callerHpr }, display: `HPR ${data.callerHpr}` }
      : data.callerOrganisation !== undefined
        ? { identifier: { system: OID.organisationNumber, value: data.callerOrganisation } }
        : { display: data.callerRole === 'patient' ? 'pasienten selv' : (data.clientId ?? 'ukjent') };
  return {
    type: { coding: [{ system: 'http://legemiddelliste.no/fhir/CodeSystem/caller-role', code: data.callerRole }] },
    who,
    requestor: true,
    ...(data.callerHpr !== undefined && data.callerOrganisation !== undefined
      ? { location: { identifier: { system: OID.organisationNumber, value: data.callerOrganisation } } }
      : {}),
  };
};

/** Emergency access ("break the glass"): v3 ActReason ETREAT plus the Norwegian basis code and the stated reason. */
const purposeOf = (data: AccessData): Pick<AuditEvent, 'purposeOfEvent'> =>
  data.flagged
    ? {
        purposeOfEvent: [
          {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
                code: 'ETREAT',
                display: 'Emergency Treatment',
              },
            ],
            text:
              [data.emergencyBasisCode, data.emergencyReason].filter((part) => part !== undefined).join(': ') ||
              'nødtilgang',
          },
        ],
      }
    : {};

/** The basis, and for a feed import's entry the feed that named the patient: `basis: feed (core-record)`. */
const descriptionOf = (basis: string, feedSource: string | undefined): string =>
  feedSource === undefined ? `basis: ${basis}` : `basis: ${basis} (${feedSource})`;

/** `id`: opaque and stable (the list id and the entry's place in the log). */
export const auditEventOf = (id: string, data: AccessData, listId: string, patient?: FhirPatient): AuditEvent => ({
  resourceType: 'AuditEvent',
  id,
  meta: { lastUpdated: data.at },
  type: {
    system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
    code: 'rest',
    display: 'RESTful Operation',
  },
  subtype: [{ system: OPERATION_SYSTEM, code: data.operation }],
  action: actionOf(data.operation),
  recorded: data.at,
  outcome: data.outcome === 'allowed' ? '0' : '4',
  ...(data.reasonCode === undefined ? {} : { outcomeDesc: data.reasonCode }),
  ...purposeOf(data),
  agent: [agentOf(data)],
  source: { observer: { display: 'Pasientens legemiddelliste' } },
  entity: [
    {
      what: subjectOf(patient, listId),
      ...(data.basis === undefined ? {} : { description: descriptionOf(data.basis, data.feedSource) }),
    },
  ],
});
