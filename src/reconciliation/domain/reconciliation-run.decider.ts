import { assertId, assertIsoDateTime } from '../../medication-list/domain/medication-list.validation';
import type { Command, Decider } from '../../shared/event-sourcing/decider';
import { InvalidFeedCursorError } from './reconciliation.errors';
import type { FeedCursorAdvanced, ReconciliationRunCompleted } from './reconciliation.events';

/**
 * Two small pure deciders for the bookkeeping of imports: a run's counts (stream `reconciliationRun-<runId>`,
 * written once) and a pull source's cursor (stream `reconciliationCursor-<source>`, the durable position of the
 * scheduled pull).
 */

export type CompleteRun = Command<'CompleteRun', ReconciliationRunCompleted['data']>;
export interface RunState {
  readonly completed?: ReconciliationRunCompleted['data'];
}

/** A run completes once; completing it again (a retried import with the same run id) decides nothing. */
export const reconciliationRunDecider: Decider<CompleteRun, ReconciliationRunCompleted, RunState> = {
  initialState: () => ({}),
  decide: (command, state) => {
    assertId(command.data.runId, 'runId');
    assertIsoDateTime(command.data.completedAt, 'completedAt');
    return state.completed === undefined ? [{ type: 'ReconciliationRunCompleted', data: command.data }] : [];
  },
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a stream may hold event types this build does not know
  evolve: (state, event) => (event.type === 'ReconciliationRunCompleted' ? { completed: event.data } : state),
  clinicalTimeOf: (command) => command.data.completedAt,
};

export type AdvanceFeedCursor = Command<'AdvanceFeedCursor', FeedCursorAdvanced['data']>;
export interface CursorState {
  readonly cursor?: string;
}

/** Cursors are opaque server tokens, bounded in size; the same cursor again decides nothing. */
export const MAX_CURSOR_LENGTH = 1000;

export const feedCursorDecider: Decider<AdvanceFeedCursor, FeedCursorAdvanced, CursorState> = {
  initialState: () => ({}),
  decide: (command, state) => {
    const { cursor, runId, advancedAt } = command.data;
    assertId(runId, 'runId');
    assertIsoDateTime(advancedAt, 'advancedAt');
    if (cursor.length > MAX_CURSOR_LENGTH || !/^\P{Cc}+$/u.test(cursor)) {
      throw new InvalidFeedCursorError(MAX_CURSOR_LENGTH);
    }
    return state.cursor === cursor ? [] : [{ type: 'FeedCursorAdvanced', data: command.data }];
  },
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a stream may hold event types this build does not know
  evolve: (state, event) => (event.type === 'FeedCursorAdvanced' ? { cursor: event.data.cursor } : state),
  clinicalTimeOf: (command) => command.data.advancedAt,
};
