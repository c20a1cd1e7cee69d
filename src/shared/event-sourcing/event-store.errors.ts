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
