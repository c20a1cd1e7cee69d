import type { Dosage as FhirDosage, Extension, MedicationStatement } from '@medplum/fhirtypes';
import type {
  CurrentEntry,
  DiscontinuedEntry,
  LinkedPrescription,
  MultidosePackingStatus,
  RetractedEntry,
} from '../current-medication-list/current-medication-list.document';
import type { Dosage } from '../../src/medication-list/domain/medication-list.events';
import { discontinuationReasonCodes, labelOf, useCodes } from '../../src/medication-list/domain/medication-list.codes';
import { toFhirDosage } from '../../src/reconciliation/feeds/fhir-dosage';
import {
  EXTENSION,
  type FhirPatient,
  VOLVEN,
  businessId,
  fhirIdOf,
  medicationConcept,
  subjectOf,
} from './fhir-systems';

/**
 * One list entry (LIB-oppføring) → one FHIR R4 MedicationStatement. Pure. Status: active → active, paused →
 * on-hold, discontinued → stopped with the 7494 reason as a coded statusReason, retracted → entered-in-error.
 * The dosage is the feed parser's inverse (toFhirDosage): one Dosage per dose, tapering periods as separate
 * dosages with `timing.repeat.boundsPeriod`, as-needed with `maxDosePerPeriod`.
 */

/** What every part of one list needs: its id and, when known, its patient. */
export interface ListContext {
  readonly listId: string;
  readonly patient?: FhirPatient;
}

/**
 * Our dosage as FHIR Dosage elements. toFhirDosage writes plain JSON in exactly the Dosage shape (the validator
 * spec checks every generated dosage); a dosage with only a text instruction keeps its text here.
 */
export const fhirDosageOf = (dosage: Dosage): FhirDosage[] => {
  const elements = toFhirDosage(dosage) as FhirDosage[];
  const text = dosage.instruction ?? dosage.shortCode;
  return elements.length === 0 && text !== undefined ? [{ text }] : elements;
};

const multidoseExtension = (status: MultidosePackingStatus): Extension => ({
  url: EXTENSION.multidose,
  valueCode: status,
});

const useCategory = (use: CurrentEntry['use']): MedicationStatement['category'] => ({
  coding: [{ system: VOLVEN('9101'), code: use, display: labelOf(useCodes, use) ?? use }],
});

const basedOn = (list: ListContext, prescription: LinkedPrescription | null): Pick<MedicationStatement, 'basedOn'> =>
  prescription === null
    ? {}
    : {
        basedOn: [
          {
            reference: `MedicationRequest/${fhirIdOf(list.listId, 'request', prescription.prescriptionId)}`,
            identifier: businessId('prescription', prescription.prescriptionId),
          },
        ],
      };

const common = (
  list: ListContext,
  entryId: string,
): Pick<MedicationStatement, 'resourceType' | 'id' | 'identifier' | 'subject'> => ({
  resourceType: 'MedicationStatement',
  id: fhirIdOf(list.listId, 'statement', entryId),
  identifier: [businessId('entry', entryId)],
  subject: subjectOf(list.patient, list.listId),
});

/** An active or paused entry. */
export const statementOfEntry = (list: ListContext, entry: CurrentEntry): MedicationStatement => ({
  ...common(list, entry.entryId),
  meta: { lastUpdated: entry.changedAt },
  extension: [multidoseExtension(entry.multidose)],
  ...basedOn(list, entry.prescription),
  status: entry.status === 'paused' ? 'on-hold' : 'active',
  ...(entry.status === 'paused' && entry.pauseReason !== null ? { statusReason: [{ text: entry.pauseReason }] } : {}),
  category: useCategory(entry.use),
  medicationCodeableConcept: medicationConcept(entry.medication),
  effectivePeriod: { start: entry.startedOn },
  dateAsserted: entry.changedAt,
  ...(entry.indication === null ? {} : { reasonCode: [{ text: entry.indication }] }),
  dosage: fhirDosageOf(entry.dosage),
});

/** A discontinued entry (seponert): stopped, with the reason from code list 7494. */
export const statementOfDiscontinued = (list: ListContext, entry: DiscontinuedEntry): MedicationStatement => ({
  ...common(list, entry.entryId),
  meta: { lastUpdated: entry.discontinuedAt },
  ...basedOn(list, entry.prescription),
  status: 'stopped',
  statusReason: [
    {
      coding: [
        {
          system: VOLVEN('7494'),
          code: entry.reasonCode,
          display: labelOf(discontinuationReasonCodes, entry.reasonCode) ?? entry.reasonCode,
        },
      ],
      ...(entry.note === null ? {} : { text: entry.note }),
    },
  ],
  category: useCategory(entry.use),
  medicationCodeableConcept: medicationConcept(entry.medication),
  effectivePeriod: { start: entry.startedOn, end: entry.discontinuedAt },
  dateAsserted: entry.discontinuedAt,
  ...(entry.indication === null ? {} : { reasonCode: [{ text: entry.indication }] }),
  dosage: fhirDosageOf(entry.dosage),
});

/** An entry retracted as a registration error: only what the list keeps of it. */
export const statementOfRetracted = (list: ListContext, entry: RetractedEntry): MedicationStatement => ({
  ...common(list, entry.entryId),
  meta: { lastUpdated: entry.at },
  status: 'entered-in-error',
  statusReason: [{ text: entry.reason }],
  medicationCodeableConcept: { text: entry.displayName ?? 'Ukjent legemiddel (feilregistrert)' },
  dateAsserted: entry.at,
});
