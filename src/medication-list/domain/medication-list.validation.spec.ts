import { isIsoDate, isIsoDateTime, jsonEqual, oneYearAfter } from './medication-list.validation';

describe('calendar checks', () => {
  it.each([
    ['2026-03-02', true],
    ['2028-02-29', true],
    ['2026-02-29', false],
    ['2100-02-29', false],
    ['2000-02-29', true],
    ['2026-04-31', false],
    ['2026-13-01', false],
    ['2026-3-2', false],
    ['2026-03-02T08:00:00Z', false],
  ])('isIsoDate(%s) is %s', (value, valid) => {
    expect(isIsoDate(value)).toBe(valid);
  });

  it.each([
    ['2026-03-02T08:00:00.000Z', true],
    ['2026-03-02T08:00Z', true],
    ['2026-03-02T08:00:00+01:00', true],
    ['2026-03-02T08:00:00', false],
    ['2026-03-02T24:00:00Z', false],
    ['2026-02-30T08:00:00Z', false],
    ['2026-03-02', false],
  ])('isIsoDateTime(%s) is %s', (value, valid) => {
    expect(isIsoDateTime(value)).toBe(valid);
  });

  it.each([
    ['2026-03-02', '2027-03-02'],
    ['2028-02-29', '2029-02-28'],
    ['2032-02-29', '2033-02-28'],
    ['2026-12-31', '2027-12-31'],
  ])('one year after %s is %s', (date, expected) => {
    expect(oneYearAfter(date)).toBe(expected);
  });
});

describe('jsonEqual', () => {
  it('treats undefined keys as absent and compares arrays in order', () => {
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual({ a: [1, { c: 'x' }] }, { a: [1, { c: 'x' }] })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: '1' })).toBe(false);
    expect(jsonEqual({ a: null }, { a: undefined })).toBe(false);
  });
});
