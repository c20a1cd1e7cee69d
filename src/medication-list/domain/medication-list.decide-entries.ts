import type {
  ChangeDosage,
  DiscontinueMedication,
  PauseMedication,
  ResumeMedication,
  RetractMedication,
  StartMedication,
} from './medication-list.commands';
import type { MedicationListEvent, PrescriptionRecalled, RecallReasonCode } from './medication-list.events';
import type { EntryState, MedicationListState } from './medication-list.state';
import { activePrescriptionsOf, isInTreatment } from './medication-list.state';
import { assertCode, discontinuationReasonCodes, prescriptionTypeCodes, useCodes } from './medication-list.codes';
import { assertValidDosage, dosagesEqual } from './dosage';
import {
  EntryNotPausedError,
  EntryAlreadyExistsError,
  EntryNotActiveError,
  EntryNotFoundError,
  InvalidDateError,
} from './medication-list.errors';
import {
  assertId,
  assertIsoDate,
  assertIsoDateTime,
  assertMedication,
  assertOptionalText,
  assertRequiredText,
  jsonEqual,
  MAX_INDICATION,
  withoutUndefined,
} from './medication-list.validation';

/** Decisions about list entries: start, dosage change, pause/resume, discontinuation, retraction. */

export const entryOrThrow = (state: MedicationListState, entryId: string): EntryState => {
  const entry = state.entries.get(entryId);
  if (entry === undefined) {
    throw new EntryNotFoundError(entryId);
  }
  return entry;
};

/** Recalls every active prescription of the entry, at the given time, for the given reason (7500). */
const recallActivePrescriptions = (
  state: MedicationListState,
  entryId: string,
  recalledAt: string,
  reasonCode: RecallReasonCode,
): PrescriptionRecalled[] =>
  activePrescriptionsOf(state, entryId).map((prescription) => ({
    type: 'PrescriptionRecalled',
    data: { prescriptionId: prescription.prescriptionId, entryId, recalledAt, reasonCode },
  }));

export const decideStartMedication = (command: StartMedication, state: MedicationListState): MedicationListEvent[] => {
  const data = command.data;
  assertId(data.entryId, 'entryId');
  assertMedication(data.medication);
  assertCode(useCodes, data.use, 'use');
  assertOptionalText(data.indication, 'indication', MAX_INDICATION);
  assertValidDosage(data.dosage);
  assertIsoDate(data.startedOn, 'startedOn');
  assertCode(prescriptionTypeCodes, data.prescriptionType, 'prescriptionType');
  const existing = state.entries.get(data.entryId);
  if (existing !== undefined) {
    // An entry id never changes meaning: the same start re-sent (a retried request, a resent feed) is a
    // no-op, but reusing the id for a different treatment would silently merge two treatments.
    if (jsonEqual(existing.started, data)) {
      return [];
    }
    throw new EntryAlreadyExistsError(data.entryId);
  }
  return [{ type: 'MedicationStarted', data: withoutUndefined(data) }];
};

export const decideChangeDosage = (command: ChangeDosage, state: MedicationListState): MedicationListEvent[] => {
  const { entryId, dosage, effectiveFrom, reason } = command.data;
  assertId(entryId, 'entryId');
  assertValidDosage(dosage);
  assertIsoDate(effectiveFrom, 'effectiveFrom');
  assertOptionalText(reason, 'reason');
  const entry = entryOrThrow(state, entryId);
  if (!isInTreatment(entry)) {
    throw new EntryNotActiveError(entryId, entry.status);
  }
  // A change cannot take effect before the treatment began.
  if (effectiveFrom < entry.started.startedOn) {
    throw new InvalidDateError('effectiveFrom', 'must not be before the entry started');
  }
  // Changing to the dosage already in force is a retry or a no-op edit: the timeline shows no change.
  if (dosagesEqual(entry.dosage, dosage)) {
    return [];
  }
  return [
    {
      type: 'MedicationDosageChanged',
      data: withoutUndefined({ entryId, previousDosage: entry.dosage, dosage, effectiveFrom, reason }),
    },
  ];
};

/**
 * Pausing is only possible for an active entry. Pausing an entry that is already paused is refused
 * (ENTRY_NOT_ACTIVE, status paused): the first pause's time and reason stand and the caller learns that its pause
 * did nothing. A retried request is recognised by its command id before the decider (issue 14).
 */
export const decidePauseMedication = (command: PauseMedication, state: MedicationListState): MedicationListEvent[] => {
  const { entryId, pausedAt, reason } = command.data;
  assertId(entryId, 'entryId');
  assertIsoDateTime(pausedAt, 'pausedAt');
  assertOptionalText(reason, 'reason');
  const entry = entryOrThrow(state, entryId);
  if (entry.status !== 'active') {
    throw new EntryNotActiveError(entryId, entry.status);
  }
  return [{ type: 'MedicationPaused', data: withoutUndefined({ entryId, pausedAt, reason }) }];
};

/**
 * Resuming is only possible for a paused entry: an active one is refused with ENTRY_NOT_PAUSED (nothing to
 * resume), a discontinued or retracted one with ENTRY_NOT_ACTIVE (restarting a stopped treatment is a new entry).
 */
export const decideResumeMedication = (
  command: ResumeMedication,
  state: MedicationListState,
): MedicationListEvent[] => {
  const { entryId, resumedAt } = command.data;
  assertId(entryId, 'entryId');
  assertIsoDateTime(resumedAt, 'resumedAt');
  const entry = entryOrThrow(state, entryId);
  if (entry.status === 'active') {
    throw new EntryNotPausedError(entryId, entry.status);
  }
  if (entry.status !== 'paused') {
    throw new EntryNotActiveError(entryId, entry.status);
  }
  return [{ type: 'MedicationResumed', data: { entryId, resumedAt } }];
};

/**
 * Seponering. "Discontinuing a treatment recalls its prescription" (domain.md): every active prescription of
 * the entry is recalled with reason 2 in the same decision, so the pharmacy cannot dispense a stopped drug.
 * Discontinuing a discontinued entry is refused (ENTRY_NOT_ACTIVE): the first time and reason stand.
 */
export const decideDiscontinueMedication = (
  command: DiscontinueMedication,
  state: MedicationListState,
): MedicationListEvent[] => {
  const { entryId, discontinuedAt, reasonCode, note } = command.data;
  assertId(entryId, 'entryId');
  assertIsoDateTime(discontinuedAt, 'discontinuedAt');
  assertCode(discontinuationReasonCodes, reasonCode, 'reasonCode');
  assertOptionalText(note, 'note');
  const entry = entryOrThrow(state, entryId);
  if (entry.status === 'discontinued' || entry.status === 'retracted') {
    throw new EntryNotActiveError(entryId, entry.status);
  }
  return [
    {
      type: 'MedicationDiscontinued',
      data: { entryId, discontinuedAt, reason: withoutUndefined({ code: reasonCode, note }) },
    },
    ...recallActivePrescriptions(state, entryId, discontinuedAt, '2'),
  ];
};

/**
 * Entered in error (FHIR `entered-in-error`): allowed from any status, including discontinued, because a
 * wrongly registered entry must leave the list whatever happened to it. Its active prescriptions are recalled
 * with reason 4 (other): they belong to an entry that never was. Retracting twice is refused (ENTRY_NOT_ACTIVE).
 */
export const decideRetractMedication = (
  command: RetractMedication,
  state: MedicationListState,
): MedicationListEvent[] => {
  const { entryId, retractedAt, reason } = command.data;
  assertId(entryId, 'entryId');
  assertIsoDateTime(retractedAt, 'retractedAt');
  assertRequiredText(reason, 'reason');
  const entry = entryOrThrow(state, entryId);
  if (entry.status === 'retracted') {
    throw new EntryNotActiveError(entryId, entry.status);
  }
  return [
    { type: 'MedicationRetracted', data: { entryId, retractedAt, reason } },
    ...recallActivePrescriptions(state, entryId, retractedAt, '4'),
  ];
};
