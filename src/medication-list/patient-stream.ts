import { createHmac } from 'node:crypto';
import { MEDICATION_LIST_STREAM_PREFIX } from './domain/medication-list.events';
import { parsePatientId } from '../identifiers/norwegian-identifiers';

/**
 * Stream identity of a patient's medication list. A fødselsnummer must never appear in a stream name
 * (domain.md, "Identifiers"; house-style.md, "don't" 6), and a plain hash would not hide it: there are only
 * about 10^9 valid numbers, so an unkeyed SHA-256 is reversed by enumeration. A keyed HMAC is not, as long as the
 * secret stays out of the event store.
 */

/** The patient stream id: HMAC-SHA-256(secret, trimmed patient id), first 16 bytes as an RFC 9562 version-8 UUID. */
export const patientStreamId = (patientId: string, secret: string): string => {
  if (secret.length === 0) {
    // An empty key would make the mapping an unkeyed hash again (see above): refuse rather than leak.
    throw new Error('patient stream secret must not be empty');
  }
  // Normalise like parsePatientId (trim only), so " 31129956715" and "31129956715" share one stream.
  return derive(patientId.trim(), secret);
};

/**
 * The patient a request names, parsed and keyed once: the access step derives it from the arguments, and the
 * patient context, the access log, the service and the reads take it from the grant (RequestContext.patient)
 * instead of each parsing and hashing the raw id again.
 */
export interface PatientKey {
  /** the validated patient id (fødselsnummer, D-, H- or synthetic number), trimmed */
  readonly patientId: string;
  /** its stream id (patientStreamId): the name of the patient's list and access log, never the number itself */
  readonly streamId: string;
}

/** Validates `rawPatientId` (BAD_USER_INPUT naming `field`, never the value) and derives its stream id. */
export const patientKeyOf = (rawPatientId: string, secret: string, field = 'patientId'): PatientKey => {
  const patientId = parsePatientId(rawPatientId, field).value;
  return { patientId, streamId: patientStreamId(patientId, secret) };
};

const derive = (trimmed: string, secret: string): string => {
  const bytes = createHmac('sha256', secret).update(trimmed, 'utf8').digest().subarray(0, 16);
  // RFC 9562 §5.8: version 8 ("custom") in the high nibble of octet 6, variant 0b10 in the top bits of octet 8.
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x80, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join('-');
};

/** The event-store stream name of a patient's medication list: `medicationList-<uuid>`. */
export const patientStreamName = (patientId: string, secret: string): string =>
  `${MEDICATION_LIST_STREAM_PREFIX}${patientStreamId(patientId, secret)}`;
