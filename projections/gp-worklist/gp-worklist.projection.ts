import type { Projection, ProjectionEvent } from '../projection';
import {
  MEDICATION_LIST_STREAM_PREFIX,
  type MultidoseEnded,
  type MultidoseRegistered,
  type PrescriptionIssued,
} from '../../src/medication-list/domain/medication-list.events';
import {
  RECONCILIATION_STREAM_PREFIX,
  type DiscrepancyCleared,
  type DiscrepancyDetected,
  type DiscrepancyResolved,
} from '../../src/reconciliation/domain/reconciliation.events';

/**
 * The GP worklist (issue 4): the open discrepancies of the patients one responsible doctor answers for, by HPR
 * number. Responsible for a patient (the rule, docs/reconciliation.md): the registered multidose-responsible doctor
 * (M27.1) AND the HPR number of whoever issued the latest prescription on the list (the actor of the latest
 * PrescriptionIssued that carries an HPR number): the GP who prescribes is the one who reconciles.
 *
 * A projection's document ids come from the event alone, so the worklist is two kinds of document:
 *  - `patient:<listId>`: one per patient list (the uuid shared by `medicationList-` and `reconciliation-`
 *    streams): who is responsible now, and the open discrepancies;
 *  - `gp:<hpr>:<listId>`: one small membership document per doctor and list the doctor has ever been made
 *    responsible for; the query finds a doctor's lists by the prefix `gp:<hpr>:`, in list-id order. Membership only
 *    grows (the event that hands a patient to another doctor does not name the previous one); the query keeps a list
 *    only while the patient document still names this doctor. Version 1 kept one `gp:<hpr>` document with every
 *    list id, rewritten whole on each prescription (hundreds of KB per doctor at 100k patients).
 */
export const GP_WORKLIST_PROJECTION = 'gpWorklist.v2';

export interface OpenDiscrepancy {
  readonly key: string;
  readonly code: string;
  readonly severity: 'warning' | 'info';
  readonly entryId: string | null;
  readonly prescriptionId: string | null;
  readonly dispensingId: string | null;
  readonly feedSource: string;
  readonly detectedAt: string;
}

export interface WorklistPatientDocument {
  readonly kind: 'patient';
  readonly listId: string;
  /** from DiscrepancyDetected (event data); null until the first discrepancy */
  readonly patientId: string | null;
  readonly multidoseDoctorHpr: string | null;
  readonly lastPrescriberHpr: string | null;
  /** open discrepancies in key order */
  readonly open: readonly OpenDiscrepancy[];
  readonly lastPosition: string | null;
}

/** The doctor has been made responsible for the list (at some point; see isResponsible for now). */
export interface WorklistMembershipDocument {
  readonly kind: 'member';
  readonly hprNumber: string;
  readonly listId: string;
  readonly lastPosition: string | null;
}

export type GpWorklistDocument = WorklistPatientDocument | WorklistMembershipDocument;

const PATIENT_PREFIX = 'patient:';
const DOCTOR_PREFIX = 'gp:';

export const patientDocumentId = (listId: string): string => `${PATIENT_PREFIX}${listId}`;
/**
 * The id prefix of a doctor's membership documents. HPR numbers are digits (checked where they enter: the token
 * and the multidose command), so `:` ends the number and one doctor's prefix never covers another's.
 */
export const doctorIdPrefix = (hprNumber: string): string => `${DOCTOR_PREFIX}${hprNumber}:`;
export const membershipDocumentId = (hprNumber: string, listId: string): string =>
  `${doctorIdPrefix(hprNumber)}${listId}`;

type Handled =
  | PrescriptionIssued
  | MultidoseRegistered
  | MultidoseEnded
  | DiscrepancyDetected
  | DiscrepancyCleared
  | DiscrepancyResolved;
const HANDLED: readonly Handled['type'][] = [
  'PrescriptionIssued',
  'MultidoseRegistered',
  'MultidoseEnded',
  'DiscrepancyDetected',
  'DiscrepancyCleared',
  'DiscrepancyResolved',
];
const isHandled = (event: { type: string; data: unknown }): event is Handled =>
  (HANDLED as readonly string[]).includes(event.type);

const listIdOf = (event: ProjectionEvent): string | undefined => {
  const prefix = [MEDICATION_LIST_STREAM_PREFIX, RECONCILIATION_STREAM_PREFIX].find((p) =>
    event.streamName.startsWith(p),
  );
  return prefix === undefined ? undefined : event.streamName.slice(prefix.length);
};

/** The prescriber HPR of a PrescriptionIssued: only a prescriber's own HPR number makes them responsible. */
const prescriberHprOf = (event: ProjectionEvent): string | undefined =>
  event.metadata.actor.role === 'prescriber' ? event.metadata.actor.hprNumber : undefined;

/** The doctor an event makes responsible, if any. */
const newlyResponsible = (event: ProjectionEvent, handled: Handled): string | undefined => {
  switch (handled.type) {
    case 'PrescriptionIssued':
      return prescriberHprOf(event);
    case 'MultidoseRegistered':
      return handled.data.responsibleDoctorHpr;
    default:
      return undefined;
  }
};

const documentIds = (event: ProjectionEvent): string[] => {
  const handled = { type: event.type, data: event.data };
  const listId = listIdOf(event);
  if (listId === undefined || !isHandled(handled)) {
    return [];
  }
  const doctor = newlyResponsible(event, handled);
  return doctor === undefined
    ? [patientDocumentId(listId)]
    : [patientDocumentId(listId), membershipDocumentId(doctor, listId)];
};

/** Membership ids split at the last `:` (list ids are uuids, without one). */
const initialDocument = (documentId: string): GpWorklistDocument => {
  if (documentId.startsWith(DOCTOR_PREFIX)) {
    const colon = documentId.lastIndexOf(':');
    return {
      kind: 'member',
      hprNumber: documentId.slice(DOCTOR_PREFIX.length, colon),
      listId: documentId.slice(colon + 1),
      lastPosition: null,
    };
  }
  return {
    kind: 'patient',
    listId: documentId.slice(PATIENT_PREFIX.length),
    patientId: null,
    multidoseDoctorHpr: null,
    lastPrescriberHpr: null,
    open: [],
    lastPosition: null,
  };
};

const openOf = (data: DiscrepancyDetected['data']): OpenDiscrepancy => ({
  key: data.key,
  code: data.code,
  severity: data.severity,
  entryId: data.entryId ?? null,
  prescriptionId: data.prescriptionId ?? null,
  dispensingId: data.dispensingId ?? null,
  feedSource: data.feedSource,
  detectedAt: data.detectedAt,
});

const evolvePatient = (
  doc: WorklistPatientDocument,
  event: ProjectionEvent,
  handled: Handled,
): WorklistPatientDocument => {
  switch (handled.type) {
    case 'PrescriptionIssued': {
      const hpr = prescriberHprOf(event);
      return hpr === undefined ? doc : { ...doc, lastPrescriberHpr: hpr };
    }
    case 'MultidoseRegistered':
      return { ...doc, multidoseDoctorHpr: handled.data.responsibleDoctorHpr };
    case 'MultidoseEnded':
      return { ...doc, multidoseDoctorHpr: null };
    case 'DiscrepancyDetected': {
      const open = [...doc.open.filter((d) => d.key !== handled.data.key), openOf(handled.data)];
      return {
        ...doc,
        patientId: handled.data.patientId,
        open: open.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
      };
    }
    case 'DiscrepancyCleared':
    case 'DiscrepancyResolved':
      return { ...doc, open: doc.open.filter((d) => d.key !== handled.data.key) };
  }
};

/** Pure: skips events at or before the document's last position, so a replay changes nothing. */
const evolve = (document: GpWorklistDocument, event: ProjectionEvent): GpWorklistDocument => {
  if (document.lastPosition !== null && BigInt(event.position) <= BigInt(document.lastPosition)) {
    return document;
  }
  const handled = { type: event.type, data: event.data };
  if (!isHandled(handled)) {
    return { ...document, lastPosition: event.position };
  }
  // a membership document is all in its id: applying an event to it only records the position
  const next = document.kind === 'member' ? document : evolvePatient(document, event, handled);
  return { ...next, lastPosition: event.position };
};

/** Whether the patient document still names `hprNumber` as responsible. */
export const isResponsible = (patient: WorklistPatientDocument, hprNumber: string): boolean =>
  patient.multidoseDoctorHpr === hprNumber || patient.lastPrescriberHpr === hprNumber;

export const gpWorklistProjection: Projection<GpWorklistDocument> = {
  name: GP_WORKLIST_PROJECTION,
  handles: HANDLED,
  documentIds,
  initialDocument,
  evolve,
};
