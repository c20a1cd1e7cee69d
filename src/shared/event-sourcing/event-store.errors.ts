import { DomainError } from '../errors/domain-error';

/** The stream's current revision did not match the expected one (optimistic concurrency). */
export class StreamRevisionConflictError extends DomainError {
  readonly code = 'STREAM_REVISION_CONFLICT';
  readonly kind = 'conflict' as const;
  constructor(
    readonly streamName: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`Stream ${streamName} is at revision ${actual}, expected ${expected}`, { expected, actual });
  }
}

/**
 * An append mixed event ids already in the stream with new ones: neither a clean retry (which is a no-op) nor a
 * new append. A StreamRevisionConflictError with the same code, so callers treat it as a conflict: EventStoreDB
 * reports this case as a wrong expected version ("corrupted idempotency"), and the adapters agree.
 */
export class EventIdConflictError extends StreamRevisionConflictError {
  constructor(streamName: string, storedIds: number, newIds: number) {
    super(streamName, `${storedIds + newIds} new event ids`, `${storedIds} of them already stored`);
    this.message = `Stream ${streamName}: ${storedIds} of the appended event ids are already stored, ${newIds} are new`;
  }
}

/** The command handler gave up after repeated revision conflicts. */
export class ConcurrentModificationError extends DomainError {
  readonly code = 'CONCURRENT_MODIFICATION';
  readonly kind = 'conflict' as const;
  constructor(attempts: number) {
    super(`The list was changed concurrently; gave up after ${attempts} attempts`, { attempts });
  }
}

/** The client's expected list version is stale: someone else changed the list since it was read. */
export class StaleVersionError extends DomainError {
  readonly code = 'STALE_VERSION';
  readonly kind = 'conflict' as const;
  constructor(expected: number, actual: number) {
    super(`The list is at version ${actual}, but the change was made against version ${expected}`, {
      expected,
      actual,
    });
  }
}

/** The event store could not be reached (EventStoreDB gRPC code 14, a closed or locked SQLite file). */
export class EventStoreUnavailableError extends DomainError {
  readonly code = 'EVENT_STORE_UNAVAILABLE';
  readonly kind = 'unavailable' as const;
  constructor(reason: string) {
    super(`The event store is unavailable: ${reason}`);
  }
}

/**
 * Another process held the SQLite event file's write lock for longer than the store waits for it (a rebuild, a
 * reconcile run, a backup tool, a second replica). Nothing of the request's append was written; it may be retried.
 */
export class EventStoreLockedError extends DomainError {
  readonly code = 'EVENT_STORE_LOCKED';
  readonly kind = 'unavailable' as const;
  constructor(waitedMs: number) {
    super(`The event store is locked by another process: gave up after waiting ${waitedMs} ms (SQLITE_BUSY)`, {
      waitedMs,
    });
  }
}
