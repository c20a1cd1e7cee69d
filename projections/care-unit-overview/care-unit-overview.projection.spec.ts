import fc from 'fast-check';
import {
  careUnitIdPrefix,
  careUnitOverviewOf,
  careUnitOverviewProjection as projection,
  encodeIdSegment,
} from './care-unit-overview.projection';
import type { CareUnitOverview, CareUnitOverviewDocument } from './care-unit-overview.projection';
import { documentsOf, eventFactory, given, project } from '../projection.spec-helpers';
import type { ProjectionEvent } from '../projection';

const ORG = '974633574';
/** The reader's today for `careUnitOverviewOf` */
const TODAY = '2026-02-15';
const OTHER_ORG = '123456785';
const streamOf = (listId: string): string => `medicationList-${listId}`;
const ANNE = 'a1b2c3d4-0000-4000-8000-000000000001';
const BJORN = 'a1b2c3d4-0000-4000-8000-000000000002';

const relations = () => {
  const { event } = eventFactory();
  const started = (relationId: string, listId: string, unit?: string, org = ORG) =>
    event(streamOf(listId), 'CareRelationStarted', {
      relationId,
      patientId: `pid-${listId.slice(-1)}`,
      organisationNumber: org,
      ...(unit === undefined ? {} : { unit }),
      from: '2026-01-05',
    });
  // Recorded after its end date unless `recordedAt` says otherwise: the relation is then removed at once.
  const ended = (
    relationId: string,
    listId: string,
    unit?: string,
    org = ORG,
    recordedAt = '2026-03-02T09:00:00.000Z',
  ) =>
    event(
      streamOf(listId),
      'CareRelationEnded',
      {
        relationId,
        organisationNumber: org,
        ...(unit === undefined ? {} : { unit }),
        endedOn: '2026-03-01',
      },
      { recordedAt },
    );
  return { event, started, ended };
};

const relation = (relationId: string, listId: string, startedPosition: string) => ({
  relationId,
  patientId: `pid-${listId.slice(-1)}`,
  from: '2026-01-05',
  to: null,
  startedPosition,
  residentName: null,
  room: null,
});

const patient = (relationId: string, listId: string, unit: string | null) => ({
  patientId: `pid-${listId.slice(-1)}`,
  streamId: listId,
  relationId,
  from: '2026-01-05',
  to: null,
  unit,
  residentName: null,
  room: null,
});

/** What the readers do: the documents under the prefix, in id order (as SqliteReadModelStore.listDocuments). */
const overview = (stored: ReadonlyMap<string, string>, org: string, unit?: string): CareUnitOverview => {
  const prefix = careUnitIdPrefix(org, unit);
  const documents = [...stored.keys()]
    .filter((id) => id.startsWith(prefix))
    .sort()
    .map((id) => JSON.parse(stored.get(id) ?? '') as CareUnitOverviewDocument);
  return careUnitOverviewOf(org, unit, documents, TODAY);
};

describe('careUnitOverview.v2', () => {
  it('CareRelationStarted adds the relation to the document of its list and organisation, or unit', () => {
    const { started } = relations();
    given(projection, [started('r1', ANNE, 'Avd. 2'), started('r2', BJORN), started('r3', ANNE, 'Avd. 2')]).then({
      [`${ORG}/Avd. 2/${ANNE}`]: {
        organisationNumber: ORG,
        unit: 'Avd. 2',
        streamId: ANNE,
        relations: [relation('r1', ANNE, '100'), relation('r3', ANNE, '102')],
        lastPosition: '102',
      },
      [`${ORG}/${BJORN}`]: {
        organisationNumber: ORG,
        unit: null,
        streamId: BJORN,
        relations: [relation('r2', BJORN, '101')],
        lastPosition: '101',
      },
    });
  });

  it("CareRelationStarted keeps the resident's name and room the organisation registered (issue 20)", () => {
    const { event } = eventFactory();
    const admitted = event(streamOf(ANNE), 'CareRelationStarted', {
      relationId: 'r1',
      patientId: 'pid-1',
      organisationNumber: ORG,
      unit: 'Avd. 2',
      from: '2026-01-05',
      residentName: 'Anne Hansen',
      room: '12',
    });
    const stored = project(projection, [admitted]);
    expect(overview(stored, ORG, 'Avd. 2').patients).toEqual([
      { ...patient('r1', ANNE, 'Avd. 2'), patientId: 'pid-1', residentName: 'Anne Hansen', room: '12' },
    ]);
  });

  it('reads a relation stored before issue 20 (without name and room) as null name and room', () => {
    const stored: CareUnitOverviewDocument = {
      organisationNumber: ORG,
      unit: null,
      streamId: ANNE,
      lastPosition: '100',
      relations: [{ relationId: 'r1', patientId: 'pid-1', from: '2026-01-05', to: null, startedPosition: '100' }],
    };
    expect(careUnitOverviewOf(ORG, undefined, [stored], TODAY).patients).toEqual([
      { ...patient('r1', ANNE, null), residentName: null, room: null },
    ]);
  });

  it('CareRelationEnded removes the relation; the document stays, empty when it was the last', () => {
    const { started, ended } = relations();
    given(projection, [
      started('r1', ANNE, 'Avd. 2'),
      started('r2', BJORN, 'Avd. 2'),
      ended('r1', ANNE, 'Avd. 2'),
    ]).then({
      [`${ORG}/Avd. 2/${ANNE}`]: {
        organisationNumber: ORG,
        unit: 'Avd. 2',
        streamId: ANNE,
        relations: [],
        lastPosition: '102',
      },
      [`${ORG}/Avd. 2/${BJORN}`]: {
        organisationNumber: ORG,
        unit: 'Avd. 2',
        streamId: BJORN,
        relations: [relation('r2', BJORN, '101')],
        lastPosition: '101',
      },
    });
  });

  it('CareRelationEnded with a future end date keeps the resident listed through that date, then not (issue 15)', () => {
    const { started, ended } = relations();
    const stored = project(projection, [
      started('r1', ANNE),
      started('r2', BJORN),
      ended('r1', ANNE, undefined, ORG, '2026-02-10T09:00:00.000Z'),
    ]);
    const documents = [...stored.values()].map((json) => JSON.parse(json) as CareUnitOverviewDocument);
    expect(careUnitOverviewOf(ORG, undefined, documents, '2026-03-01').patients.map((p) => p.relationId)).toEqual([
      'r1',
      'r2',
    ]);
    expect(careUnitOverviewOf(ORG, undefined, documents, '2026-03-01').patients[0]).toMatchObject({
      relationId: 'r1',
      to: '2026-03-01',
    });
    expect(careUnitOverviewOf(ORG, undefined, documents, '2026-03-02').patients.map((p) => p.relationId)).toEqual([
      'r2',
    ]);
  });

  it('the same relation id on two lists names two relations (ids are unique per list only)', () => {
    const { started, ended } = relations();
    const stored = project(projection, [started('r1', ANNE), started('r1', BJORN), ended('r1', ANNE)]);
    expect(overview(stored, ORG).patients).toEqual([patient('r1', BJORN, null)]);
  });

  it('lists the organisation and each unit by id prefix, in the order the relations started', () => {
    const { started } = relations();
    const stored = project(projection, [
      started('r1', BJORN, 'Avd. 2'),
      started('r2', ANNE),
      started('r3', ANNE, 'Avd. 2'),
      started('r4', BJORN, 'Avd. 2/Sør'),
      started('r5', ANNE, 'Avd. 2', OTHER_ORG),
    ]);
    expect(overview(stored, ORG)).toEqual({
      organisationNumber: ORG,
      unit: null,
      patients: [
        patient('r1', BJORN, 'Avd. 2'),
        patient('r2', ANNE, null),
        patient('r3', ANNE, 'Avd. 2'),
        patient('r4', BJORN, 'Avd. 2/Sør'),
      ],
    });
    expect(overview(stored, ORG, 'Avd. 2').patients).toEqual([
      patient('r1', BJORN, 'Avd. 2'),
      patient('r3', ANNE, 'Avd. 2'),
    ]);
    expect(overview(stored, ORG, 'Avd. 2/Sør').patients).toEqual([patient('r4', BJORN, 'Avd. 2/Sør')]);
    expect(overview(stored, ORG, 'Avd.').patients).toEqual([]);
  });

  it.each([
    ['a separator', 'Avd. 2/Sør', 'Avd. 2%002fS%00f8r'],
    ['the escape character', '100%', '100%0025'],
    ['a lone surrogate', 'Avd \ud800', 'Avd %d800'],
    ['nothing to escape', 'Avd. 2_b-c', 'Avd. 2_b-c'],
  ])('encodes a unit with %s into one id segment and back', (_name, unit, encoded) => {
    const { started } = relations();
    expect(encodeIdSegment(unit)).toBe(encoded);
    const event = started('r1', ANNE, unit);
    const [id] = projection.documentIds(event);
    expect(id).toBe(`${ORG}/${encoded}/${ANNE}`);
    expect(projection.initialDocument(id!)).toMatchObject({ organisationNumber: ORG, unit, streamId: ANNE });
  });

  it('handles only care-relation events of list streams and names no document for others', () => {
    const { event } = relations();
    expect(projection.handles).toEqual(['CareRelationStarted', 'CareRelationEnded']);
    expect(projection.documentIds(event(streamOf(ANNE), 'MultidoseEnded', { endedOn: '2026-01-05' }))).toEqual([]);
    expect(
      projection.documentIds(
        event('reconciliation-x', 'CareRelationEnded', {
          relationId: 'r1',
          organisationNumber: ORG,
          endedOn: '2026-03-01',
        }),
      ),
    ).toEqual([]);
  });

  it('replay: re-applying an already-applied event changes nothing', () => {
    const { started, ended } = relations();
    const events = [started('r1', ANNE, 'Avd. 2'), started('r2', BJORN), ended('r1', ANNE, 'Avd. 2')] as const;
    const once = project(projection, events);
    expect(project(projection, [events[0], events[1], events[2], events[0]], once)).toEqual(once);
  });

  it('property: rebuilt from scratch equals maintained incrementally with replays, and lists exactly the active relations in start order', () => {
    const op = fc.record({
      start: fc.boolean(),
      patient: fc.nat({ max: 3 }),
      org: fc.boolean(),
      unit: fc.constantFrom(undefined, 'Avd. 1', 'Avd. 1/2', 'Avd. 10'),
      pick: fc.nat(),
    });
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }),
        (ops, replays) => {
          const { started, ended } = relations();
          let active: { relationId: string; listId: string; unit?: string; org: string }[] = [];
          const used = new Set<string>();
          const events: ProjectionEvent[] = [];
          ops.forEach((o, n) => {
            if (o.start || active.length === 0) {
              // relation ids repeat across lists (r0, r1, … per patient), as clients may choose them
              const relation = {
                relationId: `r${n % 3}-${active.length}`,
                listId: `list-${o.patient}`,
                unit: o.unit,
                org: o.org ? ORG : OTHER_ORG,
              };
              if (used.has(`${relation.listId} ${relation.relationId}`)) {
                return; // the decider refuses a relation id already used on the list
              }
              used.add(`${relation.listId} ${relation.relationId}`);
              active.push(relation);
              events.push(started(relation.relationId, relation.listId, relation.unit, relation.org));
            } else {
              const relation = active[o.pick % active.length]!; // active is not empty here
              active = active.filter((r) => r !== relation);
              events.push(ended(relation.relationId, relation.listId, relation.unit, relation.org));
            }
          });
          const interleaved = events.flatMap((e, i) => [
            e,
            ...replays.filter(([after]) => after % events.length === i).map(([, pick]) => events[pick % (i + 1)]!),
          ]);
          const scratch = project(projection, events);
          expect(documentsOf(project(projection, interleaved))).toStrictEqual(
            documentsOf<CareUnitOverviewDocument>(scratch),
          );
          for (const org of [ORG, OTHER_ORG]) {
            for (const unit of [undefined, 'Avd. 1', 'Avd. 1/2', 'Avd. 10']) {
              const expected = active.filter((r) => r.org === org && (unit === undefined || r.unit === unit));
              expect(overview(scratch, org, unit).patients.map((p) => [p.streamId, p.relationId])).toEqual(
                expected.map((r) => [r.listId, r.relationId]),
              );
            }
          }
        },
      ),
      { numRuns: 100, seed: 20260105 },
    );
  });
});
