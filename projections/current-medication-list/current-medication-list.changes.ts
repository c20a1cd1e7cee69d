import type { ProjectionEvent } from '../projection';
import type { Dosage } from '../../src/medication-list/domain/medication-list.events';
import { describeDosage } from '../../src/medication-list/domain/dosage';
import {
  CHANGES_SINCE_REVIEW_LIMIT,
  DISCONTINUED_VISIBLE_DAYS,
  RECENT_CHANGES_LIMIT,
} from './current-medication-list.document';
import type { CurrentMedicationListDocument, ListChange } from './current-medication-list.document';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Appends one list-changing event to `changesSinceReview` and `recentChanges`, both oldest first in
 * position order. `at` is the recorded time, so "what changed since T" is a filter on an ordered list even
 * when the clinical time of a change is back-dated.
 */
export const withChange = (
  document: CurrentMedicationListDocument,
  event: ProjectionEvent,
  summary: string,
  entryId?: string,
): CurrentMedicationListDocument => {
  const change: ListChange = {
    position: event.position,
    at: event.metadata.recordedAt,
    clinicalTime: event.metadata.clinicalTime,
    by: event.metadata.actor,
    type: event.type,
    ...(entryId === undefined ? {} : { entryId }),
    summary,
  };
  const sinceReview = [...document.changesSinceReview, change];
  const overflow = Math.max(0, sinceReview.length - CHANGES_SINCE_REVIEW_LIMIT);
  return {
    ...document,
    changesSinceReview: sinceReview.slice(overflow),
    changesSinceReviewDropped: document.changesSinceReviewDropped + overflow,
    recentChanges: [...document.recentChanges, change].slice(-RECENT_CHANGES_LIMIT),
  };
};

/** The display name of an entry wherever the document still knows it, else its id. */
export const nameOf = (document: CurrentMedicationListDocument, entryId: string): string =>
  document.entries.find((entry) => entry.entryId === entryId)?.medication.displayName ??
  document.discontinued.find((entry) => entry.entryId === entryId)?.medication.displayName ??
  document.retracted.find((entry) => entry.entryId === entryId)?.displayName ??
  entryId;

/** A dosage in one short phrase for a change summary: the short code ("1+0+1"), else the described dosage. */
export const dosageInShort = (dosage: Dosage): string => dosage.shortCode ?? describeDosage(dosage);

/**
 * Drops discontinued entries that no reader can be shown any more: those discontinued more than 90 days before
 * the current event was RECORDED. Every reader's instant is at or after that: a live read's clock has passed it,
 * and an asOf read folds only events recorded at or before asOf. So the read's own filter (90 days after
 * `discontinuedAt`, at the reader's instant) would hide them anyway, and pruning only keeps documents bounded.
 * Never a clinical time: that is whatever the GP typed, in the past or the future, and counting back from a
 * dosage change planned 100 days ahead hid a drug stopped today from every reader (issue 22).
 */
export const pruneDiscontinued = (
  document: CurrentMedicationListDocument,
  recordedAt: string,
): CurrentMedicationListDocument => {
  const recorded = Date.parse(recordedAt);
  if (Number.isNaN(recorded)) {
    return document;
  }
  const cutoff = recorded - DISCONTINUED_VISIBLE_DAYS * DAY_MS;
  const kept = document.discontinued.filter((entry) => Date.parse(entry.discontinuedAt) >= cutoff);
  return kept.length === document.discontinued.length ? document : { ...document, discontinued: kept };
};
