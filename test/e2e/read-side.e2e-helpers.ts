import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { type Client, createClient } from 'graphql-ws';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import WebSocket from 'ws';
import { AppModule } from '../../src/app.module';
import { loadConfig } from '../../src/config/config';
import { generatePersonNumber } from '../../src/identifiers/norwegian-identifiers';
import { PinoNestLogger, createLogger } from '../../src/observability/logger';
import { CLOCK, fixedClock } from '../../src/shared/clock';
import { PROJECTOR, type Projector } from '../../src/shared/event-sourcing/projector';

/** Boots the real AppModule (SQLite in a temp dir, fixed clock) on an ephemeral port; helpers for HTTP and WS. */

export interface GraphqlResponse {
  readonly status: number;
  readonly body: {
    readonly data?: Record<string, unknown> | null;
    readonly errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
  };
  readonly text: string;
}

/** A running app and what tests need of it. */
export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly baseUrl: string;
  readonly clock: ReturnType<typeof fixedClock>;
  readonly projector: Projector;
  readonly logLines: string[];
  close(): Promise<void>;
}

/** Starts the app with its clock fixed at `now`. */
export const bootApp = async (now: string): Promise<TestApp> => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'medication-list-read-e2e-'));
  const logLines: string[] = [];
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  const logger = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(chunk.toString());
        callback();
      },
    }),
  });
  const clock = fixedClock(now);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot({ config, logger })] })
    .overrideProvider(CLOCK)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
    logger: new PinoNestLogger(logger),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = await app.getUrl();
  return {
    app,
    baseUrl,
    clock,
    projector: app.get<Projector>(PROJECTOR),
    logLines,
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

/** POSTs one GraphQL operation. */
export const graphqlAt =
  (baseUrl: string) =>
  async (query: string, variables: Record<string, unknown> = {}): Promise<GraphqlResponse> => {
    const response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text) as GraphqlResponse['body'], text };
  };

/** The data of a response that must have no errors. */
export const dataOf = (response: GraphqlResponse): Record<string, unknown> => {
  expect(response.body.errors).toBeUndefined();
  return response.body.data ?? {};
};

/** A live subscription: waits for messages matching a predicate (the timeout is only a failure guard). */
export interface LiveSubscription {
  next(matches?: (data: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  readonly errors: unknown[];
}

/** A graphql-ws client over `ws` (graphql-transport-ws protocol). */
export const wsClient = (baseUrl: string): Client =>
  createClient({ url: `${baseUrl.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });

/** Subscribes and queues every message; `next` resolves with the first queued or later message that matches. */
export const subscribe = (client: Client, query: string, variables: Record<string, unknown>): LiveSubscription => {
  const received: Record<string, unknown>[] = [];
  const errors: unknown[] = [];
  let waiter: (() => void) | undefined;
  client.subscribe(
    { query, variables },
    {
      next: (message) => {
        if (message.errors !== undefined) {
          errors.push(...message.errors);
        }
        received.push(message.data ?? {});
        waiter?.();
      },
      error: (error: unknown) => {
        errors.push(error);
        waiter?.();
      },
      complete: () => undefined,
    },
  );
  return {
    errors,
    next: async (matches = () => true, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = received.findIndex(matches);
        if (index !== -1) {
          return received.splice(0, index + 1)[index];
        }
        if (errors.length > 0) {
          throw new Error(`subscription failed: ${JSON.stringify(errors)}`);
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          throw new Error(`no matching subscription message within ${timeoutMs} ms`);
        }
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          waiter = resolve;
          timer = setTimeout(resolve, remaining);
        });
        clearTimeout(timer);
        waiter = undefined;
      }
    },
  };
};

/** A valid synthetic patient number (month + 80) for day `day` of May 1990. */
export const syntheticPatientId = (day: number): string => {
  for (let individual = 100; individual < 500; individual += 1) {
    const id = generatePersonNumber({ year: 1990, month: 5, day }, individual, { monthOffset: 80 });
    if (id !== undefined) {
      return id;
    }
  }
  throw new Error('no valid synthetic number');
};
