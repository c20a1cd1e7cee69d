import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { arbAnyPatientId } from '../identifiers/identifier.arbitraries';
import { patientStreamId, patientStreamName } from './patient-stream';

// RFC 9562: version 8 in the 13th hex digit, variant 10xx (8, 9, a or b) in the 17th.
const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SECRET = 'test-secret-not-for-production';
const PATIENT = '31129956715'; // domain.md example fødselsnummer

describe('patient stream identity', () => {
  it('is a version-8 UUID built from the first 16 bytes of HMAC-SHA-256(secret, patient id)', () => {
    const mac = createHmac('sha256', SECRET).update(PATIENT).digest('hex');
    const id = patientStreamId(PATIENT, SECRET);
    expect(id).toMatch(UUID_V8);
    // Only the version nibble and the two variant bits may differ from the raw MAC.
    const raw = id.replace(/-/g, '');
    expect(raw.slice(0, 12)).toBe(mac.slice(0, 12));
    expect(raw.slice(13, 16)).toBe(mac.slice(13, 16));
    expect(parseInt(raw.charAt(16), 16) & 0x3).toBe(parseInt(mac.charAt(16), 16) & 0x3);
    expect(raw.slice(17)).toBe(mac.slice(17, 32));
  });

  it('is deterministic and ignores surrounding whitespace', () => {
    expect(patientStreamId(PATIENT, SECRET)).toBe(patientStreamId(PATIENT, SECRET));
    expect(patientStreamId(` ${PATIENT}\n`, SECRET)).toBe(patientStreamId(PATIENT, SECRET));
  });

  it('differs between secrets and between patients', () => {
    expect(patientStreamId(PATIENT, SECRET)).not.toBe(patientStreamId(PATIENT, `${SECRET}-2`));
    expect(patientStreamId(PATIENT, SECRET)).not.toBe(patientStreamId('71129956709', SECRET));
  });

  it('names the stream medicationList-<uuid> without the patient id', () => {
    const name = patientStreamName(PATIENT, SECRET);
    expect(name).toBe(`medicationList-${patientStreamId(PATIENT, SECRET)}`);
    expect(name).not.toContain(PATIENT);
  });

  it('refuses an empty secret (an unkeyed hash of a fødselsnummer is reversible by enumeration)', () => {
    expect(() => patientStreamId(PATIENT, '')).toThrow('secret');
  });

  it('holds for generated patient ids of every kind', () => {
    fc.assert(
      fc.property(arbAnyPatientId(), arbAnyPatientId(), (a, b) => {
        const name = patientStreamName(a, SECRET);
        expect(name).toMatch(/^medicationList-/);
        expect(name.slice('medicationList-'.length)).toMatch(UUID_V8);
        expect(name).not.toContain(a);
        expect(patientStreamId(a, SECRET) === patientStreamId(b, SECRET)).toBe(a === b);
      }),
    );
  });
  it('answers repeated ids from memory with the same id, per secret, also after evicting older ones', () => {
    const first = patientStreamId(PATIENT, SECRET);
    const otherSecret = patientStreamId(PATIENT, `${SECRET}-other`);
    expect(otherSecret).not.toBe(first);
    for (let n = 0; n < 10_050; n += 1) {
      patientStreamId(`synthetic-${n}`, SECRET); // more than the memo holds: PATIENT is evicted
    }
    expect(patientStreamId(` ${PATIENT} `, SECRET)).toBe(first); // derived again, trimmed
    expect(patientStreamId(PATIENT, `${SECRET}-other`)).toBe(otherSecret);
  });
});
