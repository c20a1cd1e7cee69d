import { specFor } from '../../shared/event-sourcing/decider.spec-helpers';
import { InvalidIdentifierError } from '../../identifiers/identifier.errors';
import { medicationListDecider } from './medication-list.decider';
import {
  DispensingAlreadyAnnulledError,
  DispensingNotFoundError,
  EntryNotActiveError,
  EntryNotFoundError,
  InvalidDateError,
  InvalidIdError,
  InvalidMedicationError,
  InvalidQuantityError,
  PrescriptionAlreadyLinkedError,
  PrescriptionNotActiveError,
  PrescriptionNotFoundError,
  TextTooLongError,
  UnknownCodeError,
} from './medication-list.errors';
import {
  aCommand,
  aMedicationStarted,
  anEvent,
  anIssuePrescription,
  aPrescriptionIssued,
  aRecordDispensing,
  AT,
  DISPENSING_ID,
  ENTRY_ID,
  LATER,
  OTHER_ENTRY_ID,
  OTHER_PRESCRIPTION_ID,
  paracetamol,
  PHARMACY_HER_ID,
  PRESCRIPTION_ID,
  sampleMedication,
} from './medication-list.fixtures';

type ErrorClass = new (...args: never[]) => Error;

const given = specFor(medicationListDecider);
const started = aMedicationStarted();
const otherStarted = aMedicationStarted({ entryId: OTHER_ENTRY_ID, medication: paracetamol, use: '3' });
const issued = aPrescriptionIssued();
const recalled = (reasonCode: '1' | '2' | '3' | '4' = '4', at = AT) =>
  anEvent('PrescriptionRecalled', { prescriptionId: PRESCRIPTION_ID, entryId: ENTRY_ID, recalledAt: at, reasonCode });
const discontinued = anEvent('MedicationDiscontinued', {
  entryId: ENTRY_ID,
  discontinuedAt: AT,
  reason: { code: 'A' },
});

describe('IssuePrescription', () => {
  it('links a prescription that expires one year after the issue date by default', () => {
    given([started]).when(anIssuePrescription()).then([issued]);
  });

  it.each([
    ['29 February to 28 February', '2028-02-29T10:00:00.000+01:00', '2029-02-28'],
    ['the date as written in the sender offset, not UTC', '2026-03-01T00:30:00.000+01:00', '2027-03-01'],
    ['the last day of the year', '2026-12-31T23:00:00.000Z', '2027-12-31'],
  ])('computes the default expiry for %s', (_name, issuedAt, expiresOn) => {
    given([started])
      .when(anIssuePrescription({ issuedAt }))
      .then([aPrescriptionIssued({ issuedAt, expiresOn })]);
  });

  it('keeps an explicit expiry and limits', () => {
    const terms = { expiresOn: '2026-09-01', dispensingsAllowed: 3, quantityAllowed: { value: 300, unit: 'tablett' } };
    given([started])
      .when(anIssuePrescription(terms))
      .then([aPrescriptionIssued(terms)]);
  });

  it('allows a paused entry and an entry started without prescription (type U)', () => {
    const paused = anEvent('MedicationPaused', { entryId: ENTRY_ID, pausedAt: AT });
    given([started, paused]).when(anIssuePrescription()).then([issued]);
    given([aMedicationStarted({ prescriptionType: 'U' })])
      .when(anIssuePrescription())
      .then([issued]);
  });

  it('is a no-op when the same issue is re-sent, also after the prescription was recalled', () => {
    given([started, issued]).when(anIssuePrescription()).thenNothing();
    given([started, issued, recalled()]).when(anIssuePrescription()).thenNothing();
  });

  it('rejects a prescription id already linked to another entry', () => {
    given([started, otherStarted, issued])
      .when(anIssuePrescription({ entryId: OTHER_ENTRY_ID }))
      .thenThrows(PrescriptionAlreadyLinkedError, 'PRESCRIPTION_ALREADY_LINKED');
  });

  it('rejects a prescription id reissued with other terms, even after a recall', () => {
    given([started, issued])
      .when(anIssuePrescription({ dispensingsAllowed: 2 }))
      .thenThrows(PrescriptionAlreadyLinkedError);
    given([started, otherStarted, issued, recalled()])
      .when(anIssuePrescription({ entryId: OTHER_ENTRY_ID }))
      .thenThrows(PrescriptionAlreadyLinkedError);
  });

  it('rejects an unknown entry and an entry no longer in treatment', () => {
    given([]).when(anIssuePrescription()).thenThrows(EntryNotFoundError, 'ENTRY_NOT_FOUND');
    given([started, discontinued]).when(anIssuePrescription()).thenThrows(EntryNotActiveError, 'ENTRY_NOT_ACTIVE');
  });

  it.each<[string, Parameters<typeof anIssuePrescription>[0], ErrorClass]>([
    ['an invalid prescription id', { prescriptionId: 'rx/1' }, InvalidIdError],
    ['an issue time without offset', { issuedAt: '2026-03-02T09:15:00' }, InvalidDateError],
    ['an impossible expiry date', { expiresOn: '2027-02-29' }, InvalidDateError],
    ['an expiry before the issue date', { expiresOn: '2026-03-01' }, InvalidDateError],
    ['0 dispensings', { dispensingsAllowed: 0 }, InvalidQuantityError],
    ['1.5 dispensings', { dispensingsAllowed: 1.5 }, InvalidQuantityError],
    ['a zero quantity', { quantityAllowed: { value: 0, unit: 'tablett' } }, InvalidQuantityError],
    ['a quantity without unit', { quantityAllowed: { value: 10, unit: '' } }, InvalidQuantityError],
  ])('rejects %s', (_name, overrides, errorClass) => {
    given([started]).when(anIssuePrescription(overrides)).thenThrows(errorClass);
  });
});

describe('RenewPrescription', () => {
  const limited = aPrescriptionIssued({ dispensingsAllowed: 3, quantityAllowed: { value: 300, unit: 'tablett' } });
  const renew = (withChange = false, overrides: Partial<{ expiresOn: string; dispensingsAllowed: number }> = {}) =>
    aCommand('RenewPrescription', {
      prescriptionId: PRESCRIPTION_ID,
      newPrescriptionId: OTHER_PRESCRIPTION_ID,
      renewedAt: LATER,
      withChange,
      ...overrides,
    });
  const renewed = (overrides: Partial<ReturnType<typeof aPrescriptionIssued>['data']> = {}) =>
    aPrescriptionIssued({
      prescriptionId: OTHER_PRESCRIPTION_ID,
      issuedAt: LATER,
      expiresOn: '2027-04-10',
      dispensingsAllowed: 3,
      quantityAllowed: { value: 300, unit: 'tablett' },
      renewsPrescriptionId: PRESCRIPTION_ID,
      ...overrides,
    });

  it('recalls the old prescription (reason 1) and issues a new one that points back, carrying over limits', () => {
    given([started, limited])
      .when(renew())
      .then([recalled('1', LATER), renewed()]);
  });

  it('uses reason 3 for a renewal with change, and the new terms given', () => {
    given([started, limited])
      .when(renew(true, { expiresOn: '2026-12-31', dispensingsAllowed: 1 }))
      .then([recalled('3', LATER), renewed({ expiresOn: '2026-12-31', dispensingsAllowed: 1 })]);
  });

  it('is a no-op when the same renewal is re-sent', () => {
    given([started, limited, recalled('1', LATER), renewed()])
      .when(renew())
      .thenNothing();
  });

  it('rejects an unknown prescription', () => {
    given([started]).when(renew()).thenThrows(PrescriptionNotFoundError, 'PRESCRIPTION_NOT_FOUND');
  });

  it('rejects renewing a recalled prescription', () => {
    given([started, issued, recalled()])
      .when(renew())
      .thenThrows(PrescriptionNotActiveError, 'PRESCRIPTION_NOT_ACTIVE');
  });

  it('rejects a new id that is already linked, including the old id itself', () => {
    const other = aPrescriptionIssued({ prescriptionId: OTHER_PRESCRIPTION_ID });
    given([started, issued, other]).when(renew()).thenThrows(PrescriptionAlreadyLinkedError);
    given([started, issued])
      .when(
        aCommand('RenewPrescription', {
          prescriptionId: PRESCRIPTION_ID,
          newPrescriptionId: PRESCRIPTION_ID,
          renewedAt: LATER,
          withChange: false,
        }),
      )
      .thenThrows(PrescriptionAlreadyLinkedError);
  });

  it('rejects renewing for an entry that is no longer in treatment', () => {
    // Only reachable with a history where the recall on discontinuation is missing (e.g. an imported stream).
    given([started, issued, discontinued]).when(renew()).thenThrows(EntryNotActiveError);
  });

  it('rejects an expiry before the renewal date', () => {
    given([started, issued])
      .when(renew(true, { expiresOn: '2026-04-09' }))
      .thenThrows(InvalidDateError);
  });
});

describe('RecallPrescription', () => {
  const recall = (reasonCode: '1' | '2' | '3' | '4' = '4') =>
    aCommand('RecallPrescription', { prescriptionId: PRESCRIPTION_ID, recalledAt: AT, reasonCode });

  it('recalls an active prescription, taking the entry from the list', () => {
    given([started, issued]).when(recall()).then([recalled()]);
  });

  it('given a recalled prescription, when it is recalled again, then PRESCRIPTION_NOT_ACTIVE', () => {
    given([started, issued, recalled('2')])
      .when(recall())
      .thenThrows(PrescriptionNotActiveError, 'PRESCRIPTION_NOT_ACTIVE');
  });

  it('rejects an unknown prescription', () => {
    given([started]).when(recall()).thenThrows(PrescriptionNotFoundError);
  });

  it('rejects a reason outside 7500', () => {
    given([started, issued])
      .when(recall('5' as '4'))
      .thenThrows(UnknownCodeError, 'UNKNOWN_CODE');
  });
});

describe('RecordDispensing', () => {
  const dispensed = (overrides: Partial<ReturnType<typeof aRecordDispensing>['data']> = {}, linked = true) => {
    const { data } = aRecordDispensing(overrides);
    return anEvent('DispensingRecorded', linked ? { ...data, entryId: ENTRY_ID } : data);
  };

  it('records a dispensing against a known prescription with its entry', () => {
    given([started, issued]).when(aRecordDispensing()).then([dispensed()]);
  });

  it('records a substituted product and a used-up prescription as reported', () => {
    const generic = { atcCode: 'A10BA02', displayName: 'Metformin Mylan Tab 500 mg' };
    given([started, issued])
      .when(aRecordDispensing({ product: generic, prescriptionUsedUp: true }))
      .then([dispensed({ product: generic, prescriptionUsedUp: true })]);
  });

  it.each([
    ['a recalled prescription', [started, issued, recalled()]],
    ['the prescription of a discontinued entry', [started, issued, discontinued, recalled('2')]],
  ])('records a dispensing against %s (reconciliation flags it later)', (_name, history) => {
    given(history).when(aRecordDispensing()).then([dispensed()]);
  });

  it('records a dispensing against an expired prescription', () => {
    const expired = aPrescriptionIssued({ expiresOn: '2026-03-03' });
    given([started, expired])
      .when(aRecordDispensing({ dispensedAt: '2026-06-01T10:00:00.000Z' }))
      .then([dispensed({ dispensedAt: '2026-06-01T10:00:00.000Z' })]);
  });

  it('records a dispensing against a prescription unknown to the list, without an entry', () => {
    given([])
      .when(aRecordDispensing())
      .then([dispensed({}, false)]);
  });

  it('appends nothing for a second report with the same dispensing id', () => {
    given([started, issued, dispensed()]).when(aRecordDispensing()).thenNothing();
    given([started, issued, dispensed()])
      .when(aRecordDispensing({ quantity: { value: 50, unit: 'tablett' } }))
      .thenNothing();
  });

  it.each<[string, Parameters<typeof aRecordDispensing>[0], ErrorClass]>([
    ['a zero quantity', { quantity: { value: 0, unit: 'tablett' } }, InvalidQuantityError],
    ['a negative quantity', { quantity: { value: -10, unit: 'tablett' } }, InvalidQuantityError],
    ['a HER-id with letters', { pharmacyHerId: 'HER81235' }, InvalidIdentifierError],
    ['a HER-id of 10 digits', { pharmacyHerId: '1234567890' }, InvalidIdentifierError],
    ['a product without name', { product: { ...sampleMedication, displayName: '' } }, InvalidMedicationError],
    ['a product with a bad ATC code', { product: { displayName: 'X', atcCode: 'A10' } }, InvalidMedicationError],
    ['an invalid dispensing id', { dispensingId: '' }, InvalidIdError],
    ['an invalid dispensing time', { dispensedAt: '2026-03-32T10:00:00Z' }, InvalidDateError],
  ])('rejects %s', (_name, overrides, errorClass) => {
    given([started, issued]).when(aRecordDispensing(overrides)).thenThrows(errorClass);
  });

  it('stores the trimmed HER-id', () => {
    given([started, issued])
      .when(aRecordDispensing({ pharmacyHerId: ` ${PHARMACY_HER_ID} ` }))
      .then([dispensed()]);
  });
});

describe('AnnulDispensing', () => {
  const dispensingRecorded = anEvent('DispensingRecorded', { ...aRecordDispensing().data, entryId: ENTRY_ID });
  const annul = aCommand('AnnulDispensing', { dispensingId: DISPENSING_ID, annulledAt: LATER, reason: 'Feil vare' });
  const annulled = anEvent('DispensingAnnulled', {
    dispensingId: DISPENSING_ID,
    annulledAt: LATER,
    reason: 'Feil vare',
  });

  it('annuls a recorded dispensing', () => {
    given([started, issued, dispensingRecorded]).when(annul).then([annulled]);
  });

  it('given an annulled dispensing, when it is annulled again, then DISPENSING_ALREADY_ANNULLED', () => {
    given([started, issued, dispensingRecorded, annulled])
      .when(annul)
      .thenThrows(DispensingAlreadyAnnulledError, 'DISPENSING_ALREADY_ANNULLED');
  });

  it('rejects an unknown dispensing', () => {
    given([started, issued]).when(annul).thenThrows(DispensingNotFoundError, 'DISPENSING_NOT_FOUND');
  });

  it('rejects a reason of 1001 characters', () => {
    given([dispensingRecorded])
      .when({ ...annul, data: { ...annul.data, reason: 'x'.repeat(1001) } })
      .thenThrows(TextTooLongError);
  });
});
