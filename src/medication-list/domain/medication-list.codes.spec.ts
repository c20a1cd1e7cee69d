import {
  assertCode,
  codeLists,
  isCode,
  labelOf,
  prescriptionStatusCodes,
  recallReasonCodes,
} from './medication-list.codes';
import { UnknownCodeError } from './medication-list.errors';

describe('code lists', () => {
  it.each(Object.entries(codeLists))('%s has unique codes with Norwegian and English labels', (_name, list) => {
    const codes = list.entries.map((entry) => entry.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const entry of list.entries) {
      expect(entry.no.trim()).not.toBe('');
      expect(entry.en.trim()).not.toBe('');
    }
  });

  it('labels prescription status 7408 as the prescription intermediary does', () => {
    expect(prescriptionStatusCodes.entries.map((entry) => entry.code)).toEqual(['E', 'U', 'R', 'T', 'F']);
    expect(labelOf(prescriptionStatusCodes, 'E')).toBe('Ekspederbar');
    expect(labelOf(prescriptionStatusCodes, 'T', 'en')).toBe('Recalled');
    expect(labelOf(prescriptionStatusCodes, 'Z')).toBeUndefined();
  });

  it('accepts a code of the list and rejects others, naming list and field but not the value', () => {
    expect(isCode(recallReasonCodes, '3')).toBe(true);
    expect(() => {
      assertCode(recallReasonCodes, '3', 'reasonCode');
    }).not.toThrow();
    let error: unknown;
    try {
      assertCode(recallReasonCodes, '31129956715', 'reasonCode');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnknownCodeError);
    expect(error).toMatchObject({ code: 'UNKNOWN_CODE', kind: 'invalid', codeList: '7500', field: 'reasonCode' });
    expect((error as Error).message).not.toContain('31129956715');
  });
});
