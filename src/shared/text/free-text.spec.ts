import fc from 'fast-check';
import {
  assertCleanText,
  cleanInputText,
  cleanText,
  InvalidTextError,
  isCleanText,
  isMultiLineField,
} from './free-text';

const FORBIDDEN: readonly (readonly [string, string])[] = [
  ['NUL', '\u0000'],
  ['BEL', '\u0007'],
  ['carriage return', '\r'],
  ['vertical tab', '\u000B'],
  ['escape', '\u001B'],
  ['unit separator', '\u001F'],
  ['DEL', '\u007F'],
  ['C1 padding', '\u0080'],
  ['C1 NEL', '\u0085'],
  ['C1 APC', '\u009F'],
  ['left-to-right embedding', '\u202A'],
  ['right-to-left override', '\u202E'],
  ['left-to-right isolate', '\u2066'],
  ['pop directional isolate', '\u2069'],
  ['lone high surrogate', '\uD83D'],
  ['lone low surrogate', '\uDE00'],
  ['swapped surrogates', '\uDE00\uD83D'],
];

describe('free text', () => {
  it.each(FORBIDDEN)('refuses %s in a one-line and a multi-line field', (_name, character) => {
    expect(isCleanText(`Metformin${character}evil`, false)).toBe(false);
    expect(isCleanText(`Metformin${character}evil`, true)).toBe(false);
    expect(isCleanText(character, true)).toBe(false);
  });

  it.each([
    ['tab', '\t'],
    ['newline', '\n'],
  ])('allows %s only where a field holds several lines', (_name, character) => {
    expect(isCleanText(`1 tablett${character}morgen`, true)).toBe(true);
    expect(isCleanText(`1 tablett${character}morgen`, false)).toBe(false);
  });

  it.each([
    ['Norwegian letters', 'Paracet 500 mg, tablett – ½ ved behov (bør tas med mat)'],
    ['a paired surrogate (emoji)', 'smerte 😀 etter inntak'],
    ['right-to-left text without overrides', 'دواء 10 ملغ'],
    ['a left-to-right mark (not an override)', 'Metformin\u200E 500 mg'],
    ['the empty string', ''],
  ])('accepts %s', (_name, text) => {
    expect(isCleanText(text, false)).toBe(true);
  });

  it('names multi-line fields by the last segment of their path', () => {
    expect(
      ['note', 'reason', 'text', 'dosage.instruction', 'emergency.reason', 'entries[2].note'].map(isMultiLineField),
    ).toEqual([true, true, true, true, true, true]);
    expect(
      ['medication.displayName', 'indication', 'dosage.shortCode', 'commandId', 'notes'].map(isMultiLineField),
    ).toEqual([false, false, false, false, false]);
  });

  it('names the field and never echoes the value', () => {
    const thrown = ((): unknown => {
      try {
        assertCleanText('31129956715\u0000', 'medication.displayName');
      } catch (error) {
        return error;
      }
      return undefined;
    })();

    expect(thrown).toBeInstanceOf(InvalidTextError);
    expect(thrown).toMatchObject({ code: 'INVALID_TEXT', kind: 'invalid', field: 'medication.displayName' });
    expect((thrown as InvalidTextError).message).toContain('medication.displayName');
    expect((thrown as InvalidTextError).message).not.toContain('31129956715');
  });

  it('puts accepted text into NFC', () => {
    const decomposed = 'Me\u0301tformin'; // e + combining acute
    expect(cleanText(decomposed, 'medication.displayName')).toBe('M\u00e9tformin');
  });

  it('cleans every string of an input at any depth, naming the path of a bad one', () => {
    const input = {
      medication: { displayName: 'Cafe\u0301' },
      dosage: { periods: [{ fixedDoses: [{ unit: 'tbl' }] }] },
    };

    expect(cleanInputText(input, '')).toEqual({
      medication: { displayName: 'Caf\u00e9' },
      dosage: { periods: [{ fixedDoses: [{ unit: 'tbl' }] }] },
    });
    expect(() => cleanInputText({ dosage: { periods: [{ fixedDoses: [{ unit: 'tbl\u202E' }] }] } }, '')).toThrow(
      expect.objectContaining({ field: 'dosage.periods[0].fixedDoses[0].unit' }) as Error,
    );
    expect(() => cleanInputText({ note: 'line one\nline two' }, '')).not.toThrow();
    expect(() => cleanInputText({ indication: 'line one\nline two' }, '')).toThrow(InvalidTextError);
  });

  it('returns the input itself when nothing changes, and leaves non-plain objects alone', () => {
    const input = { a: ['x', 1, null], b: { c: 'y' } };
    const date = new Date('2026-03-02T09:15:00Z');

    expect(cleanInputText(input, '')).toBe(input);
    expect(cleanInputText({ at: date }, '').at).toBe(date);
  });

  it('keeps a JSON key __proto__ a plain property when it copies', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": "Cafe\u0301"}, "name": "Cafe\u0301"}') as object;

    const cleaned = cleanInputText(parsed, '');

    expect(Object.getPrototypeOf(cleaned)).toBe(Object.prototype);
    expect(Object.keys(cleaned)).toEqual(['__proto__', 'name']);
  });

  it('accepts exactly the strings free of the forbidden characters (property)', () => {
    const forbidden = (unit: number, multiLine: boolean): boolean =>
      (unit < 0x20 && !(multiLine && (unit === 0x09 || unit === 0x0a))) ||
      (unit >= 0x7f && unit <= 0x9f) ||
      (unit >= 0x202a && unit <= 0x202e) ||
      (unit >= 0x2066 && unit <= 0x2069);
    // Any code point (lone surrogates included), with the edge cases mixed in often.
    const unit = fc.oneof(
      fc.constantFrom(
        '\t',
        '\n',
        '\r',
        '\u0000',
        '\u007F',
        '\u0085',
        '\u202E',
        '\u2066',
        '\uD83D',
        '\uDE00',
        '😀',
        'é',
      ),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    // Array.from iterates code points: a surrogate that comes out alone was unpaired.
    const isSurrogate = (point: number): boolean => point >= 0xd800 && point <= 0xdfff;
    fc.assert(
      fc.property(fc.string({ unit }), fc.boolean(), (text, multiLine) => {
        const points = Array.from(text, (character) => character.codePointAt(0) ?? 0);
        const expected = !points.some((point) => isSurrogate(point) || forbidden(point, multiLine));
        expect(isCleanText(text, multiLine)).toBe(expected);
      }),
      { seed: 14 },
    );
  });

  it('gives every clean string of an input in NFC, whatever its characters (property)', () => {
    // Decomposed and composed letters, singletons (Ångström sign), ligatures and Hangul jamo among any graphemes.
    const unit = fc.oneof(
      fc.constantFrom('e', '\u0301', 'A', '\u030A', '\u212B', 'ﬁ', '가', '\u1100', '\u1161'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    );
    const text = fc.string({ unit });
    fc.assert(
      fc.property(text, (value) => {
        expect(cleanInputText({ note: [value] }, '')).toEqual({ note: [value.normalize('NFC')] });
      }),
      { seed: 14 },
    );
  });
});
