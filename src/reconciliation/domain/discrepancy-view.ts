import type { RecordedEvent } from '../../shared/event-sourcing/event-store.port';
import {
  evolveReconciliation,
  initialReconciliationState,
  type DiscrepancyState,
  type DiscrepancyStatus,
  type ReconciliationState,
} from './reconciliation.decider';
import { isReconciliationEvent } from './reconciliation.events';

/**
 * A discrepancy as the API shows it: the reconciliation decider's state of one key plus who resolved it (event
 * metadata, which the pure fold does not see). Built by folding the patient's reconciliation stream.
 */
export interface DiscrepancyView extends DiscrepancyState {
  /** the HPR number of the doctor who resolved it */
  readonly resolvedByHpr?: string;
}

export interface FoldedReconciliation {
  readonly state: ReconciliationState;
  readonly views: readonly DiscrepancyView[];
}

/** Folds stored events (unknown types skipped); views in key order. */
export const foldDiscrepancies = (events: readonly RecordedEvent[]): FoldedReconciliation => {
  let state = initialReconciliationState();
  const resolvedBy = new Map<string, string>();
  for (const event of events) {
    if (!isReconciliationEvent(event)) {
      continue;
    }
    state = evolveReconciliation(state, event);
    if (event.type === 'DiscrepancyResolved' && event.metadata.actor.hprNumber !== undefined) {
      resolvedBy.set(event.data.key, event.metadata.actor.hprNumber);
    }
  }
  const views = [...state.discrepancies.values()]
    .map((d): DiscrepancyView => {
      const hpr = d.status === 'resolved' ? resolvedBy.get(d.detected.key) : undefined;
      return hpr === undefined ? d : { ...d, resolvedByHpr: hpr };
    })
    .sort((a, b) => (a.detected.key < b.detected.key ? -1 : a.detected.key > b.detected.key ? 1 : 0));
  return { state, views };
};

export const withStatus = (views: readonly DiscrepancyView[], status?: DiscrepancyStatus): DiscrepancyView[] =>
  views.filter((view) => status === undefined || view.status === status);
