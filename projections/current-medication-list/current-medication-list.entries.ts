import type { Actor } from '../../src/shared/event-sourcing/event-store.port';
import type { MedicationStarted } from '../../src/medication-list/domain/medication-list.events';
import type {
  CurrentEntry,
  CurrentMedicationListDocument,
  DispensingSummary,
  LinkedPrescription,
  MultidosePackingStatus,
} from './current-medication-list.document';

/** Who changed an entry and when (metadata.recordedAt, so `changedAt` moves forward with position). */
export interface ChangeStamp {
  readonly at: string;
  readonly by: Actor;
}

/** Dispensings of earlier prescriptions kept per entry (enough to fall back after an annulment). */
const EARLIER_DISPENSINGS_KEPT = 5;

/** A new entry from MedicationStarted; outside multidose while multidose is registered (not yet packed). */
export const entryFromStarted = (
  data: MedicationStarted['data'],
  multidoseRegistered: boolean,
  stamp: ChangeStamp,
): CurrentEntry => ({
  entryId: data.entryId,
  medication: data.medication,
  use: data.use,
  indication: data.indication ?? null,
  dosage: data.dosage,
  dosageEffectiveFrom: data.startedOn,
  startedOn: data.startedOn,
  prescriptionType: data.prescriptionType,
  status: 'active',
  pausedAt: null,
  pauseReason: null,
  prescription: null,
  dispensings: [],
  lastDispensing: null,
  // absent from the latest packing report (it is newer than it): given outside the bags, say so plainly
  multidose: multidoseRegistered ? 'outside-multidose' : 'not-in-multidose',
  changedAt: stamp.at,
  changedBy: stamp.by,
});

/** Replaces one entry by id; the document is returned unchanged when the entry is not active or paused. */
export const updateEntry = (
  document: CurrentMedicationListDocument,
  entryId: string,
  update: (entry: CurrentEntry) => CurrentEntry,
): CurrentMedicationListDocument => {
  if (!document.entries.some((entry) => entry.entryId === entryId)) {
    return document;
  }
  return {
    ...document,
    entries: document.entries.map((entry) => (entry.entryId === entryId ? update(entry) : entry)),
  };
};

/** Stamps an entry as changed by this event. */
export const stamped = (entry: CurrentEntry, stamp: ChangeStamp): CurrentEntry => ({
  ...entry,
  changedAt: stamp.at,
  changedBy: stamp.by,
});

/**
 * Status (7408) and dispensings left follow from the prescription's own non-annulled dispensings, so an
 * annulment simply recomputes: recalled → T; a dispensing that used it up → R; any dispensing → U; else E.
 */
export const derivePrescription = (
  prescription: LinkedPrescription,
  dispensings: readonly DispensingSummary[],
): LinkedPrescription => {
  const own = dispensings.filter((dispensing) => dispensing.prescriptionId === prescription.prescriptionId);
  const status =
    prescription.recalledAt !== null
      ? 'T'
      : own.some((dispensing) => dispensing.prescriptionUsedUp)
        ? 'R'
        : own.length > 0
          ? 'U'
          : 'E';
  const dispensingsLeft =
    prescription.dispensingsAllowed === null ? null : Math.max(0, prescription.dispensingsAllowed - own.length);
  return { ...prescription, status, dispensingsLeft };
};

/** The latest dispensing by dispensing time; on a tie the one reported last. */
const latestDispensing = (dispensings: readonly DispensingSummary[]): DispensingSummary | null =>
  dispensings.reduce<DispensingSummary | null>(
    (latest, dispensing) =>
      latest === null || Date.parse(dispensing.dispensedAt) >= Date.parse(latest.dispensedAt) ? dispensing : latest,
    null,
  );

/**
 * Sets an entry's dispensings and recomputes everything derived from them. Keeps every dispensing of the
 * linked prescription (dispensingsLeft needs them) and the last few of earlier ones, so documents stay bounded.
 */
export const withDispensings = (entry: CurrentEntry, dispensings: readonly DispensingSummary[]): CurrentEntry => {
  const currentId = entry.prescription?.prescriptionId ?? null;
  const earlier = dispensings.filter((dispensing) => dispensing.prescriptionId !== currentId);
  const dropped = new Set(
    earlier.slice(0, Math.max(0, earlier.length - EARLIER_DISPENSINGS_KEPT)).map((d) => d.dispensingId),
  );
  const kept = dispensings.filter((dispensing) => !dropped.has(dispensing.dispensingId));
  return {
    ...entry,
    dispensings: kept,
    lastDispensing: latestDispensing(kept),
    prescription: entry.prescription === null ? null : derivePrescription(entry.prescription, kept),
  };
};

/** Links a (new or renewing) prescription to the entry; the previous one stays in the stream's history. */
export const withPrescription = (entry: CurrentEntry, prescription: LinkedPrescription): CurrentEntry =>
  withDispensings({ ...entry, prescription }, entry.dispensings);

/** The entry an incoming dispensing belongs to: by entry id, else by the linked prescription id. */
export const entryForDispensing = (
  document: CurrentMedicationListDocument,
  entryId: string | undefined,
  prescriptionId: string,
): CurrentEntry | undefined =>
  document.entries.find((entry) => entryId !== undefined && entry.entryId === entryId) ??
  document.entries.find((entry) => entry.prescription?.prescriptionId === prescriptionId);

/**
 * Re-derives every entry's multidose status. `packing` maps entry id → packed for the latest packing
 * report; an entry absent from it (or no report yet) while multidose is registered is outside multidose.
 * Entries whose status flips are stamped as changed; returns the new entries and the flipped ones.
 */
export const withMultidoseStatuses = (
  entries: readonly CurrentEntry[],
  registered: boolean,
  packing: ReadonlyMap<string, boolean>,
  stamp: ChangeStamp,
): { readonly entries: readonly CurrentEntry[]; readonly flipped: readonly CurrentEntry[] } => {
  const statusOf = (entryId: string): MultidosePackingStatus =>
    !registered ? 'not-in-multidose' : packing.get(entryId) === true ? 'packed' : 'outside-multidose';
  const next = entries.map((entry) => {
    const multidose = statusOf(entry.entryId);
    return multidose === entry.multidose ? entry : stamped({ ...entry, multidose }, stamp);
  });
  return { entries: next, flipped: next.filter((entry, index) => entry !== entries[index]) };
};
