import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  START,
  StreamNotFoundError,
  excludeSystemEvents,
  type AllStreamResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import {
  MalformedEventError,
  toEsdbRevision,
  toEventData,
  toPosition,
  toRecordedEvent,
  translate,
  translateToError,
} from './esdb.mapping';
import { EventIdConflictError, EventStoreUnavailableError } from './event-store.errors';
import {
  type AppendResult,
  type EventStorePort,
  type EventSubscription,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type RecordedEvent,
} from './event-store.port';

/** How to reach EventStoreDB, and how patiently. */
export interface EsdbEventStoreOptions {
  /** e.g. `esdb://localhost:2113?tls=false` or `esdb+discover://cluster.local:2113` */
  readonly connectionString: string;
  /** gRPC deadline for unary calls (appends), in ms; default 10 000 */
  readonly deadlineMs?: number;
  /** first and largest pause before a dropped subscription resubscribes; default 100 ms and 5 s */
  readonly resubscribeDelayMs?: { readonly initial: number; readonly max: number };
  /** told about every error a subscription recovers from (metrics, logs); ids only in the error */
  readonly onSubscriptionError?: (error: Error, attempt: number) => void;
}

const PAGE = 1000;

/**
 * The EventStoreDB adapter (`@eventstore/db-client` 6.x). It owns its client (no module-level singleton) and
 * fills the client's gaps: typed errors, exclusive positions, system events filtered, resubscription.
 *
 * Positions: our port's position is the commit position. Every event appended over gRPC is an implicitly
 * committed prepare whose commit position equals its prepare position (the server's AllReader builds
 * `TFPos(logPosition, logPosition)` for it), and each event has its own, so the commit position alone orders
 * `$all` strictly. To resume, `{ commit: p, prepare: p }` names that same event again. Only explicit transactions
 * of the retired TCP API had commit ≠ prepare.
 */
export class EsdbEventStore implements EventStorePort {
  private readonly client: EventStoreDBClient;
  private readonly subscriptions = new Set<EsdbSubscription>();
  private closed = false;

  constructor(private readonly options: EsdbEventStoreOptions) {
    this.client = EventStoreDBClient.connectionString(options.connectionString);
  }

  async appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    if (events.length === 0 || new Set(events.map((event) => event.id)).size !== events.length) {
      throw new TypeError('an append needs at least one event and distinct event ids');
    }
    const eventData = events.map(toEventData);
    const earlier = await this.earlierCopy(streamName, events, options.expectedRevision);
    if (earlier !== undefined) {
      return earlier;
    }
    try {
      const result = await this.open().appendToStream(streamName, eventData, {
        expectedRevision: toEsdbRevision(options.expectedRevision),
        deadline: this.options.deadlineMs,
      });
      const nextExpectedRevision = Number(result.nextExpectedRevision);
      // Servers before 22.6 leave the position out; read it back then.
      const position =
        result.position?.commit ??
        (await this.readStream(streamName, { fromRevision: nextExpectedRevision }))[0].position;
      return { nextExpectedRevision, position, appended: true };
    } catch (error) {
      throw translate(error, streamName, options.expectedRevision);
    }
  }

  async readStream(streamName: string, options?: { readonly fromRevision?: number }): Promise<RecordedEvent[]> {
    const read = this.open().readStream(streamName, { fromRevision: BigInt(options?.fromRevision ?? 0) });
    try {
      const events: RecordedEvent[] = [];
      for await (const resolved of read) {
        if (resolved.event !== undefined) {
          events.push(toRecordedEvent(resolved.event));
        }
      }
      return events;
    } catch (error) {
      if (error instanceof StreamNotFoundError) {
        return [];
      }
      throw translate(error);
    }
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    const maxCount = options?.maxCount ?? Number.POSITIVE_INFINITY;
    const events: RecordedEvent[] = [];
    let after = options?.fromPosition;
    // The client's readAll has no server-side filter, and its fromPosition is inclusive: page, skip, filter here.
    try {
      for (;;) {
        let read = 0;
        let progressed = false;
        for await (const resolved of this.readAllFrom(after)) {
          read += 1;
          const event = resolved.event;
          if (event === undefined || (after !== undefined && event.position.commit <= after)) {
            continue;
          }
          after = event.position.commit;
          progressed = true;
          if (!event.type.startsWith('$') && events.push(toRecordedEvent(event)) >= maxCount) {
            return events;
          }
        }
        if (read < PAGE || !progressed) {
          return events;
        }
      }
    } catch (error) {
      throw translate(error);
    }
  }

  subscribeToAll(options?: { readonly fromPosition?: bigint }): EventSubscription {
    const subscription = new EsdbSubscription(() => this.open(), options?.fromPosition, this.options, () =>
      this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<bigint | undefined> {
    const read = this.open().readAll({ direction: BACKWARDS, fromPosition: END, maxCount: Number.MAX_SAFE_INTEGER });
    try {
      for await (const resolved of read) {
        if (resolved.event !== undefined && !resolved.event.type.startsWith('$')) {
          return resolved.event.position.commit;
        }
      }
      return undefined;
    } catch (error) {
      throw translate(error);
    } finally {
      await read.cancel();
    }
  }

  async ping(): Promise<void> {
    const read = this.open().readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 });
    try {
      for await (const _event of read) {
        // draining the one-event read is the whole check
      }
    } catch (error) {
      throw translate(error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.client.dispose();
  }

  /**
   * The idempotency check. EventStoreDB itself treats a retry (same ids, same expected revision) as a no-op, but
   * answers exactly as for a fresh append; reading what follows the expected revision first lets us say
   * `appended: false`. One extra round trip per append; usually an empty read.
   */
  private async earlierCopy(
    streamName: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult | undefined> {
    const after = await this.readStream(streamName, { fromRevision: typeof expected === 'number' ? expected + 1 : 0 });
    const ids = new Set(events.map((event) => event.id));
    const stored = after.filter((event) => ids.has(event.id));
    if (stored.length === 0) {
      return undefined; // a new append (if the stream moved on, the server reports the conflict)
    }
    if (stored.length < events.length) {
      throw new EventIdConflictError(streamName, stored.length, events.length - stored.length);
    }
    const last = stored[stored.length - 1];
    return { nextExpectedRevision: last.revision, position: last.position, appended: false };
  }

  private readAllFrom(after: bigint | undefined): StreamingRead<AllStreamResolvedEvent> {
    return this.open().readAll({ fromPosition: after === undefined ? START : toPosition(after), maxCount: PAGE });
  }

  private open(): EventStoreDBClient {
    if (this.closed) {
      throw new EventStoreUnavailableError('the EventStoreDB client is closed');
    }
    return this.client;
  }
}

/**
 * A catch-up subscription that survives errors: the client's own subscription ends for good on any error, so this
 * one resubscribes from the last delivered position with exponential backoff until closed. Consumed with
 * `for await` (an async `data` handler would run events concurrently). Events at or before the last delivered
 * position are dropped, which makes the start exclusive and a resubscription free of duplicates.
 */
class EsdbSubscription implements EventSubscription {
  private closed = false;
  private current: { unsubscribe(): Promise<void>; destroy(): void } | undefined;
  private wake: (() => void) | undefined;

  constructor(
    /** throws EventStoreUnavailableError once the store is closed */
    private readonly client: () => EventStoreDBClient,
    private last: bigint | undefined,
    private readonly options: EsdbEventStoreOptions,
    private readonly onClose: () => void,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    try {
      yield* this.resubscribing();
    } finally {
      this.onClose(); // also when the consumer breaks out of its loop instead of calling close()
    }
  }

  private async *resubscribing(): AsyncGenerator<RecordedEvent> {
    const { initial, max } = this.options.resubscribeDelayMs ?? { initial: 100, max: 5000 };
    let attempt = 0;
    while (!this.closed) {
      const subscription = this.client().subscribeToAll({
        fromPosition: this.last === undefined ? START : toPosition(this.last),
        filter: excludeSystemEvents(),
      });
      this.current = subscription;
      try {
        for await (const resolved of subscription) {
          const event = resolved.event;
          if (this.isClosed()) {
            return;
          }
          if (event === undefined || (this.last !== undefined && event.position.commit <= this.last)) {
            continue;
          }
          // The server filter already drops system events; `$`-types are dropped here too, in case.
          if (event.type.startsWith('$')) {
            this.last = event.position.commit;
            continue;
          }
          const recorded = toRecordedEvent(event);
          attempt = 0;
          this.last = recorded.position;
          yield recorded;
        }
      } catch (error) {
        if (this.isClosed()) {
          return;
        }
        if (error instanceof MalformedEventError) {
          throw error; // not a connection problem: resubscribing would meet it again; the consumer decides
        }
        this.options.onSubscriptionError?.(translateToError(error), attempt + 1);
      } finally {
        await subscription.unsubscribe().catch(() => undefined);
      }
      // Reached on an error and also when the server ended the stream: either way, resubscribe after a pause.
      await this.pause(Math.min(initial * 2 ** attempt, max));
      attempt += 1;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.onClose();
    this.wake?.();
    const current = this.current;
    if (current !== undefined) {
      await current.unsubscribe().catch(() => undefined);
      // unsubscribe cancels the gRPC call but leaves the piped stream open: destroy it so `for await` ends now.
      current.destroy();
    }
  }

  /** a method, not the field: the field changes across `await`, which narrowing does not see */
  private isClosed(): boolean {
    return this.closed;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
