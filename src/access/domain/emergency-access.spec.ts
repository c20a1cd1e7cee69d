import type { InvalidTextError } from '../../shared/text/free-text';
import { emergencyOf } from './emergency-access';

describe('emergencyOf: the emergency statement of raw arguments', () => {
  it('reads a reason and a known basis code, the reason in NFC and with its line breaks', () => {
    expect(emergencyOf({ reason: 'Bevisstlo\u0308s.\nIngen pårørende.', basisCode: 'HPAKUTT' })).toEqual({
      reason: 'Bevisstl\u00f6s.\nIngen pårørende.',
      basisCode: 'HPAKUTT',
    });
  });

  it.each([
    ['a NUL', 'Akutt\u0000'],
    ['a right-to-left override', 'Akutt \u202Einnlagt'],
    ['a first-strong isolate', 'Akutt \u2068innlagt'],
    ['a lone surrogate', 'Akutt \uDC00'],
  ])('refuses a reason with %s as INVALID_TEXT naming emergency.reason', (_case, reason) => {
    expect(() => emergencyOf({ reason, basisCode: 'HPAKUTT' })).toThrow(
      expect.objectContaining({ code: 'INVALID_TEXT', field: 'emergency.reason' }) as InvalidTextError,
    );
  });

  it('reads no statement from anything else', () => {
    expect(emergencyOf(undefined)).toBeUndefined();
    expect(emergencyOf({ reason: 'Akutt', basisCode: 'UNKNOWN' })).toBeUndefined();
    expect(emergencyOf({ reason: 7, basisCode: 'HPAKUTT' })).toBeUndefined();
  });
});
