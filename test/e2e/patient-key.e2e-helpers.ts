import * as patientStream from '../../src/medication-list/patient-stream';
import type { PatientKey } from '../../src/medication-list/patient-stream';

/**
 * Issue 17: an edge parses and keys the patient once per request (a feed import: once per patient it names), and
 * everything after takes that key. The spies sit on patient-stream's exports, which every caller (and patientKeyOf
 * itself, compiled to CommonJS) calls through: `streamIdOf` counts every HMAC of a patient id. Undo them with
 * jest.restoreAllMocks().
 */
export const patientKeySpies = () => ({
  keyOf: jest.spyOn(patientStream, 'patientKeyOf'),
  streamIdOf: jest.spyOn(patientStream, 'patientStreamId'),
});

/** The key patientKeyOf returned, after checking that it was derived exactly once. */
export const theOneKey = (keyOf: jest.SpyInstance<PatientKey>): PatientKey | undefined => {
  expect(keyOf).toHaveBeenCalledTimes(1);
  const [result] = keyOf.mock.results;
  expect(result?.type).toBe('return');
  return result?.type === 'return' ? result.value : undefined;
};
