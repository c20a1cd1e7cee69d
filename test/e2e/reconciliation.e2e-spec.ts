import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { DEV_KEYS, type DevKeys, signDevToken } from '../../src/access/tokens/dev-keys';
import { DEV_FEED } from '../../src/access/dev-organisations';
import { AppModule } from '../../src/app.module';
import { main as reconcileCli } from '../../src/cli/reconcile';
import { type AppConfig, loadConfig } from '../../src/config/config';
import { patientKeyOf } from '../../src/medication-list/patient-stream';
import { PinoNestLogger, createLogger } from '../../src/observability/logger';
import {
  generateSyntheticPatients,
  SYNTHETIC_NOW,
  type SyntheticPatient,
} from '../../src/reconciliation/synthetic/feed-generator';
import { AuditService } from '../../src/access/audit';
import { DiscrepancyResolutionService } from '../../src/reconciliation/discrepancy-resolution.service';
import { FeedPuller } from '../../src/reconciliation/feed-puller';
import { ReconciliationReads } from '../../src/reconciliation/reconciliation.reads';
import type { ImportSummary } from '../../src/reconciliation/domain/import-summary';
import { COVERED_CODES } from '../../src/reconciliation/domain/reconciliation.decider';
import { RECONCILIATION_CONFIG } from '../../src/reconciliation/reconciliation.config';
import { GP_HPR, seedList } from '../../src/reconciliation/reconciliation.spec-helpers';
import { patientKeySpies, theOneKey } from './patient-key.e2e-helpers';
import { CLOCK, fixedClock } from '../../src/shared/clock';
import { EVENT_STORE, type EventStorePort } from '../../src/shared/event-sourcing/event-store.port';
import { PROJECTOR, type Projector } from '../../src/shared/event-sourcing/projector';

/**
 * Reconciliation end to end: the real AppModule over HTTP with SQLite in a temp dir, a fixed clock, a dev token of
 * a GP, and the pull pointed at a local NDJSON server. The CLI runs in-process on the app's store; the pull is
 * driven one tick at a time (no timers).
 */

interface GraphqlResponse {
  readonly body: {
    readonly data?: Record<string, unknown> | null;
    readonly errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
  };
  readonly text: string;
}

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'feeds');
const trailer = (cursor: string, more: boolean): string =>
  JSON.stringify({
    resourceType: 'Parameters',
    parameter: [
      { name: 'next-cursor', valueString: cursor },
      { name: 'more', valueBoolean: more },
    ],
  });

describe('reconciliation end to end', () => {
  let app: NestFastifyApplication;
  let baseUrl: string;
  let dataDir: string;
  let config: AppConfig;
  let store: EventStorePort;
  let projector: Projector;
  let token: string;
  /** importFeed is the feed role's: client credentials, an organisation, no person (issue 15) */
  let feedToken: string;
  let feedServer: Server;
  const pulled: string[] = [];
  const logLines: string[] = [];
  const clock = fixedClock(SYNTHETIC_NOW);
  const patients: SyntheticPatient[] = [...generateSyntheticPatients({ patients: 18, seed: 4 })];
  // the pull serves the core-record feed of the first 9 patients in two pages, never splitting a patient
  const pages: Record<string, string[]> = {
    '': [...patients.slice(0, 4).flatMap((p) => p.coreRecordLines), trailer('c1', true)],
    c1: [...patients.slice(4, 9).flatMap((p) => p.coreRecordLines), trailer('c2', false)],
    c2: [trailer('c2', false)],
  };

  const graphql = async (
    query: string,
    variables: Record<string, unknown> = {},
    bearer = token,
  ): Promise<GraphqlResponse> => {
    const response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    return { body: JSON.parse(text) as GraphqlResponse['body'], text };
  };
  const dataOf = (response: GraphqlResponse): Record<string, unknown> => {
    expect(response.body.errors).toBeUndefined();
    return response.body.data ?? {};
  };
  const caughtUp = async (): Promise<void> => {
    await projector.waitForPosition('gpWorklist', (await store.headPosition()) ?? 0n, 10_000);
  };
  const plantedOf = (p: SyntheticPatient, codes: readonly string[]) => p.planted.filter((d) => codes.includes(d.code));

  beforeAll(async () => {
    feedServer = createServer((request, response) => {
      pulled.push(request.url ?? '');
      const since = new URL(request.url ?? '/', 'http://localhost').searchParams.get('_since') ?? '';
      const page = pages[since];
      if (page === undefined) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/fhir+ndjson' }).end(`${page.join('\n')}\n`);
    });
    await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
    const feedUrl = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}/feed`;

    dataDir = mkdtempSync(path.join(tmpdir(), 'reconciliation-e2e-'));
    config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    const logger = createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _encoding, callback) {
          logLines.push(chunk.toString());
          callback();
        },
      }),
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot({ config, logger })] })
      .overrideProvider(CLOCK)
      .useValue(clock)
      .overrideProvider(RECONCILIATION_CONFIG)
      .useValue({ pull: { url: feedUrl, source: 'core-record', intervalSeconds: 86_400 } })
      .compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
      logger: new PinoNestLogger(logger),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = await app.getUrl();
    store = app.get<EventStorePort>(EVENT_STORE);
    projector = app.get<Projector>(PROJECTOR);
    token = await signDevToken(
      app.get<DevKeys>(DEV_KEYS),
      { role: 'prescriber', hpr: GP_HPR, level: 4, expiresInSeconds: 3600, clientId: 'reconciliation-e2e' },
      clock.now(),
    );
    feedToken = await signDevToken(
      app.get<DevKeys>(DEV_KEYS),
      {
        role: 'feed',
        org: DEV_FEED.organisationNumber,
        level: 4,
        expiresInSeconds: 3600,
        clientId: 'reconciliation-e2e-feed',
      },
      clock.now(),
    );
    for (const patient of patients) {
      await seedList(store, patient.list, GP_HPR, config.patientIdSecret);
    }
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await app.close();
    await new Promise((resolve) => feedServer.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('CLI: imports an NDJSON file into the store and prints a summary; a missing file is exit code 1', async () => {
    const file = path.join(dataDir, 'eprescription.ndjson');
    writeFileSync(file, `${patients.flatMap((p) => p.eprescriptionLines).join('\n')}\n`);
    const out: string[] = [];
    let summary: ImportSummary | undefined;
    const deps = {
      store,
      clock,
      env: { NODE_ENV: 'test', DATA_DIR: dataDir },
      out: (t: string) => out.push(t),
      err: (t: string) => out.push(t),
      osUser: () => 'e2e-operator',
      host: () => 'e2e-host',
    };

    const code = await reconcileCli(['--source', 'eprescription', '--file', file], {
      ...deps,
      onSummary: (s) => (summary = s),
    });

    // D3 needs the dispensings, which only the core-record feed (the pull, below) brings onto the list
    const expected = patients.flatMap((p) =>
      plantedOf(
        p,
        COVERED_CODES.eprescription.filter((code) => code !== 'D3'),
      ),
    );
    expect(code).toBe(0);
    expect(summary).toMatchObject({
      patients: patients.length,
      patientsApplied: patients.length,
      linesRejected: 0,
      discrepanciesNew: expected.length,
    });
    expect(out.join('\n')).toMatch(/discrepancies new\s+\d+/);
    const detected = (await store.readAll()).filter((e) => e.type === 'DiscrepancyDetected');
    expect(detected.map((e) => (e.data as { key: string }).key).sort()).toEqual(expected.map((d) => d.key).sort());
    // each patient's access log names the feed and the operator who ran the CLI, before their events
    for (const patient of patients.slice(0, 3)) {
      const log = await app
        .get(AuditService)
        .readAccessLog(patientKeyOf(patient.patientId, config.patientIdSecret), { first: 100 });
      expect(log.entries.map((entry) => entry.event)).toEqual([
        expect.objectContaining({
          operation: 'importFeed',
          basis: 'feed',
          callerRole: 'feed',
          feedSource: 'eprescription',
          clientId: 'command-line:e2e-operator@e2e-host',
        }),
      ]);
    }

    expect(await reconcileCli(['--source', 'eprescription', '--file', path.join(dataDir, 'nope.ndjson')], deps)).toBe(
      1,
    );
    expect(await reconcileCli(['--source', 'registry', '--file', file], deps)).toBe(2);
  });

  it('CLI: reads a Bundle file and reports its bad entries with exit code 0', async () => {
    let summary: ImportSummary | undefined;
    const code = await reconcileCli(
      ['--source', 'eprescription', '--file', path.join(FIXTURES, 'eprescription.bundle.json')],
      {
        store,
        clock,
        env: { NODE_ENV: 'test', DATA_DIR: dataDir },
        out: () => undefined,
        onSummary: (s) => (summary = s),
      },
    );
    expect(code).toBe(0);
    expect(summary).toMatchObject({ recordsRead: 5, linesRejected: 2 });
  });

  it('pull: one tick follows the cursor through the pages and stores it; the next tick asks from there and changes nothing', async () => {
    const puller = app.get(FeedPuller);
    const first = await puller.pullOnce();

    expect(pulled).toEqual(['/feed', '/feed?_since=c1']);
    const withDispensings = (from: number, to: number) =>
      patients.slice(from, to).filter((p) => p.coreRecordLines.length > 0).length;
    expect(first.map((s) => s.patients)).toEqual([withDispensings(0, 4), withDispensings(4, 9)]);
    expect(first.reduce((n, s) => n + s.dispensingsRecorded, 0)).toBeGreaterThan(0);
    expect(await puller.cursorOf('core-record')).toBe('c2');
    const planted = patients.slice(0, 9).flatMap((p) => plantedOf(p, ['D3', 'D7']));
    expect(first.reduce((n, s) => n + s.discrepanciesNew, 0)).toBe(planted.length);

    const second = await puller.pullOnce();
    expect(pulled.at(-1)).toBe('/feed?_since=c2');
    expect(second).toEqual([expect.objectContaining({ recordsRead: 0, discrepanciesNew: 0 })]);

    // issue 15: each pulled patient's access log names the feed and the pulling client (the service itself)
    const pulledPatient = patients.slice(0, 9).find((p) => p.coreRecordLines.length > 0) as SyntheticPatient;
    const log = await app
      .get(AuditService)
      .readAccessLog(patientKeyOf(pulledPatient.patientId, config.patientIdSecret), {
        first: 100,
      });
    expect(log.entries.map((entry) => entry.event).filter((event) => event.operation === 'importFeed')).toEqual([
      expect.objectContaining({
        outcome: 'allowed',
        basis: 'feed',
        callerRole: 'feed',
        feedSource: 'core-record',
        clientId: expect.stringMatching(/^scheduled-pull:127\.0\.0\.1:\d+$/),
      }),
      // the CLI's import of the e-prescription feed (above)
      expect.objectContaining({ feedSource: 'eprescription', clientId: 'command-line:e2e-operator@e2e-host' }),
    ]);
  });

  it('importFeed: imports a small feed over HTTP, refuses an oversized one with a typed BAD_USER_INPUT', async () => {
    const IMPORT =
      'mutation Import($source: FeedSource!, $ndjson: String, $bundle: String) { importFeed(source: $source, ndjson: $ndjson, bundle: $bundle) { runId recordsRead patients patientsApplied linesRejected rejected { line reason } skipped { resourceType count } } }';
    const lines = patients.slice(9).flatMap((p) => p.coreRecordLines);
    // Issue 17: each patient the feed names is keyed once, where its id enters; the audit and the import take that key.
    const { keyOf, streamIdOf } = patientKeySpies();
    const imported = dataOf(
      await graphql(
        IMPORT,
        { source: 'CORE_RECORD', ndjson: [...lines, '{"resourceType": "Medication', ''].join('\n') },
        feedToken,
      ),
    );
    const named = patients.slice(9).filter((p) => p.coreRecordLines.length > 0).length;
    expect(named).toBeGreaterThan(1);
    expect(imported.importFeed).toMatchObject({ patients: named });
    expect(keyOf).toHaveBeenCalledTimes(named);
    expect(streamIdOf).toHaveBeenCalledTimes(named);
    expect(imported.importFeed).toMatchObject({
      recordsRead: lines.length + 1,
      linesRejected: 1,
      rejected: [{ line: lines.length + 1, reason: 'malformed JSON' }],
    });

    const tooLarge = await graphql(IMPORT, { source: 'CORE_RECORD', ndjson: 'x'.repeat(600 * 1024) }, feedToken);
    expect(tooLarge.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      errorCode: 'FEED_PAYLOAD_TOO_LARGE',
    });
    const neither = await graphql(IMPORT, { source: 'CORE_RECORD' }, feedToken);
    expect(neither.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      errorCode: 'FEED_PAYLOAD_REQUIRED',
    });
  });

  it('discrepancies: lists the open ones of a patient (both feeds imported: every planted one)', async () => {
    const patient = patients.find((p) => p.planted.some((d) => d.code === 'D1'));
    const D1 = patient?.planted.find((d) => d.code === 'D1')?.key;
    const response = await graphql(
      'query D($patientId: String!) { discrepancies(patientId: $patientId, status: OPEN) { key code status feedSource feedPrescription { prescriptionId medicationName } } }',
      { patientId: patient?.patientId },
    );
    const open = dataOf(response).discrepancies as { key: string; code: string; status: string }[];
    expect(patients.indexOf(patient as SyntheticPatient)).toBeLessThan(9); // in the pulled pages
    expect(open.map((d) => d.key).sort()).toEqual((patient as SyntheticPatient).planted.map((d) => d.key).sort());
    expect(open.find((d) => d.key === D1)).toMatchObject({
      code: 'D1',
      status: 'OPEN',
      feedSource: 'EPRESCRIPTION',
      feedPrescription: { prescriptionId: D1?.split('|')[1] },
    });
  });

  it('gpWorklist: pages through the GP’s patients with open discrepancies', async () => {
    await caughtUp();
    const WORKLIST =
      'query W($hpr: String!, $first: Int, $after: String) { gpWorklist(hprNumber: $hpr, first: $first, after: $after) { hprNumber endCursor hasNextPage patients { listId patientId openDiscrepancies { key code } } } }';
    const withOpen = patients.filter((p) => p.planted.length > 0).length;
    const page1 = dataOf(await graphql(WORKLIST, { hpr: GP_HPR, first: 5 })).gpWorklist as {
      endCursor: string;
      hasNextPage: boolean;
      patients: { patientId: string }[];
    };
    expect(page1.patients).toHaveLength(5);
    expect(page1.hasNextPage).toBe(true);
    let all = [...page1.patients];
    let cursor: string | null = page1.endCursor;
    while (cursor !== null) {
      const page = dataOf(await graphql(WORKLIST, { hpr: GP_HPR, first: 5, after: cursor })).gpWorklist as typeof page1;
      all = [...all, ...page.patients];
      cursor = page.hasNextPage ? page.endCursor : null;
    }
    expect(new Set(all.map((p) => p.patientId)).size).toBe(withOpen);
    // A GP reads only their own worklist: another doctor's is FORBIDDEN (and audited, see access-matrix.e2e-spec).
    const other = await graphql(WORKLIST, { hpr: '1234567' });
    expect(other.body.data?.gpWorklist ?? null).toBeNull();
    expect(other.body.errors?.map((e) => [e.extensions?.code, e.extensions?.errorCode])).toEqual([
      ['FORBIDDEN', 'ACCESS_DENIED'],
    ]);
  });

  it('resolveDiscrepancy include: the list then has the entry, linked to the registry prescription', async () => {
    const patient = patients.find((p) => p.planted.some((d) => d.code === 'D1')) as SyntheticPatient;
    const key = patient.planted.find((d) => d.code === 'D1')?.key ?? '';
    const prescriptionId = key.split('|')[1];
    const RESOLVE =
      'mutation R($patientId: String!, $key: String!) { resolveDiscrepancy(patientId: $patientId, key: $key, resolution: INCLUDE, reason: "står i reseptformidleren") { alreadyApplied listPosition discrepancy { status resolution resolvedByHpr resolvedEntryId } } }';
    const resolved = dataOf(await graphql(RESOLVE, { patientId: patient.patientId, key })).resolveDiscrepancy as {
      listPosition: string;
      discrepancy: { resolvedEntryId: string };
    };
    expect(resolved).toMatchObject({
      alreadyApplied: false,
      discrepancy: { status: 'RESOLVED', resolution: 'INCLUDE', resolvedByHpr: GP_HPR },
    });

    const list = dataOf(
      await graphql(
        'query L($patientId: String!, $min: String) { medicationList(patientId: $patientId, minPosition: $min) { entries { entryId prescription { prescriptionId } } } }',
        {
          patientId: patient.patientId,
          min: resolved.listPosition,
        },
      ),
    ).medicationList as { entries: { entryId: string; prescription: { prescriptionId: string } | null }[] };
    expect(list.entries).toContainEqual({
      entryId: resolved.discrepancy.resolvedEntryId,
      prescription: { prescriptionId },
    });

    const again = dataOf(await graphql(RESOLVE, { patientId: patient.patientId, key })).resolveDiscrepancy;
    expect(again).toMatchObject({ alreadyApplied: true });
  });

  // Issue 17: the access step parses and keys the patient once per call, and the reads and the resolution take that
  // key (one patientStreamId per request in all; see patientKeySpies).
  describe('one key per request', () => {
    const DISCREPANCIES = 'query D($patientId: String!) { discrepancies(patientId: $patientId) { key } }';
    const withD1 = (): { patient: SyntheticPatient; key: string } => {
      const patient = patients.find((p) => p.planted.some((d) => d.code === 'D1')) as SyntheticPatient;
      return { patient, key: patient.planted.find((d) => d.code === 'D1')?.key ?? '' };
    };
    it('discrepancies: the read takes the key the access step derived', async () => {
      const { patient } = withD1();
      const { keyOf, streamIdOf } = patientKeySpies();
      const discrepancies = jest.spyOn(app.get(ReconciliationReads), 'discrepancies');
      dataOf(await graphql(DISCREPANCIES, { patientId: ` ${patient.patientId} ` }));
      const key = theOneKey(keyOf);
      expect(key).toEqual({ patientId: patient.patientId, streamId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(discrepancies).toHaveBeenCalledTimes(1);
      expect(discrepancies.mock.calls[0]?.[0]).toBe(key);
      expect(streamIdOf).toHaveBeenCalledTimes(1);
    });

    it('resolveDiscrepancy: the resolution takes the key the access step derived', async () => {
      const { patient, key: discrepancyKey } = withD1();
      const { keyOf, streamIdOf } = patientKeySpies();
      const resolve = jest.spyOn(app.get(DiscrepancyResolutionService), 'resolve');
      const resolved = await graphql(
        'mutation R($patientId: String!, $key: String!) { resolveDiscrepancy(patientId: $patientId, key: $key, resolution: INCLUDE, reason: "står i reseptformidleren") { alreadyApplied } }',
        { patientId: patient.patientId, key: discrepancyKey },
      );
      expect(dataOf(resolved).resolveDiscrepancy).toEqual({ alreadyApplied: true });
      expect(resolve).toHaveBeenCalledTimes(1);
      expect(resolve.mock.calls[0]?.[0]).toBe(theOneKey(keyOf));
      expect(streamIdOf).toHaveBeenCalledTimes(1);
    });

    it('a bad patient id is BAD_USER_INPUT from the access step, never echoed, and reaches no read', async () => {
      const discrepancies = jest.spyOn(app.get(ReconciliationReads), 'discrepancies');
      const streamIdOf = patientKeySpies().streamIdOf;
      const bad = '31129956716';
      const response = await graphql(DISCREPANCIES, { patientId: bad });
      expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(response.text).not.toContain(bad);
      expect(discrepancies).not.toHaveBeenCalled();
      expect(streamIdOf).not.toHaveBeenCalled();
    });
  });

  it('never writes a patient id to the logs', () => {
    const logs = logLines.join('');
    for (const patient of patients) {
      expect(logs).not.toContain(patient.patientId);
    }
  });

  it('records each run with its counts', async () => {
    const runs = (await store.readAll()).filter((e) => e.type === 'ReconciliationRunCompleted');
    // CLI ×2 (NDJSON, Bundle), pull 2 pages + 1, importFeed
    expect(runs).toHaveLength(6);
    expect(runs[0]?.data).toMatchObject({ source: 'eprescription', patients: patients.length, linesRejected: 0 });
  });
});
