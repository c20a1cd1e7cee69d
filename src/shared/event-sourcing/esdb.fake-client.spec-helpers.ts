import { Transform } from 'node:stream';
import type {
  EsdbClient,
  EsdbClientSubscription,
  EsdbEvent,
  EsdbEventData,
  EsdbReadAllOptions,
  EsdbReadStreamOptions,
  EsdbRegexFilter,
  EsdbResolvedEvent,
} from './esdb.client';
import type { EventMetadata } from './event-store.port';

/**
 * A FAKE gRPC client, for the adapter's call shape only: which calls it makes, with which options (deadline,
 * maxCount, direction, filter), and how it reads what the client hands back. It is no model of the server (its
 * revision checks and deduplication are not here): the server's behaviour is the contract suite's, run against a
 * real server by `npm run test:esdb`.
 */

export const metadata: EventMetadata = {
  commandId: 'fake-command',
  correlationId: 'fake-correlation',
  causationId: 'fake-causation',
  actor: { role: 'system' },
  clinicalTime: '2025-03-01T10:00:00.000Z',
  recordedAt: '2025-03-01T10:00:01.000Z',
  schemaVersion: 1,
};

/** An event in the fake's log; position = 100 × (index + 1), so positions are not event counts (as on a server). */
export const storedEvent = (index: number, overrides: Partial<EsdbEvent> = {}): EsdbEvent => ({
  streamId: 'medicationList-1',
  id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
  isJson: true,
  revision: BigInt(index),
  type: 'MedicationStarted',
  data: { n: index },
  metadata,
  position: { commit: BigInt(100 * (index + 1)), prepare: BigInt(100 * (index + 1)) },
  ...overrides,
});

export type Call =
  | { readonly call: 'appendToStream'; readonly stream: string; readonly deadline?: number }
  | { readonly call: 'readStream'; readonly stream: string; readonly options: EsdbReadStreamOptions }
  | { readonly call: 'readAll'; readonly options: EsdbReadAllOptions }
  | { readonly call: 'subscribeToAll'; readonly from: unknown; readonly filter?: EsdbRegexFilter };

/** A checkpoint message of the server, as the fake carries it through its stream in order with the events. */
interface CheckpointMessage {
  readonly checkpoint: bigint;
}

/**
 * A subscription the test drives: `send` an event, `checkpoint(p)` and `caughtUp()` as the server's messages. A
 * checkpoint goes through the stream in order with the events and calls the filter's `checkpointReached` inside
 * the transform, awaited, as both clients do (their Subscription._transform).
 */
export class FakeSubscription extends Transform implements EsdbClientSubscription {
  private readonly serverFilter: EsdbRegexFilter | undefined;
  constructor(filter?: EsdbRegexFilter) {
    super({ objectMode: true });
    this.serverFilter = filter;
  }
  send(event: EsdbEvent): void {
    this.write({ event } satisfies EsdbResolvedEvent);
  }
  checkpoint(commit: bigint): void {
    this.write({ checkpoint: commit } satisfies CheckpointMessage);
  }
  caughtUp(): void {
    this.emit('caughtUp');
  }
  unsubscribe(): Promise<void> {
    this.end();
    return Promise.resolve();
  }
  override _transform(
    chunk: EsdbResolvedEvent | CheckpointMessage,
    _encoding: BufferEncoding,
    next: (error?: Error | null, data?: unknown) => void,
  ): void {
    if ('checkpoint' in chunk) {
      Promise.resolve(
        this.serverFilter?.checkpointReached?.(this, { commit: chunk.checkpoint, prepare: chunk.checkpoint }),
      ).then(
        () => next(),
        (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
      );
      return;
    }
    next(null, chunk);
  }
}

async function* items(events: readonly EsdbEvent[]): AsyncGenerator<EsdbResolvedEvent> {
  await Promise.resolve();
  for (const event of events) {
    yield { event };
  }
}

export class FakeEsdbClient implements EsdbClient {
  readonly calls: Call[] = [];
  readonly subscriptions: FakeSubscription[] = [];
  /** what the next appendToStream answers */
  appendAnswer: { nextExpectedRevision: bigint; position?: { commit: bigint; prepare: bigint } } = {
    nextExpectedRevision: 0n,
    position: { commit: 100n, prepare: 100n },
  };
  readonly appended: EsdbEventData[][] = [];

  /** the events of every stream in log order ($all) */
  constructor(public log: EsdbEvent[] = []) {}

  appendToStream(
    stream: string,
    events: EsdbEventData[],
    options: { readonly expectedRevision: 'any' | 'no_stream' | bigint; readonly deadline?: number },
  ): Promise<{ nextExpectedRevision: bigint; position?: { commit: bigint; prepare: bigint } }> {
    this.calls.push({ call: 'appendToStream', stream, deadline: options.deadline });
    this.appended.push(events);
    return Promise.resolve(this.appendAnswer);
  }

  readStream(stream: string, options: EsdbReadStreamOptions): AsyncIterable<EsdbResolvedEvent> {
    this.calls.push({ call: 'readStream', stream, options });
    let events = this.log.filter((event) => event.streamId === stream);
    if (options.direction === 'backwards') {
      events = events.reverse();
    }
    const from = options.fromRevision;
    if (typeof from === 'bigint') {
      events = events.filter((event) =>
        options.direction === 'backwards' ? event.revision <= from : event.revision >= from,
      );
    }
    return items(events.slice(0, options.maxCount ?? Number.MAX_SAFE_INTEGER));
  }

  readAll(options: EsdbReadAllOptions): AsyncIterable<EsdbResolvedEvent> {
    this.calls.push({ call: 'readAll', options });
    const events = options.direction === 'backwards' ? [...this.log].reverse() : this.log;
    return items(events.slice(0, options.maxCount ?? Number.MAX_SAFE_INTEGER));
  }

  subscribeToAll(options: { readonly fromPosition?: unknown; readonly filter?: EsdbRegexFilter }): FakeSubscription {
    this.calls.push({ call: 'subscribeToAll', from: options.fromPosition, filter: options.filter });
    const subscription = new FakeSubscription(options.filter);
    this.subscriptions.push(subscription);
    return subscription;
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }

  /** the calls of one kind */
  made<K extends Call['call']>(call: K): Extract<Call, { call: K }>[] {
    return this.calls.filter((entry): entry is Extract<Call, { call: K }> => entry.call === call);
  }
}
