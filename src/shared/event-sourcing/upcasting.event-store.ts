import type { EventSchemas, UnreadableEvent } from './event-schemas';
import type {
  AppendResult,
  EventStorePort,
  EventSubscription,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  RecordedEvent,
  SubscriptionProgress,
} from './event-store.port';

export interface UpcastingOptions {
  readonly schemas: EventSchemas;
  /** an event this build cannot read was passed on as unreadable (the app counts it: a metric) */
  readonly onUnreadable?: (event: UnreadableEvent) => void;
}

/**
 * The one place where stored events are brought to their current shape: wraps any adapter (SQLite, in memory,
 * EventStoreDB) and passes every event it reads (stream reads, reads of all, catch-up subscriptions, reads by
 * prefix) through the schemas. Writes pass unchanged; copy-events reads the adapter itself, so a copy keeps
 * each event as it was stored.
 */
export class UpcastingEventStore implements EventStorePort {
  readonly readStreamsByPrefix?: (
    prefix: string,
    options: { readonly toPosition: bigint },
  ) => AsyncIterable<RecordedEvent>;
  private readonly read: (event: RecordedEvent) => RecordedEvent;

  constructor(
    private readonly inner: EventStorePort,
    options: UpcastingOptions,
  ) {
    const { schemas, onUnreadable } = options;
    this.read = (event) => schemas.read(event, onUnreadable);
    const byPrefix = inner.readStreamsByPrefix?.bind(inner);
    // Only where the adapter has it: a rebuild takes its absence as "follow the global order".
    if (byPrefix !== undefined) {
      this.readStreamsByPrefix = (prefix, opts) => mapIterable(byPrefix(prefix, opts), this.read);
    }
  }

  appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    return this.inner.appendToStream(streamName, events, options);
  }

  async readStream(streamName: string, options?: { readonly fromRevision?: number }): Promise<RecordedEvent[]> {
    return (await this.inner.readStream(streamName, options)).map(this.read);
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return (await this.inner.readAll(options)).map(this.read);
  }

  subscribeToAll(options?: { readonly fromPosition?: bigint }): EventSubscription {
    return upcastSubscription(this.inner.subscribeToAll(options), this.read);
  }

  headPosition(): Promise<bigint | undefined> {
    return this.inner.headPosition();
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

async function* mapIterable(source: AsyncIterable<RecordedEvent>, read: (event: RecordedEvent) => RecordedEvent) {
  for await (const event of source) {
    yield read(event);
  }
}

/**
 * The subscription with each event read through the schemas; progress, caught-up and scanned signals are the
 * adapter's (without onScanned, a projection waiting for its next event would not move past a filtered stretch).
 */
const upcastSubscription = (
  inner: EventSubscription,
  read: (event: RecordedEvent) => RecordedEvent,
): EventSubscription => {
  const subscription: EventSubscription = {
    [Symbol.asyncIterator]: () => mapIterable(inner, read)[Symbol.asyncIterator](),
    close: () => inner.close(),
  };
  const progress = inner.progress?.bind(inner);
  const whenCaughtUp = inner.whenCaughtUp?.bind(inner);
  const onScanned = inner.onScanned?.bind(inner);
  return {
    ...subscription,
    ...(progress === undefined ? {} : { progress: (): SubscriptionProgress => progress() }),
    ...(whenCaughtUp === undefined ? {} : { whenCaughtUp: () => whenCaughtUp() }),
    ...(onScanned === undefined ? {} : { onScanned: (listener: () => void) => onScanned(listener) }),
  };
};
