import type { EsdbEvent, EsdbEventData, EsdbPosition } from './esdb.client';
import { EventStoreUnavailableError, StreamRevisionConflictError } from './event-store.errors';
import { isEventMetadata, type ExpectedRevision, type NewEvent, type RecordedEvent } from './event-store.port';

/* Between the gRPC clients' shapes (esdb.client.ts) and the port's: positions, revisions, events, errors. */

/**
 * A port position as the client's: `prepare = commit` names the same event again (see EsdbEventStore on why
 * the commit position alone identifies an event).
 */
export const toPosition = (position: bigint): EsdbPosition => ({ commit: position, prepare: position });

/** 'no_stream' and 'any' are the clients' constants as they are; n → BigInt(n) */
export const toEsdbRevision = (expected: ExpectedRevision): 'any' | 'no_stream' | bigint =>
  typeof expected === 'number' ? BigInt(expected) : expected;

const isJsonData = (data: unknown): data is EsdbEventData['data'] =>
  typeof data === 'string' || (typeof data === 'object' && data !== null && !(data instanceof Uint8Array));

/** A JSON event with our id (the id is what makes a retried append a no-op on the server). */
export const toEventData = (event: NewEvent): EsdbEventData => {
  if (!isJsonData(event.data)) {
    throw new TypeError(`the data of a ${event.type} event must be a JSON object, array or string`);
  }
  return {
    id: event.id,
    contentType: 'application/json',
    type: event.type,
    data: event.data,
    metadata: { ...event.metadata },
  };
};

/**
 * An event in `$all` or a stream that this service did not write: another application's, an operator's, a link
 * (`$>`) or a system event. It is skipped, never guessed at; `reason` says why (no data from the event).
 */
export interface ForeignEvent {
  readonly foreign: true;
  readonly reason: 'system-event' | 'not-json' | 'no-metadata-envelope' | 'no-position';
  readonly type: string;
  readonly position: bigint | undefined;
}

/** Parses at the boundary: JSON events with our metadata envelope are ours; anything else is a ForeignEvent. */
export const parseEvent = (event: EsdbEvent): RecordedEvent | ForeignEvent => {
  const foreign = (reason: ForeignEvent['reason']): ForeignEvent => ({
    foreign: true,
    reason,
    type: event.type,
    position: event.position?.commit,
  });
  if (event.type.startsWith('$')) {
    return foreign('system-event'); // includes links ($>) and stream metadata ($metadata)
  }
  if (event.position === undefined) {
    return foreign('no-position'); // servers before 22.6 leave positions out of stream reads
  }
  if (!event.isJson) {
    return foreign('not-json');
  }
  if (!isEventMetadata(event.metadata)) {
    return foreign('no-metadata-envelope');
  }
  return {
    id: event.id,
    streamName: event.streamId,
    revision: Number(event.revision),
    position: event.position.commit,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  };
};

export const isForeign = (parsed: RecordedEvent | ForeignEvent): parsed is ForeignEvent => 'foreign' in parsed;

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;
/** The `type` both clients set on their CommandErrors (their classes differ, the strings do not). */
const UNREACHABLE_TYPES = new Set(['unavailable', 'deadline-exceeded', 'not-leader', 'timeout']);

const field = (error: unknown, name: 'type' | 'code' | 'actualVersion' | 'streamName'): unknown => {
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  const value: unknown = Reflect.get(error, name);
  return value;
};

/** The client's `type` string of an error ('stream-not-found', 'wrong-expected-version', ...), if any. */
export const errorType = (error: unknown): unknown => field(error, 'type');

const isUnreachable = (error: unknown): boolean =>
  UNREACHABLE_TYPES.has(String(errorType(error))) ||
  // appends surface the raw gRPC ServiceError (code 14 or 4) without converting it
  field(error, 'code') === GRPC_UNAVAILABLE ||
  field(error, 'code') === GRPC_DEADLINE_EXCEEDED;

/** Client errors → the port's typed errors; the reason names the gRPC status, never event data. */
export const translate = (error: unknown, streamName?: string, expected?: ExpectedRevision): unknown => {
  if (errorType(error) === 'wrong-expected-version') {
    const actualVersion = field(error, 'actualVersion');
    const actual = typeof actualVersion === 'bigint' ? String(actualVersion) : 'no_stream';
    const stream = streamName ?? String(field(error, 'streamName'));
    return new StreamRevisionConflictError(stream, String(expected ?? 'any'), actual);
  }
  if (isUnreachable(error)) {
    const code = field(error, 'code');
    return new EventStoreUnavailableError(
      `EventStoreDB unreachable${typeof code === 'number' ? ` (gRPC ${code})` : ''}`,
    );
  }
  return error;
};

/** `translate`, for callbacks that take an Error. */
export const translateToError = (error: unknown): Error => {
  const translated = translate(error);
  return translated instanceof Error ? translated : new Error(String(translated));
};
