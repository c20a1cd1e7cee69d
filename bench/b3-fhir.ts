import { parsePatientId } from '../src/identifiers/norwegian-identifiers';
import { patientPicker } from './context';
import type { BenchPatient } from './data';
import type { HttpResponse, HttpTarget, Operation } from './load';
import { seededRandom } from './stats';

/*
 * B3's FHIR figure (issue 19): the read a record system makes for what the GraphQL query reads, the patient's
 * current list with its entries: `GET /fhir/List?patient.identifier=<OID>|<number>&_include=List:item` (the List
 * and its MedicationStatements in one searchset Bundle). Measured in the same repetitions as the GraphQL query,
 * on the same patients in the same order (same seed), so the ratio compares like with like on a loaded machine.
 */

/** The search a record system sends for a patient's current list and its entries. */
export const fhirListPath = (patientId: string): string => {
  const { system, value } = parsePatientId(patientId);
  return `/fhir/List?patient.identifier=${encodeURIComponent(`${system}|${value}`)}&_include=List%3Aitem`;
};

/** A FHIR answer counts as a success only with status 200 and a searchset Bundle holding the List. */
export const fhirOutcome = (response: HttpResponse): true | string =>
  response.status === 200 && response.body.includes('"resourceType":"List"')
    ? true
    : `HTTP ${response.status}: ${response.body.slice(0, 200)}`;

/** One FHIR list search for a random patient, with the bearer token. */
export const fhirListOperation = (
  target: HttpTarget,
  patients: readonly BenchPatient[],
  seed: number,
  token: string,
): Operation => {
  const pick = patientPicker(patients, seededRandom(seed));
  return async (connection) => {
    const request =
      `GET ${fhirListPath(pick().patientId)} HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\n` +
      `Accept: application/fhir+json\r\nAuthorization: Bearer ${token}\r\n\r\n`;
    return fhirOutcome(await connection.send(request));
  };
};
