import { InvalidIdError } from '../../medication-list/domain/medication-list.errors';
import { fixedMeta, PATIENT_ID, sampleMedication } from '../../medication-list/domain/medication-list.fixtures';
import { specFor } from '../../shared/event-sourcing/decider.spec-helpers';
import type { CommandMeta } from '../../shared/event-sourcing/decider';
import type { FeedSource } from './external-record';
import type { DiscrepancyCode } from './reconcile';
import {
  assertDiscrepancyKey,
  COVERED_CODES,
  reconciliationDecider,
  type DetectedDiscrepancy,
  type RecordFeedResult,
  type ResolveDiscrepancy,
} from './reconciliation.decider';
import {
  DiscrepancyNotFoundError,
  DiscrepancyNotOpenError,
  DoctorRequiredError,
  InvalidDiscrepancyKeyError,
  ResolutionNotApplicableError,
  ResolutionReasonRequiredError,
} from './reconciliation.errors';
import type { DiscrepancyCleared, DiscrepancyDetected, DiscrepancyResolved, Resolution } from './reconciliation.events';

const given = specFor(reconciliationDecider);
const AT = '2026-03-01T13:00:00.000+01:00';
const LATER = '2026-03-02T13:00:00.000+01:00';

const d1: DetectedDiscrepancy = {
  code: 'D1',
  key: 'D1|rx-9',
  prescriptionId: 'rx-9',
  evidence: { prescriptionId: 'rx-9', feedStatus: 'E' },
  severity: 'warning',
  prescription: {
    prescriptionId: 'rx-9',
    status: 'E',
    medication: sampleMedication,
    issuedAt: '2026-02-01T08:15:00.000Z',
  },
};
const d5: DetectedDiscrepancy = {
  code: 'D5',
  key: 'D5|e1|rx-1',
  entryId: 'e1',
  prescriptionId: 'rx-1',
  evidence: { entryId: 'e1', prescriptionId: 'rx-1', expiresOn: '2026-03-10', state: 'expires-soon' },
  severity: 'warning',
};
const d6: DetectedDiscrepancy = {
  code: 'D6',
  key: 'D6|C09AA05|e1,e2',
  evidence: { atcCode: 'C09AA05', entryIds: 'e1,e2' },
  severity: 'warning',
};

const feed = (
  discrepancies: readonly DetectedDiscrepancy[],
  options: { source?: FeedSource; runId?: string; at?: string; covered?: readonly DiscrepancyCode[] } = {},
): RecordFeedResult => {
  const source = options.source ?? 'eprescription';
  return {
    type: 'RecordFeedResult',
    data: {
      runId: options.runId ?? 'run-1',
      source,
      patientId: PATIENT_ID,
      coveredCodes: options.covered ?? COVERED_CODES[source],
      discrepancies,
      recordedAt: options.at ?? AT,
    },
    meta: { ...fixedMeta, actor: { role: 'feed', name: 'feed' } },
  };
};

const detected = (
  d: DetectedDiscrepancy,
  runId = 'run-1',
  at = AT,
  feedSource: FeedSource = 'eprescription',
): DiscrepancyDetected => {
  const { code, key, severity, entryId, prescriptionId, dispensingId, evidence, prescription } = d;
  return {
    type: 'DiscrepancyDetected',
    data: {
      key,
      code,
      severity,
      patientId: PATIENT_ID,
      ...(entryId === undefined ? {} : { entryId }),
      ...(prescriptionId === undefined ? {} : { prescriptionId }),
      ...(dispensingId === undefined ? {} : { dispensingId }),
      evidence,
      ...(prescription === undefined ? {} : { prescription }),
      feedSource,
      runId,
      detectedAt: at,
    },
  };
};
const cleared = (
  d: DetectedDiscrepancy,
  runId = 'run-2',
  feedSource: FeedSource = 'eprescription',
): DiscrepancyCleared => ({
  type: 'DiscrepancyCleared',
  data: { key: d.key, code: d.code, feedSource, runId, clearedAt: LATER },
});

const doctor: CommandMeta = fixedMeta;
const resolve = (
  key: string,
  resolution: Resolution,
  reason?: string,
  meta: CommandMeta = doctor,
): ResolveDiscrepancy => ({
  type: 'ResolveDiscrepancy',
  data: { key, resolution, ...(reason === undefined ? {} : { reason }), resolvedAt: LATER, listCommandIds: [] },
  meta,
});
const resolved = (d: DetectedDiscrepancy, resolution: Resolution, reason?: string): DiscrepancyResolved => ({
  type: 'DiscrepancyResolved',
  data: {
    key: d.key,
    code: d.code,
    resolution,
    ...(reason === undefined ? {} : { reason }),
    resolvedAt: LATER,
    listCommandIds: [],
  },
});

describe('RecordFeedResult', () => {
  it('detects every discrepancy not open yet, in key order', () => {
    given([])
      .when(feed([d6, d1, d5]))
      .then([detected(d1), detected(d5), detected(d6)]);
  });

  it('detects nothing new on a repeated feed (another run with the same content)', () => {
    given([detected(d1), detected(d5)])
      .when(feed([d1, d5], { runId: 'run-2', at: LATER }))
      .thenNothing();
  });

  it('clears open discrepancies of covered codes the feed no longer shows', () => {
    given([detected(d1), detected(d5)])
      .when(feed([d5], { runId: 'run-2', at: LATER }))
      .then([cleared(d1)]);
  });

  it('never clears a code the source does not cover: the core-record feed cannot clear D1', () => {
    given([detected(d1), detected(d5)])
      .when(feed([], { source: 'core-record', runId: 'run-2', at: LATER }))
      .then([cleared(d5, 'run-2', 'core-record')]);
  });

  it('raises a cleared discrepancy again when a later feed shows it again', () => {
    given([detected(d1), cleared(d1)])
      .when(feed([d1], { runId: 'run-3', at: LATER }))
      .then([detected(d1, 'run-3', LATER)]);
  });

  it('leaves a resolved discrepancy resolved while the feed still shows it, and does not clear it', () => {
    given([detected(d6), resolved(d6, 'accept')])
      .when(feed([d6], { runId: 'run-2' }))
      .thenNothing();
    given([detected(d6), resolved(d6, 'accept')])
      .when(feed([], { runId: 'run-2' }))
      .thenNothing();
  });

  it('detects and clears in one decision', () => {
    given([detected(d1)])
      .when(feed([d6], { runId: 'run-2', at: LATER }))
      .then([detected(d6, 'run-2', LATER), cleared(d1)]);
  });

  it('refuses an invalid run id', () => {
    given([])
      .when(feed([d1], { runId: 'run with spaces' }))
      .thenThrows(InvalidIdError, 'INVALID_ID');
  });
});

describe('ResolveDiscrepancy', () => {
  it.each<[Resolution, DetectedDiscrepancy, string | undefined]>([
    ['include', d1, undefined],
    ['discontinue', d5, 'behandling avsluttet'],
    ['recall', d5, undefined],
    ['accept', d6, undefined],
    ['dismiss', d6, 'bevisst dobbel behandling'],
  ])('resolves an open discrepancy: %s', (resolution, d, reason) => {
    given([detected(d)])
      .when(resolve(d.key, resolution, reason))
      .then([resolved(d, resolution, reason)]);
  });

  it('is a no-op for the same resolution again (a retry), and a conflict for another one', () => {
    given([detected(d6), resolved(d6, 'accept')])
      .when(resolve(d6.key, 'accept'))
      .thenNothing();
    given([detected(d6), resolved(d6, 'accept')])
      .when(resolve(d6.key, 'dismiss', 'x'))
      .thenThrows(DiscrepancyNotOpenError, 'DISCREPANCY_NOT_OPEN');
  });

  it('refuses a cleared or unknown discrepancy', () => {
    given([detected(d1), cleared(d1)])
      .when(resolve(d1.key, 'accept'))
      .thenThrows(DiscrepancyNotOpenError, 'DISCREPANCY_NOT_OPEN');
    given([]).when(resolve('D1|nope', 'accept')).thenThrows(DiscrepancyNotFoundError, 'DISCREPANCY_NOT_FOUND');
  });

  it('only lets a doctor resolve', () => {
    const nurse: CommandMeta = { ...doctor, actor: { role: 'nurse', herId: '55501' } };
    given([detected(d6)])
      .when(resolve(d6.key, 'accept', undefined, nurse))
      .thenThrows(DoctorRequiredError, 'DOCTOR_REQUIRED');
  });

  it.each<[Resolution, DetectedDiscrepancy]>([
    ['include', d5],
    ['discontinue', d6],
    ['recall', d1],
    ['recall', d6],
  ])('refuses %s where it does not apply', (resolution, d) => {
    given([detected(d)])
      .when(resolve(d.key, resolution))
      .thenThrows(ResolutionNotApplicableError, 'RESOLUTION_NOT_APPLICABLE');
  });

  it('requires a reason to dismiss', () => {
    given([detected(d6)])
      .when(resolve(d6.key, 'dismiss', '  '))
      .thenThrows(ResolutionReasonRequiredError, 'RESOLUTION_REASON_REQUIRED');
  });
});

describe('reconciliation decider', () => {
  it('ignores unknown event types in evolve', () => {
    const state = reconciliationDecider.initialState();
    expect(reconciliationDecider.evolve(state, { type: 'SomethingNewer', data: {} } as never)).toBe(state);
  });

  it('takes the clinical time from the command', () => {
    expect(reconciliationDecider.clinicalTimeOf(feed([]))).toBe(AT);
    expect(reconciliationDecider.clinicalTimeOf(resolve('k', 'accept'))).toBe(LATER);
  });
});

describe('assertDiscrepancyKey', () => {
  it.each(['D1|rx-0001', 'D3|disp-0001', 'D2|entry-1|rx-0001', 'D6|A10BA02|entry-1,entry-2'])('accepts %s', (key) => {
    expect(() => assertDiscrepancyKey(key)).not.toThrow();
  });

  it.each([
    ['an unknown code', 'D9|rx-0001'],
    ['no list id', 'D4'],
    ['three parts', 'D2|a|b|c'],
    ['a control character', 'D1|rx-0001\u0000'],
    ['a fødselsnummer with a space', 'D1|31129956715 x'],
    ['more than 4000 characters', `D1|${'a'.repeat(3998)}`],
  ])('refuses %s without echoing it', (_case, key) => {
    let caught: unknown;
    try {
      assertDiscrepancyKey(key);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidDiscrepancyKeyError);
    expect((caught as Error).message).not.toContain(key);
    expect((caught as Error).message).toContain('at most 4000 characters');
  });
});
