import type { Command, Decider, DomainEvent } from './decider';

/**
 * Given/when/then for pure deciders (emmett's DeciderSpecification, on Jest's `expect`):
 *
 *   const given = specFor(medicationListDecider);
 *   given([started]).when(pause).then([paused]);
 *   given([started, paused]).when(pause).thenNothing();
 *   given([]).when(pause).thenThrows(EntryNotFoundError, 'ENTRY_NOT_FOUND');
 *
 * `given` folds the events with `evolve` from `initialState()`; `when` runs `decide` lazily inside each
 * assertion, so a throwing decide is caught by `thenThrows` and fails every other assertion with its error.
 */

type ErrorClass = abstract new (...args: never[]) => Error;

export interface DeciderThen<TEvent> {
  /** decide returns exactly these events, in this order */
  then(expected: readonly TEvent[]): void;
  /** decide returns [] (already done) */
  thenNothing(): void;
  /** decide throws an instance of `errorClass`, with `code` when given */
  thenThrows(errorClass: ErrorClass, code?: string): void;
  /** the events decide returns, for custom assertions */
  events(): TEvent[];
}

export interface DeciderGiven<TCommand, TEvent> {
  when(command: TCommand): DeciderThen<TEvent>;
}

export const specFor =
  <TCommand extends Command, TEvent extends DomainEvent, TState>(decider: Decider<TCommand, TEvent, TState>) =>
  (given: readonly TEvent[]): DeciderGiven<TCommand, TEvent> => ({
    when: (command) => {
      const run = (): TEvent[] => decider.decide(command, given.reduce(decider.evolve, decider.initialState()));
      return {
        then: (expected) => {
          expect(run()).toEqual(expected);
        },
        thenNothing: () => {
          expect(run()).toEqual([]);
        },
        thenThrows: (errorClass, code) => {
          let caught: unknown;
          let produced: TEvent[] | undefined;
          try {
            produced = run();
          } catch (error) {
            caught = error;
          }
          expect(produced).toBeUndefined();
          expect(caught).toBeInstanceOf(errorClass);
          if (code !== undefined) {
            expect(caught).toHaveProperty('code', code);
          }
        },
        events: run,
      };
    },
  });
