import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevKeys, loadOrCreateDevKeys } from '../../src/access/tokens/dev-keys';
import { syntheticPatientId } from '../e2e/mutations.e2e-helpers';
import { subscribe } from '../e2e/read-side.e2e-helpers';
import {
  LIST,
  LIST_CHANGED,
  LIST_PROJECTION,
  START,
  listDocuments,
  startInput,
  started,
  withReadModels,
} from './operations.e2e-helpers';
import { NodeProcess, ServiceProcess, freePort } from './service-process';

/*
 * Issue 23, part 1, tried as an operator would: `npm run rebuild` beside a running service under writes (real
 * processes). Every read returns at least the version acknowledged (with minPosition) and never goes back (without),
 * never an empty list; a second rebuild meanwhile is refused; a subscription goes on across the switch; a rebuild
 * SIGKILLed leaves the served copy serving, and the next one completes.
 */

// A guard against a hang only: on the shared machine under load, spawning four TypeScript processes takes minutes.
jest.setTimeout(600_000);

const PATIENTS = [syntheticPatientId(15), syntheticPatientId(16), syntheticPatientId(17)] as const;
const REBUILT = 'Rebuilt currentMedicationList.v2 beside the running service';

interface ListPayload {
  readonly version: number;
  readonly entries: readonly unknown[];
}

describe('online rebuild beside a running service (real processes)', () => {
  let dir: string;
  let keys: DevKeys;
  let service: ServiceProcess;
  const running: NodeProcess[] = [];
  /** per patient: the highest version acknowledged by a write, and the highest read */
  const acknowledged = new Map<string, { version: number; position: string }>();
  const highestRead = new Map<string, number>();
  let entry = 0;
  const problems: string[] = [];

  const rebuild = (): NodeProcess => {
    const cli = new NodeProcess('src/cli/rebuild.ts', ['currentMedicationList'], { DATA_DIR: dir, NODE_ENV: 'test' });
    running.push(cli);
    return cli;
  };
  const write = async (patient: string): Promise<void> => {
    entry += 1;
    const ack = started(await service.graphql(keys, START, { input: startInput(patient, `entry-${entry}`) }));
    acknowledged.set(patient, ack);
  };
  /** One read with minPosition and one without; records what breaks the guarantees instead of throwing mid-load. */
  const read = async (patient: string): Promise<void> => {
    const ack = acknowledged.get(patient);
    if (ack === undefined) {
      return;
    }
    for (const minPosition of [ack.position, undefined]) {
      const result = await service.graphql(keys, LIST, { patientId: patient, minPosition });
      const list = result.data?.medicationList as ListPayload | undefined;
      const floor = minPosition === undefined ? (highestRead.get(patient) ?? 1) : ack.version;
      if (list === undefined || list.version < floor || list.entries.length === 0) {
        problems.push(
          `${minPosition === undefined ? 'read' : 'read at minPosition'}: ${JSON.stringify(result)} below ${floor}`,
        );
      } else {
        highestRead.set(patient, Math.max(highestRead.get(patient) ?? 0, list.version));
      }
    }
  };
  /** Writes and reads in turn until `done` settles. */
  const load = async (done: Promise<unknown>): Promise<number> => {
    let finished = false;
    void done.finally(() => (finished = true));
    let rounds = 0;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set when `done` settles, during the awaits
    while (!finished || rounds < 3) {
      const patient = PATIENTS[rounds % PATIENTS.length]!;
      await write(patient);
      await Promise.all(PATIENTS.map(read));
      rounds += 1;
    }
    return rounds;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'online-rebuild-e2e-'));
    keys = await loadOrCreateDevKeys(join(dir, 'dev-auth'));
    acknowledged.clear();
    highestRead.clear();
    problems.length = 0;
    service = new ServiceProcess(await freePort(), { DATA_DIR: dir });
    running.push(service);
    await service.started();
    for (let i = 0; i < 30; i += 1) {
      await write(PATIENTS[i % PATIENTS.length]!);
    }
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((child) => child.kill('SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  });

  it('rebuilds beside the service under writes: no older or empty list, a second rebuild refused, the subscription goes on', async () => {
    const client = service.ws(keys);
    const live = subscribe(client, LIST_CHANGED, { patientId: PATIENTS[0] });
    expect(await live.next()).toEqual({ medicationListChanged: { version: acknowledged.get(PATIENTS[0])?.version } });

    const first = rebuild();
    await first.until('it builds a new copy of currentMedicationList.v2');
    // Paused, the first still holds its request: a second one meanwhile is refused (the service builds regardless).
    first.send('SIGSTOP');
    const second = rebuild();
    expect(await second.exited).toBe(1);
    expect(second.output).toContain('A rebuild of currentMedicationList.v2');
    expect(second.output).toContain('is already running. Nothing was changed.');
    first.send('SIGCONT');

    await load(first.exited);
    expect(await first.exited).toBe(0);
    expect(first.output).toContain(REBUILT);
    expect(problems).toEqual([]);
    expect(await service.ready()).toBe(200);

    // the subscription opened before the rebuild follows a write after it
    await write(PATIENTS[0]);
    const final = acknowledged.get(PATIENTS[0])?.version;
    await live.next(
      (data) => JSON.stringify(data) === JSON.stringify({ medicationListChanged: { version: final } }),
      60_000,
    );
    expect(live.errors).toEqual([]);
    await client.dispose();

    // the service served the new copy, and it equals a rebuild from zero into a fresh file
    expect(await service.kill('SIGTERM')).toBe(0);
    const file = join(dir, 'read-models.db');
    expect(withReadModels(file, (store) => store.servedGeneration(LIST_PROJECTION))).toBe(1);
    const fresh = join(dir, 'fresh', 'read-models.db');
    const offline = new NodeProcess('src/cli/rebuild.ts', ['currentMedicationList'], {
      DATA_DIR: dir,
      READ_MODELS_FILE: fresh,
      NODE_ENV: 'test',
    });
    running.push(offline);
    expect(await offline.exited).toBe(0);
    expect(listDocuments(file)).toEqual(listDocuments(fresh));
  });

  it('a rebuild SIGKILLed at any point leaves the service serving every acknowledged change; the next one completes', async () => {
    const killed = rebuild();
    await killed.until('it builds a new copy');
    await load(killed.kill('SIGKILL'));
    expect(problems).toEqual([]);

    const next = rebuild(); // the request of the killed one is gone with it: not "already running"
    await load(next.exited);
    expect(await next.exited).toBe(0);
    expect(next.output).toContain(REBUILT);
    expect(problems).toEqual([]);
    for (const patient of PATIENTS) {
      const ack = acknowledged.get(patient);
      const list = await service.graphql(keys, LIST, { patientId: patient, minPosition: ack?.position });
      expect((list.data?.medicationList as ListPayload).version).toBe(ack?.version);
    }
  });
});
