import type { Quantity } from '../../medication-list/domain/medication-list.events';
import { datePart } from '../../medication-list/domain/medication-list.validation';
import type {
  ExternalDispensing,
  ExternalPrescription,
  ExternalRecord,
  ExternalStatement,
  FeedSource,
  StatementStatus,
} from '../domain/external-record';
import { fromFhirDosage } from './fhir-dosage';
import {
  businessIdentifier,
  checkedId,
  herIdOf,
  hprNumberOf,
  medicationOf,
  mentionedIdentifier,
  patientOf,
  prescriptionStatusOf,
} from './fhir-elements';
import {
  FeedRecordRejectedError,
  field,
  isJsonObject,
  objectArray,
  optionalDateTime,
  optionalNumber,
  optionalObject,
  optionalText,
  reject,
  requiredDateTime,
  requiredObject,
  type JsonObject,
} from './fhir-read';

/**
 * One FHIR R4 resource → one external record, or "skipped" for a resource type the feed does not carry for us.
 * Which types each feed carries (the issue text): the e-prescription registry sends MedicationRequest and
 * MedicationDispense; the core record sends MedicationDispense and MedicationStatement. Everything else,
 * including a MedicationRequest in the core-record feed (the registry is the authority on prescriptions), is
 * skipped and counted. A resource is mapped whole or not at all: any problem throws FeedRecordRejectedError.
 */
export type ResourceOutcome = { readonly record: ExternalRecord } | { readonly skipped: string };

const ACCEPTED: Readonly<Record<FeedSource, ReadonlySet<string>>> = {
  eprescription: new Set(['MedicationRequest', 'MedicationDispense']),
  'core-record': new Set(['MedicationDispense', 'MedicationStatement']),
};

// A resourceType is reported back (skipped counts), so it must look like one: an fnr never matches this.
const RESOURCE_TYPE = /^[A-Z][A-Za-z]{0,63}$/;

export const resourceTypeOf = (resource: unknown): string | undefined => {
  const type = isJsonObject(resource) ? field(resource, 'resourceType') : undefined;
  return typeof type === 'string' && RESOURCE_TYPE.test(type) ? type : undefined;
};

export const toExternalRecord = (resource: unknown, source: FeedSource): ResourceOutcome => {
  if (!isJsonObject(resource)) {
    return reject('not a JSON object');
  }
  const type = resourceTypeOf(resource) ?? reject('wrong shape: resourceType');
  if (!ACCEPTED[source].has(type)) {
    return { skipped: type };
  }
  switch (type) {
    case 'MedicationRequest':
      return { record: prescriptionFrom(resource) };
    case 'MedicationDispense':
      return { record: dispensingFrom(resource, source) };
    default:
      return { record: statementFrom(resource, source) };
  }
};

/** The patient of a resource that was rejected, when its subject itself is valid (for all-or-nothing per patient). */
export const patientHintOf = (resource: unknown): string | undefined => {
  try {
    return isJsonObject(resource) ? patientOf(resource, 'resource') : undefined;
  } catch (error) {
    if (error instanceof FeedRecordRejectedError) {
      return undefined;
    }
    throw error;
  }
};

const REQ = 'MedicationRequest';

const prescriptionFrom = (r: JsonObject): ExternalPrescription => {
  const prescriptionId = businessIdentifier(r, REQ, 'reseptid') ?? reject('missing identifier');
  const patientId = patientOf(r, REQ);
  const status = prescriptionStatusOf(r, REQ);
  const medication = medicationOf(r, REQ);
  const issuedAt = requiredDateTime(field(r, 'authoredOn'), `${REQ}.authoredOn`);
  const dispenseRequest = optionalObject(field(r, 'dispenseRequest'), `${REQ}.dispenseRequest`);
  const request = `${REQ}.dispenseRequest`;
  const validity =
    dispenseRequest && optionalObject(field(dispenseRequest, 'validityPeriod'), `${request}.validityPeriod`);
  const validTo = validity && optionalDateTime(field(validity, 'end'), `${request}.validityPeriod.end`);
  const repeats =
    dispenseRequest &&
    optionalNumber(field(dispenseRequest, 'numberOfRepeatsAllowed'), `${request}.numberOfRepeatsAllowed`);
  if (repeats !== undefined && (!Number.isInteger(repeats) || repeats < 0)) {
    reject(`wrong shape: ${request}.numberOfRepeatsAllowed`);
  }
  const prescriberHpr = hprNumberOf(optionalObject(field(r, 'requester'), `${REQ}.requester`), `${REQ}.requester`);
  const instructions = objectArray(field(r, 'dosageInstruction'), `${REQ}.dosageInstruction`);
  const { dosage, dosageText } = fromFhirDosage(instructions, datePart(issuedAt));
  return {
    kind: 'prescription',
    source: 'eprescription',
    prescriptionId,
    patientId,
    status,
    medication,
    ...(dosage === undefined ? {} : { dosage }),
    ...(dosageText === undefined ? {} : { dosageText }),
    issuedAt,
    ...(validTo === undefined ? {} : { expiresOn: datePart(validTo) }),
    // FHIR counts repeats after the first dispensing; the list counts dispensings.
    ...(repeats === undefined ? {} : { dispensingsAllowed: repeats + 1 }),
    ...(prescriberHpr === undefined ? {} : { prescriberHpr }),
  };
};

const DISP = 'MedicationDispense';
const NOT_COMPLETED = new Set(['preparation', 'in-progress', 'cancelled', 'on-hold', 'stopped', 'declined', 'unknown']);

const dispensingFrom = (r: JsonObject, source: FeedSource): ExternalDispensing => {
  const dispensingId = businessIdentifier(r, DISP, 'utlevering') ?? reject('missing identifier');
  const patientId = patientOf(r, DISP);
  const status = field(r, 'status');
  // entered-in-error is the pharmacy's annulment (M10 with Annullering); a dispensing not handed over is no fact.
  if (status !== 'completed' && status !== 'entered-in-error') {
    return typeof status !== 'string'
      ? reject(`wrong shape: ${DISP}.status`)
      : reject(NOT_COMPLETED.has(status) ? 'dispense not completed' : 'unknown status code');
  }
  const authorizing = objectArray(field(r, 'authorizingPrescription'), `${DISP}.authorizingPrescription`)[0];
  const reference =
    authorizing && optionalObject(field(authorizing, 'identifier'), `${DISP}.authorizingPrescription.identifier`);
  const prescriptionId = reference && checkedId(field(reference, 'value'));
  const dispensedAt = requiredDateTime(field(r, 'whenHandedOver'), `${DISP}.whenHandedOver`);
  const quantity = quantityOf(requiredObject(field(r, 'quantity'), `${DISP}.quantity`));
  const product = medicationOf(r, DISP);
  const pharmacyHerId = herIdOf(objectArray(field(r, 'performer'), `${DISP}.performer`), `${DISP}.performer`);
  return {
    kind: 'dispensing',
    source,
    dispensingId,
    ...(prescriptionId === undefined ? {} : { prescriptionId }),
    patientId,
    dispensedAt,
    product,
    quantity,
    ...(pharmacyHerId === undefined ? {} : { pharmacyHerId }),
    annulled: status === 'entered-in-error',
  };
};

const quantityOf = (quantity: JsonObject): Quantity => {
  const value = optionalNumber(field(quantity, 'value'), `${DISP}.quantity.value`);
  const unit =
    optionalText(field(quantity, 'unit'), `${DISP}.quantity.unit`) ??
    optionalText(field(quantity, 'code'), `${DISP}.quantity.code`);
  return value !== undefined && value > 0 && unit !== undefined
    ? { value, unit }
    : reject(`wrong shape: ${DISP}.quantity`);
};

const STMT = 'MedicationStatement';
const STATEMENT_STATUSES: ReadonlySet<string> = new Set<StatementStatus>([
  'active',
  'completed',
  'entered-in-error',
  'intended',
  'stopped',
  'on-hold',
  'unknown',
  'not-taken',
]);
const isStatementStatus = (status: unknown): status is StatementStatus =>
  typeof status === 'string' && STATEMENT_STATUSES.has(status);

const statementFrom = (r: JsonObject, source: FeedSource): ExternalStatement => {
  // SFM puts the ReseptId among the statement's identifiers; FHIR proper uses basedOn.
  const basedOn = objectArray(field(r, 'basedOn'), `${STMT}.basedOn`)[0];
  const basedOnId = basedOn && optionalObject(field(basedOn, 'identifier'), `${STMT}.basedOn.identifier`);
  const prescriptionId =
    mentionedIdentifier(r, STMT, 'reseptid') ?? (basedOnId && checkedId(field(basedOnId, 'value')));
  const statementId = otherIdentifier(r, prescriptionId);
  const patientId = patientOf(r, STMT);
  const status = field(r, 'status');
  if (!isStatementStatus(status)) {
    return typeof status === 'string' ? reject('unknown status code') : reject(`wrong shape: ${STMT}.status`);
  }
  const medication = medicationOf(r, STMT);
  const period = optionalObject(field(r, 'effectivePeriod'), `${STMT}.effectivePeriod`);
  const effectiveFrom =
    optionalDateTime(field(r, 'effectiveDateTime'), `${STMT}.effectiveDateTime`) ??
    (period && optionalDateTime(field(period, 'start'), `${STMT}.effectivePeriod.start`));
  const effectiveTo = period && optionalDateTime(field(period, 'end'), `${STMT}.effectivePeriod.end`);
  const instructions = objectArray(field(r, 'dosage'), `${STMT}.dosage`);
  const startDate = effectiveFrom === undefined ? undefined : datePart(effectiveFrom);
  const { dosage, dosageText } = fromFhirDosage(instructions, startDate);
  return {
    kind: 'statement',
    source,
    ...(statementId === undefined ? {} : { statementId }),
    ...(prescriptionId === undefined ? {} : { prescriptionId }),
    patientId,
    status,
    medication,
    ...(dosage === undefined ? {} : { dosage }),
    ...(dosageText === undefined ? {} : { dosageText }),
    ...(effectiveFrom === undefined ? {} : { effectiveFrom }),
    ...(effectiveTo === undefined ? {} : { effectiveTo }),
  };
};

/** The statement's own identifier: the first one that is not the prescription id. */
const otherIdentifier = (r: JsonObject, prescriptionId: string | undefined): string | undefined => {
  const values = objectArray(field(r, 'identifier'), `${STMT}.identifier`)
    .map((identifier) => field(identifier, 'value'))
    .filter((value) => typeof value === 'string' && value.trim() !== prescriptionId);
  return checkedId(values[0]);
};
