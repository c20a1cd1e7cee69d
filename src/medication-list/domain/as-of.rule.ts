import { DomainError } from '../../shared/errors/domain-error';

/*
 * `asOf` means "the list as it was SHOWN at that instant" (issue 22). An instant that has not happened yet was
 * shown to nobody: read ahead, entries would drop out of `discontinued` and prescriptions turn expired in an answer
 * that looks like a record. So an instant later than now plus the configured clock tolerance (the replicas' and
 * the client's clocks differ a little; AUTH_CLOCK_SKEW_SECONDS, also used for tokens) is refused. A forecast of the
 * list, if anyone needs one, would be another field with its own name.
 */

/** `asOf` lies in the future: BAD_USER_INPUT, naming the argument and the tolerance, never the value. */
export class InstantInFutureError extends DomainError {
  readonly code = 'INSTANT_IN_FUTURE';
  readonly kind = 'invalid' as const;
  constructor(
    readonly argument: string,
    readonly toleranceSeconds: number,
  ) {
    super(
      `${argument} is later than now (beyond the clock tolerance of ${String(toleranceSeconds)} s): ` +
        'it means the list as it was shown at that instant, and an instant that has not happened was shown to nobody',
      { argument, toleranceSeconds },
    );
  }
}

/** Throws InstantInFutureError when `instant` is later than `now` plus the tolerance. */
export const assertNotInFuture = (instant: Date, now: Date, toleranceSeconds: number, argument: string): void => {
  if (instant.getTime() > now.getTime() + toleranceSeconds * 1000) {
    throw new InstantInFutureError(argument, toleranceSeconds);
  }
};
