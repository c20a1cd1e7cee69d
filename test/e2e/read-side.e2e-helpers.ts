import type { Client } from 'graphql-ws';
import { generatePersonNumber } from '../../src/identifiers/norwegian-identifiers';
import { type GraphqlResponse, type TestApp, bootTestApp } from './app.e2e-helpers';

/** Read-side helpers over the shared e2e app (app.e2e-helpers.ts): boot, data of a response, subscriptions. */

export type { GraphqlResponse, TestApp };

/** Starts the app with its clock fixed at `now` (dev auth; requests act as PRESCRIBER unless told otherwise). */
export const bootApp = (now: string): Promise<TestApp> => bootTestApp({ now });

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
        const message = received[index];
        if (message !== undefined) {
          received.splice(0, index + 1);
          return message;
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
