import {
  ANY,
  DeadlineExceededError,
  NO_STREAM,
  NotLeaderError,
  UnavailableError,
  WrongExpectedVersionError,
  jsonEvent,
  type AppendExpectedRevision,
  type JSONType,
  type Position,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import { EventStoreUnavailableError, StreamRevisionConflictError } from './event-store.errors';
import { isEventMetadata, type ExpectedRevision, type NewEvent, type RecordedEvent } from './event-store.port';

/* Between @eventstore/db-client's types and the port's: positions, revisions, events, errors. */

/**
 * A port position as the client's: `prepare = commit` names the same event again (see EsdbEventStore on why
 * the commit position alone identifies an event).
 */
export const toPosition = (position: bigint): Position => ({ commit: position, prepare: position });

/** 'no_stream' → NO_STREAM, 'any' → ANY, n → BigInt(n) */
export const toEsdbRevision = (expected: ExpectedRevision): AppendExpectedRevision =>
  expected === 'no_stream' ? NO_STREAM : expected === 'any' ? ANY : BigInt(expected);

const isJson = (data: unknown): data is JSONType =>
  typeof data === 'string' || (typeof data === 'object' && data !== null && !(data instanceof Uint8Array));

/** A JSON event with our id (the id is what makes a retried append a no-op). */
export const toEventData = (event: NewEvent) => {
  if (!isJson(event.data)) {
    throw new TypeError(`the data of a ${event.type} event must be a JSON object, array or string`);
  }
  return jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: { ...event.metadata } });
};

/** An event this service cannot have written: a consumer must decide; retrying would meet it again. */
export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
}

/** Parses at the boundary: JSON events with our metadata envelope; anything else is not ours to guess at. */
export const toRecordedEvent = (event: EsdbRecordedEvent): RecordedEvent => {
  if (event.position === undefined) {
    throw new MalformedEventError('EventStoreDB did not return event positions (server older than 22.6)');
  }
  if (!event.isJson || !isEventMetadata(event.metadata)) {
    throw new MalformedEventError(`event ${event.id} in ${event.streamId} has no JSON data or metadata envelope`);
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

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

const isUnreachable = (error: unknown): error is Error =>
  error instanceof UnavailableError ||
  error instanceof DeadlineExceededError ||
  error instanceof NotLeaderError ||
  // appends surface the raw gRPC ServiceError (code 14) without converting it
  (error instanceof Error &&
    'code' in error &&
    (error.code === GRPC_UNAVAILABLE || error.code === GRPC_DEADLINE_EXCEEDED));

/** Client errors → the port's typed errors; the reason names the gRPC status, never event data. */
export const translate = (error: unknown, streamName?: string, expected?: ExpectedRevision): unknown => {
  if (error instanceof WrongExpectedVersionError) {
    const actual = typeof error.actualVersion === 'bigint' ? String(error.actualVersion) : 'no_stream';
    return new StreamRevisionConflictError(streamName ?? error.streamName, String(expected ?? 'any'), actual);
  }
  if (isUnreachable(error)) {
    const code = 'code' in error && typeof error.code === 'number' ? ` (gRPC ${error.code})` : '';
    return new EventStoreUnavailableError(`EventStoreDB unreachable${code}`);
  }
  return error;
};

/** `translate`, for callbacks that take an Error. */
export const translateToError = (error: unknown): Error => {
  const translated = translate(error);
  return translated instanceof Error ? translated : new Error(String(translated));
};
