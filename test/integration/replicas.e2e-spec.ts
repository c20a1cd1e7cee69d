import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevKeys, loadOrCreateDevKeys } from '../../src/access/tokens/dev-keys';
import { syntheticPatientId } from '../e2e/mutations.e2e-helpers';
import { subscribe } from '../e2e/read-side.e2e-helpers';
import {
  LIST,
  LIST_CHANGED,
  START,
  listDocuments,
  startInput as startListInput,
  started,
} from './operations.e2e-helpers';
import { NodeProcess, ServiceProcess, freePort } from './service-process';

/*
 * Issue 23, parts 2 and 3, tried as an operator would: real service processes and CLIs on one data directory.
 * Part 2: a second service on the same read-model file exits 1 naming the file (a rebuild beside it is online:
 * online-rebuild.e2e-spec.ts), and the
 * first goes on serving; after a SIGKILL the file is free again. Part 3: two services with their own
 * READ_MODELS_FILE over one events.db: read-your-writes across them, optimistic concurrency across them, and each
 * read model equal to a rebuild.
 */

jest.setTimeout(240_000);

const PATIENT = syntheticPatientId(14);
const startInput = (entryId: string, expectedVersion?: number): Record<string, unknown> =>
  startListInput(PATIENT, entryId, expectedVersion);

describe('operations beside a running service (real processes)', () => {
  let dir: string;
  let keys: DevKeys;
  const running: NodeProcess[] = [];
  const service = async (env: Record<string, string> = {}): Promise<ServiceProcess> => {
    const process = new ServiceProcess(await freePort(), { DATA_DIR: dir, ...env });
    running.push(process);
    return process;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'operations-e2e-'));
    keys = await loadOrCreateDevKeys(join(dir, 'dev-auth')); // the services load this same key
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((child) => child.kill('SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  });

  it('one owner per read-model file: a second service is refused, the first is undisturbed; SIGKILL frees it', async () => {
    const first = await service();
    await first.started();
    const { position } = started(await first.graphql(keys, START, { input: startInput('entry-1') }));

    const second = await service();
    expect(await second.exited).toBe(1);
    expect(second.output).toContain(`Read-model file ${join(dir, 'read-models.db')} is held by another process`);

    // the first is undisturbed: ready, and it serves and projects a new write
    expect(await first.ready()).toBe(200);
    const next = started(await first.graphql(keys, START, { input: startInput('entry-2') }));
    expect(BigInt(next.position)).toBeGreaterThan(BigInt(position));
    const list = await first.graphql(keys, LIST, { patientId: PATIENT, minPosition: next.position });
    expect(list).toEqual({
      data: { medicationList: { version: 2, entries: [{ entryId: 'entry-1' }, { entryId: 'entry-2' }] } },
    });

    expect(await first.kill('SIGKILL')).toBeNull(); // killed by the signal: no shutdown hook ran
    const third = await service();
    await third.started(); // the kernel dropped the lock with the process
    const after = await third.graphql(keys, LIST, { patientId: PATIENT, minPosition: next.position });
    expect(after.data?.medicationList).toEqual(list.data?.medicationList);
  });

  it('two replicas over one events.db: read-your-writes across them, one conflict, each read model equal to a rebuild', async () => {
    const a = await service({ READ_MODELS_FILE: join(dir, 'replica-a', 'read-models.db') });
    const b = await service({ READ_MODELS_FILE: join(dir, 'replica-b', 'read-models.db') });
    await Promise.all([a.started(), b.started()]);
    const clients = [a.ws(keys), b.ws(keys)];
    const live = clients.map((client) => subscribe(client, LIST_CHANGED, { patientId: PATIENT }));
    for (const subscription of live) {
      expect(await subscription.next()).toEqual({ medicationListChanged: { version: 0 } });
    }

    // written through A, read through B with the position A returned
    const first = started(await a.graphql(keys, START, { input: startInput('entry-1') }));
    const seenByB = await b.graphql(keys, LIST, { patientId: PATIENT, minPosition: first.position });
    expect(seenByB.data?.medicationList).toEqual({ version: 1, entries: [{ entryId: 'entry-1' }] });

    // two doctors read version 1, one on each replica: one change is stored, the other gets CONFLICT
    const [viaA, viaB] = await Promise.all([
      a.graphql(keys, START, { input: startInput('entry-a', first.version) }),
      b.graphql(keys, START, { input: startInput('entry-b', first.version) }),
    ]);
    const outcomes = [viaA, viaB].map((result) =>
      result.errors === undefined ? 'stored' : result.errors[0]?.extensions?.code,
    );
    expect(outcomes.sort()).toEqual(['CONFLICT', 'stored']);
    const winner = started(viaA.errors === undefined ? viaA : viaB);
    for (const replica of [a, b]) {
      const list = await replica.graphql(keys, LIST, { patientId: PATIENT, minPosition: winner.position });
      expect(list.data?.medicationList).toMatchObject({ version: 2 });
      expect(await replica.ready()).toBe(200);
    }
    // each process's subscription follows every change, whichever process took the write
    for (const subscription of live) {
      await subscription.next(
        (data) => JSON.stringify(data) === JSON.stringify({ medicationListChanged: { version: 2 } }),
        60_000,
      );
      expect(subscription.errors).toEqual([]);
    }
    await Promise.all(clients.map(async (client) => client.dispose()));

    // both stop cleanly; a rebuild into a third file equals what each replica projected
    expect(await Promise.all([a.kill('SIGTERM'), b.kill('SIGTERM')])).toEqual([0, 0]);
    const fresh = join(dir, 'rebuilt', 'read-models.db');
    const rebuild = new NodeProcess('src/cli/rebuild.ts', ['currentMedicationList'], {
      DATA_DIR: dir,
      READ_MODELS_FILE: fresh,
      NODE_ENV: 'test',
    });
    running.push(rebuild);
    expect(await rebuild.exited).toBe(0);
    const rebuilt = listDocuments(fresh);
    expect(rebuilt).toHaveLength(1);
    expect(listDocuments(join(dir, 'replica-a', 'read-models.db'))).toEqual(rebuilt);
    expect(listDocuments(join(dir, 'replica-b', 'read-models.db'))).toEqual(rebuilt);
  });
});
