import { assertHerId } from '../../identifiers/norwegian-identifiers';
import type {
  AnnulDispensing,
  IssuePrescription,
  RecallPrescription,
  RecordDispensing,
  RenewPrescription,
} from './medication-list.commands';
import type { IsoDate, MedicationListEvent, PrescriptionIssued, Quantity } from './medication-list.events';
import type { MedicationListState } from './medication-list.state';
import { isInTreatment } from './medication-list.state';
import { assertCode, recallReasonCodes } from './medication-list.codes';
import {
  DispensingAlreadyAnnulledError,
  DispensingNotFoundError,
  EntryNotActiveError,
  PrescriptionAlreadyLinkedError,
  PrescriptionNotActiveError,
  PrescriptionNotFoundError,
} from './medication-list.errors';
import { entryOrThrow } from './medication-list.decide-entries';
import {
  assertId,
  assertIsoDate,
  assertIsoDateTime,
  assertMedication,
  assertNotBefore,
  assertOptionalText,
  assertPositiveInteger,
  assertQuantity,
  datePart,
  jsonEqual,
  oneYearAfter,
  withoutUndefined,
} from './medication-list.validation';

/** Decisions about prescriptions and the pharmacy's dispensing reports. */

interface PrescriptionTerms {
  readonly expiresOn?: IsoDate;
  readonly dispensingsAllowed?: number;
  readonly quantityAllowed?: Quantity;
}

/**
 * The PrescriptionIssued data for a new prescription. A prescription is valid one year from issue unless the
 * prescriber sets another expiry (domain.md); a pure date calculation from the issue time, no clock.
 */
const issuedData = (
  prescriptionId: string,
  entryId: string,
  issuedAt: string,
  terms: PrescriptionTerms,
  renewsPrescriptionId?: string,
): PrescriptionIssued['data'] => {
  assertIsoDateTime(issuedAt, 'issuedAt');
  const issuedOn = datePart(issuedAt);
  if (terms.expiresOn !== undefined) {
    assertIsoDate(terms.expiresOn, 'expiresOn');
    assertNotBefore(terms.expiresOn, issuedOn, 'expiresOn', 'the issue date');
  }
  if (terms.dispensingsAllowed !== undefined) {
    assertPositiveInteger(terms.dispensingsAllowed, 'dispensingsAllowed');
  }
  if (terms.quantityAllowed !== undefined) {
    assertQuantity(terms.quantityAllowed, 'quantityAllowed');
  }
  return withoutUndefined({
    prescriptionId,
    entryId,
    issuedAt,
    expiresOn: terms.expiresOn ?? oneYearAfter(issuedOn),
    dispensingsAllowed: terms.dispensingsAllowed,
    quantityAllowed: terms.quantityAllowed,
    renewsPrescriptionId,
  });
};

/**
 * A prescription id names one prescription in the national registry (RF) for good. So the list refuses any
 * second use of a known id, not only a second active link: that is stricter than "the same prescription id may
 * not be linked to two active entries" (domain.md) and implies it. The identical issue re-sent returns [].
 */
const assertNewPrescriptionId = (
  state: MedicationListState,
  intended: PrescriptionIssued['data'],
): 'new' | 'already-issued' => {
  const known = state.prescriptions.get(intended.prescriptionId);
  if (known === undefined) {
    return 'new';
  }
  if (jsonEqual(known.issued, intended)) {
    return 'already-issued';
  }
  throw new PrescriptionAlreadyLinkedError(intended.prescriptionId, known.entryId);
};

/** A prescription can only be issued for a treatment that is going on; a paused one may get its renewal. */
const assertEntryInTreatment = (state: MedicationListState, entryId: string): void => {
  const entry = entryOrThrow(state, entryId);
  if (!isInTreatment(entry)) {
    throw new EntryNotActiveError(entryId, entry.status);
  }
};

/**
 * Issue a prescription for an entry. Any prescription type may get one: an entry started as U (without
 * prescription) that the doctor later prescribes is a realistic change of course.
 */
export const decideIssuePrescription = (
  command: IssuePrescription,
  state: MedicationListState,
): MedicationListEvent[] => {
  const { prescriptionId, entryId, issuedAt, ...terms } = command.data;
  assertId(prescriptionId, 'prescriptionId');
  assertId(entryId, 'entryId');
  const intended = issuedData(prescriptionId, entryId, issuedAt, terms);
  if (assertNewPrescriptionId(state, intended) === 'already-issued') {
    return [];
  }
  assertEntryInTreatment(state, entryId);
  return [{ type: 'PrescriptionIssued', data: intended }];
};

/**
 * Renewal (domain.md): recall the old prescription (7500 reason 1, or 3 with change) and issue a new one that
 * points back, both at the renewal time. Limits not given are carried over from the old prescription. Only an
 * active prescription can be renewed (a recalled one gets a fresh IssuePrescription); the same renewal re-sent
 * returns [].
 */
export const decideRenewPrescription = (
  command: RenewPrescription,
  state: MedicationListState,
): MedicationListEvent[] => {
  const { prescriptionId, newPrescriptionId, renewedAt, withChange, ...terms } = command.data;
  assertId(prescriptionId, 'prescriptionId');
  assertId(newPrescriptionId, 'newPrescriptionId');
  const old = state.prescriptions.get(prescriptionId);
  if (old === undefined) {
    throw new PrescriptionNotFoundError(prescriptionId);
  }
  const intended = issuedData(
    newPrescriptionId,
    old.entryId,
    renewedAt,
    {
      expiresOn: terms.expiresOn,
      dispensingsAllowed: terms.dispensingsAllowed ?? old.issued.dispensingsAllowed,
      quantityAllowed: terms.quantityAllowed ?? old.issued.quantityAllowed,
    },
    prescriptionId,
  );
  if (assertNewPrescriptionId(state, intended) === 'already-issued') {
    return [];
  }
  if (old.status !== 'active') {
    throw new PrescriptionNotActiveError(prescriptionId);
  }
  assertEntryInTreatment(state, old.entryId);
  return [
    {
      type: 'PrescriptionRecalled',
      data: { prescriptionId, entryId: old.entryId, recalledAt: renewedAt, reasonCode: withChange ? '3' : '1' },
    },
    { type: 'PrescriptionIssued', data: intended },
  ];
};

/** Any prescriber may recall (also another doctor's prescription). Recalling twice is refused (PRESCRIPTION_NOT_ACTIVE). */
export const decideRecallPrescription = (
  command: RecallPrescription,
  state: MedicationListState,
): MedicationListEvent[] => {
  const { prescriptionId, recalledAt, reasonCode } = command.data;
  assertId(prescriptionId, 'prescriptionId');
  assertIsoDateTime(recalledAt, 'recalledAt');
  assertCode(recallReasonCodes, reasonCode, 'reasonCode');
  const prescription = state.prescriptions.get(prescriptionId);
  if (prescription === undefined) {
    throw new PrescriptionNotFoundError(prescriptionId);
  }
  if (prescription.status === 'recalled') {
    throw new PrescriptionNotActiveError(prescriptionId);
  }
  return [
    { type: 'PrescriptionRecalled', data: { prescriptionId, entryId: prescription.entryId, recalledAt, reasonCode } },
  ];
};

/**
 * A dispensing already happened at the pharmacy: it is recorded even against a recalled, expired or unknown
 * prescription, so reconciliation can flag it (D3, D8) instead of the fact being lost. The entry is filled
 * in when the list knows the prescription. A second report with the same dispensing id appends nothing.
 */
export const decideRecordDispensing = (
  command: RecordDispensing,
  state: MedicationListState,
): MedicationListEvent[] => {
  const data = command.data;
  assertId(data.dispensingId, 'dispensingId');
  assertId(data.prescriptionId, 'prescriptionId');
  assertIsoDateTime(data.dispensedAt, 'dispensedAt');
  assertMedication(data.product, 'product');
  assertQuantity(data.quantity, 'quantity');
  const pharmacyHerId = assertHerId(data.pharmacyHerId, 'pharmacyHerId');
  if (state.dispensings.has(data.dispensingId)) {
    return [];
  }
  const entryId = state.prescriptions.get(data.prescriptionId)?.entryId;
  return [
    {
      type: 'DispensingRecorded',
      data: withoutUndefined({
        dispensingId: data.dispensingId,
        prescriptionId: data.prescriptionId,
        entryId,
        dispensedAt: data.dispensedAt,
        product: data.product,
        quantity: data.quantity,
        pharmacyHerId,
        prescriptionUsedUp: data.prescriptionUsedUp,
      }),
    },
  ];
};

/** The pharmacy annuls a dispensing it reported; annulling twice is refused (DISPENSING_ALREADY_ANNULLED). */
export const decideAnnulDispensing = (command: AnnulDispensing, state: MedicationListState): MedicationListEvent[] => {
  const { dispensingId, annulledAt, reason } = command.data;
  assertId(dispensingId, 'dispensingId');
  assertIsoDateTime(annulledAt, 'annulledAt');
  assertOptionalText(reason, 'reason');
  const dispensing = state.dispensings.get(dispensingId);
  if (dispensing === undefined) {
    throw new DispensingNotFoundError(dispensingId);
  }
  if (dispensing.annulled) {
    throw new DispensingAlreadyAnnulledError(dispensingId);
  }
  return [{ type: 'DispensingAnnulled', data: withoutUndefined({ dispensingId, annulledAt, reason }) }];
};
