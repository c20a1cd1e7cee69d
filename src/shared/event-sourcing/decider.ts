import type { Actor } from './event-store.port';

/** A clinical event as the pure core sees it: a type and JSON-safe data, no envelope. */
export interface DomainEvent {
  readonly type: string;
  readonly data: unknown;
}

/**
 * Who sent a command, when, and why: everything the handler needs to build event metadata.
 * `recordedAt` comes from the Clock at the edge; the core never reads a clock.
 */
export interface CommandMeta {
  readonly commandId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly actor: Actor;
  /** ISO 8601, from the Clock */
  readonly recordedAt: string;
  /**
   * What the command id stands for when it is not the command's data: set by the service for commands it derives
   * with a clock time in their data, so a retry later is the same command (see command-fingerprint.ts).
   */
  readonly fingerprintData?: unknown;
}

/** A command: imperative type name, JSON-safe data, and its meta. */
export interface Command<TType extends string = string, TData = unknown> {
  readonly type: TType;
  readonly data: TData;
  readonly meta: CommandMeta;
}

/**
 * A pure decider (emmett style): `decide` returns the events a command produces ([] = already done) or
 * throws a typed DomainError; `evolve` folds one event into state and ignores unknown types.
 */
export interface Decider<TCommand extends Command, TEvent extends DomainEvent, TState> {
  readonly initialState: () => TState;
  readonly decide: (command: TCommand, state: TState) => TEvent[];
  readonly evolve: (state: TState, event: TEvent) => TState;
  /** The clinical time of the events a command produces (e.g. a discontinuation's `discontinuedAt`). */
  readonly clinicalTimeOf: (command: TCommand) => string;
}
