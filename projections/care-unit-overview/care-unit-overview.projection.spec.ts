import fc from 'fast-check';
import { careUnitOverviewProjection as projection } from './care-unit-overview.projection';
import type { CareUnitOverviewDocument } from './care-unit-overview.projection';
import { documentsOf, eventFactory, given, project } from '../projection.spec-helpers';
import type { ProjectionEvent } from '../projection';

const ORG = '974633574';
const OTHER_ORG = '123456785';
const streamOf = (listId: string): string => `medicationList-${listId}`;
const ANNE = 'a1b2c3d4-0000-4000-8000-000000000001';
const BJORN = 'a1b2c3d4-0000-4000-8000-000000000002';

const relations = () => {
  const { event } = eventFactory();
  const started = (relationId: string, listId: string, unit?: string, org = ORG) =>
    event(streamOf(listId), 'CareRelationStarted', {
      relationId, patientId: `pid-${listId.slice(-1)}`, organisationNumber: org, ...(unit === undefined ? {} : { unit }), from: '2026-01-05',
    });
  const ended = (relationId: string, listId: string, unit?: string, org = ORG) =>
    event(streamOf(listId), 'CareRelationEnded', {
      relationId, organisationNumber: org, ...(unit === undefined ? {} : { unit }), endedOn: '2026-03-01',
    });
  return { event, started, ended };
};

const patient = (relationId: string, listId: string, unit: string | null) => ({
  patientId: `pid-${listId.slice(-1)}`, streamId: listId, relationId, from: '2026-01-05', to: null, unit,
});

describe('careUnitOverview.v1', () => {
  it('CareRelationStarted lists the patient under the organisation and, with a unit, under the unit', () => {
    const { started } = relations();
    given(projection, [started('r1', ANNE, 'Avd. 2'), started('r2', BJORN)]).then({
      [ORG]: { organisationNumber: ORG, unit: null, patients: [patient('r1', ANNE, 'Avd. 2'), patient('r2', BJORN, null)], lastPosition: '101' },
      [`${ORG}/Avd. 2`]: { organisationNumber: ORG, unit: 'Avd. 2', patients: [patient('r1', ANNE, 'Avd. 2')], lastPosition: '100' },
    });
  });

  it('CareRelationEnded removes the relation from the organisation and the unit', () => {
    const { started, ended } = relations();
    given(projection, [started('r1', ANNE, 'Avd. 2'), started('r2', BJORN, 'Avd. 2'), ended('r1', ANNE, 'Avd. 2')]).then({
      [ORG]: { organisationNumber: ORG, unit: null, patients: [patient('r2', BJORN, 'Avd. 2')], lastPosition: '102' },
      [`${ORG}/Avd. 2`]: { organisationNumber: ORG, unit: 'Avd. 2', patients: [patient('r2', BJORN, 'Avd. 2')], lastPosition: '102' },
    });
  });

  it('handles only care-relation events and names no document for others', () => {
    const { event } = relations();
    expect(projection.handles).toEqual(['CareRelationStarted', 'CareRelationEnded']);
    expect(projection.documentIds(event(streamOf(ANNE), 'MultidoseEnded', { endedOn: '2026-01-05' }))).toEqual([]);
  });

  it('replay: re-applying an already-applied event changes nothing', () => {
    const { started, ended } = relations();
    const events = [started('r1', ANNE, 'Avd. 2'), started('r2', BJORN), ended('r1', ANNE, 'Avd. 2')];
    const once = project(projection, events);
    expect(project(projection, [events[0], events[1], events[2], events[0]], once)).toEqual(once);
  });

  it('property: rebuilt from scratch equals maintained incrementally with replays, and lists exactly the active relations', () => {
    const op = fc.record({ start: fc.boolean(), patient: fc.nat({ max: 3 }), org: fc.boolean(), unit: fc.constantFrom(undefined, 'Avd. 1', 'Avd. 2'), pick: fc.nat() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }), (ops, replays) => {
        const { started, ended } = relations();
        let active: { relationId: string; listId: string; unit?: string; org: string }[] = [];
        const events: ProjectionEvent[] = [];
        ops.forEach((o, n) => {
          if (o.start || active.length === 0) {
            const relation = { relationId: `r${n}`, listId: `list-${o.patient}`, unit: o.unit, org: o.org ? ORG : OTHER_ORG };
            active.push(relation);
            events.push(started(relation.relationId, relation.listId, relation.unit, relation.org));
          } else {
            const relation = active[o.pick % active.length];
            active = active.filter((r) => r !== relation);
            events.push(ended(relation.relationId, relation.listId, relation.unit, relation.org));
          }
        });
        const interleaved = events.flatMap((e, i) => [e, ...replays.filter(([after]) => after % events.length === i).map(([, pick]) => events[pick % (i + 1)])]);
        const scratch = documentsOf<CareUnitOverviewDocument>(project(projection, events));
        expect(documentsOf(project(projection, interleaved))).toStrictEqual(scratch);
        for (const org of [ORG, OTHER_ORG]) {
          for (const unit of [undefined, 'Avd. 1', 'Avd. 2']) {
            const id = unit === undefined ? org : `${org}/${unit}`;
            const expected = active.filter((r) => r.org === org && (unit === undefined || r.unit === unit));
            expect((scratch[id]?.patients ?? []).map((p) => p.relationId).sort()).toEqual(expected.map((r) => r.relationId).sort());
          }
        }
      }),
      { numRuns: 100, seed: 20260105 },
    );
  });
});
