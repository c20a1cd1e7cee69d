import { CatchUpSubscriptions, CommitSignal, type CatchUpSource } from './catch-up-subscription';
import { EventIdConflictError, EventStoreUnavailableError, StreamRevisionConflictError } from './event-store.errors';
import { defined } from '../defined';
import {
  isEventMetadata,
  type AppendResult,
  type EventStorePort,
  type EventSubscription,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type RecordedEvent,
} from './event-store.port';

/**
 * The event store for unit tests: same semantics as the SQLite and EventStoreDB adapters (the contract suite
 * checks), kept in arrays. Positions are 1, 2, 3, … so `fromPosition: 0n` means "from the beginning".
 */
export class InMemoryEventStore implements EventStorePort {
  private readonly all: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly signal = new CommitSignal();
  private readonly subscriptions = new CatchUpSubscriptions();
  private readonly source: CatchUpSource = {
    readAfter: (after, limit) => {
      this.assertOpen();
      return this.all.slice(Number(after), Number(after) + limit);
    },
    signal: this.signal,
  };
  private closed = false;

  appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    return settle(() => this.append(streamName, events, options.expectedRevision));
  }

  readStream(streamName: string, options?: { readonly fromRevision?: number }): Promise<RecordedEvent[]> {
    return settle(() => {
      this.assertOpen();
      const from = options?.fromRevision ?? 0;
      return (this.streams.get(streamName) ?? []).filter((event) => event.revision >= from);
    });
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return settle(() => {
      this.assertOpen();
      const start = Number(options?.fromPosition ?? 0n);
      return this.all.slice(start, options?.maxCount === undefined ? undefined : start + options.maxCount);
    });
  }

  subscribeToAll(options?: { readonly fromPosition?: bigint }): EventSubscription {
    return this.subscriptions.subscribe(this.source, options?.fromPosition ?? 0n);
  }

  async *readStreamsByPrefix(prefix: string, options: { readonly toPosition: bigint }): AsyncIterable<RecordedEvent> {
    if (prefix === '') {
      throw new TypeError('readStreamsByPrefix needs a non-empty prefix');
    }
    await Promise.resolve(); // read after the caller's turn, as the other stores do
    this.assertOpen();
    const events = this.all
      .filter((event) => event.streamName.startsWith(prefix) && event.position <= options.toPosition)
      .sort((a, b) => (a.streamName < b.streamName ? -1 : a.streamName > b.streamName ? 1 : a.revision - b.revision));
    yield* events;
  }

  headPosition(): Promise<bigint | undefined> {
    return settle(() => {
      this.assertOpen();
      return this.all.at(-1)?.position;
    });
  }

  ping(): Promise<void> {
    return settle(() => {
      this.assertOpen();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.subscriptions.closeAll();
  }

  private append(streamName: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): AppendResult {
    this.assertOpen();
    assertAppendable(events);
    const stream = this.streams.get(streamName) ?? [];
    // Idempotency before the revision check: a retry carries the expected revision of its first attempt.
    const stored = events.map((event) => stream.find((recorded) => recorded.id === event.id));
    const found = stored.filter((recorded): recorded is RecordedEvent => recorded !== undefined);
    if (found.length === events.length) {
      const last = found.reduce((a, b) => (b.revision > a.revision ? b : a));
      return { nextExpectedRevision: last.revision, position: last.position, appended: false };
    }
    if (found.length > 0) {
      throw new EventIdConflictError(streamName, found.length, events.length - found.length);
    }
    const current = stream.length - 1;
    checkExpectedRevision(streamName, expectedRevision, current);
    for (const [index, event] of events.entries()) {
      const recorded: RecordedEvent = {
        id: event.id,
        streamName,
        revision: current + 1 + index,
        position: BigInt(this.all.length + 1),
        type: event.type,
        // A JSON round trip, as the real stores serialise: a Date in the data shows up as a string in tests too.
        data: jsonCopy(event.data),
        metadata: metadataCopy(event.metadata),
      };
      stream.push(recorded);
      this.all.push(recorded);
    }
    this.streams.set(streamName, stream);
    this.signal.notify();
    // assertAppendable let only a non-empty append through, and it was just pushed.
    const last = defined(stream.at(-1), 'the appended event');
    return { nextExpectedRevision: last.revision, position: last.position, appended: true };
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new EventStoreUnavailableError('the in-memory store is closed');
    }
  }
}

/** Shared precondition of every adapter: at least one event, no id twice in one append (a programming error). */
const assertAppendable = (events: readonly NewEvent[]): void => {
  if (events.length === 0 || new Set(events.map((event) => event.id)).size !== events.length) {
    throw new TypeError('an append needs at least one event and distinct event ids');
  }
};

/** `current` is the stream's last revision, -1 when it does not exist. */
const checkExpectedRevision = (streamName: string, expected: ExpectedRevision, current: number): void => {
  const ok = expected === 'any' || (expected === 'no_stream' ? current === -1 : expected === current);
  if (!ok) {
    throw new StreamRevisionConflictError(streamName, String(expected), current === -1 ? 'no_stream' : String(current));
  }
};

const jsonCopy = (value: unknown): unknown => {
  const copy: unknown = value === undefined ? null : JSON.parse(JSON.stringify(value));
  return copy;
};

/** a promise of a synchronous result; a throw becomes a rejection (the Promise executor catches it) */
const settle = <T>(run: () => T): Promise<T> =>
  new Promise((resolve) => {
    resolve(run());
  });

const metadataCopy = (metadata: NewEvent['metadata']): RecordedEvent['metadata'] => {
  const copy = jsonCopy(metadata);
  if (!isEventMetadata(copy)) {
    throw new TypeError('event metadata is missing envelope fields');
  }
  return copy;
};
