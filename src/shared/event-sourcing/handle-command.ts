import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { assertSameCommand, commandFingerprint } from './command-fingerprint';
import { backOffBeforeRetry, type ConflictBackoff } from './conflict-backoff';
import type { Command, Decider, DomainEvent } from './decider';
import { ConcurrentModificationError, StaleVersionError, StreamRevisionConflictError } from './event-store.errors';
import {
  type AppendResult,
  type EventMetadata,
  type EventStorePort,
  type NewEvent,
  type RecordedEvent,
  isEventMetadata,
} from './event-store.port';

/** The schema version an event is written with: one for all, or per event type (src/event-schemas.ts). */
export type SchemaVersion = number | ((type: string) => number);

/** Metrics hooks of the command handler (the app wires prom-client to them). */
export interface CommandObserver {
  /** an append finished (or failed) after this many milliseconds */
  onAppend?(durationMs: number): void;
  /** an append hit a revision conflict; the handler retries */
  onConflict?(): void;
}

/** How handleCommand checks, retries and labels a command's events. */
export interface HandleCommandOptions<E extends DomainEvent> {
  /** the version the client saw (events in the stream); another one is rejected with StaleVersionError */
  readonly expectedVersion?: number;
  /** read–decide–append rounds before ConcurrentModificationError; default 5 */
  readonly maxAttempts?: number;
  /** the jittered exponential pause between rounds after a conflict (conflict-backoff.ts); default 3 ms doubling to 100 ms */
  readonly backoff?: ConflictBackoff;
  /** which stored events the decider knows; the others (newer types) are skipped. Default: all of them */
  readonly isEvent?: (event: DomainEvent) => event is E;
  /** written to each event's metadata: one version, or the version of each type (eventSchemas.versionOf); default 1 */
  readonly schemaVersion?: SchemaVersion;
  readonly observer?: CommandObserver;
}

/** What a command did to its stream, for the mutation's answer. */
export interface CommandResult<S> {
  /** the state folded from the stream, after this command's events */
  readonly state: S;
  /** events in the stream (last revision + 1) */
  readonly version: number;
  /** position of the command's last event (of the stream's last event when the command changed nothing) */
  readonly position?: bigint;
  readonly appendedEvents: number;
  /** the command id was already in the stream: nothing was appended, the earlier outcome stands */
  readonly alreadyApplied: boolean;
  /**
   * The stream as this outcome stands on it, in revision order: the events read plus the ones appended; for an
   * already-applied command, the events up to its last one (whoever wrote since); for a command that changed
   * nothing, the events read. Lets a caller fold its own view (a projection) without reading the stream again.
   */
  readonly events: readonly RecordedEvent[];
}

// A fixed namespace for this service's event ids (UUID v5 style: SHA-1 of namespace and name).
const EVENT_ID_NAMESPACE = Buffer.from('571f4d39e37344de9c57bb306bc49d0c', 'hex');

/**
 * The id of the `index`-th event a command appends to a stream. Deterministic, so two replicas that race on the
 * same retried command produce the same ids and the store keeps only one copy.
 */
export const commandEventId = (streamName: string, commandId: string, index: number): string => {
  const hash = createHash('sha1').update(EVENT_ID_NAMESPACE).update(`${streamName}\n${commandId}\n${index}`).digest();
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6); // version 5
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8); // RFC 4122 variant
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/**
 * The events a command appends: its decided events with their deterministic ids and the command's metadata
 * (shared by handleCommand and the feed import's appendCommands, so both write the same ids and metadata).
 */
export const commandEvents = (
  streamName: string,
  command: Command,
  decided: readonly DomainEvent[],
  clinicalTime: string,
  schemaVersion: SchemaVersion = 1,
  fingerprint: string = commandFingerprint(streamName, command),
): NewEvent[] => {
  const metadata: Omit<EventMetadata, 'schemaVersion'> = {
    commandId: command.meta.commandId,
    correlationId: command.meta.correlationId,
    causationId: command.meta.causationId,
    actor: command.meta.actor,
    clinicalTime,
    recordedAt: command.meta.recordedAt,
    fingerprint,
  };
  return decided.map((event, index) => ({
    id: commandEventId(streamName, command.meta.commandId, index),
    type: event.type,
    data: event.data,
    metadata: {
      ...metadata,
      schemaVersion: typeof schemaVersion === 'number' ? schemaVersion : schemaVersion(event.type),
    },
  }));
};

/**
 * The only shell around a decider: read the stream, fold, decide, append with the expected revision; on a
 * revision conflict, pause (exponential backoff with full jitter) and start over (up to `maxAttempts`). A command whose id is already in the stream returns its
 * earlier outcome, also after a restart, because the id lives in the events' metadata; the same id with a different
 * command (another fingerprint) throws IdempotencyKeyReusedError.
 */
export async function handleCommand<C extends Command, E extends DomainEvent, S>(
  store: EventStorePort,
  decider: Decider<C, E, S>,
  streamName: string,
  command: C,
  options: HandleCommandOptions<E> = {},
): Promise<CommandResult<S>> {
  const maxAttempts = options.maxAttempts ?? 5;
  // Without a guard every event goes to `evolve`, whose default branch ignores types it does not know.
  const isEvent = options.isEvent ?? ((_event: DomainEvent): _event is E => true);
  const { commandId } = command.meta;
  const fingerprint = commandFingerprint(streamName, command);
  const fold = (recorded: readonly RecordedEvent[]): S =>
    recorded.reduce((state, event) => (isEvent(event) ? decider.evolve(state, event) : state), decider.initialState());
  const earlierOutcome = (recorded: readonly RecordedEvent[]): CommandResult<S> | undefined => {
    const own = recorded.filter((event) => event.metadata.commandId === commandId);
    const latest = own.at(-1);
    if (latest === undefined) {
      return undefined;
    }
    // The same id with a different command is not a retry: refused, nothing appended (issue 14).
    assertSameCommand(fingerprint, own);
    const position = latest.position;
    return {
      ...folded(recorded, fold),
      position,
      appendedEvents: 0,
      alreadyApplied: true,
      events: recorded.filter((event) => event.position <= position),
    };
  };

  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const recorded = await store.readStream(streamName);
    // The command id before the version check: a client retrying after a lost answer sends the version it saw
    // first, and must get the earlier outcome rather than STALE_VERSION.
    const earlier = earlierOutcome(recorded);
    if (earlier !== undefined) {
      return earlier;
    }
    const { state, version } = folded(recorded, fold);
    if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
      throw new StaleVersionError(options.expectedVersion, version);
    }
    const decided = decider.decide(command, state);
    if (decided.length === 0) {
      return {
        state,
        version,
        position: recorded.at(-1)?.position,
        appendedEvents: 0,
        alreadyApplied: false,
        events: recorded,
      };
    }
    const clinicalTime = decider.clinicalTimeOf(command);
    const events = commandEvents(streamName, command, decided, clinicalTime, options.schemaVersion, fingerprint);
    const started = performance.now();
    let result: AppendResult;
    try {
      result = await store.appendToStream(streamName, events, {
        expectedRevision: version === 0 ? 'no_stream' : version - 1,
      });
    } catch (error) {
      options.observer?.onAppend?.(performance.now() - started);
      if (!(error instanceof StreamRevisionConflictError)) {
        throw error;
      }
      options.observer?.onConflict?.();
      if (attempt < maxAttempts) {
        await backOffBeforeRetry(attempt, options.backoff);
      }
      continue;
    }
    options.observer?.onAppend?.(performance.now() - started);
    if (!result.appended) {
      // A replica racing on the same command got there first with the same ids: report its outcome.
      const after = await store.readStream(streamName);
      return (
        earlierOutcome(after) ?? { ...folded(after, fold), appendedEvents: 0, alreadyApplied: true, events: after }
      );
    }
    return {
      state: decided.reduce((next, event) => decider.evolve(next, event), state),
      version: result.nextExpectedRevision + 1,
      position: result.position,
      appendedEvents: events.length,
      alreadyApplied: false,
      events: [...recorded, ...(await appendedAsRecorded(store, streamName, events, result))],
    };
  }
  throw new ConcurrentModificationError(maxAttempts);
}

/**
 * The events of a successful append as a reader of the stream gets them. One event: built from the append's
 * result (its revision and position are the result's), with data and metadata through JSON as every adapter
 * stores them. Several: only the last position is known, so they are read back from their first revision.
 */
const appendedAsRecorded = async (
  store: EventStorePort,
  streamName: string,
  events: readonly NewEvent[],
  result: AppendResult,
): Promise<readonly RecordedEvent[]> => {
  const firstRevision = result.nextExpectedRevision - events.length + 1;
  const [only] = events;
  const metadata = only === undefined ? undefined : viaJson(only.metadata);
  if (events.length === 1 && only !== undefined && isEventMetadata(metadata)) {
    return [
      {
        id: only.id,
        streamName,
        revision: firstRevision,
        position: result.position,
        type: only.type,
        data: viaJson(only.data),
        metadata,
      },
    ];
  }
  const read = await store.readStream(streamName, { fromRevision: firstRevision });
  return read.filter((event) => event.revision <= result.nextExpectedRevision);
};

/** What a JSON store gives back for `value` (undefined properties dropped; undefined data is stored as null). */
const viaJson = (value: unknown): unknown =>
  value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);

const folded = <S>(recorded: readonly RecordedEvent[], fold: (recorded: readonly RecordedEvent[]) => S) => {
  const last = recorded.at(-1);
  return { state: fold(recorded), version: last === undefined ? 0 : last.revision + 1 };
};
