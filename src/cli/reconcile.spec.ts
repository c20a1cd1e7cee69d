import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ACCESS_LOG_STREAM_PREFIX, accessLogStreamName } from '../access/audit';
import { patientStreamId, patientStreamName } from '../medication-list/patient-stream';
import {
  RECONCILIATION_RUN_STREAM_PREFIX,
  reconciliationStreamName,
} from '../reconciliation/domain/reconciliation.events';
import { generateSyntheticPatients, SYNTHETIC_NOW } from '../reconciliation/synthetic/feed-generator';
import { SECRET, seedList } from '../reconciliation/reconciliation.spec-helpers';
import { fixedClock } from '../shared/clock';
import type { AppendResult, ExpectedRevision, NewEvent } from '../shared/event-sourcing/event-store.port';
import { InMemoryEventStore } from '../shared/event-sourcing/in-memory.event-store';
import { type ReconcileDeps, commandLineCaller, main, operatorNameOf, parseReconcileArgs } from './reconcile';

/** A store whose access-log appends fail: the audit of a feed import cannot be written. */
class AccessLogDownStore extends InMemoryEventStore {
  override appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    return streamName.startsWith(ACCESS_LOG_STREAM_PREFIX)
      ? Promise.reject(new Error('disk full'))
      : super.appendToStream(streamName, events, options);
  }
}

describe('reconcile CLI: the access log of a command-line import', () => {
  const patients = [...generateSyntheticPatients({ patients: 6, seed: 7 })];
  const withDispensings = patients.filter((p) => p.coreRecordLines.length > 0);
  let dir: string;
  let file: string;

  const run = async (store: InMemoryEventStore, argv: readonly string[], deps: Partial<ReconcileDeps> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['--source', 'core-record', '--file', file, ...argv], {
      store,
      clock: fixedClock(SYNTHETIC_NOW),
      env: { NODE_ENV: 'test', DATA_DIR: dir, PATIENT_ID_SECRET: SECRET },
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      osUser: () => 'kari',
      host: () => 'ward-host-1',
      ...deps,
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  const seeded = async (store: InMemoryEventStore): Promise<bigint> => {
    for (const patient of patients) {
      await seedList(store, patient.list);
    }
    return (await store.headPosition()) ?? 0n;
  };

  /** The events of the patient's list and reconciliation streams appended after `after`. */
  const patientEventsAfter = async (store: InMemoryEventStore, patientId: string, after: bigint) => {
    const streams = [
      patientStreamName(patientId, SECRET),
      reconciliationStreamName(patientStreamId(patientId, SECRET)),
    ];
    return (await store.readAll()).filter((e) => e.position > after && streams.includes(e.streamName));
  };

  beforeAll(() => {
    expect(withDispensings.length).toBeGreaterThan(1);
    dir = mkdtempSync(path.join(tmpdir(), 'reconcile-cli-'));
    file = path.join(dir, 'core-record.ndjson');
    writeFileSync(file, `${withDispensings.flatMap((p) => p.coreRecordLines).join('\n')}\n`);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one access-log entry per patient the feed names, before any of their events, naming the operator and the run', async () => {
    const store = new InMemoryEventStore();
    const after = await seeded(store);

    const { code, out } = await run(store, ['--run-id', 'cli-run-1', '--operator', 'ola.nordmann']);

    expect(code).toBe(0);
    expect(out).toMatch(/access log names\s+command-line:ola\.nordmann@ward-host-1/);
    for (const patient of withDispensings) {
      const log = await store.readStream(accessLogStreamName(patient.patientId, SECRET));
      expect(log).toHaveLength(1);
      const [entry] = log;
      expect(entry?.data).toMatchObject({
        operation: 'importFeed',
        basis: 'feed',
        outcome: 'allowed',
        callerRole: 'feed',
        feedSource: 'core-record',
        clientId: 'command-line:ola.nordmann@ward-host-1',
      });
      expect(entry?.metadata).toMatchObject({ correlationId: 'cli-run-1', actor: { role: 'system' } });
      const applied = await patientEventsAfter(store, patient.patientId, after);
      expect(applied.length).toBeGreaterThan(0);
      expect(applied.every((e) => e.position > (entry?.position ?? Infinity))).toBe(true);
    }
    // no raw patient id in any stream name
    const names = new Set((await store.readAll()).map((e) => e.streamName));
    expect([...names].filter((name) => patients.some((p) => name.includes(p.patientId)))).toEqual([]);
    // patients the feed does not name get no entry
    const unnamed = patients.filter((p) => !withDispensings.includes(p));
    for (const patient of unnamed) {
      expect(await store.readStream(accessLogStreamName(patient.patientId, SECRET))).toEqual([]);
    }
  });

  it('names the OS user when no --operator is given', async () => {
    const store = new InMemoryEventStore();
    await seeded(store);

    expect((await run(store, ['--run-id', 'cli-run-2'])).code).toBe(0);

    const [patient] = withDispensings;
    const log = await store.readStream(accessLogStreamName(patient?.patientId ?? '', SECRET));
    expect(log.map((e) => e.data)).toEqual([expect.objectContaining({ clientId: 'command-line:kari@ward-host-1' })]);
  });

  it('applies nothing when the access log cannot be written, and exits 1 with a typed error naming no patient', async () => {
    const store = new AccessLogDownStore();
    const after = await seeded(store);

    const { code, err } = await run(store, ['--run-id', 'cli-run-3']);

    expect(code).toBe(1);
    expect(err).toContain('Import failed: AUDIT_UNAVAILABLE');
    for (const patient of withDispensings) {
      expect(await patientEventsAfter(store, patient.patientId, after)).toEqual([]);
      expect(err).not.toContain(patient.patientId);
    }
    expect((await store.readAll()).filter((e) => e.streamName.startsWith(RECONCILIATION_RUN_STREAM_PREFIX))).toEqual(
      [],
    );
  });

  it('needs --operator when the OS user is unknown or not a name (usage error, exit 2, nothing imported)', async () => {
    const store = new InMemoryEventStore();
    const noUser = () => {
      throw new Error('ENOENT: no passwd entry');
    };

    const unknown = await run(store, [], { osUser: noUser });
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('--operator is required');
    expect((await run(store, [], { osUser: () => 'not a name' })).code).toBe(2);
    expect(await store.readAll()).toEqual([]);

    expect((await run(store, ['--operator', 'kari'], { osUser: noUser })).code).toBe(0);
  });

  it('refuses an operator that is no name or is an identity number, without echoing it', () => {
    expect(parseReconcileArgs(['--source', 'core-record', '--file', 'f', '--operator', 'kari'])).toMatchObject({
      operator: 'kari',
    });
    for (const bad of ['', 'kari nordmann', 'kari;rm', '13116900216', 'x'.repeat(65)]) {
      expect(() => parseReconcileArgs(['--source', 'core-record', '--file', 'f', '--operator', bad])).toThrow(
        /^--operator must be a name of 1 to 64 letters, digits, \. _ or - \(not an identity number\)$/,
      );
      expect(operatorNameOf(bad)).toBeUndefined();
    }
    expect(operatorNameOf(' åse.berg ')).toBe('åse.berg');
  });

  it('names an operator at a console: role feed, no organisation, no person identifier, a clean host', () => {
    expect(commandLineCaller('kari', 'ward host/1')).toEqual({
      clientId: 'command-line:kari@ward-host-1',
      organisation: {},
      scopes: [],
      roles: ['feed'],
    });
    expect(commandLineCaller('kari', '').clientId).toBe('command-line:kari@unknown-host');
  });
});
