import { createEsdbClient, type EsdbClient, type EsdbClientPackage, type EsdbResolvedEvent } from './esdb.client';
import {
  errorType,
  isForeign,
  parseEvent,
  toEsdbRevision,
  toEventData,
  toPosition,
  translate,
  type ForeignEvent,
} from './esdb.mapping';
import { SharedAllSubscription } from './esdb.subscription';
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

/** How to reach EventStoreDB / KurrentDB, and how patiently. */
export interface EsdbEventStoreOptions {
  /** e.g. `esdb://localhost:2113?tls=false`, `esdb+discover://cluster.local:2113`, `kurrentdb://...` */
  readonly connectionString: string;
  /** which client package speaks to the server (docs/eventstoredb.md); default `eventstore` */
  readonly clientPackage?: EsdbClientPackage;
  /** a client to use instead of one made from the connection string (the specs' fake) */
  readonly client?: EsdbClient;
  /** gRPC deadline of every append, read and ping, in ms; default 10 000 */
  readonly deadlineMs?: number;
  /** first and largest pause before a dropped subscription resubscribes; default 100 ms and 5 s */
  readonly resubscribeDelayMs?: { readonly initial: number; readonly max: number };
  /** told about every error a subscription recovers from (metrics, logs); ids only in the error */
  readonly onSubscriptionError?: (error: Error, attempt: number) => void;
  /** told about every event skipped because this service did not write it (metrics); no event data in it */
  readonly onForeignEvent?: (event: ForeignEvent) => void;
  /** streams the subscription filters out on the server, besides `$`-streams (the audit streams) */
  readonly subscriptionExcludesStreamPrefixes?: readonly string[];
}

const PAGE = 1000;
const DEFAULT_DEADLINE_MS = 10_000;

/**
 * The EventStoreDB / KurrentDB adapter, over either gRPC client (esdb.client.ts). It owns its client (no
 * module-level singleton) and fills the clients' gaps: typed errors, exclusive positions, foreign events skipped,
 * deadlines on every call, one shared resubscribing `$all` subscription (esdb.subscription.ts).
 *
 * Positions: our port's position is the commit position. Every event appended over gRPC is an implicitly
 * committed prepare whose commit position equals its prepare position (the server's AllReader builds
 * `TFPos(logPosition, logPosition)` for it), and each event has its own, so the commit position alone orders
 * `$all` strictly. To resume, `{ commit: p, prepare: p }` names that same event again. Only explicit transactions
 * of the retired TCP API had commit ≠ prepare.
 */
export class EsdbEventStore implements EventStorePort {
  private readonly client: EsdbClient;
  private readonly deadline: number;
  private readonly shared: SharedAllSubscription;
  private closed = false;

  constructor(private readonly options: EsdbEventStoreOptions) {
    this.client = options.client ?? createEsdbClient(options.clientPackage ?? 'eventstore', options.connectionString);
    this.deadline = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.shared = new SharedAllSubscription({
      client: () => this.open(),
      resubscribeDelayMs: options.resubscribeDelayMs ?? { initial: 100, max: 5000 },
      onSubscriptionError: options.onSubscriptionError,
      excludeStreamPrefixes: options.subscriptionExcludesStreamPrefixes,
      onForeignEvent: (event) => {
        this.foreign(event);
      },
    });
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
    let result: { readonly nextExpectedRevision: bigint; readonly position?: { readonly commit: bigint } };
    try {
      result = await this.open().appendToStream(streamName, eventData, {
        expectedRevision: toEsdbRevision(options.expectedRevision),
        deadline: this.deadline,
      });
    } catch (error) {
      throw translate(error, streamName, options.expectedRevision);
    }
    const nextExpectedRevision = Number(result.nextExpectedRevision);
    // Servers before 22.6 leave the position out; read it back then.
    const position = result.position?.commit ?? (await this.positionOf(streamName, nextExpectedRevision));
    return { nextExpectedRevision, position, appended: true };
  }

  async readStream(streamName: string, options?: { readonly fromRevision?: number }): Promise<RecordedEvent[]> {
    const read = this.open().readStream(streamName, {
      fromRevision: BigInt(options?.fromRevision ?? 0),
      deadline: this.deadline,
    });
    return this.collect(read, streamName);
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    const maxCount = options?.maxCount ?? Number.POSITIVE_INFINITY;
    const events: RecordedEvent[] = [];
    let after = options?.fromPosition;
    // @eventstore/db-client's readAll has no server-side filter, and its fromPosition is inclusive: page, skip,
    // drop system and foreign events here.
    try {
      for (;;) {
        let read = 0;
        let progressed = false;
        const page = this.open().readAll({
          fromPosition: after === undefined ? 'start' : toPosition(after),
          maxCount: PAGE,
          deadline: this.deadline,
        });
        for await (const resolved of page) {
          read += 1;
          const parsed = resolved.event === undefined ? undefined : parseEvent(resolved.event);
          const position = parsed?.position;
          if (parsed === undefined || position === undefined || (after !== undefined && position <= after)) {
            continue;
          }
          after = position;
          progressed = true;
          if (isForeign(parsed)) {
            this.foreign(parsed);
          } else if (events.push(parsed) >= maxCount) {
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

  /** One `$all` subscription on the server for every subscriber of this store (see SharedAllSubscription). */
  subscribeToAll(options?: { readonly fromPosition?: bigint }): EventSubscription {
    this.open();
    return this.shared.subscribe(options?.fromPosition);
  }

  /** The newest event of this service's (system and foreign events are never a projection's checkpoint). */
  async headPosition(): Promise<bigint | undefined> {
    let before: bigint | undefined;
    try {
      for (;;) {
        let read = 0;
        const page = this.open().readAll({
          direction: 'backwards',
          fromPosition: before === undefined ? 'end' : toPosition(before),
          maxCount: PAGE,
          deadline: this.deadline,
        });
        for await (const resolved of page) {
          read += 1;
          const parsed = resolved.event === undefined ? undefined : parseEvent(resolved.event);
          if (parsed !== undefined && !isForeign(parsed)) {
            return parsed.position;
          }
          before = parsed?.position ?? before;
        }
        if (read < PAGE) {
          return undefined;
        }
      }
    } catch (error) {
      throw translate(error);
    }
  }

  async ping(): Promise<void> {
    const read = this.open().readAll({
      direction: 'backwards',
      fromPosition: 'end',
      maxCount: 1,
      deadline: this.deadline,
    });
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
    await this.shared.close();
    this.closed = true;
    await this.client.dispose();
  }

  /**
   * The idempotency check, reading only where a retry of this append would have put its events: the `k` events
   * after the expected revision (from 0 for `no_stream`), or for `any` the stream's last `k` events (a backward read
   * of `k`). EventStoreDB itself makes a retry with the same ids a no-op but answers exactly as for a fresh append;
   * this read lets us say `appended: false`. For `any`, a retry that comes after other appends to the stream is
   * not seen here: the server then deduplicates it by id (best effort for `any`) and we report `appended: true`.
   */
  private async earlierCopy(
    streamName: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult | undefined> {
    const maxCount = events.length;
    const window =
      expected === 'any'
        ? (
            await this.collect(
              this.open().readStream(streamName, {
                fromRevision: 'end',
                direction: 'backwards',
                maxCount,
                deadline: this.deadline,
              }),
              streamName,
            )
          ).reverse()
        : await this.collect(
            this.open().readStream(streamName, {
              fromRevision: expected === 'no_stream' ? 'start' : BigInt(expected + 1),
              maxCount,
              deadline: this.deadline,
            }),
            streamName,
          );
    const ids = new Set(events.map((event) => event.id));
    const stored = window.filter((event) => ids.has(event.id));
    const last = stored.at(-1);
    if (last === undefined || (expected === 'any' && stored.length < events.length)) {
      return undefined; // a new append (if the stream moved on, the server reports the conflict or deduplicates)
    }
    if (stored.length < events.length) {
      throw new EventIdConflictError(streamName, stored.length, events.length - stored.length);
    }
    return { nextExpectedRevision: last.revision, position: last.position, appended: false };
  }

  /** The position of the event at `revision`, read back; a typed error (never `[0]` of nothing) when it is gone. */
  private async positionOf(streamName: string, revision: number): Promise<bigint> {
    const [event] = await this.collect(
      this.open().readStream(streamName, { fromRevision: BigInt(revision), maxCount: 1, deadline: this.deadline }),
      streamName,
    );
    if (event === undefined) {
      throw new EventStoreUnavailableError(`the appended event of ${streamName} could not be read back`);
    }
    return event.position;
  }

  /** Drains a stream read: our events parsed, foreign ones reported and skipped, a missing stream as []. */
  private async collect(read: AsyncIterable<EsdbResolvedEvent>, streamName: string): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of read) {
        const parsed = resolved.event === undefined ? undefined : parseEvent(resolved.event);
        if (parsed !== undefined && isForeign(parsed)) {
          this.foreign(parsed);
        } else if (parsed !== undefined) {
          events.push(parsed);
        }
      }
      return events;
    } catch (error) {
      if (errorType(error) === 'stream-not-found') {
        return [];
      }
      throw translate(error, streamName);
    }
  }

  /** System events are the server's own and not counted; everything else this service did not write is. */
  private foreign(event: ForeignEvent): void {
    if (event.reason !== 'system-event') {
      this.options.onForeignEvent?.(event);
    }
  }

  private open(): EsdbClient {
    if (this.closed) {
      throw new EventStoreUnavailableError('the EventStoreDB client is closed');
    }
    return this.client;
  }
}
