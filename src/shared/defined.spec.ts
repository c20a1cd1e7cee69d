import { defined } from './defined';

describe('defined', () => {
  it('returns a present value as it is, falsy ones included', () => {
    expect(defined(0, 'a count')).toBe(0);
    expect(defined('', 'a name')).toBe('');
    expect(defined(null, 'a cleared field')).toBeNull();
  });

  it('throws an Error that names what was missing', () => {
    expect(() => defined([1, 2][2], 'the third item')).toThrow(new Error('the third item is missing'));
  });
});
