import type { Projection, ProjectionEvent } from '../projection';
import {
  MEDICATION_LIST_STREAM_PREFIX,
  isMedicationListEvent,
  medicationListEventTypes,
} from '../../src/medication-list/domain/medication-list.events';
import type {
  MedicationDiscontinued,
  MedicationListEvent,
  MedicationRetracted,
  PrescriptionIssued,
  PrescriptionRecalled,
} from '../../src/medication-list/domain/medication-list.events';
import { RETRACTED_LIMIT, emptyCurrentMedicationList } from './current-medication-list.document';
import type { CurrentMedicationListDocument, LinkedPrescription } from './current-medication-list.document';
import { dosageInShort, nameOf, pruneDiscontinued, withChange } from './current-medication-list.changes';
import { entryFromStarted, stamped, updateEntry, withPrescription } from './current-medication-list.entries';
import type { ChangeStamp } from './current-medication-list.entries';
import { evolveNonEntryEvent } from './current-medication-list.other-events';

type Doc = CurrentMedicationListDocument;

/** The list id (document id) of a stream: the uuid after `medicationList-`; undefined for other streams. */
export const listIdOf = (streamName: string): string | undefined =>
  streamName.startsWith(MEDICATION_LIST_STREAM_PREFIX)
    ? streamName.slice(MEDICATION_LIST_STREAM_PREFIX.length)
    : undefined;

const discontinue = (doc: Doc, data: MedicationDiscontinued['data'], stamp: ChangeStamp): Doc => {
  const entry = doc.entries.find((candidate) => candidate.entryId === data.entryId);
  if (entry === undefined) {
    return doc;
  }
  return {
    ...doc,
    entries: doc.entries.filter((candidate) => candidate.entryId !== data.entryId),
    discontinued: [
      ...doc.discontinued.filter((candidate) => candidate.entryId !== data.entryId),
      {
        entryId: entry.entryId,
        medication: entry.medication,
        use: entry.use,
        indication: entry.indication,
        dosage: entry.dosage,
        startedOn: entry.startedOn,
        prescriptionType: entry.prescriptionType,
        prescription: entry.prescription,
        lastDispensing: entry.lastDispensing,
        discontinuedAt: data.discontinuedAt,
        reasonCode: data.reason.code,
        note: data.reason.note ?? null,
        discontinuedBy: stamp.by,
      },
    ],
  };
};

const retract = (doc: Doc, data: MedicationRetracted['data'], stamp: ChangeStamp): Doc => {
  const displayName = nameOf(doc, data.entryId);
  return {
    ...doc,
    entries: doc.entries.filter((entry) => entry.entryId !== data.entryId),
    discontinued: doc.discontinued.filter((entry) => entry.entryId !== data.entryId),
    retracted: [
      ...doc.retracted.filter((entry) => entry.entryId !== data.entryId),
      {
        entryId: data.entryId,
        displayName: displayName === data.entryId ? null : displayName,
        reason: data.reason,
        at: data.retractedAt,
        by: stamp.by,
      },
    ].slice(-RETRACTED_LIMIT),
  };
};

const issue = (doc: Doc, data: PrescriptionIssued['data'], stamp: ChangeStamp): Doc => {
  const prescription: LinkedPrescription = {
    prescriptionId: data.prescriptionId,
    status: 'E',
    issuedAt: data.issuedAt,
    expiresOn: data.expiresOn,
    dispensingsAllowed: data.dispensingsAllowed ?? null,
    dispensingsLeft: data.dispensingsAllowed ?? null,
    renewsPrescriptionId: data.renewsPrescriptionId ?? null,
    recalledAt: null,
    recallReasonCode: null,
  };
  return updateEntry(doc, data.entryId, (entry) => stamped(withPrescription(entry, prescription), stamp));
};

/** A recall only touches the prescription it names: after a renewal the new one stays dispensable. */
const recall = (doc: Doc, data: PrescriptionRecalled['data'], stamp: ChangeStamp): Doc => {
  const recalled = (prescription: LinkedPrescription | null): LinkedPrescription | null =>
    prescription?.prescriptionId === data.prescriptionId
      ? { ...prescription, status: 'T', recalledAt: data.recalledAt, recallReasonCode: data.reasonCode }
      : prescription;
  const updated = updateEntry(doc, data.entryId, (entry) => {
    const prescription = recalled(entry.prescription);
    return prescription === entry.prescription ? entry : stamped({ ...entry, prescription }, stamp);
  });
  // discontinuing recalls the prescription (domain.md), so the recall usually follows the discontinuation
  return {
    ...updated,
    discontinued: updated.discontinued.map((entry) =>
      entry.entryId === data.entryId ? { ...entry, prescription: recalled(entry.prescription) } : entry,
    ),
  };
};

/** Events about one entry (9101 use, 7494 reasons, 7500 recall reasons are kept as codes). */
const evolveEntryEvent = (doc: Doc, event: MedicationListEvent, source: ProjectionEvent): Doc => {
  const stamp: ChangeStamp = { at: source.metadata.recordedAt, by: source.metadata.actor };
  switch (event.type) {
    case 'MedicationStarted': {
      const entry = entryFromStarted(event.data, doc.multidose !== null, stamp);
      const entries = [...doc.entries.filter((e) => e.entryId !== entry.entryId), entry];
      return withChange({ ...doc, entries }, source, `Startet ${entry.medication.displayName}`, entry.entryId);
    }
    case 'MedicationDosageChanged': {
      const { entryId, dosage, effectiveFrom, previousDosage } = event.data;
      const change = `${dosageInShort(previousDosage)} → ${dosageInShort(dosage)}`;
      const summary = `Dosering endret: ${nameOf(doc, entryId)} (${change}) fra ${effectiveFrom}`;
      const updated = updateEntry(doc, entryId, (e) =>
        stamped({ ...e, dosage, dosageEffectiveFrom: effectiveFrom }, stamp),
      );
      return withChange(updated, source, summary, entryId);
    }
    case 'MedicationPaused': {
      const { entryId, pausedAt, reason } = event.data;
      const paused = updateEntry(doc, entryId, (e) =>
        stamped({ ...e, status: 'paused', pausedAt, pauseReason: reason ?? null }, stamp),
      );
      return withChange(paused, source, `Pauset ${nameOf(doc, entryId)}`, entryId);
    }
    case 'MedicationResumed': {
      const { entryId } = event.data;
      const resumed = updateEntry(doc, entryId, (e) =>
        stamped({ ...e, status: 'active', pausedAt: null, pauseReason: null }, stamp),
      );
      return withChange(resumed, source, `Gjenopptatt ${nameOf(doc, entryId)}`, entryId);
    }
    case 'MedicationDiscontinued': {
      const { entryId, reason } = event.data;
      const summary = `Seponert ${nameOf(doc, entryId)} (årsak ${reason.code})`;
      return withChange(discontinue(doc, event.data, stamp), source, summary, entryId);
    }
    case 'MedicationRetracted': {
      const { entryId } = event.data;
      const summary = `Feilregistrert, fjernet fra listen: ${nameOf(doc, entryId)}`;
      return withChange(retract(doc, event.data, stamp), source, summary, entryId);
    }
    case 'PrescriptionIssued': {
      const { entryId, prescriptionId, renewsPrescriptionId } = event.data;
      const verb = renewsPrescriptionId === undefined ? 'Resept utstedt' : 'Resept fornyet';
      const summary = `${verb} for ${nameOf(doc, entryId)} (${prescriptionId})`;
      return withChange(issue(doc, event.data, stamp), source, summary, entryId);
    }
    case 'PrescriptionRecalled': {
      const { entryId, prescriptionId, reasonCode } = event.data;
      const summary = `Resept tilbakekalt for ${nameOf(doc, entryId)} (${prescriptionId}, årsak ${reasonCode})`;
      return withChange(recall(doc, event.data, stamp), source, summary, entryId);
    }
    default:
      return evolveNonEntryEvent(doc, event, source);
  }
};

/**
 * Skips an event at or before `lastPosition` (a replay changes nothing), then advances version and position
 * and applies the event. Unknown (newer) types change no clinical field but still advance `version`: they
 * occupy a revision in the stream, and `version` is what the client passes back as expectedVersion.
 */
const evolve = (document: Doc, event: ProjectionEvent): Doc => {
  if (document.lastPosition !== null && BigInt(event.position) <= BigInt(document.lastPosition)) {
    return document;
  }
  const advanced: Doc = { ...document, version: event.revision + 1, lastPosition: event.position };
  const known = { type: event.type, data: event.data };
  if (!isMedicationListEvent(known)) {
    return advanced;
  }
  return pruneDiscontinued(evolveEntryEvent(advanced, known, event), event.metadata.recordedAt);
};

/**
 * Read model `currentMedicationList.v2`: one document per patient list, keyed by the stream's uuid. v2 prunes
 * discontinued entries by recorded time (v1 counted from a clinical time and could lose a discontinuation), so
 * a v1 read model is rebuilt from position zero at start and retired.
 */
export const currentMedicationListProjection: Projection<CurrentMedicationListDocument> = {
  name: 'currentMedicationList.v2',
  handles: medicationListEventTypes,
  documentIds: (event) => {
    const listId = listIdOf(event.streamName);
    return listId === undefined ? [] : [listId];
  },
  initialDocument: emptyCurrentMedicationList,
  evolve,
  perStream: { streamPrefix: MEDICATION_LIST_STREAM_PREFIX },
};
