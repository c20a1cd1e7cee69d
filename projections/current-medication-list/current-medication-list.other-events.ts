import { endedTo, keptAfterEnd } from '../care-relation-end';
import type { ProjectionEvent } from '../projection';
import type {
  DispensingRecorded,
  MedicationListEvent,
  MultidosePackingRecorded,
} from '../../src/medication-list/domain/medication-list.events';
import type { CurrentMedicationListDocument, DispensingSummary } from './current-medication-list.document';
import { withChange } from './current-medication-list.changes';
import {
  entryForDispensing,
  updateEntry,
  withDispensings,
  withMultidoseStatuses,
} from './current-medication-list.entries';
import type { ChangeStamp } from './current-medication-list.entries';

type Doc = CurrentMedicationListDocument;

/**
 * A dispensing is not a list change (it is no proof of current use, domain.md), so it records no change and
 * leaves `changedAt` alone. Dispensings against prescriptions the list does not link, or against discontinued
 * entries, are left to reconciliation (D1, D3), which reads the stream.
 */
const recordDispensing = (doc: Doc, data: DispensingRecorded['data']): Doc => {
  const entry = entryForDispensing(doc, data.entryId, data.prescriptionId);
  if (entry === undefined || entry.dispensings.some((d) => d.dispensingId === data.dispensingId)) {
    return doc;
  }
  const dispensing: DispensingSummary = {
    dispensingId: data.dispensingId,
    prescriptionId: data.prescriptionId,
    dispensedAt: data.dispensedAt,
    product: data.product,
    quantity: data.quantity,
    pharmacyHerId: data.pharmacyHerId,
    prescriptionUsedUp: data.prescriptionUsedUp,
  };
  return updateEntry(doc, entry.entryId, (e) => withDispensings(e, [...e.dispensings, dispensing]));
};

/** An annulment removes the dispensing; last dispensing, status and dispensings left fall back accordingly. */
const annulDispensing = (doc: Doc, dispensingId: string): Doc => {
  const entry = doc.entries.find((e) => e.dispensings.some((d) => d.dispensingId === dispensingId));
  if (entry === undefined) {
    return doc;
  }
  return updateEntry(doc, entry.entryId, (e) =>
    withDispensings(
      e,
      e.dispensings.filter((d) => d.dispensingId !== dispensingId),
    ),
  );
};

/**
 * Re-derives every entry's multidose status; a flip in or out of the bags is a list change, because staff
 * must know which drugs are given outside the bags.
 */
const withStatuses = (
  doc: Doc,
  source: ProjectionEvent,
  stamp: ChangeStamp,
  packing: ReadonlyMap<string, boolean>,
  heading: string,
  alwaysRecord: boolean,
): Doc => {
  const { entries, flipped } = withMultidoseStatuses(doc.entries, doc.multidose !== null, packing, stamp);
  const outside = flipped.filter((e) => e.multidose === 'outside-multidose').map((e) => e.medication.displayName);
  const packed = flipped.filter((e) => e.multidose === 'packed').map((e) => e.medication.displayName);
  const details = [
    outside.length > 0 ? `nå utenfor multidose: ${outside.join(', ')}` : '',
    packed.length > 0 ? `nå pakket: ${packed.join(', ')}` : '',
  ].filter((part) => part !== '');
  const updated = { ...doc, entries };
  if (!alwaysRecord && flipped.length === 0) {
    return updated;
  }
  return withChange(updated, source, details.length === 0 ? heading : `${heading}; ${details.join('; ')}`);
};

const recordPacking = (
  doc: Doc,
  data: MultidosePackingRecorded['data'],
  source: ProjectionEvent,
  stamp: ChangeStamp,
): Doc => {
  if (doc.multidose === null) {
    // a packing report without a registration has nothing to attach to; the stream keeps the fact
    return doc;
  }
  const { packingId, firstDoseOn, lastDoseOn, orderDeadline } = data;
  const withPacking: Doc = {
    ...doc,
    multidose: { ...doc.multidose, lastPacking: { packingId, firstDoseOn, lastDoseOn, orderDeadline } },
  };
  const packing = new Map(data.entries.map((e) => [e.entryId, e.packed] as const));
  return withStatuses(withPacking, source, stamp, packing, `Multidosepakking ${firstDoseOn}–${lastDoseOn}`, false);
};

/** Dispensings, multidose, review and care-relation events (everything but single-entry list changes). */
export const evolveNonEntryEvent = (doc: Doc, event: MedicationListEvent, source: ProjectionEvent): Doc => {
  const stamp: ChangeStamp = { at: source.metadata.recordedAt, by: source.metadata.actor };
  switch (event.type) {
    case 'DispensingRecorded':
      return recordDispensing(doc, event.data);
    case 'DispensingAnnulled':
      return annulDispensing(doc, event.data.dispensingId);
    case 'MultidoseRegistered': {
      const { responsibleDoctorHpr, pharmacyHerId, from } = event.data;
      // a new registration starts without a packing report: everything is outside the bags until packed
      const registered: Doc = { ...doc, multidose: { responsibleDoctorHpr, pharmacyHerId, from, lastPacking: null } };
      return withStatuses(registered, source, stamp, new Map(), `Multidose registrert fra ${from}`, true);
    }
    case 'MultidoseEnded':
      return withStatuses(
        { ...doc, multidose: null },
        source,
        stamp,
        new Map(),
        `Multidose avsluttet ${event.data.endedOn}`,
        true,
      );
    case 'MultidosePackingRecorded':
      return recordPacking(doc, event.data, source, stamp);
    case 'MultidoseQuestionAsked': {
      const { questionId, entryId, questionCode, text, askedAt, pharmacyHerId } = event.data;
      const question = {
        questionId,
        entryId: entryId ?? null,
        code: questionCode,
        text: text ?? null,
        askedAt,
        pharmacyHerId,
      };
      return { ...doc, openQuestions: [...doc.openQuestions.filter((q) => q.questionId !== questionId), question] };
    }
    case 'MultidoseQuestionAnswered':
      return { ...doc, openQuestions: doc.openQuestions.filter((q) => q.questionId !== event.data.questionId) };
    case 'ListMarkedReviewed': {
      const { kind, reviewedAt, note } = event.data;
      return {
        ...doc,
        review: {
          status: 'reviewed',
          kind,
          reviewedAt,
          reviewedBy: stamp.by,
          note: note ?? null,
          notReviewedReason: null,
          notReviewedAt: null,
          notReviewedBy: null,
        },
        changesSinceReview: [],
        changesSinceReviewDropped: 0,
      };
    }
    case 'ListMarkedNotReviewed': {
      const { reason, markedAt } = event.data;
      return {
        ...doc,
        review: {
          ...doc.review,
          status: 'not-reviewed',
          notReviewedReason: reason,
          notReviewedAt: markedAt,
          notReviewedBy: stamp.by,
        },
      };
    }
    case 'CareRelationStarted': {
      const { relationId, patientId, organisationNumber, unit, from, to } = event.data;
      const relation = { relationId, organisationNumber, unit: unit ?? null, from, to: to ?? null };
      return {
        ...doc,
        patientId,
        careRelations: [...doc.careRelations.filter((r) => r.relationId !== relationId), relation],
      };
    }
    case 'CareRelationEnded': {
      // Access lasts through the end date (care-relation-end.ts): kept with `to` until it has passed.
      const { relationId, endedOn } = event.data;
      return keptAfterEnd(endedOn, source.metadata.recordedAt)
        ? {
            ...doc,
            careRelations: doc.careRelations.map((r) =>
              r.relationId === relationId ? { ...r, to: endedTo(r.to, endedOn) } : r,
            ),
          }
        : { ...doc, careRelations: doc.careRelations.filter((r) => r.relationId !== relationId) };
    }
    case 'MedicationStarted':
    case 'MedicationDosageChanged':
    case 'MedicationPaused':
    case 'MedicationResumed':
    case 'MedicationDiscontinued':
    case 'MedicationRetracted':
    case 'PrescriptionIssued':
    case 'PrescriptionRecalled':
      // handled in current-medication-list.projection.ts
      return doc;
  }
};
