import { Subject } from 'rxjs';
import { tmpdir } from 'node:os';
import { careUnitOverviewProjection } from '../../../projections/care-unit-overview/care-unit-overview.projection';
import { emptyCurrentMedicationList } from '../../../projections/current-medication-list/current-medication-list.document';
import { currentMedicationListProjection } from '../../../projections/current-medication-list/current-medication-list.projection';
import { GP_WORKLIST_PROJECTION, patientDocumentId } from '../../../projections/gp-worklist/gp-worklist.projection';
import { eventFactory, project } from '../../../projections/projection.spec-helpers';
import { loadConfig } from '../../config/config';
import { SqliteReadModelStore } from '../../read-models/read-model.store';
import { fixedClock } from '../../shared/clock';
import { InMemoryEventStore } from '../../shared/event-sourcing/in-memory.event-store';
import type { ProjectionChange, Projector } from '../../shared/event-sourcing/projector';
import { MedicationListLive, liveSnapshots } from './medication-list.live';
import { MedicationListReads } from '../medication-list.reads';

describe('liveSnapshots', () => {
  it('sends the current snapshot first, then one per tick, skipping identical snapshots', async () => {
    const ticks = new Subject<void>();
    let state = 1;
    const live = liveSnapshots(ticks, () => ({ state }));

    const first = await live.next();
    ticks.next(); // nothing changed: no message
    state = 2;
    ticks.next();
    const second = await live.next();

    expect([first.value, second.value]).toEqual([{ state: 1 }, { state: 2 }]);
  });

  it('authorizes every snapshot after the first before it is sent, and ends with the error of a denial', async () => {
    const ticks = new Subject<void>();
    let state = 1;
    const checks: number[] = [];
    let allowed = true;
    const live = liveSnapshots(
      ticks,
      () => state,
      () => {
        checks.push(state);
        return allowed ? Promise.resolve() : Promise.reject(new Error('denied'));
      },
    );

    await live.next(); // the first snapshot: the access step authorized it when the subscription started
    ticks.next(); // unchanged: nothing sent, nothing checked
    state = 2;
    ticks.next();
    const second = await live.next();
    allowed = false;
    state = 3;
    ticks.next();
    const denied = live.next();

    expect(second).toEqual({ done: false, value: 2 });
    await expect(denied).rejects.toThrow('denied');
    expect(checks).toEqual([2, 3]);
    expect(ticks.observed).toBe(false);
    expect(await live.next()).toEqual({ done: true, value: undefined });
  });

  it('conflates ticks a slow subscriber missed into the latest snapshot', async () => {
    const ticks = new Subject<void>();
    let state = 0;
    const live = liveSnapshots(ticks, () => state);
    await live.next();

    for (const next of [1, 2, 3]) {
      state = next;
      ticks.next();
    }

    expect(await live.next()).toEqual({ done: false, value: 3 });
  });

  it('wakes a waiting subscriber on a tick and ends on return() or when the source completes', async () => {
    const ticks = new Subject<void>();
    let state = 'a';
    const live = liveSnapshots(ticks, () => state);
    await live.next();

    const waiting = live.next();
    state = 'b';
    ticks.next();
    expect(await waiting).toEqual({ done: false, value: 'b' });

    const pending = live.next();
    await live.return?.();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(ticks.observed).toBe(false);

    const other = liveSnapshots(ticks, () => state);
    await other.next();
    ticks.complete();
    expect(await other.next()).toEqual({ done: true, value: undefined });
  });
});

describe('MedicationListLive.careUnit', () => {
  const ORG = '974633574';
  const ANNE = 'a1b2c3d4-0000-4000-8000-000000000001';
  const BJORN = 'a1b2c3d4-0000-4000-8000-000000000002';

  /** A real read-model store and reads; the projector's change feed is a Subject the test commits through. */
  const setup = () => {
    const store = new SqliteReadModelStore({ file: ':memory:' });
    const changes = new Subject<ProjectionChange>();
    const projector = { changes } as Pick<Projector, 'changes'> as Projector;
    const reads = new MedicationListReads(
      new InMemoryEventStore(),
      store,
      projector,
      fixedClock('2026-03-01T12:00:00.000Z'),
      loadConfig({ NODE_ENV: 'test' }, tmpdir()),
    );
    const { event } = eventFactory();
    let overview = new Map<string, string>();
    let position = 0n;
    const commit = (projection: string, documents: Map<string, unknown>): void => {
      position += 1n;
      store.applyBatch(projection, documents, position);
      changes.next({ projection, documentIds: [...documents.keys()], position });
    };
    const relation = (type: 'CareRelationStarted' | 'CareRelationEnded', listId: string, unit?: string) => {
      const data = { relationId: 'r1', organisationNumber: ORG, ...(unit === undefined ? {} : { unit }) };
      const relationEvent =
        type === 'CareRelationStarted'
          ? event(`medicationList-${listId}`, type, {
              ...data,
              patientId: `pid-${listId.slice(-1)}`,
              from: '2026-01-05',
            })
          : event(`medicationList-${listId}`, type, { ...data, endedOn: '2026-02-01' });
      const next = project(careUnitOverviewProjection, [relationEvent], overview);
      const written = new Map(
        [...next]
          .filter(([id, json]) => overview.get(id) !== json)
          .map(([id, json]) => [id, JSON.parse(json) as unknown]),
      );
      overview = next;
      commit(careUnitOverviewProjection.name, written);
    };
    const listChanged = (listId: string, version: number): void =>
      commit(
        currentMedicationListProjection.name,
        new Map([[listId, { ...emptyCurrentMedicationList(listId), version }]]),
      );
    const live = new MedicationListLive(reads, projector);
    return { store, reads, live, relation, listChanged, commit };
  };

  it('sends the unit now, then after a resident joins, a resident’s list changes and a resident leaves; not for others', async () => {
    const { store, reads, live, relation, listChanged } = setup();
    const snapshot = jest.spyOn(reads, 'careUnit');
    relation('CareRelationStarted', ANNE, 'Avd. 2');
    const unit = live.careUnit(ORG, 'Avd. 2');
    const residents = async () => {
      const result = await unit.next();
      if (result.done === true) {
        throw new Error('the subscription ended');
      }
      return result.value.patients.map((p) => [p.patientId, p.listVersion]);
    };

    expect(await residents()).toEqual([['pid-1', 0]]);
    relation('CareRelationStarted', BJORN); // the organisation, not this unit
    listChanged(BJORN, 1); // not a resident of the unit
    const pending = residents();
    expect(snapshot).toHaveBeenCalledTimes(1); // neither change concerned the unit: no new snapshot taken

    listChanged(ANNE, 4);
    expect(await pending).toEqual([['pid-1', 4]]);
    relation('CareRelationStarted', BJORN, 'Avd. 2');
    expect(await residents()).toEqual([
      ['pid-1', 4],
      ['pid-2', 1],
    ]);
    relation('CareRelationEnded', ANNE, 'Avd. 2');
    expect(await residents()).toEqual([['pid-2', 1]]);
    listChanged(ANNE, 5); // no longer a resident
    const last = residents();
    expect(snapshot).toHaveBeenCalledTimes(4);
    listChanged(BJORN, 2);
    expect(await last).toEqual([['pid-2', 2]]);
    await unit.return?.();
    store.close();
  });

  it('sends the unit again when a resident’s open discrepancies change (the attention badge), not another list’s', async () => {
    const { store, live, relation, commit } = setup();
    relation('CareRelationStarted', ANNE);
    const unit = live.careUnit(ORG, undefined);
    const discrepancies = async () => {
      const result = await unit.next();
      return result.done === true ? undefined : result.value.patients.map((p) => p.attention.openDiscrepancies);
    };
    const worklist = (listId: string, open: number) =>
      commit(
        GP_WORKLIST_PROJECTION,
        new Map([
          [
            patientDocumentId(listId),
            {
              kind: 'patient',
              listId,
              patientId: null,
              multidoseDoctorHpr: null,
              lastPrescriberHpr: null,
              lastPosition: null,
              open: Array.from({ length: open }, (_, i) => ({
                key: `k${i}`,
                code: 'D1',
                severity: 'warning',
                entryId: null,
                prescriptionId: null,
                dispensingId: null,
                feedSource: 'eprescription',
                detectedAt: '2026-03-01T00:00:00Z',
              })),
            },
          ],
        ]),
      );

    expect(await discrepancies()).toEqual([0]);
    worklist(BJORN, 3); // not a resident
    const pending = discrepancies();
    worklist(ANNE, 2);
    expect(await pending).toEqual([2]);
    await unit.return?.();
    store.close();
  });

  it('reads the residents once per overview change, not on every list change', async () => {
    const { store, reads, live, relation, listChanged } = setup();
    relation('CareRelationStarted', ANNE);
    const unit = live.careUnit(ORG, undefined);
    await unit.next();
    const overview = jest.spyOn(reads, 'overview');
    for (const version of [1, 2, 3]) {
      listChanged(BJORN, version);
      listChanged(ANNE, version);
    }
    relation('CareRelationStarted', BJORN);
    listChanged(BJORN, 4);
    expect(overview).toHaveBeenCalledTimes(2);
    await unit.return?.();
    store.close();
  });
});
