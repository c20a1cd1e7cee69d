import type { Bundle, BundleEntry, List, MedicationStatement, Resource } from '@medplum/fhirtypes';
import type { CurrentMedicationListDocument } from '../current-medication-list/current-medication-list.document';
import {
  type ListContext,
  statementOfDiscontinued,
  statementOfEntry,
  statementOfRetracted,
} from './fhir-medication-statement';
import { fhirIdOf, subjectOf } from './fhir-systems';

/**
 * The current medication list → a FHIR R4 List (mode snapshot) whose entries reference one MedicationStatement
 * per list entry; plus the statements themselves and the Bundles the API answers with. Pure.
 * `meta.versionId` is the list version (what `If-Match` compares), so `_history` has one version per list version.
 */

/** LOINC 10160-0 "History of Medication use Narrative": the code FHIR's medication-list examples use. */
const MEDICATION_LIST_CODE = {
  system: 'http://loinc.org',
  code: '10160-0',
  display: 'History of Medication use Narrative',
};

const contextOf = (document: CurrentMedicationListDocument, patient: ListContext['patient']): ListContext => ({
  listId: document.listId,
  ...(patient === undefined ? {} : { patient }),
});

/** Every MedicationStatement of a list: active and paused, discontinued (shown 90 days), retracted. */
export const statementsOf = (
  document: CurrentMedicationListDocument,
  patient?: ListContext['patient'],
): MedicationStatement[] => {
  const list = contextOf(document, patient);
  return [
    ...document.entries.map((entry) => statementOfEntry(list, entry)),
    ...document.discontinued.map((entry) => statementOfDiscontinued(list, entry)),
    ...document.retracted.map((entry) => statementOfRetracted(list, entry)),
  ];
};

/** The date of the list's last change, else undefined (an empty list never changed). */
const lastChangeOf = (document: CurrentMedicationListDocument): string | undefined => document.recentChanges.at(-1)?.at;

/**
 * The List. Entries: active and paused treatments, then discontinued ones (flagged "seponert"); retracted entries
 * are not on the list (their statements say entered-in-error).
 */
export const listOf = (document: CurrentMedicationListDocument, patient?: ListContext['patient']): List => {
  const list = contextOf(document, patient);
  const lastChange = lastChangeOf(document);
  const entries: List['entry'] = [
    ...document.entries.map((entry) => ({
      item: { reference: `MedicationStatement/${fhirIdOf(list.listId, 'statement', entry.entryId)}` },
      ...(entry.status === 'paused' ? { flag: { text: 'pauset' } } : {}),
    })),
    ...document.discontinued.map((entry) => ({
      item: { reference: `MedicationStatement/${fhirIdOf(list.listId, 'statement', entry.entryId)}` },
      flag: { text: 'seponert' },
    })),
  ];
  return {
    resourceType: 'List',
    id: list.listId,
    meta: { versionId: String(document.version), ...(lastChange === undefined ? {} : { lastUpdated: lastChange }) },
    status: 'current',
    mode: 'snapshot',
    title: 'Pasientens legemiddelliste',
    code: { coding: [MEDICATION_LIST_CODE] },
    subject: subjectOf(list.patient, list.listId),
    ...(lastChange === undefined ? {} : { date: lastChange }),
    ...(entries.length === 0
      ? {
          emptyReason: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason', code: 'nilknown' }],
          },
        }
      : { entry: entries }),
  };
};

/** A searchset Bundle (matches first, `_include`d resources after them). */
export const searchsetOf = (
  baseUrl: string,
  matches: readonly Resource[],
  included: readonly Resource[] = [],
): Bundle => ({
  resourceType: 'Bundle',
  type: 'searchset',
  total: matches.length,
  entry: [
    ...matches.map((resource): BundleEntry => ({
      fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id ?? ''}`,
      resource,
      search: { mode: 'match' },
    })),
    ...included.map((resource): BundleEntry => ({
      fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id ?? ''}`,
      resource,
      search: { mode: 'include' },
    })),
  ],
});

/** A history Bundle of one List, newest version first (FHIR's order for _history). */
export const historyOf = (baseUrl: string, versions: readonly List[]): Bundle => ({
  resourceType: 'Bundle',
  type: 'history',
  total: versions.length,
  entry: [...versions].reverse().map((resource): BundleEntry => ({
    fullUrl: `${baseUrl}/List/${resource.id ?? ''}`,
    resource,
    request: { method: resource.meta?.versionId === '1' ? 'POST' : 'PUT', url: `List/${resource.id ?? ''}` },
    response: {
      status: resource.meta?.versionId === '1' ? '201 Created' : '200 OK',
      etag: `W/"${resource.meta?.versionId ?? ''}"`,
    },
  })),
});
