import { createHash } from 'node:crypto';
import type { CodeableConcept, Coding, Patient, Reference } from '@medplum/fhirtypes';
import type { Medication } from '../../src/medication-list/domain/medication-list.events';
import { FEST_ID_FIELDS, preferredSystemOf } from '../../src/reconciliation/feeds/fest-naming-systems';
import { FHIR_SYSTEM, IDENTIFIER_TYPE } from '../../src/reconciliation/feeds/fhir-elements';

/**
 * The identifier and code systems of the FHIR R4 interface (docs/fhir.md), in one table, and the opaque resource
 * ids. Pure: no clock, no I/O. The drug codings are written so the feed parser
 * (src/reconciliation/feeds/fhir-elements.ts) reads them back unchanged: the round trip is a property spec.
 */

/** Volven code lists as FHIR systems: OID 2.16.578.1.12.4.1.1.<list>. */
export const VOLVEN = (list: string): string => `urn:oid:2.16.578.1.12.4.1.1.${list}`;

/** This service's own extensions (not HL7 Norway's): documented in docs/fhir.md. */
export const EXTENSION = {
  multidose: 'http://legemiddelliste.no/fhir/StructureDefinition/multidose-status',
  dispensingsLeft: 'http://legemiddelliste.no/fhir/StructureDefinition/dispensings-left',
  prescriptionStatus: 'http://legemiddelliste.no/fhir/StructureDefinition/prescription-status-7408',
  prescriptionUsedUp: 'http://legemiddelliste.no/fhir/StructureDefinition/prescription-used-up',
} as const;

/**
 * A drug as a CodeableConcept: every FEST id the medication carries, each under the naming system FHI's current
 * profile uses for its level (fest-naming-systems.ts, the table the feed parser reads with, so the round trip holds),
 * ATC, the codings in systems the service does not know kept as they came, and the display name ("NavnFormStyrke")
 * as text. A local drug has text only.
 */
export const medicationConcept = (medication: Medication): CodeableConcept => {
  const coding: Coding[] = [
    ...FEST_ID_FIELDS.flatMap((field) => {
      const code = medication[field];
      return code === undefined ? [] : [{ system: preferredSystemOf(field), code, display: medication.displayName }];
    }),
    ...(medication.atcCode === undefined ? [] : [{ system: FHIR_SYSTEM.atc, code: medication.atcCode }]),
    ...(medication.otherCodings ?? []).map((other) => ({ ...other })),
  ];
  return { ...(coding.length === 0 ? {} : { coding }), text: medication.displayName };
};

/** The patient as FHIR references them in Norway: by identifier (fnr, D-number … OIDs), no Patient resource. */
export interface FhirPatient {
  readonly system: string;
  readonly value: string;
}

/**
 * The subject of every resource. Without the patient's number (a read by resource id of a list whose patient the
 * service does not know), the list's opaque id stands in as a URN: never guessed, never the number.
 */
export const subjectOf = (patient: FhirPatient | undefined, listId: string): Reference<Patient> => ({
  identifier:
    patient === undefined
      ? { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${listId}` }
      : { system: patient.system, value: patient.value },
});

/** A business identifier as the feed parser recognises it (type text), never a resource id. */
export const businessId = (
  kind: keyof typeof IDENTIFIER_TYPE | 'entry',
  value: string,
): { type: { text: string }; value: string } => ({
  type: { text: kind === 'entry' ? 'LIB-id' : IDENTIFIER_TYPE[kind] },
  value,
});

export const FHIR_ID_KIND = { statement: 's', request: 'r', dispense: 'd' } as const;

/**
 * An opaque resource id: the list's id (the keyed hash of the patient, as in stream names) and, for the parts of a
 * list, a short hash of the business id. Fits FHIR's id rule ([A-Za-z0-9.-]{1,64}) whatever the business id is.
 */
export const fhirIdOf = (listId: string, kind?: keyof typeof FHIR_ID_KIND, businessIdValue?: string): string =>
  kind === undefined || businessIdValue === undefined
    ? listId
    : `${listId}.${FHIR_ID_KIND[kind]}${createHash('sha256').update(businessIdValue, 'utf8').digest('hex').slice(0, 20)}`;

/** The list id and part of an opaque resource id, or undefined when it has another shape. */
export const parseFhirId = (
  id: string,
): { listId: string; kind?: keyof typeof FHIR_ID_KIND; hash?: string } | undefined => {
  const [, listId, kindCode, hash] =
    /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\.([srd])([0-9a-f]{20}))?$/.exec(id) ?? [];
  if (listId === undefined) {
    return undefined;
  }
  const kind = (Object.keys(FHIR_ID_KIND) as (keyof typeof FHIR_ID_KIND)[]).find((k) => FHIR_ID_KIND[k] === kindCode);
  return { listId, ...(kind === undefined || hash === undefined ? {} : { kind, hash }) };
};
