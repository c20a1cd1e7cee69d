import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { type DevKeys, signDevToken } from '../../src/access/tokens/dev-keys';

/*
 * Real processes for the operations specs (issue 23): the service (`src/main.ts`) and the CLIs, each a `node`
 * child that loads the TypeScript sources through register-ts.js, with its own environment. Waits are driven by
 * what a child prints or by its exit; the timeouts are only guards against a hang.
 */

const ROOT = join(__dirname, '..', '..');
const REGISTER = join(__dirname, 'register-ts.js');
const GUARD_MS = 90_000;

/** A free TCP port on this machine (the service refuses PORT=0). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

/** A child process running one of the project's entry points; `output` collects stdout and stderr. */
export class NodeProcess {
  output = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly checks = new Set<() => void>();

  constructor(entry: string, args: readonly string[], env: Readonly<Record<string, string>>) {
    this.child = spawn(process.execPath, ['-r', REGISTER, join(ROOT, entry), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer): void => {
      this.output += chunk.toString();
      [...this.checks].forEach((check) => check());
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Resolves once the output contains `text`; rejects if the process exits first (or after the guard). */
  async until(text: string): Promise<void> {
    const seen = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${text}" within ${GUARD_MS} ms:\n${this.output}`)),
        GUARD_MS,
      );
      const check = (): void => {
        if (this.output.includes(text)) {
          clearTimeout(timer);
          this.checks.delete(check);
          resolve();
        }
      };
      this.checks.add(check);
      check();
    });
    const exited = this.exited.then((code) => {
      throw new Error(`exited with ${String(code)} before "${text}":\n${this.output}`);
    });
    await Promise.race([seen, exited]);
  }

  /** Sends a signal without waiting (SIGSTOP/SIGCONT: a paused process keeps its file locks). */
  send(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  kill(signal: NodeJS.Signals): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }
}

export interface GraphqlResult {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
}

/** A service process on `port` (dev auth; tokens signed with the data directory's dev key). */
export class ServiceProcess extends NodeProcess {
  readonly url: string;

  constructor(
    readonly port: number,
    env: Readonly<Record<string, string>>,
  ) {
    super('src/main.ts', [], {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      RATE_LIMIT_PER_MINUTE: '100000',
      PORT: String(port),
      ...env,
    });
    this.url = `http://127.0.0.1:${port}`;
  }

  started(): Promise<void> {
    return this.until(`listening on http://0.0.0.0:${this.port}`);
  }

  async ready(): Promise<number> {
    return (await fetch(`${this.url}/ready`)).status;
  }

  async graphql(keys: DevKeys, query: string, variables: Record<string, unknown>): Promise<GraphqlResult> {
    const token = await prescriberToken(keys);
    const response = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphqlResult;
  }

  /** A graphql-ws client on this process, as the prescriber. */
  ws(keys: DevKeys): Client {
    return createClient({
      url: `ws://127.0.0.1:${this.port}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
      connectionParams: async () => ({ authorization: `Bearer ${await prescriberToken(keys)}` }),
    });
  }
}

const prescriberToken = (keys: DevKeys): Promise<string> =>
  signDevToken(
    keys,
    { role: 'prescriber', hpr: '999999999', level: 4, expiresInSeconds: 600, clientId: 'ops-e2e' },
    new Date(),
  );
