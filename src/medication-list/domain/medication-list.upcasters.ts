import type { EventSchema, Upcaster } from '../../shared/event-sourcing/event-schemas';
import { discontinuationReasonCodes } from './medication-list.codes';
import {
  medicationListEventTypes,
  type DiscontinuationReasonCode,
  type MedicationDiscontinued,
  type MedicationListEventType,
} from './medication-list.events';

/*
 * Where an old shape of a medication-list event becomes the current one. Pure: a stored event's data in, the next
 * version's data out, or undefined when the data is not the older version's shape (the event is then skipped as
 * unreadable and counted, never guessed at). Every type not listed in CHANGED is at version 1.
 */

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const reasonCodes = new Set<string>(discontinuationReasonCodes.entries.map((entry) => entry.code));
const isReasonCode = (value: unknown): value is DiscontinuationReasonCode =>
  typeof value === 'string' && reasonCodes.has(value);

/**
 * MedicationDiscontinued 1 → 2: `reasonCode` and `note` side by side become one `reason: { code, note }` (the
 * 7494 code and the note that explains it; one FHIR statusReason). Nothing is lost and nothing is added: a missing
 * note stays missing.
 */
export const discontinuedV1ToV2: Upcaster = (data): MedicationDiscontinued['data'] | undefined => {
  if (!isRecord(data)) {
    return undefined;
  }
  const { entryId, discontinuedAt, reasonCode, note } = data;
  if (typeof entryId !== 'string' || typeof discontinuedAt !== 'string' || !isReasonCode(reasonCode)) {
    return undefined;
  }
  if (note !== undefined && typeof note !== 'string') {
    return undefined;
  }
  return { entryId, discontinuedAt, reason: note === undefined ? { code: reasonCode } : { code: reasonCode, note } };
};

/** The types whose shape changed: their current version and the upcaster from each older one. */
const CHANGED: Partial<Record<MedicationListEventType, Omit<EventSchema, 'type'>>> = {
  MedicationDiscontinued: { current: 2, upcasters: { 1: discontinuedV1ToV2 } },
};

/** Every medication-list event type with its current version (see src/event-schemas.ts for the whole service). */
export const medicationListEventSchemas: readonly EventSchema[] = medicationListEventTypes.map((type) => ({
  type,
  current: 1,
  ...CHANGED[type],
}));
