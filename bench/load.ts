import * as net from 'node:net';
import { performance } from 'node:perf_hooks';

/*
 * A small HTTP/1.1 load generator over keep-alive sockets (what autocannon does, without the dependency): each
 * connection sends one request, reads the whole response (Content-Length framing), then sends the next. Raw
 * sockets rather than node:http because the client shares this 2-core machine with the server under test, and
 * node:http's client costs several times more CPU per request.
 */

export interface HttpTarget {
  readonly host: string;
  readonly port: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** One keep-alive connection; one request at a time. */
export class HttpConnection {
  private readonly socket: net.Socket;
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (response: HttpResponse) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      this.tryComplete();
    });
    const fail = (error: Error): void => {
      this.failure ??= error;
      this.waiting?.reject(error);
      this.waiting = undefined;
    };
    socket.on('error', fail);
    socket.on('close', () => {
      fail(new Error('connection closed by the server'));
    });
  }

  static open(target: HttpTarget): Promise<HttpConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(target.port, target.host);
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(new HttpConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  send(request: string): Promise<HttpResponse> {
    if (this.failure !== undefined) {
      return Promise.reject(this.failure);
    }
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(request);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private tryComplete(): void {
    const waiting = this.waiting;
    if (waiting === undefined) {
      return;
    }
    const headerEnd = this.buffered.indexOf(HEADER_END);
    if (headerEnd < 0) {
      return;
    }
    const head = this.buffered.subarray(0, headerEnd).toString('latin1');
    const status = Number(head.slice(9, 12));
    const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (lengthMatch === null) {
      waiting.reject(new Error(`response without Content-Length (status ${status})`));
      this.waiting = undefined;
      return;
    }
    const bodyStart = headerEnd + HEADER_END.length;
    const bodyEnd = bodyStart + Number(lengthMatch[1]);
    if (this.buffered.length < bodyEnd) {
      return;
    }
    const body = this.buffered.subarray(bodyStart, bodyEnd).toString('utf8');
    this.buffered = this.buffered.subarray(bodyEnd);
    this.waiting = undefined;
    waiting.resolve({ status, body });
  }
}

/** A POST of a JSON body, as the bytes to write. */
export const postJson = (
  target: HttpTarget,
  path: string,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): string => {
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (
    `POST ${path} HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`
  );
};

/** A GraphQL answer counts as a success only with status 200 and no `errors`. */
export const isGraphqlSuccess = (response: HttpResponse): boolean =>
  response.status === 200 && !response.body.includes('"errors"');

/** `true`, or why the answer is a failure: its status and the start of its body (the bench's data is synthetic). */
export const graphqlOutcome = (response: HttpResponse): true | string =>
  isGraphqlSuccess(response) ? true : `HTTP ${response.status}: ${response.body.slice(0, 200)}`;

/** One unit of work: usually one request, for B4 a mutation followed by a read of it. Resolves to true or a failure. */
export type Operation = (connection: HttpConnection, index: number) => Promise<true | string>;

export interface LoadResult {
  readonly completed: number;
  readonly failed: number;
  /** milliseconds of each completed operation */
  readonly latencies: number[];
  readonly elapsedMs: number;
  readonly perSecond: number;
  /** one failure body or message, for the notes (never printed with patient data: the bench's ids are synthetic) */
  readonly firstFailure?: string;
}

const openAll = (target: HttpTarget, count: number): Promise<HttpConnection[]> =>
  Promise.all(Array.from({ length: count }, () => HttpConnection.open(target)));

/** Closed loop: `connections` workers, each running operations back to back for `durationMs`. */
export const runClosedLoop = async (
  target: HttpTarget,
  options: { readonly connections: number; readonly durationMs: number; readonly operation: Operation },
): Promise<LoadResult> => {
  const connections = await openAll(target, options.connections);
  const latencies: number[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  let next = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const worker = async (connection: HttpConnection): Promise<void> => {
    while (performance.now() < deadline) {
      const index = next++;
      const begin = performance.now();
      try {
        const outcome = await options.operation(connection, index);
        if (outcome === true) {
          latencies.push(performance.now() - begin);
        } else {
          failed += 1;
          firstFailure ??= outcome;
        }
      } catch (error) {
        failed += 1;
        firstFailure ??= error instanceof Error ? error.message : String(error);
        return; // the connection is gone
      }
    }
  };
  await Promise.all(connections.map(worker));
  const elapsedMs = performance.now() - started;
  connections.forEach((connection) => {
    connection.close();
  });
  return {
    completed: latencies.length,
    failed,
    latencies,
    elapsedMs,
    perSecond: latencies.length / (elapsedMs / 1000),
    firstFailure,
  };
};

/**
 * Open loop at a fixed rate: request i is due at start + i/rate. A due request goes out at once on an idle
 * connection; when none is idle it queues, and its latency then counts from when it was due (no coordinated
 * omission: a slow server cannot hide its queue by slowing the client down).
 */
export const runFixedRate = async (
  target: HttpTarget,
  options: {
    readonly connections: number;
    readonly durationMs: number;
    readonly rate: number;
    readonly operation: Operation;
  },
): Promise<LoadResult & { readonly queuedMax: number }> => {
  const idle = await openAll(target, options.connections);
  const all = [...idle];
  const latencies: number[] = [];
  const queue: number[] = []; // due times of requests waiting for a connection
  let failed = 0;
  let queuedMax = 0;
  let firstFailure: string | undefined;
  let sent = 0;
  let scheduled = 0;
  let inFlight = 0;
  const started = performance.now();
  const total = Math.floor((options.rate * options.durationMs) / 1000);

  return new Promise((resolve) => {
    const finishIfDone = (): void => {
      if (scheduled >= total && queue.length === 0 && inFlight === 0) {
        clearInterval(ticker);
        const elapsedMs = performance.now() - started;
        all.forEach((connection) => {
          connection.close();
        });
        resolve({
          completed: latencies.length,
          failed,
          latencies,
          elapsedMs,
          perSecond: latencies.length / (elapsedMs / 1000),
          firstFailure,
          queuedMax,
        });
      }
    };
    const dispatch = (connection: HttpConnection, startedAt: number): void => {
      const index = sent++;
      inFlight += 1;
      options.operation(connection, index).then(
        (outcome) => {
          inFlight -= 1;
          if (outcome === true) {
            latencies.push(performance.now() - startedAt);
          } else {
            failed += 1;
            firstFailure ??= outcome;
          }
          const due = queue.shift();
          if (due !== undefined) {
            dispatch(connection, due);
          } else {
            idle.push(connection);
          }
          finishIfDone();
        },
        (error: unknown) => {
          inFlight -= 1;
          failed += 1;
          firstFailure ??= error instanceof Error ? error.message : String(error);
          finishIfDone();
        },
      );
    };
    const tick = (): void => {
      const now = performance.now();
      const dueCount = Math.min(total, Math.floor(((now - started) * options.rate) / 1000));
      for (; scheduled < dueCount; scheduled += 1) {
        const dueAt = started + (scheduled * 1000) / options.rate;
        const connection = idle.pop();
        if (connection === undefined) {
          queue.push(dueAt);
          queuedMax = Math.max(queuedMax, queue.length);
        } else {
          dispatch(connection, now);
        }
      }
      finishIfDone();
    };
    const ticker = setInterval(tick, 1);
  });
};
