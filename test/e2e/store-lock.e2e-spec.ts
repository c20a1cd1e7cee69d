import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { APP_CONFIG, type AppConfig } from '../../src/config/config';
import { STARTED_ON, sampleDosage, sampleMedication } from '../../src/medication-list/domain/medication-list.fixtures';
import { EVENT_STORE, type EventStorePort } from '../../src/shared/event-sourcing/event-store.port';
import { type GraphqlResponse, type TestApp, bootTestApp } from './app.e2e-helpers';
import { syntheticPatientId } from './read-side.e2e-helpers';

/**
 * Issue 14, part 4: another process holds the event file's write lock (a rebuild, a reconcile run, a backup
 * tool). Over real HTTP: /health answers, /ready is 503 saying EVENT_STORE_LOCKED, a mutation fails with
 * SERVICE_UNAVAILABLE once the configured wait (EVENT_STORE_LOCK_WAIT_MS) is over and appended nothing, and after
 * the release everything works. The lock is held by a child process with its own better-sqlite3 connection.
 * Driven by positions (locked, request pending, released), never by timing.
 */

const PATIENT = syntheticPatientId(17);
const START = /* GraphQL */ `
  mutation S($input: StartMedicationInput!) {
    startMedication(input: $input) {
      alreadyApplied
      entryId
      position
    }
  }
`;
const LIST = 'query L($patientId: String!) { medicationList(patientId: $patientId) { entries { entryId } } }';
const startInput = (entryId: string, commandId: string): Record<string, unknown> => ({
  input: {
    patientId: PATIENT,
    entryId,
    medication: sampleMedication,
    use: '1',
    dosage: sampleDosage,
    startedOn: STARTED_ON,
    prescriptionType: 'E',
    commandId,
  },
});

/** A child process that takes `BEGIN IMMEDIATE` on the file, says "locked", and rolls back on a line on stdin. */
const LOCK_HOLDER = `
const [file, driver] = process.argv.slice(1);
const Database = require(driver);
const db = new Database(file);
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\\n');
process.stdin.once('data', () => {
  db.exec('ROLLBACK');
  db.close();
  process.exit(0);
});
`;

interface LockHolder {
  release(): Promise<void>;
}

const holdWriteLock = async (file: string): Promise<LockHolder> => {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [
    '-e',
    LOCK_HOLDER,
    file,
    require.resolve('better-sqlite3'),
  ]);
  const lines = createInterface({ input: child.stdout });
  const [first] = (await once(lines, 'line')) as [string];
  if (first !== 'locked') {
    throw new Error(`the lock holder said ${first}`);
  }
  let released = false;
  return {
    release: async () => {
      if (!released) {
        released = true;
        const exited = once(child, 'exit');
        child.stdin.end('release\n');
        await exited;
      }
    },
  };
};

const ready = async (t: TestApp): Promise<{ status: number; body: { details?: Record<string, unknown> } }> => {
  const response = await fetch(`${t.baseUrl}/ready`);
  return { status: response.status, body: (await response.json()) as { details?: Record<string, unknown> } };
};

/** Settles with whether `promise` settled, after a request's full round trip happened meanwhile. */
const tracked = <T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } => {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { promise, settled: () => settled };
};

const boot = async (lockWaitMs: number): Promise<{ t: TestApp; eventsFile: string; store: EventStorePort }> => {
  const t = await bootTestApp({ env: { EVENT_STORE_LOCK_WAIT_MS: String(lockWaitMs) } });
  const config = t.app.get<AppConfig>(APP_CONFIG);
  return { t, eventsFile: join(config.dataDir, 'events.db'), store: t.app.get<EventStorePort>(EVENT_STORE) };
};

describe('another process holds the event file’s write lock (issue 14, part 4)', () => {
  let lock: LockHolder | undefined;
  afterEach(async () => {
    await lock?.release();
    lock = undefined;
  });

  describe('with a short lock wait (EVENT_STORE_LOCK_WAIT_MS=300)', () => {
    let app: Awaited<ReturnType<typeof boot>>;
    beforeAll(async () => {
      app = await boot(300);
    });
    afterAll(async () => {
      await app.t.close();
    });

    it('health answers, ready is 503 with the reason, a mutation fails after the configured wait and appends nothing; released, all works', async () => {
      const { t, eventsFile, store } = app;
      expect((await ready(t)).status).toBe(200);
      const head = await store.headPosition();
      lock = await holdWriteLock(eventsFile);

      const health = await fetch(`${t.baseUrl}/health`);
      expect(health.status).toBe(200);
      const locked = await ready(t);
      expect(locked.status).toBe(503);
      expect(locked.body.details?.eventStore).toEqual({ status: 'down', message: 'EVENT_STORE_LOCKED' });

      const refused: GraphqlResponse = await t.graphql(START, startInput('entry-locked', 'cmd-locked-1'));
      expect(refused.body.data).toBeNull();
      // The configured wait is what failed it: the cause's details carry it.
      expect(refused.body.errors?.[0]?.extensions).toEqual({
        code: 'SERVICE_UNAVAILABLE',
        errorCode: 'AUDIT_UNAVAILABLE',
        details: { reason: 'EVENT_STORE_LOCKED', waitedMs: 300 },
      });

      await lock.release();
      expect(await store.headPosition()).toBe(head); // nothing of the refused request was written
      expect((await ready(t)).status).toBe(200);
      const retried = await t.graphql(START, startInput('entry-locked', 'cmd-locked-1'));
      expect(retried.body.errors).toBeUndefined();
      expect(retried.body.data?.startMedication).toMatchObject({ alreadyApplied: false, entryId: 'entry-locked' });
    });
  });

  describe('with a long lock wait (EVENT_STORE_LOCK_WAIT_MS=60000)', () => {
    let app: Awaited<ReturnType<typeof boot>>;
    beforeAll(async () => {
      app = await boot(60_000);
    });
    afterAll(async () => {
      await app.t.close();
    });

    it('a mutation waiting for the lock holds up neither /health nor /ready, and goes through once the lock is released', async () => {
      const { t, eventsFile } = app;
      lock = await holdWriteLock(eventsFile);
      const waiting = tracked(t.graphql(START, startInput('entry-waited', 'cmd-waited-1')));
      const waitingRead = tracked(t.graphql(LIST, { patientId: PATIENT }));

      // Both requests are still waiting for the lock while these answer.
      expect((await fetch(`${t.baseUrl}/health`)).status).toBe(200);
      const locked = await ready(t);
      expect(locked.status).toBe(503);
      expect(locked.body.details?.eventStore).toEqual({ status: 'down', message: 'EVENT_STORE_LOCKED' });
      expect(waiting.settled()).toBe(false);
      expect(waitingRead.settled()).toBe(false);

      await lock.release();
      const done = await waiting.promise;
      expect(done.body.errors).toBeUndefined();
      expect(done.body.data?.startMedication).toMatchObject({ alreadyApplied: false, entryId: 'entry-waited' });
      expect((await waitingRead.promise).body.errors).toBeUndefined();
      expect((await ready(t)).status).toBe(200);
    });
  });
});
