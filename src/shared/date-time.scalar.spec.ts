import { Kind } from 'graphql';
import { DATE_TIME_EXPECTED, DateTimeScalar, isRfc3339DateTime } from './date-time.scalar';

describe('DateTime: the strict instant scalar (RFC 3339 with Z or offset)', () => {
  it.each([
    '2026-12-05T10:00:00Z',
    '2026-12-05T10:00:00.123Z',
    '2026-12-05T11:00:00+01:00',
    '2026-12-05T04:00:00.000000001-05:00',
    '2024-02-29T23:59:59Z',
    '2026-12-05T10:00:00-00:00',
  ])('accepts %s as sent (offset kept)', (value) => {
    expect(DateTimeScalar.parseValue(value)).toBe(value);
    expect(DateTimeScalar.parseLiteral({ kind: Kind.STRING, value })).toBe(value);
  });

  it.each([
    ['a number', 12345],
    ['a boolean', true],
    ['a list', [1]],
    ['null', null],
    ['an object', {}],
    ['30 February', '2026-02-30T10:00:00Z'],
    ['29 February of a common year', '2026-02-29T10:00:00Z'],
    ['a date only', '2026-12-05'],
    ['digits', '1'],
    ['a US date', '12/05/2026'],
    ['a JavaScript date string', 'Sat Dec 05 2026'],
    ['no offset (host time zone)', '2026-12-05T10:00:00'],
    ['no seconds', '2026-12-05T10:00Z'],
    ['hour 24', '2026-12-05T24:00:00Z'],
    ['a leap second', '2016-12-31T23:59:60Z'],
    ['a space for T', '2026-12-05 10:00:00Z'],
    ['offset without colon', '2026-12-05T10:00:00+0100'],
    ['month 13', '2026-13-05T10:00:00Z'],
    ['year 0000', '0000-01-01T00:00:00Z'],
    ['trailing text', '2026-12-05T10:00:00Zx'],
  ])('refuses %s, stating the expected form', (_case, value) => {
    expect(isRfc3339DateTime(value)).toBe(false);
    expect(() => DateTimeScalar.parseValue(value)).toThrow(DATE_TIME_EXPECTED);
  });

  it.each([
    { kind: Kind.INT, value: '12345' },
    { kind: Kind.BOOLEAN, value: true },
    { kind: Kind.FLOAT, value: '1.5' },
    { kind: Kind.STRING, value: '2026-02-30T10:00:00Z' },
  ] as const)('refuses the literal %p (validation fails before anything runs)', (node) => {
    expect(() => DateTimeScalar.parseLiteral(node)).toThrow(DATE_TIME_EXPECTED);
  });
});
