import type { EsdbClient, EsdbClientSubscription, EsdbRegexFilter, EsdbResolvedEvent } from './esdb.client';
import { isForeign, parseEvent, toPosition, translateToError, type ForeignEvent } from './esdb.mapping';
import type { EventSubscription, RecordedEvent, SubscriptionProgress } from './event-store.port';

/** What the shared subscription needs from the store that owns it. */
export interface SharedSubscriptionOptions {
  /** throws EventStoreUnavailableError once the store is closed */
  readonly client: () => EsdbClient;
  readonly resubscribeDelayMs: { readonly initial: number; readonly max: number };
  readonly onSubscriptionError?: (error: Error, attempt: number) => void;
  readonly onForeignEvent?: (event: ForeignEvent) => void;
  /** streams no subscriber projects (the audit streams): filtered out on the server with the `$`-streams */
  readonly excludeStreamPrefixes?: readonly string[];
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The server-side filter of the shared subscription, on stream names: system streams (`$`-prefixed: links,
 * stream metadata `$$…`, the server's own) and the excluded prefixes never cross the network. The server's
 * regex engine is .NET's, which has negative lookahead. A checkpoint every 32 events considered (matched or
 * not) keeps a long filtered stretch moving the subscribers' positions (SharedConsumer.scannedThrough).
 */
export const subscriptionFilter = (excludeStreamPrefixes: readonly string[]): EsdbRegexFilter => ({
  filterOn: 'streamName',
  regex: `^(?!(?:${['\\$', ...excludeStreamPrefixes.map(escapeRegex)].join('|')}))`,
  checkpointInterval: 1,
});

/** Pushed into the client's stream on its `caughtUp` event (see SharedAllSubscription): no event, a marker. */
const CAUGHT_UP: EsdbResolvedEvent = Object.freeze({});

/** Markers pushed on the server's checkpoints, with the commit position each one names. */
const checkpoints = new WeakMap<EsdbResolvedEvent, bigint>();

/** A consumer's queue is this long before the shared subscription waits for it (a slow projection holds all). */
const HIGH_WATER = 1_000;

/**
 * One `$all` catch-up subscription on the server, shared by every subscriber of the store (the projector's read
 * models): each event crosses the network and is parsed once, then handed to each subscriber whose position is
 * before it. It starts from the earliest subscriber's position; a subscriber that joins behind it restarts it
 * from there (the others drop what they already have, by position). It resubscribes after errors with
 * exponential backoff, and ends when its last subscriber leaves.
 *
 * Caught up: the server says so with a `caughtUp` message once it has sent every event that existed (servers from
 * 23.10 on). The events sent before that message may still sit in the client's buffer; a marker pushed behind them
 * says when they have been handed on. Caught up from then until the server says `fellBehind`. No head is read.
 */
export class SharedAllSubscription {
  private readonly consumers = new Set<SharedConsumer>();
  private upstream: EsdbClientSubscription | undefined;
  private running: Promise<void> | undefined;
  private restartRequested = false;
  private stopped = false;
  /** the position of the last event the upstream handed on; undefined before the first */
  private last: bigint | undefined;
  private caughtUp = false;
  private wakePause: (() => void) | undefined;

  constructor(private readonly options: SharedSubscriptionOptions) {}

  subscribe(fromPosition: bigint | undefined): EventSubscription {
    const consumer = new SharedConsumer(fromPosition, this);
    this.consumers.add(consumer);
    const behind = this.last !== undefined && (fromPosition === undefined || fromPosition < this.last);
    if (this.running === undefined) {
      // Started on the next turn, so subscribers that join in the same turn (the projector's, at start) share it.
      this.running = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.run());
    } else if (behind) {
      this.restart();
    }
    return consumer;
  }

  /** a consumer left; the last one to leave ends the server subscription */
  leave(consumer: SharedConsumer): void {
    this.consumers.delete(consumer);
    if (this.consumers.size === 0) {
      this.restart();
    }
  }

  /** whether every event that existed when the server last said so has been handed to the consumers */
  isCaughtUp(): boolean {
    return this.caughtUp;
  }

  async close(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.consumers].map((consumer) => consumer.close()));
    this.restart();
    await this.running;
  }

  private restart(): void {
    this.restartRequested = true;
    this.wakePause?.();
    const upstream = this.upstream;
    if (upstream !== undefined) {
      // unsubscribe cancels the gRPC call but leaves the piped stream open: destroy it so `for await` ends now.
      void upstream.unsubscribe().catch(() => undefined);
      upstream.destroy();
    }
  }

  private async run(): Promise<void> {
    const { initial, max } = this.options.resubscribeDelayMs;
    let attempt = 0;
    while (!this.stopped && this.consumers.size > 0) {
      this.restartRequested = false;
      this.setCaughtUp(false);
      const from = this.earliestPosition();
      this.last = from;
      try {
        const upstream = this.options.client().subscribeToAll({
          fromPosition: from === undefined ? 'start' : toPosition(from),
          filter: {
            ...subscriptionFilter(this.options.excludeStreamPrefixes ?? []),
            // called after the events sent before the checkpoint were pushed: the marker lands behind them
            checkpointReached: (_subscription, position) => {
              const marker: EsdbResolvedEvent = Object.freeze({});
              checkpoints.set(marker, position.commit);
              upstream.push(marker);
            },
          },
        });
        this.upstream = upstream;
        // Both clients emit `caughtUp` while transforming the server's message, after pushing every event sent
        // before it: a marker pushed now reaches the loop below right after the last of those events.
        upstream.on('caughtUp', () => {
          upstream.push(CAUGHT_UP);
        });
        upstream.on('fellBehind', () => {
          this.setCaughtUp(false);
        });
        for await (const resolved of upstream) {
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- restart() may set it during the await
          if (this.restartRequested) {
            break;
          }
          attempt = 0;
          if (resolved === CAUGHT_UP) {
            this.setCaughtUp(true);
            continue;
          }
          const checkpoint = checkpoints.get(resolved);
          if (checkpoint !== undefined) {
            this.scanned(checkpoint);
            continue;
          }
          this.handOn(resolved.event === undefined ? undefined : parseEvent(resolved.event));
          await this.backpressure();
        }
      } catch (error) {
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() or restart() may set them during the awaits
        if (!this.restartRequested && !this.stopped) {
          this.options.onSubscriptionError?.(translateToError(error), attempt + 1);
        }
      } finally {
        const upstream = this.upstream;
        this.upstream = undefined;
        await upstream?.unsubscribe().catch(() => undefined);
        upstream?.destroy();
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() or restart() may set them during the awaits
      if (!this.restartRequested && !this.stopped && this.consumers.size > 0) {
        // an error, or the server ended the stream: resubscribe after a pause
        await this.pause(Math.min(initial * 2 ** attempt, max));
        attempt += 1;
      }
    }
    this.running = undefined;
  }

  private handOn(parsed: ReturnType<typeof parseEvent> | undefined): void {
    if (parsed === undefined) {
      return;
    }
    if (isForeign(parsed)) {
      this.options.onForeignEvent?.(parsed);
    } else {
      for (const consumer of this.consumers) {
        consumer.offer(parsed);
      }
    }
    this.last = parsed.position ?? this.last;
  }

  /** The server considered everything through `position`: no subscriber gets an event at or before it any more. */
  private scanned(position: bigint): void {
    if (this.last !== undefined && position <= this.last) {
      return;
    }
    for (const consumer of this.consumers) {
      consumer.reach(position);
    }
    this.last = position;
  }

  private setCaughtUp(caughtUp: boolean): void {
    this.caughtUp = caughtUp;
    for (const consumer of this.consumers) {
      consumer.wakeUp(); // a consumer waiting on an empty queue re-reads progress
    }
  }

  private earliestPosition(): bigint | undefined {
    let earliest: bigint | undefined;
    for (const consumer of this.consumers) {
      if (consumer.position === undefined) {
        return undefined;
      }
      earliest = earliest === undefined || consumer.position < earliest ? consumer.position : earliest;
    }
    return earliest;
  }

  /** Waits while some consumer holds more than HIGH_WATER events (for await: the server is not read meanwhile). */
  private async backpressure(): Promise<void> {
    for (const consumer of this.consumers) {
      if (!this.restartRequested && consumer.queued > HIGH_WATER) {
        await consumer.drained();
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakePause = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** One subscriber of the shared subscription: its own queue and position. */
class SharedConsumer implements EventSubscription {
  /** events, and the positions of server checkpoints in their order among them */
  private readonly queue: (RecordedEvent | bigint)[] = [];
  private scannedPosition: bigint | undefined;
  private onScannedListener: (() => void) | undefined;
  private closed = false;
  private wake: (() => void) | undefined;
  private onDrained: (() => void) | undefined;
  private caughtUpWaiter: { readonly promise: Promise<void>; readonly resolve: () => void } | undefined;

  constructor(
    /** the position of the last event queued for it (exclusive start) */
    public position: bigint | undefined,
    private readonly hub: SharedAllSubscription,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  offer(event: RecordedEvent): void {
    if (this.closed || (this.position !== undefined && event.position <= this.position)) {
      return; // before its start, or already queued before a restart
    }
    this.position = event.position;
    this.queue.push(event);
    this.wakeUp();
  }

  /** A server checkpoint: queued behind the events before it, so it counts only once they have been taken. */
  reach(position: bigint): void {
    if (this.closed || (this.position !== undefined && position <= this.position)) {
      return;
    }
    this.position = position;
    this.queue.push(position);
    this.wakeUp();
  }

  onScanned(listener: () => void): void {
    this.onScannedListener = listener;
  }

  wakeUp(): void {
    this.wake?.();
    if (this.caughtUpWaiter !== undefined && (this.closed || this.progress().caughtUp)) {
      this.caughtUpWaiter.resolve();
      this.caughtUpWaiter = undefined;
    }
  }

  whenCaughtUp(): Promise<void> {
    if (this.closed || this.progress().caughtUp) {
      return Promise.resolve();
    }
    if (this.caughtUpWaiter === undefined) {
      let resolve: () => void = () => undefined;
      const promise = new Promise<void>((wake) => (resolve = wake));
      this.caughtUpWaiter = { promise, resolve };
    }
    return this.caughtUpWaiter.promise;
  }

  drained(): Promise<void> {
    return new Promise((resolve) => (this.onDrained = resolve));
  }

  progress(): SubscriptionProgress {
    const pendingEvents = this.queue.filter((item) => typeof item !== 'bigint').length;
    return {
      caughtUp: this.hub.isCaughtUp() && pendingEvents === 0,
      pendingEvents,
      scannedThrough: this.scannedPosition,
    };
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    try {
      while (!this.isClosed()) {
        const next = this.queue.shift();
        if (next === undefined) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        if (this.queue.length <= HIGH_WATER / 2) {
          this.onDrained?.(); // markers count too: a queue of them must not hold the shared subscription
        }
        if (typeof next === 'bigint') {
          // every event before this checkpoint has been taken: the subscriber may move its checkpoint here
          this.scannedPosition = next;
          this.onScannedListener?.();
          continue;
        }
        yield next;
      }
    } finally {
      await this.close(); // also when the consumer breaks out of its loop instead of calling close()
    }
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.onDrained?.();
      this.wakeUp();
      this.hub.leave(this);
    }
    return Promise.resolve();
  }

  /** a method, not the field: the field changes across `yield`, which narrowing does not see */
  private isClosed(): boolean {
    return this.closed;
  }
}
