import type { Command, Decider, DomainEvent } from '../shared/event-sourcing/decider';
import { ConcurrentModificationError, StreamRevisionConflictError } from '../shared/event-sourcing/event-store.errors';
import type { EventStorePort, NewEvent, RecordedEvent } from '../shared/event-sourcing/event-store.port';
import { assertSameCommand, commandFingerprint } from '../shared/event-sourcing/command-fingerprint';
import { commandEvents, type SchemaVersion } from '../shared/event-sourcing/handle-command';
import { backOffBeforeRetry, type ConflictBackoff } from '../shared/event-sourcing/conflict-backoff';

/**
 * handleCommand for several commands of one stream at once, as a feed import needs them: read the stream once,
 * fold, decide the commands in order (each on the state the previous ones left), and append all their events in
 * ONE append with the expected revision, so a patient's feed records apply all or nothing and cost one read and
 * one commit instead of one of each per command. Everything else is handleCommand's: the same deterministic event
 * ids (a retried import appends nothing twice), the same metadata, a command whose id is already in the stream
 * decides nothing (with another fingerprint it throws IdempotencyKeyReusedError), a revision conflict starts over from a fresh read (up to `maxAttempts`). A decider's refusal
 * (a typed domain error) throws before anything is appended.
 */

export interface StreamCommandsOptions<E extends DomainEvent> {
  readonly isEvent: (event: DomainEvent) => event is E;
  readonly schemaVersion?: SchemaVersion;
  /** the stream as the caller just read it: saves the first read (a conflict re-reads) */
  readonly recorded?: readonly RecordedEvent[];
  readonly maxAttempts?: number;
  /** the jittered pause before a retry, as handleCommand's */
  readonly backoff?: ConflictBackoff;
}

export interface StreamCommandsResult<E extends DomainEvent> {
  /** the stream's events before this append (from the last attempt's read) */
  readonly recorded: readonly RecordedEvent[];
  /** the events each command decided, in command order ([] for one already done) */
  readonly decided: readonly (readonly E[])[];
}

export const appendCommands = async <C extends Command, E extends DomainEvent, S>(
  store: EventStorePort,
  decider: Decider<C, E, S>,
  streamName: string,
  commands: readonly C[],
  options: StreamCommandsOptions<E>,
): Promise<StreamCommandsResult<E>> => {
  const maxAttempts = options.maxAttempts ?? 5;
  let recorded = options.recorded ?? (await store.readStream(streamName));
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    if (attempt > 1) {
      recorded = await store.readStream(streamName);
    }
    const done = new Map<string, RecordedEvent[]>();
    for (const event of recorded) {
      const own = done.get(event.metadata.commandId) ?? [];
      own.push(event);
      done.set(event.metadata.commandId, own);
    }
    let state = recorded.reduce(
      (s, event) => (options.isEvent(event) ? decider.evolve(s, event) : s),
      decider.initialState(),
    );
    const decided: E[][] = [];
    const events: NewEvent[] = [];
    for (const command of commands) {
      const earlier = done.get(command.meta.commandId);
      // A derived id that comes back with different content is refused like a client's (issue 14), before any append.
      if (earlier !== undefined) {
        assertSameCommand(commandFingerprint(streamName, command), earlier);
      }
      const own = earlier !== undefined ? [] : decider.decide(command, state);
      decided.push(own);
      state = own.reduce(decider.evolve, state);
      events.push(...commandEvents(streamName, command, own, decider.clinicalTimeOf(command), options.schemaVersion));
    }
    if (events.length === 0) {
      return { recorded, decided };
    }
    const last = recorded.at(-1);
    try {
      const result = await store.appendToStream(streamName, events, {
        expectedRevision: last === undefined ? 'no_stream' : last.revision,
      });
      // Every id already there: a racing import of the same records got there first; nothing of ours was new.
      return result.appended ? { recorded, decided } : { recorded, decided: decided.map(() => []) };
    } catch (error) {
      if (!(error instanceof StreamRevisionConflictError)) {
        throw error;
      }
      if (attempt < maxAttempts) {
        await backOffBeforeRetry(attempt, options.backoff);
      }
    }
  }
  throw new ConcurrentModificationError(maxAttempts);
};
