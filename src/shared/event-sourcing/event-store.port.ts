/**
 * The event-store port. Three adapters implement it (in memory, SQLite, EventStoreDB) and all of them
 * pass the one contract suite in test/contract.
 *
 * Revisions are per stream and start at 0. Positions are global, strictly increasing in commit order,
 * and exclusive when passed as a starting point (`fromPosition: p` yields events after p).
 */

/** Who did it, on what basis. An HPR number for health personnel, an organisation number / HER-id for institutions. */
export type ActorRole = 'prescriber' | 'pharmacy' | 'nurse' | 'patient' | 'system' | 'feed';

export interface Actor {
  readonly role: ActorRole;
  /** HPR number (health personnel) */
  readonly hprNumber?: string;
  /** organisation number (legal entity or sub-unit) */
  readonly organisationNumber?: string;
  /** HER-id of the communication party (pharmacy, nursing home unit) */
  readonly herId?: string;
  /** a display name for the timeline; never a patient's */
  readonly name?: string;
}

export interface EventMetadata {
  readonly commandId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly actor: Actor;
  /** when it happened clinically (ISO 8601) */
  readonly clinicalTime: string;
  /** when the service recorded it (ISO 8601, from the Clock) */
  readonly recordedAt: string;
  readonly schemaVersion: number;
  /** the command's fingerprint (command-fingerprint.ts); absent on events written before fingerprints existed */
  readonly fingerprint?: string;
}

/** An event to append. `id` is a UUID; appending the same id twice to the same stream is a no-op. */
export interface NewEvent {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

/** An event as stored. `type` may be one this build does not know: callers skip those. */
export interface RecordedEvent {
  readonly id: string;
  readonly streamName: string;
  readonly revision: number;
  readonly position: bigint;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

/** 'no_stream': the stream must not exist; 'any': no check; a number: the stream's current revision. */
export type ExpectedRevision = 'no_stream' | 'any' | number;

export interface AppendResult {
  /** the revision of the stream's last event after the append */
  readonly nextExpectedRevision: number;
  /** the global position of the last event of this append */
  readonly position: bigint;
  /** false when every event id was already in the stream (idempotent retry): nothing was written */
  readonly appended: boolean;
}

export interface ReadAllOptions {
  /** exclusive; omitted = from the beginning */
  readonly fromPosition?: bigint;
  readonly maxCount?: number;
}

/** How far a subscription is, in events, as the store knows it without reading the head of the log. */
export interface SubscriptionProgress {
  /** every event that existed when the store last said so has been taken from the subscription */
  readonly caughtUp: boolean;
  /** events received from the store and not yet taken */
  readonly pendingEvents: number;
}

/** A live catch-up subscription: first every stored event after the position, then new ones as they come. */
export interface EventSubscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
  /**
   * Optional: the store's own caught-up signal (EventStoreDB's). Where it is missing, a caller compares its position
   * with headPosition(), which counts events on the stores that leave this out (SQLite, in memory).
   */
  progress?(): SubscriptionProgress;
  /** Optional, with progress(): resolves when progress() next says caught up (or the subscription closes). */
  whenCaughtUp?(): Promise<void>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');

export interface EventStorePort {
  /** Throws StreamRevisionConflictError on a revision mismatch, EventStoreUnavailableError when unreachable. */
  appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult>;
  /** All events of the stream in revision order; [] when the stream does not exist. */
  readStream(streamName: string, options?: { readonly fromRevision?: number }): Promise<RecordedEvent[]>;
  /** Events of every stream in global order (system events excluded). */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Catch-up subscription to all streams from an exclusive position; every event once, in order. */
  subscribeToAll(options?: { readonly fromPosition?: bigint }): EventSubscription;
  /** The global position of the newest event, or undefined when the store is empty. */
  headPosition(): Promise<bigint | undefined>;
  /**
   * Optional: every event at or before `toPosition` of the streams whose names start with `prefix`, stream after
   * stream in stream-name order, each stream in revision order. A projector rebuilding a per-stream read model
   * from zero builds each document in one go from it, instead of one document round trip per event in global
   * order. Stores that cannot list a category's streams cheaply (EventStoreDB) leave it out.
   */
  readStreamsByPrefix?(prefix: string, options: { readonly toPosition: bigint }): AsyncIterable<RecordedEvent>;
  /** Resolves when the store answers; throws EventStoreUnavailableError otherwise (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A minimal shape check for metadata read back from a store (adapters parse at the boundary, never cast):
 * the envelope fields are present with the right primitive types; actor details are optional strings.
 */
export const isEventMetadata = (value: unknown): value is EventMetadata => {
  if (!isRecord(value) || !isRecord(value.actor)) {
    return false;
  }
  const strings = ['commandId', 'correlationId', 'causationId', 'clinicalTime', 'recordedAt'] as const;
  const actorStrings = ['hprNumber', 'organisationNumber', 'herId', 'name'] as const;
  const actor = value.actor;
  return (
    strings.every((key) => typeof value[key] === 'string') &&
    typeof value.schemaVersion === 'number' &&
    (value.fingerprint === undefined || typeof value.fingerprint === 'string') &&
    typeof actor.role === 'string' &&
    actorStrings.every((key) => actor[key] === undefined || typeof actor[key] === 'string')
  );
};
