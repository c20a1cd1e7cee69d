import fc from 'fast-check';
import type { ProjectionEvent } from '../projection';
import { documentsOf, eventFactory, given, gp, project } from '../projection.spec-helpers';
import type { DiscrepancyDetected } from '../../src/reconciliation/domain/reconciliation.events';
import {
  doctorIdPrefix,
  gpWorklistProjection as projection,
  isResponsible,
  type GpWorklistDocument,
  type OpenDiscrepancy,
  type WorklistPatientDocument,
} from './gp-worklist.projection';

const LIST = 'a1b2c3d4-0000-4000-8000-000000000001';
const OTHER_LIST = 'a1b2c3d4-0000-4000-8000-000000000002';
const GP = gp.hprNumber ?? '9144889';
const MULTIDOSE_DOCTOR = '5550001';
const listStream = (listId = LIST): string => `medicationList-${listId}`;
const reconciliationStream = (listId = LIST): string => `reconciliation-${listId}`;
const feed = { role: 'feed', name: 'feed' } as const;

const factory = () => {
  const { event, raw } = eventFactory();
  const issued = (prescriptionId = 'rx-1', listId = LIST, actor = gp) =>
    event(
      listStream(listId),
      'PrescriptionIssued',
      { prescriptionId, entryId: 'e1', issuedAt: '2026-01-05T08:00:00.000Z', expiresOn: '2027-01-05' },
      { actor },
    );
  const multidose = (listId = LIST) =>
    event(listStream(listId), 'MultidoseRegistered', {
      responsibleDoctorHpr: MULTIDOSE_DOCTOR,
      pharmacyHerId: '99887',
      from: '2026-01-05',
    });
  const multidoseEnded = (listId = LIST) => event(listStream(listId), 'MultidoseEnded', { endedOn: '2026-02-01' });
  const detected = (key: string, listId = LIST): ProjectionEvent => {
    const data: DiscrepancyDetected['data'] = {
      key,
      code: 'D5',
      severity: 'warning',
      patientId: '31129956715',
      entryId: 'e1',
      prescriptionId: 'rx-1',
      evidence: {},
      feedSource: 'eprescription',
      runId: 'run-1',
      detectedAt: '2026-03-01T13:00:00.000+01:00',
    };
    return raw(reconciliationStream(listId), 'DiscrepancyDetected', data, { actor: feed });
  };
  const cleared = (key: string, listId = LIST) =>
    raw(
      reconciliationStream(listId),
      'DiscrepancyCleared',
      { key, code: 'D5', feedSource: 'eprescription', runId: 'run-2', clearedAt: '2026-03-02T13:00:00.000+01:00' },
      { actor: feed },
    );
  const resolved = (key: string, listId = LIST) =>
    raw(reconciliationStream(listId), 'DiscrepancyResolved', {
      key,
      code: 'D5',
      resolution: 'accept',
      resolvedAt: '2026-03-02T13:00:00.000+01:00',
      listCommandIds: [],
    });
  return { issued, multidose, multidoseEnded, detected, cleared, resolved, raw };
};

const open = (key: string): OpenDiscrepancy => ({
  key,
  code: 'D5',
  severity: 'warning',
  entryId: 'e1',
  prescriptionId: 'rx-1',
  dispensingId: null,
  feedSource: 'eprescription',
  detectedAt: '2026-03-01T13:00:00.000+01:00',
});

const patientDoc = (overrides: Partial<WorklistPatientDocument>): WorklistPatientDocument => ({
  kind: 'patient',
  listId: LIST,
  patientId: null,
  multidoseDoctorHpr: null,
  lastPrescriberHpr: null,
  open: [],
  lastPosition: null,
  ...overrides,
});

describe('gpWorklist.v2', () => {
  it('PrescriptionIssued makes the prescriber responsible and lists the patient under their HPR number', () => {
    const { issued } = factory();
    given(projection, [issued()]).then({
      [`patient:${LIST}`]: patientDoc({ lastPrescriberHpr: GP, lastPosition: '100' }),
      [`gp:${GP}:${LIST}`]: { kind: 'member', hprNumber: GP, listId: LIST, lastPosition: '100' },
    });
  });

  it('a doctor keeps one small membership document per list, found by the prefix of their HPR number', () => {
    const { issued } = factory();
    const stored = project(projection, [issued('rx-1', OTHER_LIST), issued('rx-2', LIST), issued('rx-3', OTHER_LIST)]);
    expect([...stored.keys()].filter((id) => id.startsWith(doctorIdPrefix(GP))).sort()).toEqual([
      `gp:${GP}:${LIST}`,
      `gp:${GP}:${OTHER_LIST}`,
    ]);
    expect([...stored.keys()].filter((id) => id.startsWith(doctorIdPrefix(GP.slice(0, -1))))).toEqual([]);
    expect(documentsOf(stored)[`gp:${GP}:${OTHER_LIST}`]).toEqual({
      kind: 'member',
      hprNumber: GP,
      listId: OTHER_LIST,
      lastPosition: '102',
    });
  });

  it('MultidoseRegistered makes the multidose-responsible doctor responsible', () => {
    const { multidose } = factory();
    given(projection, [multidose()]).then({
      [`patient:${LIST}`]: patientDoc({ multidoseDoctorHpr: MULTIDOSE_DOCTOR, lastPosition: '100' }),
      [`gp:${MULTIDOSE_DOCTOR}:${LIST}`]: {
        kind: 'member',
        hprNumber: MULTIDOSE_DOCTOR,
        listId: LIST,
        lastPosition: '100',
      },
    });
  });

  it('MultidoseEnded ends that responsibility (the membership document stays; the query filters it)', () => {
    const { multidose, multidoseEnded } = factory();
    const { documents } = given(projection, [multidose(), multidoseEnded()]);
    const patient = documents[`patient:${LIST}`] as WorklistPatientDocument;
    expect(patient.multidoseDoctorHpr).toBeNull();
    expect(isResponsible(patient, MULTIDOSE_DOCTOR)).toBe(false);
    expect(documents[`gp:${MULTIDOSE_DOCTOR}:${LIST}`]).toMatchObject({ kind: 'member', lastPosition: '100' });
  });

  it('DiscrepancyDetected lists the open discrepancy (in key order) and names the patient', () => {
    const { detected } = factory();
    given(projection, [detected('D5|e2|rx-2'), detected('D5|e1|rx-1')]).thenDocumentMatches({
      patientId: '31129956715',
      open: [open('D5|e1|rx-1'), open('D5|e2|rx-2')],
    });
  });

  it('DiscrepancyCleared removes it', () => {
    const { detected, cleared } = factory();
    given(projection, [detected('k1'), detected('k2'), cleared('k1')]).thenDocumentMatches({ open: [open('k2')] });
  });

  it('DiscrepancyResolved removes it', () => {
    const { detected, resolved } = factory();
    given(projection, [detected('k1'), resolved('k1')]).thenDocumentMatches({ open: [] });
  });

  it('a prescription issued by an actor without an HPR number changes no responsibility', () => {
    const { issued } = factory();
    expect(projection.documentIds(issued('rx-1', LIST, feed))).toEqual([`patient:${LIST}`]);
    given(projection, [issued('rx-1', LIST, feed)]).thenDocumentMatches({ lastPrescriberHpr: null });
  });

  it('handles no other stream and no other event type', () => {
    const { raw } = factory();
    expect(projection.documentIds(raw('reconciliationRun-run-1', 'ReconciliationRunCompleted', {}))).toEqual([]);
    expect(projection.documentIds(raw(listStream(), 'MedicationStarted', {}))).toEqual([]);
  });

  it('replay: re-applying an already-applied event changes nothing', () => {
    const { issued, detected, resolved } = factory();
    const events = [issued(), detected('k1'), detected('k2'), resolved('k1')] as const;
    const once = project(projection, events);
    expect(project(projection, [events[1], events[0], events[3], events[2]], once)).toEqual(once);
  });

  it('property: rebuilt from scratch equals maintained incrementally with replays, holds exactly the open keys and every doctor ever responsible', () => {
    const op = fc.record({
      kind: fc.constantFrom('issue', 'detect', 'clear', 'resolve', 'multidose', 'end'),
      list: fc.boolean(),
      key: fc.nat({ max: 4 }),
    });
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }),
        (ops, replays) => {
          const f = factory();
          const openKeys = new Map<string, Set<string>>([
            [LIST, new Set()],
            [OTHER_LIST, new Set()],
          ]);
          const members = new Set<string>();
          const events = ops.map((o) => {
            const listId = o.list ? LIST : OTHER_LIST;
            const key = `k${o.key}`;
            const keys = openKeys.get(listId) ?? new Set<string>();
            switch (o.kind) {
              case 'issue':
                members.add(`gp:${GP}:${listId}`);
                return f.issued(`rx-${o.key}`, listId);
              case 'detect':
                keys.add(key);
                return f.detected(key, listId);
              case 'clear':
                keys.delete(key);
                return f.cleared(key, listId);
              case 'resolve':
                keys.delete(key);
                return f.resolved(key, listId);
              case 'multidose':
                members.add(`gp:${MULTIDOSE_DOCTOR}:${listId}`);
                return f.multidose(listId);
              default:
                return f.multidoseEnded(listId);
            }
          });
          const interleaved = events.flatMap((e, i) => [
            e,
            ...replays.filter(([after]) => after % events.length === i).map(([, pick]) => events[pick % (i + 1)]!),
          ]);
          const scratch = documentsOf<GpWorklistDocument>(project(projection, events));
          expect(documentsOf(project(projection, interleaved))).toStrictEqual(scratch);
          for (const [listId, keys] of openKeys) {
            const doc = scratch[`patient:${listId}`];
            const actual = doc?.kind === 'patient' ? doc.open.map((d) => d.key) : [];
            expect(actual).toEqual([...keys].sort());
          }
          expect(
            Object.keys(scratch)
              .filter((id) => id.startsWith('gp:'))
              .sort(),
          ).toEqual([...members].sort());
        },
      ),
      { numRuns: 100, seed: 20260301 },
    );
  });
});
