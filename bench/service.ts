import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { devAuthDir, loadOrCreateDevKeys, signDevToken } from '../src/access/tokens/dev-keys';
import { BENCH_PATIENT_ID_SECRET } from './data';
import { HttpConnection, type HttpTarget, isGraphqlSuccess, postJson } from './load';

/**
 * The service's per-caller rate limit (default 600/min) would refuse the benchmark's one client after a second:
 * raised to the highest value the config accepts. The limiter itself still runs on every request.
 */
export const BENCH_RATE_LIMIT_PER_MINUTE = 1_000_000;

/*
 * The processes B3, B4 and B8 measure: the real service (dist main.js, AppModule on Fastify + Mercurius, SQLite
 * under a fresh DATA_DIR) and the raw Fastify + Mercurius baseline, each in its own child process, so neither
 * shares an event loop with the load generator and the service's RSS is its own.
 */

export interface ChildServer extends HttpTarget {
  readonly name: string;
  readonly pid: number;
  /** resident set size now, in MB (from /proc) */
  readonly rssMb: () => number;
  /** the largest RSS the process has had (VmHWM), in MB */
  readonly peakRssMb: () => number;
  readonly stop: () => Promise<void>;
}

const procStatusMb = (pid: number, field: 'VmRSS' | 'VmHWM'): number => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match === null ? Number.NaN : Number(match[1]) / 1024;
};

const getStatus = (target: HttpTarget, urlPath: string): Promise<number> =>
  new Promise((resolve) => {
    const request = http.get({ host: target.host, port: target.port, path: urlPath, timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', () => {
      resolve(0);
    });
    request.on('timeout', () => {
      request.destroy();
    });
  });

const startChild = async (
  name: string,
  args: readonly string[],
  options: {
    readonly cwd: string;
    readonly env: NodeJS.ProcessEnv;
    readonly port: number;
    readonly readyPath: string;
    readonly logFile: string;
  },
): Promise<ChildServer> => {
  mkdirSync(options.cwd, { recursive: true });
  const log = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', log, log],
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`${name} did not start`);
  }
  const target: HttpTarget = { host: '127.0.0.1', port: options.port };
  const deadline = Date.now() + 180_000;
  while ((await getStatus(target, options.readyPath)) !== 200) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the child's exit handler during the await
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not become ready (see ${options.logFile})`);
    }
    await sleep(250);
  }
  return {
    name,
    pid,
    ...target,
    rssMb: () => procStatusMb(pid, 'VmRSS'),
    peakRssMb: () => procStatusMb(pid, 'VmHWM'),
    stop: async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exit;
        clearTimeout(timer);
      }
    },
  };
};

/** The real service, as `npm start` runs it, on `dataDir` (with `profileDir`: a CPU profile written there when it stops). cwd is a scratch dir: in development the service writes docs/schema.graphql there. */
export const startService = (
  buildRoot: string,
  runDir: string,
  dataDir: string,
  port: number,
  profileDir?: string,
  replica?: { readonly name: string; readonly readModelsFile: string },
): Promise<ChildServer> =>
  startChild(
    replica?.name ?? 'service',
    [
      ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]),
      path.join(buildRoot, 'src', 'main.js'),
    ],
    {
      cwd: path.join(runDir, `${replica?.name ?? 'service'}-cwd`),
      port,
      readyPath: '/ready',
      logFile: path.join(runDir, `${replica?.name ?? 'service'}.log`),
      env: {
        // a further process on the same events needs its own read models (issue 23: one owner per read-model file)
        ...(replica === undefined ? {} : { READ_MODELS_FILE: replica.readModelsFile }),
        ...process.env,
        NODE_ENV: 'development',
        AUTH_MODE: 'dev',
        DATA_DIR: dataDir,
        PORT: String(port),
        PATIENT_ID_SECRET: BENCH_PATIENT_ID_SECRET,
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_MINUTE: String(BENCH_RATE_LIMIT_PER_MINUTE),
      },
    },
  );

/** The raw Fastify + Mercurius server of bench/baseline-server.ts over the same read-model file. */
export const startBaselineServer = (
  buildRoot: string,
  runDir: string,
  readModelsFile: string,
  port: number,
): Promise<ChildServer> =>
  startChild('baseline', [path.join(buildRoot, 'bench', 'baseline-server.js'), readModelsFile, String(port)], {
    cwd: runDir,
    port,
    readyPath: '/health',
    logFile: path.join(runDir, 'baseline.log'),
    env: { ...process.env, PATIENT_ID_SECRET: BENCH_PATIENT_ID_SECRET },
  });

/** A prescriber's dev token (HelseID-shaped, security level 4), signed with the key the service trusts in AUTH_MODE=dev. */
export const devPrescriberToken = async (dataDir: string): Promise<string> => {
  const keys = await loadOrCreateDevKeys(devAuthDir({ DATA_DIR: dataDir }));
  return signDevToken(
    keys,
    { role: 'prescriber', hpr: '9144889', level: 4, expiresInSeconds: 4 * 3600, clientId: 'pll-bench' },
    new Date(),
  );
};

/**
 * Whether the service refuses a request without a token. The figures of B3/B4 only count with authorization and
 * audit on (issue 6); until issue 5 is wired, the table says so.
 */
export const authEnforced = async (target: HttpTarget, body: string): Promise<boolean> => {
  const connection = await HttpConnection.open(target);
  try {
    return !isGraphqlSuccess(await connection.send(postJson(target, '/graphql', body)));
  } finally {
    connection.close();
  }
};
