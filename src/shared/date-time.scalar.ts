import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

/*
 * The one instant scalar of the API (issue 22), for every argument and input field that holds an instant, in
 * queries, subscriptions and mutations alike. The lax scalar it replaces read `12345`, `true`, `"2026-12-05"`,
 * `"Sat Dec 05 2026"` and `"2026-02-30T10:00:00Z"` as some instant (an empty list at version 0, or 2 March), and a
 * string without offset in the host's time zone. This one accepts exactly an RFC 3339 date-time: a real calendar
 * date, a real time with seconds (fraction optional), and `Z` or a `±HH:MM` offset; nothing else.
 *
 * It keeps the name `DateTime`, so client documents that declare `$asOf: DateTime` stay valid. The value reaches
 * resolvers as the string the client sent (validated, offset kept: events store clinical times as written).
 * Errors state the expected form and never echo the value (it may be anything a client typed, a fødselsnummer too).
 */

/** What every refusal says; the error normaliser keeps it (it carries no submitted value). */
export const DATE_TIME_EXPECTED =
  'expected an RFC 3339 date-time with seconds and Z or a ±HH:MM offset, e.g. 2026-03-02T09:15:00Z or 2026-03-02T10:15:00+01:00';

const RFC_3339 =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,9})?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** True for an RFC 3339 date-time on a real calendar date (2026-02-30 is false, so is a leap second). */
export const isRfc3339DateTime = (value: unknown): value is string => {
  if (typeof value !== 'string') {
    return false;
  }
  const match = RFC_3339.exec(value);
  if (match === null) {
    return false;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Date.UTC maps years 0–99 to 1900–1999; year 0000 is no date any clinical system writes either
  return year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
};

const refuse = (): never => {
  throw new GraphQLError(`DateTime: ${DATE_TIME_EXPECTED}.`, { extensions: { code: 'BAD_USER_INPUT' } });
};

const parse = (value: unknown): string => (isRfc3339DateTime(value) ? value : refuse());

/** The strict instant scalar (`DateTime` on the wire); resolvers get the validated string. */
export const DateTimeScalar = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  description: `An instant: ${DATE_TIME_EXPECTED}. A real calendar date and time; no other form is accepted.`,
  specifiedByURL: 'https://datatracker.ietf.org/doc/html/rfc3339#section-5.6',
  serialize: (value) => parse(value),
  parseValue: (value) => parse(value),
  // A literal of another kind (12345, true, [1]) fails validation like a malformed string.
  parseLiteral: (node: ValueNode) => (node.kind === Kind.STRING ? parse(node.value) : refuse()),
});

/** The instant of an optional, validated DateTime argument. */
export const optionalInstant = (value: string | null | undefined): Date | undefined =>
  value === null || value === undefined ? undefined : new Date(value);
