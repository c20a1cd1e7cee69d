import { specFor } from '../../shared/event-sourcing/decider.spec-helpers';
import type { CommandMeta } from '../../shared/event-sourcing/decider';
import { InvalidFeedCursorError } from './reconciliation.errors';
import type { FeedCursorAdvanced, ReconciliationRunCompleted } from './reconciliation.events';
import {
  feedCursorDecider,
  reconciliationRunDecider,
  type AdvanceFeedCursor,
  type CompleteRun,
} from './reconciliation-run.decider';

const meta: CommandMeta = {
  commandId: 'cmd-1',
  correlationId: 'run-1',
  causationId: 'run-1',
  actor: { role: 'feed', name: 'feed' },
  recordedAt: '2026-03-01T13:00:00.000+01:00',
};
const counts: ReconciliationRunCompleted['data'] = {
  runId: 'run-1',
  source: 'core-record',
  startedAt: '2026-03-01T13:00:00.000+01:00',
  completedAt: '2026-03-01T13:00:05.000+01:00',
  recordsRead: 7,
  patients: 2,
  patientsApplied: 1,
  patientsHeldBack: 1,
  dispensingsRecorded: 1,
  discrepanciesNew: 0,
  discrepanciesCleared: 0,
  linesRejected: 4,
  skipped: { MedicationRequest: 1 },
};

describe('reconciliation run', () => {
  const given = specFor(reconciliationRunDecider);
  const complete: CompleteRun = { type: 'CompleteRun', data: counts, meta };
  const completed: ReconciliationRunCompleted = { type: 'ReconciliationRunCompleted', data: counts };

  it('records the counts once', () => {
    given([]).when(complete).then([completed]);
    given([completed]).when(complete).thenNothing();
  });
});

describe('feed cursor', () => {
  const given = specFor(feedCursorDecider);
  const advance = (cursor: string): AdvanceFeedCursor => ({
    type: 'AdvanceFeedCursor',
    data: { source: 'core-record', cursor, runId: 'run-1', advancedAt: '2026-03-01T13:00:00.000+01:00' },
    meta,
  });
  const advanced = (cursor: string): FeedCursorAdvanced => ({ type: 'FeedCursorAdvanced', data: advance(cursor).data });

  it('moves the cursor, and not again to the same value', () => {
    given([])
      .when(advance('c1'))
      .then([advanced('c1')]);
    given([advanced('c1')])
      .when(advance('c2'))
      .then([advanced('c2')]);
    given([advanced('c1')])
      .when(advance('c1'))
      .thenNothing();
  });

  it.each([[''], ['x'.repeat(1001)], ['a\nb']])('refuses an unusable cursor %#', (cursor) => {
    given([]).when(advance(cursor)).thenThrows(InvalidFeedCursorError, 'INVALID_FEED_CURSOR');
  });
});
