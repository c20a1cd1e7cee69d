import {
  isCode,
  prescriptionStatusCodes,
  type PrescriptionStatusCode,
} from '../../medication-list/domain/medication-list.codes';
import type { Medication, OtherCoding } from '../../medication-list/domain/medication-list.events';
import { festNamingSystemOf, LEGACY_FEST_SYSTEM, type FestIdField } from './fest-naming-systems';
import { InvalidIdentifierError } from '../../identifiers/identifier.errors';
import { isValidHerId, isValidHprNumber, OID, parsePatientId } from '../../identifiers/norwegian-identifiers';
import { assertId, assertMedication } from '../../medication-list/domain/medication-list.validation';
import { isDomainError } from '../../shared/errors/domain-error';
import { reject, field, objectArray, optionalObject, optionalText, requiredObject, type JsonObject } from './fhir-read';

/**
 * Shared elements of the FHIR R4 → external record mapping: code systems, business identifiers, the patient, the
 * drug. Which systems we accept, and why:
 *  - FEST ids by level: every naming system of fest-naming-systems.ts (HL7 Norway's drafts, FHI's forms), and
 *    `http://ehelse.no/fhir/CodeSystem/FEST` for existing clients (read as the brand level).
 *  - ATC: `http://www.whocc.no/atc`, the canonical FHIR system for WHO ATC.
 *  - 7408 "Status resept": `urn:oid:2.16.578.1.12.4.1.1.7408` (Volven code lists have OID 2.16.578.1.12.4.1.1.<n>);
 *    a coding of it in any extension of a MedicationRequest carries the registry status directly.
 *  - Patient: the fødselsnummer and D-number OIDs only (domain.md); the number must pass parsePatientId and its
 *    kind must belong to the system it is sent under (synthetic test numbers included, for test environments).
 *  - Business ids: no public FHIR system exists for ReseptId; SFM marks it with `identifier.type.text` "ReseptId".
 *    We take the identifier whose type text or system mentions the keyword, else the first one with a value.
 */
export const FHIR_SYSTEM = {
  fest: LEGACY_FEST_SYSTEM,
  atc: 'http://www.whocc.no/atc',
  prescriptionStatus: 'urn:oid:2.16.578.1.12.4.1.1.7408',
} as const;

/** `identifier.type.text` written by the synthetic feed and recognised (case-insensitively) by the parser. */
export const IDENTIFIER_TYPE = { prescription: 'ReseptId', dispensing: 'UtleveringId' } as const;

const PATIENT_SYSTEMS: ReadonlySet<string> = new Set([OID.fnr, OID.dnr]);

/** The identifiers of a resource that have a string value, and whether each mentions `keyword`. */
const identifiersOf = (resource: JsonObject, path: string, keyword: string): { value: unknown; mentions: boolean }[] =>
  objectArray(field(resource, 'identifier'), `${path}.identifier`)
    .filter((identifier) => typeof field(identifier, 'value') === 'string')
    .map((identifier) => {
      const type = optionalObject(field(identifier, 'type'), `${path}.identifier.type`);
      const labels = [field(identifier, 'system'), type && field(type, 'text')];
      const mentions = labels.some((label) => typeof label === 'string' && label.toLowerCase().includes(keyword));
      return { value: field(identifier, 'value'), mentions };
    });

/** The identifier whose type text or system mentions `keyword` (case-insensitive), if any. */
export const mentionedIdentifier = (resource: JsonObject, path: string, keyword: string): string | undefined =>
  checkedId(identifiersOf(resource, path, keyword).find((identifier) => identifier.mentions)?.value);

/**
 * The business identifier of a resource: the one whose type text or system mentions `keyword`, else the first
 * with a value. Resource `id`s are never used: they are not stable between lookups.
 */
export const businessIdentifier = (resource: JsonObject, path: string, keyword: string): string | undefined => {
  const identifiers = identifiersOf(resource, path, keyword);
  return checkedId((identifiers.find((identifier) => identifier.mentions) ?? identifiers[0])?.value);
};

/** A referenced business id (e.g. `authorizingPrescription[0].identifier.value`), validated like our own ids. */
export const checkedId = (value: unknown): string | undefined => {
  if (typeof value !== 'string') {
    return undefined;
  }
  const id = value.trim();
  try {
    assertId(id, 'identifier');
  } catch {
    reject('invalid identifier');
  }
  return id;
};

/** `subject.identifier` → the validated patient id; any failure is a fixed reason, never the number. */
export const patientOf = (resource: JsonObject, path: string): string => {
  const subject = optionalObject(field(resource, 'subject'), `${path}.subject`);
  const identifier = subject && optionalObject(field(subject, 'identifier'), `${path}.subject.identifier`);
  const system = identifier && field(identifier, 'system');
  const value = identifier && field(identifier, 'value');
  if (typeof value !== 'string') {
    return reject('missing patient identifier');
  }
  if (typeof system !== 'string' || !PATIENT_SYSTEMS.has(system)) {
    return reject('unknown patient identifier system');
  }
  try {
    const parsed = parsePatientId(value, 'subject.identifier');
    return parsed.system === system ? parsed.value : reject('invalid patient identifier');
  } catch (error) {
    if (error instanceof InvalidIdentifierError) {
      return reject('invalid patient identifier');
    }
    throw error;
  }
};

/** The identifier of a Reference (requester, performer actor) under `system`, if there is one. */
export const referencedIdentifier = (
  reference: JsonObject | undefined,
  system: string,
  path: string,
): string | undefined => {
  const identifier = reference && optionalObject(field(reference, 'identifier'), `${path}.identifier`);
  if (!identifier || field(identifier, 'system') !== system) {
    return undefined;
  }
  const value = field(identifier, 'value');
  return typeof value === 'string' ? value.trim() : undefined;
};

export const hprNumberOf = (requester: JsonObject | undefined, path: string): string | undefined => {
  const hpr = referencedIdentifier(requester, OID.hprNumber, path);
  return hpr === undefined || isValidHprNumber(hpr) ? hpr : reject('invalid HPR number');
};

/** The first performer whose actor carries a HER-id. */
export const herIdOf = (performers: readonly JsonObject[], path: string): string | undefined => {
  for (const performer of performers) {
    const actor = optionalObject(field(performer, 'actor'), `${path}.actor`);
    const herId = referencedIdentifier(actor, OID.herId, `${path}.actor`);
    if (herId !== undefined) {
      return isValidHerId(herId) ? herId : reject('invalid HER-id');
    }
  }
  return undefined;
};

/**
 * The drug of a MedicationRequest/Dispense/Statement: `medicationCodeableConcept`, or `medicationReference` to a
 * contained Medication's `code`. Each coding is read by its system (fest-naming-systems.ts): FEST ids by level,
 * ATC, or kept as it came in `otherCodings` (reported by the import, never compared). One list naming several
 * levels (a brand and its package) is normal. Two different codes for one level are refused: exact matching
 * needs one. A concept with no code and a text is a local (non-catalogue) drug.
 */
export const medicationOf = (resource: JsonObject, path: string): Medication => {
  const concept = conceptOf(resource, path);
  const { ids, atc, others, firstDisplay } = readCodings(
    objectArray(field(concept, 'coding'), `${path}.medicationCodeableConcept.coding`),
  );
  const displayName = optionalText(field(concept, 'text'), `${path}.medicationCodeableConcept.text`) ?? firstDisplay;
  if (displayName === undefined) {
    return reject(`wrong shape: ${path}.medicationCodeableConcept.text`);
  }
  const medication: Medication = {
    ...ids,
    ...(atc === undefined ? {} : { atcCode: atc }),
    displayName,
    ...(others.length === 0 ? {} : { otherCodings: others }),
  };
  try {
    assertMedication(medication);
  } catch (error) {
    if (isDomainError(error)) {
      return reject('invalid medication');
    }
    throw error;
  }
  return medication;
};

const conceptOf = (resource: JsonObject, path: string): JsonObject => {
  const concept = optionalObject(field(resource, 'medicationCodeableConcept'), `${path}.medicationCodeableConcept`);
  if (concept) {
    return concept;
  }
  const reference = requiredObject(field(resource, 'medicationReference'), `${path}.medication[x]`);
  const target = field(reference, 'reference');
  const contained = objectArray(field(resource, 'contained'), `${path}.contained`);
  const medication = contained.find(
    (c) =>
      field(c, 'resourceType') === 'Medication' &&
      typeof target === 'string' &&
      target === `#${String(field(c, 'id'))}`,
  );
  return requiredObject(medication && field(medication, 'code'), `${path}.medicationReference`);
};

interface ReadCodings {
  ids: Partial<Record<FestIdField, string>>;
  atc?: string;
  others: OtherCoding[];
  /** the display of the first FEST or ATC coding that has one (the name when the concept has no text) */
  firstDisplay?: string;
}

const readCodings = (codings: readonly JsonObject[]): ReadCodings => {
  const read: ReadCodings = { ids: {}, others: [] };
  const set = (name: FestIdField | 'atc', code: string): void => {
    const current = name === 'atc' ? read.atc : read.ids[name];
    if (current !== undefined && current !== code) {
      reject('invalid medication'); // two different codes for one level: exact matching needs one
    }
    if (name === 'atc') {
      read.atc = code;
    } else {
      read.ids[name] = code;
    }
  };
  for (const coding of codings) {
    const system = optionalText(field(coding, 'system'), 'coding.system');
    const code = optionalText(field(coding, 'code'), 'coding.code');
    const display = optionalText(field(coding, 'display'), 'coding.display');
    const known =
      system === undefined ? undefined : system === FHIR_SYSTEM.atc ? 'atc' : festNamingSystemOf(system)?.field;
    if (known === undefined) {
      // Unknown (or no) system: kept as it came, reported by the import, never compared.
      read.others.push({
        ...(system === undefined ? {} : { system }),
        ...(code === undefined ? {} : { code }),
        ...(display === undefined ? {} : { display }),
      });
      continue;
    }
    set(known, code ?? reject('invalid medication'));
    read.firstDisplay ??= display;
  }
  return read;
};

/**
 * FHIR MedicationRequest.status → 7408. active → E; on-hold → U (the registry's "locked to one pharmacy" is the
 * nearest FHIR state, and both stay dispensable-in-principle); completed → R (fully dispensed); stopped and
 * cancelled → T (recalled); entered-in-error → T (withdrawn: for the list it is a recall by someone else, so D8
 * surfaces it). draft and unknown have no 7408 meaning and are rejected. A 7408 coding in an extension wins.
 */
const REQUEST_STATUS: Readonly<Record<string, PrescriptionStatusCode>> = {
  active: 'E',
  'on-hold': 'U',
  completed: 'R',
  stopped: 'T',
  cancelled: 'T',
  'entered-in-error': 'T',
};

export const prescriptionStatusOf = (resource: JsonObject, path: string): PrescriptionStatusCode => {
  const direct = statusExtension(resource, path);
  if (direct !== undefined) {
    return isCode(prescriptionStatusCodes, direct) ? direct : reject('unknown status code');
  }
  const status = field(resource, 'status');
  if (typeof status !== 'string') {
    return reject(`wrong shape: ${path}.status`);
  }
  const mapped = Object.prototype.hasOwnProperty.call(REQUEST_STATUS, status) ? REQUEST_STATUS[status] : undefined;
  return mapped ?? reject('unknown status code');
};

const statusExtension = (resource: JsonObject, path: string): unknown => {
  for (const extension of objectArray(field(resource, 'extension'), `${path}.extension`)) {
    const single = optionalObject(field(extension, 'valueCoding'), `${path}.extension.valueCoding`);
    const concept = optionalObject(field(extension, 'valueCodeableConcept'), `${path}.extension.valueCodeableConcept`);
    const inConcept = concept ? objectArray(field(concept, 'coding'), `${path}.extension.coding`) : [];
    const codings = [...(single ? [single] : []), ...inConcept];
    const coding = codings.find((c) => field(c, 'system') === FHIR_SYSTEM.prescriptionStatus);
    if (coding) {
      return field(coding, 'code');
    }
  }
  return undefined;
};
