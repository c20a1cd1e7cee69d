import type { DispensingSummary } from '../../projections/current-medication-list/current-medication-list.document';
import { EXTENSION } from '../../projections/fhir/fhir-systems';
import type { ExternalDispensing } from '../reconciliation/domain/external-record';
import { FeedRecordRejectedError, type RejectionReason } from '../reconciliation/feeds/fhir-read';
import { cleanFhirResource } from '../reconciliation/feeds/fhir-ndjson.feed';
import { toExternalRecord } from '../reconciliation/feeds/fhir-resources';
import { InvalidTextError } from '../shared/text/free-text';
import { FhirRequestError } from './fhir.errors';

/**
 * A posted MedicationDispense → what the RecordDispensing / AnnulDispensing commands need. Read by the feed
 * parser (the mapping the round-trip property pins), so the interface and the e-prescription feed accept the same
 * resources; its fixed rejection reasons become 400 with a FHIRPath expression to the field. Pure.
 */

export interface DispenseInput {
  readonly patientId: string;
  readonly annul: boolean;
  /**
   * The performer's HER-id, if the body names one: a dispensing is recorded under the caller's organisation's
   * HER-id from the register, and naming another is refused (issue 15). An annulment must still name it.
   */
  readonly claimedHerId?: string;
  readonly dispensing: Omit<DispensingSummary, 'pharmacyHerId'>;
}

const EXPRESSION: Readonly<Partial<Record<RejectionReason, string>>> = {
  'not a JSON object': 'MedicationDispense',
  'missing identifier': 'MedicationDispense.identifier',
  'invalid identifier': 'MedicationDispense.identifier',
  'missing patient identifier': 'MedicationDispense.subject.identifier',
  'unknown patient identifier system': 'MedicationDispense.subject.identifier.system',
  'invalid patient identifier': 'MedicationDispense.subject.identifier.value',
  'unknown status code': 'MedicationDispense.status',
  'dispense not completed': 'MedicationDispense.status',
  'invalid medication': 'MedicationDispense.medicationCodeableConcept',
  'invalid date': 'MedicationDispense.whenHandedOver',
  'invalid HER-id': 'MedicationDispense.performer.actor.identifier',
};

const invalid = (message: string, expression: string): FhirRequestError =>
  new FhirRequestError(400, 'invalid', message, expression);

const usedUpOf = (body: object): boolean => {
  const extensions: unknown = Reflect.get(body, 'extension');
  const found = Array.isArray(extensions)
    ? (extensions as unknown[]).find(
        (e) => typeof e === 'object' && e !== null && Reflect.get(e, 'url') === EXTENSION.prescriptionUsedUp,
      )
    : undefined;
  const value: unknown = found === undefined ? false : Reflect.get(found as object, 'valueBoolean');
  if (typeof value !== 'boolean') {
    throw invalid('prescription-used-up needs valueBoolean', 'MedicationDispense.extension.valueBoolean');
  }
  return value;
};

/** The feed's text rule (cleanFhirResource): a string with a control or bidi character is 400 at its FHIRPath. */
const cleanedText = (body: object): unknown => {
  try {
    return cleanFhirResource(body);
  } catch (error) {
    if (error instanceof InvalidTextError) {
      throw new FhirRequestError(
        400,
        'invalid',
        `invalid text: ${error.field}`,
        `MedicationDispense.${error.field}`,
        'INVALID_TEXT',
      );
    }
    throw error;
  }
};

export const dispenseInputOf = (body: unknown): DispenseInput => {
  if (typeof body !== 'object' || body === null || Reflect.get(body, 'resourceType') !== 'MedicationDispense') {
    throw invalid('the body must be a MedicationDispense', 'MedicationDispense.resourceType');
  }
  let record: ExternalDispensing;
  try {
    const outcome = toExternalRecord(cleanedText(body), 'eprescription');
    if (!('record' in outcome) || outcome.record.kind !== 'dispensing') {
      throw invalid('the body must be a MedicationDispense', 'MedicationDispense.resourceType');
    }
    record = outcome.record;
  } catch (error) {
    if (error instanceof FeedRecordRejectedError) {
      const path = error.reason.startsWith('wrong shape: ')
        ? error.reason.slice('wrong shape: '.length)
        : EXPRESSION[error.reason];
      throw invalid(error.reason, path ?? 'MedicationDispense');
    }
    throw error;
  }
  const prescriptionId =
    record.prescriptionId ??
    fail('authorizingPrescription.identifier is required', 'MedicationDispense.authorizingPrescription.identifier');
  const claimedHerId =
    record.pharmacyHerId ??
    (record.annulled
      ? fail('a performer with a HER-id is required', 'MedicationDispense.performer.actor.identifier')
      : undefined);
  return {
    patientId: record.patientId,
    annul: record.annulled,
    ...(claimedHerId === undefined ? {} : { claimedHerId }),
    dispensing: {
      dispensingId: record.dispensingId,
      prescriptionId,
      dispensedAt: record.dispensedAt,
      product: record.product,
      quantity: record.quantity,
      prescriptionUsedUp: usedUpOf(body),
    },
  };
};

function fail(message: string, expression: string): never {
  throw invalid(message, expression);
}

/** `If-None-Exist: identifier=[system|]value`: the dispensing id asked about. */
export const ifNoneExistOf = (raw: string | undefined): string | undefined => {
  if (raw === undefined) {
    return undefined;
  }
  const match = /^identifier=(?:[^|&]*\|)?([^&|]+)$/.exec(raw.trim());
  if (match === null) {
    throw new FhirRequestError(
      400,
      'invalid',
      'If-None-Exist supports identifier=[system|]value only',
      'If-None-Exist',
    );
  }
  return decodeURIComponent(match[1] ?? '');
};

/** `If-Match: W/"<list version>"`. */
export const ifMatchOf = (raw: string | undefined): number | undefined => {
  if (raw === undefined) {
    return undefined;
  }
  const match = /^(?:W\/)?"(\d{1,9})"$/.exec(raw.trim());
  if (match === null) {
    throw new FhirRequestError(400, 'invalid', 'If-Match must be W/"<list version>"', 'If-Match');
  }
  return Number(match[1]);
};
