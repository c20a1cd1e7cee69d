import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { runB1 } from './b1-command';
import { runB2 } from './b2-concurrent';
import { runB3 } from './b3-query';
import { runB4 } from './b4-mutation';
import { runB5 } from './b5-projection-lag';
import { runB6 } from './b6-rebuild';
import { runB7 } from './b7-reconcile';
import { runB8 } from './b8-memory';
import { type BenchContext, freePort } from './context';
import { type Dataset, FULL_SIZE, SMOKE_SIZE, copyDurably, prepareDataset, workingCopy } from './data';
import { FIGURE_IDS, type FigureId, type FigureResult, formatTable, tally, toJson, writeReport } from './report';
import { type ChildServer, devPrescriberToken, startService } from './service';

/*
 * `npm run bench` compiles the tree to bench-results/build and runs this file.
 *
 *   npm run bench                      every figure on 100k patients / 1M events, medians of 3 repetitions
 *   npm run bench -- --smoke           tiny data and short phases, targets not judged (CI: the suite cannot rot)
 *   npm run bench -- --soak --only B8  B8 with its 10-minute growth check
 *   npm run bench -- --only B1,B2      some figures
 *   --reps <n>  --seed <n>  --fresh-data (regenerate the cached dataset)
 *   --profile   the service runs with --cpu-prof (bench-results/profiles/*.cpuprofile); for the in-process
 *               figures run `node --cpu-prof bench-results/build/bench/run.js --only B1` after a build
 *   --replicas <n>  B3 also runs n service processes over the same events (each its own READ_MODELS_FILE) and
 *               reports their combined rate against one process's
 *   --uncapped  B6 rebuilds to the end (by default a rebuild is stopped at 120 s and its time projected)
 */

const USAGE =
  'usage: npm run bench -- [--smoke] [--soak] [--only B1,B2,…] [--reps 3] [--seed 42] [--fresh-data] [--profile] [--uncapped] [--replicas 2]';

/** In-process figures first; then the ones that start the service (they share one service process). */
const ORDER: readonly FigureId[] = ['B1', 'B2', 'B5', 'B6', 'B7', 'B3', 'B4', 'B8'];
/** Figures that generate and copy their own data. */
const OWN_DATA: readonly FigureId[] = ['B7'];
const RUNNERS: Record<FigureId, (ctx: BenchContext) => Promise<FigureResult>> = {
  B1: runB1,
  B2: runB2,
  B3: runB3,
  B4: runB4,
  B5: runB5,
  B6: runB6,
  B7: runB7,
  B8: runB8,
};
const TITLES: Record<FigureId, string> = {
  B1: 'durable single-event command',
  B2: 'concurrent commands',
  B3: 'GraphQL current-list query',
  B4: 'GraphQL mutation end to end',
  B5: 'projection lag',
  B6: 'rebuild of the current list',
  B7: 'reconcile the feed',
  B8: 'service memory',
};

const parseOnly = (text: string | undefined): FigureId[] => {
  if (text === undefined) {
    return [...FIGURE_IDS];
  }
  const wanted = text.split(',').map((id) => id.trim().toUpperCase());
  const unknown = wanted.filter((id) => !FIGURE_IDS.some((known) => known === id));
  if (unknown.length > 0) {
    throw new Error(`unknown figure ${unknown.join(', ')}\n${USAGE}`);
  }
  return FIGURE_IDS.filter((id) => wanted.includes(id));
};

const main = async (): Promise<number> => {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      soak: { type: 'boolean', default: false },
      only: { type: 'string' },
      reps: { type: 'string' },
      seed: { type: 'string', default: '42' },
      'fresh-data': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      uncapped: { type: 'boolean', default: false },
      replicas: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const smoke = values.smoke;
  const only = parseOnly(values.only);
  const reps = Number(values.reps ?? (smoke ? '1' : '3'));
  const seed = Number(values.seed);
  const replicas = Number(values.replicas);
  if (
    !Number.isInteger(reps) ||
    reps < 1 ||
    !Number.isInteger(seed) ||
    seed < 0 ||
    !Number.isInteger(replicas) ||
    replicas < 1 ||
    replicas > 8
  ) {
    throw new Error(USAGE);
  }
  const started = performance.now();
  const startedAt = new Date();
  const loadAtStart = os.loadavg();
  const buildRoot = path.resolve(__dirname, '..');
  const resultsDir = path.resolve('bench-results');
  const runDir = path.join(resultsDir, 'run');
  const cacheDir = path.join(resultsDir, 'cache');
  const log = (message: string): void => {
    const seconds = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
    console.log(`[${seconds} s] ${message}`);
  };
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  log(
    `bench ${smoke ? 'smoke' : 'full'}: ${only.join(', ')}; ${reps} repetition(s); ${os.cpus().length} cores, load ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`,
  );

  // B7 brings its own data (the feed and its patients' lists): alone, it needs neither the 1M-event dataset nor its copy.
  const needsDataset = only.some((id) => !OWN_DATA.includes(id));
  const dataDir = path.join(runDir, 'data');
  let dataset: Dataset;
  let files: { eventsFile: string; readModelsFile: string };
  if (needsDataset) {
    dataset = await prepareDataset(cacheDir, seed, smoke ? SMOKE_SIZE : FULL_SIZE, log, values['fresh-data']);
    files = workingCopy(dataset, dataDir);
    log(
      `dataset ${dataset.key}: ${dataset.patients.length} patients, ${dataset.events} events (working copy in ${dataDir})`,
    );
  } else {
    // Not prepared: no figure that runs reads these (nothing is created at these paths).
    dataset = { eventsFile: '', readModelsFile: '', patients: [], events: 0, head: 0n, key: 'none' };
    files = { eventsFile: path.join(dataDir, 'events.db'), readModelsFile: path.join(dataDir, 'read-models.db') };
  }

  let service: Promise<ChildServer> | undefined;
  let token: Promise<string> | undefined;
  let commandsFile: string | undefined;
  const ctx: BenchContext = {
    smoke,
    soak: values.soak,
    uncapped: values.uncapped,
    replicas,
    reps,
    seed,
    buildRoot,
    runDir,
    cacheDir,
    dataset,
    dataDir,
    ...files,
    commandsFile: () => {
      if (commandsFile === undefined) {
        commandsFile = path.join(runDir, 'commands', 'events.db');
        mkdirSync(path.dirname(commandsFile), { recursive: true });
        copyDurably(dataset.eventsFile, commandsFile);
      }
      return commandsFile;
    },
    phaseMs: (full, smokeMs) => (smoke ? smokeMs : full),
    log,
    token: () => (token ??= devPrescriberToken(dataDir)),
    service: () =>
      (service ??= (async () => {
        await ctx.token(); // the dev key exists before the service reads it
        log('starting the service');
        const profileDir = values.profile ? path.join(resultsDir, 'profiles') : undefined;
        const server = await startService(buildRoot, runDir, dataDir, await freePort(), profileDir);
        log(`service ready (pid ${server.pid}, RSS ${server.rssMb().toFixed(0)} MB)`);
        return server;
      })()),
    measured: new Map(),
  };

  // Interrupted (Ctrl-C, a CI timeout): take the service down too rather than leave it listening.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      void (service ?? Promise.resolve(undefined)).then((server) => server?.stop()).finally(() => process.exit(130));
    });
  }

  const results: FigureResult[] = [];
  try {
    for (const id of ORDER.filter((figure) => only.includes(figure))) {
      log(`${id} ${TITLES[id]}`);
      try {
        results.push(await RUNNERS[id](ctx));
      } catch (error) {
        log(`${id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        results.push({
          id,
          title: TITLES[id],
          status: 'failed',
          checks: [],
          details: {},
          notes: [`failed: ${error instanceof Error ? error.message : String(error)}`],
        });
      }
    }
  } finally {
    if (service !== undefined) {
      await (await service).stop();
    }
  }
  results.sort((a, b) => FIGURE_IDS.indexOf(a.id) - FIGURE_IDS.indexOf(b.id));

  const loadAtEnd = os.loadavg();
  const datasetInfo: Readonly<Record<string, string | number>> = needsDataset
    ? { key: dataset.key, patients: dataset.patients.length, events: dataset.events, head: dataset.head.toString() }
    : { key: `none (${OWN_DATA.join(', ')} only: their own data)` };
  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    mode: smoke ? ('smoke' as const) : ('full' as const),
    soak: values.soak,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
      node: process.version,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadAtEnd,
    },
    dataset: datasetInfo,
    figures: results,
  };
  const file = writeReport(resultsDir, report);
  const historyDir = path.join(resultsDir, 'history');
  mkdirSync(historyDir, { recursive: true });
  writeFileSync(
    path.join(historyDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}-${report.mode}.json`),
    `${toJson(report)}\n`,
  );

  console.log(`\n${formatTable(results, smoke)}\n`);
  const { met, judged } = tally(results, smoke);
  console.log(
    smoke
      ? 'Smoke run: tiny data, targets not judged.'
      : `${met} of ${judged} targets met. Load average ${loadAtStart.map((l) => l.toFixed(1)).join('/')} at start, ${loadAtEnd.map((l) => l.toFixed(1)).join('/')} at the end on ${os.cpus().length} cores: compare runs on a quiet machine.`,
  );
  console.log(
    `Figures written to ${path.relative(process.cwd(), file)} (${((performance.now() - started) / 1000).toFixed(0)} s).`,
  );
  // The copies of the dataset are large; the logs of the service and the baseline stay for a look.
  for (const scratch of ['data', 'commands', 'minimal', 'raw-b1.db', 'raw-b2.db', 'b7']) {
    rmSync(path.join(runDir, scratch), { recursive: true, force: true });
  }
  return results.some((result) => result.status === 'failed') ? 1 : 0;
};

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  },
);
