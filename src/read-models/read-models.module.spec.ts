import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validListEvents } from '../../projections/current-medication-list/current-medication-list.spec-helpers';
import { documentsOf, project } from '../../projections/projection.spec-helpers';
import { accessEventTypes } from '../access/audit';
import { APP_CONFIG } from '../config/config';
import { HealthController } from '../health/health.controller';
import { HealthModule } from '../health/health.module';
import { ReadinessChecks } from '../health/readiness';
import { reconciliationRunEventTypes } from '../reconciliation/domain/reconciliation.events';
import { EVENT_STORE } from '../shared/event-sourcing/event-store.port';
import { InMemoryEventStore } from '../shared/event-sourcing/in-memory.event-store';
import { PROJECTOR, Projector, toProjectionEvent } from '../shared/event-sourcing/projector';
import { ReadModelFileLockedError } from './read-model-file.lock';
import { READ_MODEL_STORE, SqliteReadModelStore } from './read-model.store';
import { ReadModelsModule, projectionReadiness, readModelProjections, readModelProjector } from './read-models.module';

/** Appends generated histories, one stream per history, as the command handler would. */
const appendHistories = async (store: InMemoryEventStore, seed: number, histories: number): Promise<void> => {
  const samples = fc.sample(validListEvents(40), { numRuns: histories, seed });
  for (const [i, events] of samples.entries()) {
    const stream = `medicationList-00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    for (const [j, event] of events.entries()) {
      const id = `00000000-0000-4000-9000-${String(i * 1000 + j).padStart(12, '0')}`;
      await store.appendToStream(stream, [{ id, type: event.type, data: event.data, metadata: event.metadata }], {
        expectedRevision: 'any',
      });
    }
  }
};

/** One event of each type the service writes and no read model projects (a look, an import run's records). */
const appendUnprojected = async (store: InMemoryEventStore): Promise<void> => {
  const types = [...accessEventTypes, ...reconciliationRunEventTypes];
  for (const [i, type] of types.entries()) {
    const id = `00000000-0000-4000-a000-${String(i).padStart(12, '0')}`;
    const at = '2026-11-02T10:00:00.000Z';
    const metadata = {
      commandId: id,
      correlationId: id,
      causationId: id,
      actor: { role: 'system' as const },
      clinicalTime: at,
      recordedAt: at,
      schemaVersion: 1,
    };
    await store.appendToStream(`unprojected-${type}`, [{ id, type, data: {}, metadata }], { expectedRevision: 'any' });
  }
};

describe('the real read models through the projector', () => {
  it('equal a fold of the log, through batches that cut histories anywhere (JSON and frozen cache included)', async () => {
    const events = new InMemoryEventStore();
    await appendHistories(events, 7, 8);
    await appendUnprojected(events);
    const head = (await events.headPosition()) ?? 0n;
    const store = new SqliteReadModelStore({ file: ':memory:' });
    const unknown: string[] = [];
    const projector = readModelProjector({
      eventStore: events,
      store,
      batchSize: 7,
      observer: {
        onApplied: () => undefined,
        onUnknownEvent: (_p, type) => unknown.push(type),
        onError: () => undefined,
      },
    });
    projector.start();
    for (const { name } of readModelProjections()) {
      await projector.waitForPosition(name, head, 10_000);
    }
    // a per-stream projection is built in bulk, then marked live (retiring v1) when its subscription idles
    const live = (name: string) =>
      store.projections().some((meta) => meta.projection === name && meta.status === 'live');
    while (!live('currentMedicationList.v2')) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    await projector.stop();

    const log = (await events.readAll()).map(toProjectionEvent);
    for (const projection of readModelProjections()) {
      const stored = Object.fromEntries(store.listDocuments(projection.name).map(({ id, document }) => [id, document]));
      expect(stored).toEqual(documentsOf(project(projection, log)));
    }
    const currentList = readModelProjections()[0]!;
    const listsInLog = new Set(log.filter((e) => currentList.handles.includes(e.type)).map((e) => e.streamName));
    expect(listsInLog.size).toBeGreaterThan(3); // the generator produced real histories
    expect(store.listDocuments(currentList.name)).toHaveLength(listsInLog.size);
    // the access log and the import runs' events are known, projected by none: only a type no code writes is unknown
    expect(new Set(unknown)).toEqual(new Set(['MedicationNoteAdded']));
    store.close();
  });
});

describe('switching from version 1 of the per-organisation read models on an existing read-model file', () => {
  it('builds currentMedicationList.v2, careUnitOverview.v2 and gpWorklist.v2 from zero and retires v1 (documents and checkpoint) once v2 is live', async () => {
    const events = new InMemoryEventStore();
    await appendHistories(events, 11, 6);
    const head = (await events.headPosition()) ?? 0n;
    const dir = mkdtempSync(join(tmpdir(), 'read-models-switch-'));
    const file = join(dir, 'read-models.db');
    // what a service of the previous version left behind: v1 documents, caught up and live
    const previous = new SqliteReadModelStore({ file });
    const v1 = [
      [
        'careUnitOverview.v1',
        '974633574',
        { organisationNumber: '974633574', unit: null, patients: [], lastPosition: '3' },
      ],
      ['gpWorklist.v1', 'gp:9144889', { kind: 'gp', hprNumber: '9144889', listIds: [], lastPosition: '3' }],
      // v1 pruned discontinued entries by a clinical date (issue 22): its documents may lack some, so v2 rebuilds
      [
        'currentMedicationList.v1',
        'stale-list',
        { listId: 'stale-list', version: 1, discontinued: [], lastPosition: '3' },
      ],
    ] as const;
    for (const [projection, id, document] of v1) {
      previous.register(projection);
      previous.applyBatch(projection, new Map([[id, document]]), head);
      previous.markLive(projection);
    }
    previous.close();

    const store = new SqliteReadModelStore({ file });
    expect(store.listDocuments('careUnitOverview.v1')).toHaveLength(1);
    const projector = new Projector({ eventStore: events, store, projections: readModelProjections() });
    projector.start();
    for (const { name } of readModelProjections()) {
      await projector.waitForPosition(name, head, 10_000);
    }
    // a per-stream projection is built in bulk, then marked live (retiring v1) when its subscription idles
    const live = (name: string) =>
      store.projections().some((meta) => meta.projection === name && meta.status === 'live');
    while (!live('currentMedicationList.v2')) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    await projector.stop();

    const log = (await events.readAll()).map(toProjectionEvent);
    for (const [projection] of v1) {
      const successor = readModelProjections().find((p) => p.name === projection.replace('.v1', '.v2'));
      if (successor === undefined) {
        throw new Error(`no successor of ${projection}`);
      }
      const rebuilt = Object.fromEntries(store.listDocuments(successor.name).map(({ id, document }) => [id, document]));
      expect(rebuilt).toEqual(documentsOf(project(successor, log)));
      expect(Object.keys(rebuilt).length).toBeGreaterThan(0);
      expect(store.listDocuments(projection)).toEqual([]);
      expect(store.checkpoint(projection)).toBeUndefined();
    }
    expect(store.projections()).toEqual(
      expect.arrayContaining([
        { projection: 'careUnitOverview.v1', version: 1, status: 'retired' },
        { projection: 'careUnitOverview.v2', version: 2, status: 'live' },
        { projection: 'gpWorklist.v1', version: 1, status: 'retired' },
        { projection: 'gpWorklist.v2', version: 2, status: 'live' },
        { projection: 'currentMedicationList.v1', version: 1, status: 'retired' },
        { projection: 'currentMedicationList.v2', version: 2, status: 'live' },
      ]),
    );
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('ReadModelsModule', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-models-module-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens read-models.db in DATA_DIR, projects from bootstrap to shutdown and reports lag for /ready', async () => {
    const events = new InMemoryEventStore();
    await appendHistories(events, 3, 2);
    @Global()
    @Module({
      providers: [
        { provide: APP_CONFIG, useValue: { dataDir: dir, readModelsFile: join(dir, 'read-models.db') } },
        { provide: EVENT_STORE, useValue: events },
        ReadinessChecks,
      ],
      exports: [APP_CONFIG, EVENT_STORE, ReadinessChecks],
    })
    class TestInfrastructure {}

    const app = await Test.createTestingModule({ imports: [TestInfrastructure, ReadModelsModule] }).compile();
    await app.init(); // onModuleInit + onApplicationBootstrap
    const projector = app.get<Projector>(PROJECTOR);
    const head = (await events.headPosition()) ?? 0n;
    await projector.waitForPosition('currentMedicationList', head, 10_000);
    await projector.waitForPosition('careUnitOverview', head, 10_000);

    const checks = new Map(app.get(ReadinessChecks).list());
    expect([...checks.keys()]).toEqual([
      'projection:currentMedicationList.v2',
      'projection:careUnitOverview.v2',
      'projection:gpWorklist.v2',
    ]);
    expect(await checks.get('projection:currentMedicationList.v2')?.()).toEqual({
      up: true,
      details: { running: true, checkpoint: head.toString(), lagEvents: 0, lagSeconds: 0 },
    });
    expect(app.get<SqliteReadModelStore>(READ_MODEL_STORE).listDocuments('currentMedicationList.v2')).toHaveLength(2);
    await app.close();

    const reopened = new SqliteReadModelStore({ file: join(dir, 'read-models.db') });
    expect(reopened.checkpoint('currentMedicationList.v2')).toBe(head);
    reopened.close();
  });

  it('one /ready makes one projector.status() call for all projections (one head read in memory), the next /ready a fresh one', async () => {
    const events = new InMemoryEventStore();
    await appendHistories(events, 3, 2);
    @Global()
    @Module({
      providers: [
        { provide: APP_CONFIG, useValue: { dataDir: dir, readModelsFile: join(dir, 'read-models.db') } },
        { provide: EVENT_STORE, useValue: events },
      ],
      exports: [APP_CONFIG, EVENT_STORE],
    })
    class TestInfrastructure {}

    const app = await Test.createTestingModule({
      imports: [TestInfrastructure, HealthModule, ReadModelsModule],
    }).compile();
    await app.init();
    const projector = app.get<Projector>(PROJECTOR);
    const store = app.get<SqliteReadModelStore>(READ_MODEL_STORE);
    const head = (await events.headPosition()) ?? 0n;
    for (const { name } of readModelProjections()) {
      await projector.waitForPosition(name, head, 10_000);
    }
    // once every projection is live its loop reads no head while idle: the head reads counted below are /ready's
    const live = (name: string) =>
      store.projections().some((meta) => meta.projection === name && meta.status === 'live');
    while (!readModelProjections().every(({ name }) => live(name))) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const statusCalls = jest.spyOn(projector, 'status');
    const headReads = jest.spyOn(events, 'headPosition');
    const controller = app.get(HealthController);

    const ready = await controller.readinessCheck();

    expect(ready.status).toBe('ok');
    expect(Object.keys(ready.details)).toEqual(
      expect.arrayContaining(readModelProjections().map(({ name }) => `projection:${name}`)),
    );
    expect(readModelProjections().length).toBeGreaterThan(1); // else sharing one call would prove nothing
    expect(statusCalls).toHaveBeenCalledTimes(1);
    expect(headReads).toHaveBeenCalledTimes(1);

    // the shared call lasts one evaluation, not longer: the next /ready asks again
    expect((await controller.readinessCheck()).status).toBe('ok');
    expect(statusCalls).toHaveBeenCalledTimes(2);
    expect(headReads).toHaveBeenCalledTimes(2);
    await app.close();
  });

  it('refuses a second owner of the same read-model file, and the first goes on projecting', async () => {
    const events = new InMemoryEventStore();
    await appendHistories(events, 5, 1);
    const boot = async () => {
      @Global()
      @Module({
        providers: [
          { provide: APP_CONFIG, useValue: { dataDir: dir, readModelsFile: join(dir, 'read-models.db') } },
          { provide: EVENT_STORE, useValue: events },
        ],
        exports: [APP_CONFIG, EVENT_STORE],
      })
      class TestInfrastructure {}
      const app = await Test.createTestingModule({ imports: [TestInfrastructure, ReadModelsModule] }).compile();
      await app.init();
      return app;
    };
    const first = await boot();

    await expect(boot()).rejects.toThrow(ReadModelFileLockedError);

    const before = (await events.headPosition()) ?? 0n;
    await appendUnprojected(events);
    const head = (await events.headPosition()) ?? 0n;
    await first.get<Projector>(PROJECTOR).waitForPosition('currentMedicationList', head, 10_000);
    expect(head).toBeGreaterThan(before);
    expect((await first.get<Projector>(PROJECTOR).status())['currentMedicationList.v2']).toMatchObject({
      running: true,
    });
    await first.close();
    const third = await boot(); // closed: the file is free again
    await third.close();
  });

  it.each([
    [{ running: true, lagSeconds: 3 }, true],
    [{ running: true, lagSeconds: 30 }, false],
    [{ running: true, lagSeconds: null }, false],
    [{ running: false, lagSeconds: 0 }, false],
  ])('readiness of %o is up = %s', (status, up) => {
    expect(projectionReadiness({ checkpoint: 1n, head: 2n, lagEvents: 1, ...status }).up).toBe(up);
  });
});
