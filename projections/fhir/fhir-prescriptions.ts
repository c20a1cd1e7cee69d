import type { MedicationDispense, MedicationRequest } from '@medplum/fhirtypes';
import type {
  CurrentEntry,
  DiscontinuedEntry,
  DispensingSummary,
  LinkedPrescription,
  PrescriptionStatus,
} from '../current-medication-list/current-medication-list.document';
import type { Dosage, Medication } from '../../src/medication-list/domain/medication-list.events';
import { OID } from '../../src/identifiers/norwegian-identifiers';
import {
  labelOf,
  prescriptionStatusCodes,
  recallReasonCodes,
} from '../../src/medication-list/domain/medication-list.codes';
import { fhirDosageOf, type ListContext } from './fhir-medication-statement';
import { EXTENSION, VOLVEN, businessId, fhirIdOf, medicationConcept, subjectOf } from './fhir-systems';

/**
 * Prescriptions and dispensings of a list → MedicationRequest and MedicationDispense. Pure. Status: E and U
 * (dispensable, partly dispensed: both still valid orders) → active, R → completed, T → stopped; the exact 7408
 * code travels in an extension, which the feed parser (fhir-elements.ts prescriptionStatusOf) prefers, so the
 * round trip keeps E and U apart.
 */

const REQUEST_STATUS: Readonly<Record<PrescriptionStatus, MedicationRequest['status']>> = {
  E: 'active',
  U: 'active',
  R: 'completed',
  T: 'stopped',
};

const requestReference = (
  list: ListContext,
  prescriptionId: string,
): { reference: string; identifier: ReturnType<typeof businessId> } => ({
  reference: `MedicationRequest/${fhirIdOf(list.listId, 'request', prescriptionId)}`,
  identifier: businessId('prescription', prescriptionId),
});

/** One prescription as the list links it to an entry (validity, dispensings allowed and left, renewal chain). */
export const requestOf = (
  list: ListContext,
  prescription: LinkedPrescription,
  medication: Medication,
  dosage: Dosage,
): MedicationRequest => ({
  resourceType: 'MedicationRequest',
  id: fhirIdOf(list.listId, 'request', prescription.prescriptionId),
  meta: { lastUpdated: prescription.recalledAt ?? prescription.issuedAt },
  extension: [
    {
      url: EXTENSION.prescriptionStatus,
      valueCoding: {
        system: VOLVEN('7408'),
        code: prescription.status,
        display: labelOf(prescriptionStatusCodes, prescription.status) ?? prescription.status,
      },
    },
    ...(prescription.dispensingsLeft === null
      ? []
      : [{ url: EXTENSION.dispensingsLeft, valueInteger: prescription.dispensingsLeft }]),
  ],
  identifier: [businessId('prescription', prescription.prescriptionId)],
  status: REQUEST_STATUS[prescription.status],
  ...(prescription.recallReasonCode === null
    ? {}
    : {
        statusReason: {
          coding: [
            {
              system: VOLVEN('7500'),
              code: prescription.recallReasonCode,
              display: labelOf(recallReasonCodes, prescription.recallReasonCode) ?? prescription.recallReasonCode,
            },
          ],
        },
      }),
  intent: 'order',
  medicationCodeableConcept: medicationConcept(medication),
  subject: subjectOf(list.patient, list.listId),
  authoredOn: prescription.issuedAt,
  dosageInstruction: fhirDosageOf(dosage),
  dispenseRequest: {
    validityPeriod: { start: prescription.issuedAt, end: prescription.expiresOn },
    // FHIR counts repeats after the first dispensing; the list counts dispensings.
    ...(prescription.dispensingsAllowed === null
      ? {}
      : { numberOfRepeatsAllowed: Math.max(prescription.dispensingsAllowed - 1, 0) }),
  },
  ...(prescription.renewsPrescriptionId === null
    ? {}
    : { priorPrescription: requestReference(list, prescription.renewsPrescriptionId) }),
});

/** One non-annulled dispensing (M10). */
export const dispenseOf = (list: ListContext, dispensing: DispensingSummary): MedicationDispense => ({
  resourceType: 'MedicationDispense',
  id: fhirIdOf(list.listId, 'dispense', dispensing.dispensingId),
  meta: { lastUpdated: dispensing.dispensedAt },
  extension: [{ url: EXTENSION.prescriptionUsedUp, valueBoolean: dispensing.prescriptionUsedUp }],
  identifier: [businessId('dispensing', dispensing.dispensingId)],
  status: 'completed',
  medicationCodeableConcept: medicationConcept(dispensing.product),
  subject: subjectOf(list.patient, list.listId),
  performer: [{ actor: { identifier: { system: OID.herId, value: dispensing.pharmacyHerId } } }],
  authorizingPrescription: [requestReference(list, dispensing.prescriptionId)],
  quantity: { value: dispensing.quantity.value, unit: dispensing.quantity.unit },
  whenHandedOver: dispensing.dispensedAt,
});

type AnyEntry = CurrentEntry | DiscontinuedEntry;

/** Every prescription linked to an entry of the list (current and discontinued entries), in list order. */
export const requestsOfEntries = (list: ListContext, entries: readonly AnyEntry[]): MedicationRequest[] =>
  entries.flatMap((entry) =>
    entry.prescription === null ? [] : [requestOf(list, entry.prescription, entry.medication, entry.dosage)],
  );

/** Every non-annulled dispensing the list keeps (all of a current entry's; a discontinued entry's last one). */
export const dispensesOfEntries = (list: ListContext, entries: readonly AnyEntry[]): MedicationDispense[] => {
  const seen = new Set<string>();
  return entries
    .flatMap((entry) =>
      'dispensings' in entry ? entry.dispensings : entry.lastDispensing === null ? [] : [entry.lastDispensing],
    )
    .filter((dispensing) => {
      if (seen.has(dispensing.dispensingId)) {
        return false;
      }
      seen.add(dispensing.dispensingId);
      return true;
    })
    .map((dispensing) => dispenseOf(list, dispensing));
};
