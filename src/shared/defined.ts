/**
 * For `noUncheckedIndexedAccess` (issue 17): an element the code has just proved present (a regex group that
 * always takes part in a match, the first of `split`'s never-empty result), read without a `!`. A miss is a bug,
 * never a user error, so it throws a plain Error that says what was missing.
 */
export const defined = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) {
    throw new Error(`${what} is missing`);
  }
  return value;
};
