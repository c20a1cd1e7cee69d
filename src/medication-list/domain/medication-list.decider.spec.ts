import { specFor } from '../../shared/event-sourcing/decider.spec-helpers';
import type { MedicationListEvent } from './medication-list.events';
import { clinicalTimeOf, evolve, initialState, medicationListDecider } from './medication-list.decider';
import {
  EntryNotPausedError,
  EntryAlreadyExistsError,
  EntryNotActiveError,
  EntryNotFoundError,
  InvalidDateError,
  InvalidDosageError,
  InvalidIdError,
  InvalidMedicationError,
  TextRequiredError,
  TextTooLongError,
  UnknownCodeError,
} from './medication-list.errors';
import {
  aCommand,
  aMedicationStarted,
  anEvent,
  aPrescriptionIssued,
  aStartMedication,
  AT,
  ENTRY_ID,
  LATER,
  localDrug,
  OTHER_PRESCRIPTION_ID,
  PRESCRIPTION_ID,
  sampleDosage,
  taperingDosage,
} from './medication-list.fixtures';

const given = specFor(medicationListDecider);
const started = aMedicationStarted();
const paused = anEvent('MedicationPaused', { entryId: ENTRY_ID, pausedAt: AT });
const discontinued = anEvent('MedicationDiscontinued', {
  entryId: ENTRY_ID,
  discontinuedAt: AT,
  reason: { code: 'A' },
});
const retracted = anEvent('MedicationRetracted', { entryId: ENTRY_ID, retractedAt: AT, reason: 'Feil pasient' });

describe('StartMedication', () => {
  it('puts the treatment on the list', () => {
    given([]).when(aStartMedication()).then([started]);
  });

  it.each([
    ['a FEST id only', { displayName: 'Metformin Teva Tab 500 mg', festId: 'ID_0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D' }],
    ['an ATC code only', { displayName: 'Metformin', atcCode: 'A10BA02' }],
    ['a local drug without codes', localDrug],
    [
      'a substance-level id only (prescribing on substance level)',
      {
        displayName: 'Metformin Tab 500 mg',
        festSubstanceId: 'ID_11111111-2222-4333-8444-555555555555',
        atcCode: 'A10BA02',
      },
    ],
    [
      'a brand, its package, varenummer, dose and LMR løpenummer',
      {
        displayName: 'Metformin Teva Tab 500 mg',
        festId: 'ID_0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D',
        festPackageId: 'ID_A1A1A1A1-0000-4000-8000-000000000001',
        packageNumber: '123456',
        festDoseId: 'ID_D0D0D0D0-0000-4000-8000-000000000001',
        lmrNumber: '1234567',
      },
    ],
  ])('accepts a medication with %s', (_name, medication) => {
    given([])
      .when(aStartMedication({ medication }))
      .then([aMedicationStarted({ medication })]);
  });

  it('accepts a free-text dosage without periods', () => {
    const dosage = { periods: [], instruction: 'Etter avtale' };
    given([])
      .when(aStartMedication({ dosage, use: '3' }))
      .then([aMedicationStarted({ dosage, use: '3' })]);
  });

  it('is a no-op when the identical start is re-sent, also after later changes', () => {
    given([started]).when(aStartMedication()).thenNothing();
    given([started, discontinued]).when(aStartMedication()).thenNothing();
  });

  it('rejects reusing an entry id for a different treatment', () => {
    given([started])
      .when(aStartMedication({ use: '2' }))
      .thenThrows(EntryAlreadyExistsError, 'ENTRY_ALREADY_EXISTS');
  });

  it.each<[string, Parameters<typeof aStartMedication>[0], new (...args: never[]) => Error, string]>([
    ['an empty entry id', { entryId: '' }, InvalidIdError, 'INVALID_ID'],
    ['an entry id with spaces', { entryId: 'entry 1' }, InvalidIdError, 'INVALID_ID'],
    ['an entry id of 101 characters', { entryId: 'e'.repeat(101) }, InvalidIdError, 'INVALID_ID'],
    ['a blank display name', { medication: { displayName: ' ' } }, InvalidMedicationError, 'INVALID_MEDICATION'],
    [
      'a display name of 201 characters',
      { medication: { displayName: 'x'.repeat(201) } },
      InvalidMedicationError,
      'INVALID_MEDICATION',
    ],
    [
      'a malformed FEST id',
      { medication: { displayName: 'X', festId: 'ID_123' } },
      InvalidMedicationError,
      'INVALID_MEDICATION',
    ],
    [
      'a malformed substance id',
      { medication: { displayName: 'X', festSubstanceId: 'ID_1' } },
      InvalidMedicationError,
      'INVALID_MEDICATION',
    ],
    [
      'a malformed package id',
      { medication: { displayName: 'X', festPackageId: '123456' } },
      InvalidMedicationError,
      'INVALID_MEDICATION',
    ],
    [
      'a five-digit varenummer',
      { medication: { displayName: 'X', packageNumber: '12345' } },
      InvalidMedicationError,
      'INVALID_MEDICATION',
    ],
    [
      'a malformed dose id',
      { medication: { displayName: 'X', festDoseId: 'x' } },
      InvalidMedicationError,
      'INVALID_MEDICATION',
    ],
    [
      'a six-digit LMR løpenummer',
      { medication: { displayName: 'X', lmrNumber: '123456' } },
      InvalidMedicationError,
      'INVALID_MEDICATION',
    ],
    [
      'a level-4 ATC code',
      { medication: { displayName: 'X', atcCode: 'A10BA' } },
      InvalidMedicationError,
      'INVALID_MEDICATION',
    ],
    [
      'a lower-case ATC code',
      { medication: { displayName: 'X', atcCode: 'a10ba02' } },
      InvalidMedicationError,
      'INVALID_MEDICATION',
    ],
    ['use 4', { use: '4' as '1' }, UnknownCodeError, 'UNKNOWN_CODE'],
    ['prescription type X', { prescriptionType: 'X' as 'E' }, UnknownCodeError, 'UNKNOWN_CODE'],
    ['an invalid dosage', { dosage: { periods: [] } }, InvalidDosageError, 'INVALID_DOSAGE'],
    ['a date-time as start date', { startedOn: AT }, InvalidDateError, 'INVALID_DATE'],
    ['an impossible start date', { startedOn: '2026-02-30' }, InvalidDateError, 'INVALID_DATE'],
    ['an indication of 501 characters', { indication: 'x'.repeat(501) }, TextTooLongError, 'TEXT_TOO_LONG'],
  ])('rejects %s', (_name, overrides, errorClass, code) => {
    given([]).when(aStartMedication(overrides)).thenThrows(errorClass, code);
  });
});

describe('ChangeDosage', () => {
  const change = aCommand('ChangeDosage', {
    entryId: ENTRY_ID,
    dosage: taperingDosage,
    effectiveFrom: '2026-03-02',
    reason: 'Nedtrapping',
  });
  const changed = anEvent('MedicationDosageChanged', {
    entryId: ENTRY_ID,
    previousDosage: sampleDosage,
    dosage: taperingDosage,
    effectiveFrom: '2026-03-02',
    reason: 'Nedtrapping',
  });

  it('records the new dosage with the previous one from state', () => {
    given([started]).when(change).then([changed]);
  });

  it('records the dosage in force as the previous one after an earlier change', () => {
    const back = aCommand('ChangeDosage', { entryId: ENTRY_ID, dosage: sampleDosage, effectiveFrom: '2026-04-01' });
    given([started, changed])
      .when(back)
      .then([
        anEvent('MedicationDosageChanged', {
          entryId: ENTRY_ID,
          previousDosage: taperingDosage,
          dosage: sampleDosage,
          effectiveFrom: '2026-04-01',
        }),
      ]);
  });

  it('allows a change while paused', () => {
    given([started, paused]).when(change).then([changed]);
  });

  it('is a no-op when the dosage is the one in force', () => {
    given([started])
      .when({ ...change, data: { ...change.data, dosage: sampleDosage } })
      .thenNothing();
    given([started, changed]).when(change).thenNothing();
  });

  it('rejects an unknown entry', () => {
    given([]).when(change).thenThrows(EntryNotFoundError, 'ENTRY_NOT_FOUND');
  });

  it.each([
    ['discontinued', discontinued],
    ['retracted', retracted],
  ])('rejects a %s entry', (_status, event) => {
    given([started, event]).when(change).thenThrows(EntryNotActiveError, 'ENTRY_NOT_ACTIVE');
  });

  it('rejects an invalid dosage', () => {
    given([started])
      .when({ ...change, data: { ...change.data, dosage: { periods: [] } } })
      .thenThrows(InvalidDosageError);
  });

  it('rejects a change effective before the treatment started', () => {
    given([started])
      .when({ ...change, data: { ...change.data, effectiveFrom: '2026-03-01' } })
      .thenThrows(InvalidDateError);
  });
});

describe('PauseMedication and ResumeMedication', () => {
  const pause = aCommand('PauseMedication', { entryId: ENTRY_ID, pausedAt: AT });
  const resume = aCommand('ResumeMedication', { entryId: ENTRY_ID, resumedAt: LATER });

  it('pauses an active entry', () => {
    given([started])
      .when(aCommand('PauseMedication', { entryId: ENTRY_ID, pausedAt: AT, reason: 'Operasjon' }))
      .then([anEvent('MedicationPaused', { entryId: ENTRY_ID, pausedAt: AT, reason: 'Operasjon' })]);
  });

  it('given a paused entry, when it is paused again, then ENTRY_NOT_ACTIVE (the first pause stands)', () => {
    given([started, paused]).when(pause).thenThrows(EntryNotActiveError, 'ENTRY_NOT_ACTIVE');
  });

  it('resumes a paused entry', () => {
    given([started, paused])
      .when(resume)
      .then([anEvent('MedicationResumed', { entryId: ENTRY_ID, resumedAt: LATER })]);
  });

  it('given an active entry, when it is resumed, then ENTRY_NOT_PAUSED (nothing to resume)', () => {
    given([started]).when(resume).thenThrows(EntryNotPausedError, 'ENTRY_NOT_PAUSED');
    given([started, paused, anEvent('MedicationResumed', { entryId: ENTRY_ID, resumedAt: LATER })])
      .when(resume)
      .thenThrows(EntryNotPausedError, 'ENTRY_NOT_PAUSED');
  });

  it.each([
    ['pause', pause],
    ['resume', resume],
  ])('rejects a %s of an unknown entry', (_name, command) => {
    given([]).when(command).thenThrows(EntryNotFoundError);
  });

  it.each([
    ['pause', 'discontinued', pause, discontinued],
    ['pause', 'retracted', pause, retracted],
    ['resume', 'discontinued', resume, discontinued],
    ['resume', 'retracted', resume, retracted],
  ] as const)('rejects a %s of a %s entry', (_name, _status, command, event) => {
    given([started, event]).when(command).thenThrows(EntryNotActiveError, 'ENTRY_NOT_ACTIVE');
  });

  it('rejects a pause time without offset', () => {
    given([started])
      .when(aCommand('PauseMedication', { entryId: ENTRY_ID, pausedAt: '2026-03-02T09:15' }))
      .thenThrows(InvalidDateError);
  });
});

describe('DiscontinueMedication', () => {
  const discontinue = aCommand('DiscontinueMedication', {
    entryId: ENTRY_ID,
    discontinuedAt: LATER,
    reasonCode: 'L',
    note: 'Magesmerter',
  });
  const second = aPrescriptionIssued({ prescriptionId: OTHER_PRESCRIPTION_ID });
  const recalledFor = (prescriptionId: string, reasonCode: '2' | '4', at = LATER) =>
    anEvent('PrescriptionRecalled', { prescriptionId, entryId: ENTRY_ID, recalledAt: at, reasonCode });

  it('discontinues an entry without prescriptions', () => {
    given([started])
      .when(discontinue)
      .then([
        anEvent('MedicationDiscontinued', {
          entryId: ENTRY_ID,
          discontinuedAt: LATER,
          reason: { code: 'L', note: 'Magesmerter' },
        }),
      ]);
  });

  it('recalls every active prescription with reason 2 in the same decision, leaving recalled ones alone', () => {
    const firstRecalled = anEvent('PrescriptionRecalled', {
      prescriptionId: PRESCRIPTION_ID,
      entryId: ENTRY_ID,
      recalledAt: AT,
      reasonCode: '4',
    });
    const third = aPrescriptionIssued({ prescriptionId: 'rx-0003' });
    given([started, aPrescriptionIssued(), second, firstRecalled, third])
      .when(discontinue)
      .then([
        anEvent('MedicationDiscontinued', {
          entryId: ENTRY_ID,
          discontinuedAt: LATER,
          reason: { code: 'L', note: 'Magesmerter' },
        }),
        recalledFor(OTHER_PRESCRIPTION_ID, '2'),
        recalledFor('rx-0003', '2'),
      ]);
  });

  it('discontinues a paused entry', () => {
    given([started, paused, aPrescriptionIssued()])
      .when(discontinue)
      .then([
        anEvent('MedicationDiscontinued', {
          entryId: ENTRY_ID,
          discontinuedAt: LATER,
          reason: { code: 'L', note: 'Magesmerter' },
        }),
        recalledFor(PRESCRIPTION_ID, '2'),
      ]);
  });

  it('given a discontinued entry, when it is discontinued again, then ENTRY_NOT_ACTIVE (the first time and reason stand)', () => {
    given([started, discontinued]).when(discontinue).thenThrows(EntryNotActiveError, 'ENTRY_NOT_ACTIVE');
  });

  it('rejects an unknown entry and a retracted one', () => {
    given([]).when(discontinue).thenThrows(EntryNotFoundError, 'ENTRY_NOT_FOUND');
    given([started, retracted]).when(discontinue).thenThrows(EntryNotActiveError, 'ENTRY_NOT_ACTIVE');
  });

  it.each<[string, Partial<typeof discontinue.data>, new (...args: never[]) => Error]>([
    ['reason code Z (not in 7494)', { reasonCode: 'Z' as 'A' }, UnknownCodeError],
    ['a note of 1001 characters', { note: 'x'.repeat(1001) }, TextTooLongError],
    ['a date instead of a date-time', { discontinuedAt: '2026-04-10' }, InvalidDateError],
  ])('rejects %s', (_name, overrides, errorClass) => {
    given([started])
      .when({ ...discontinue, data: { ...discontinue.data, ...overrides } })
      .thenThrows(errorClass);
  });

  it('names code list 7494 and the field when the reason is unknown', () => {
    const run = given([started]).when({ ...discontinue, data: { ...discontinue.data, reasonCode: 'Z' as 'A' } });
    let error: unknown;
    try {
      run.events();
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ codeList: '7494', field: 'reasonCode' });
  });
});

describe('RetractMedication', () => {
  const retract = aCommand('RetractMedication', {
    entryId: ENTRY_ID,
    retractedAt: LATER,
    reason: 'Registrert på feil pasient',
  });
  const retractedLater = anEvent('MedicationRetracted', {
    entryId: ENTRY_ID,
    retractedAt: LATER,
    reason: 'Registrert på feil pasient',
  });

  it('retracts the entry and recalls its active prescriptions with reason 4', () => {
    given([started, aPrescriptionIssued()])
      .when(retract)
      .then([
        retractedLater,
        anEvent('PrescriptionRecalled', {
          prescriptionId: PRESCRIPTION_ID,
          entryId: ENTRY_ID,
          recalledAt: LATER,
          reasonCode: '4',
        }),
      ]);
  });

  it('retracts a discontinued entry (its prescriptions are already recalled)', () => {
    const recalled = anEvent('PrescriptionRecalled', {
      prescriptionId: PRESCRIPTION_ID,
      entryId: ENTRY_ID,
      recalledAt: AT,
      reasonCode: '2',
    });
    given([started, aPrescriptionIssued(), discontinued, recalled]).when(retract).then([retractedLater]);
  });

  it('given a retracted entry, when it is retracted again, then ENTRY_NOT_ACTIVE', () => {
    given([started, retracted]).when(retract).thenThrows(EntryNotActiveError, 'ENTRY_NOT_ACTIVE');
  });

  it('rejects an unknown entry', () => {
    given([]).when(retract).thenThrows(EntryNotFoundError);
  });

  it.each([
    ['an empty reason', ''],
    ['a blank reason', '   '],
  ])('rejects %s', (_name, reason) => {
    given([started])
      .when({ ...retract, data: { ...retract.data, reason } })
      .thenThrows(TextRequiredError, 'TEXT_REQUIRED');
  });
});

describe('evolve', () => {
  it('ignores an unknown (newer) event type', () => {
    const state = evolve(initialState(), started);
    const unknown = { type: 'MedicationCrushed', data: { entryId: ENTRY_ID } } as unknown as MedicationListEvent;
    expect(evolve(state, unknown)).toBe(state);
  });

  it('ignores events about entries it does not know', () => {
    const state = initialState();
    expect(evolve(state, paused)).toEqual(state);
  });

  it('does not change the state it was given', () => {
    const state = evolve(initialState(), started);
    evolve(state, paused);
    expect(state.entries.get(ENTRY_ID)?.status).toBe('active');
  });
});

describe('clinicalTimeOf', () => {
  it.each([
    [aStartMedication(), '2026-03-02'],
    [aCommand('DiscontinueMedication', { entryId: ENTRY_ID, discontinuedAt: LATER, reasonCode: 'A' }), LATER],
    [
      aCommand('RecordMultidosePacking', {
        packingId: 'p',
        firstDoseOn: '2026-03-02',
        lastDoseOn: '2026-03-15',
        orderDeadline: '2026-03-10',
        entries: [],
      }),
      '2026-03-02T09:15:01.000Z',
    ],
    [aCommand('EndCareRelation', { relationId: 'rel-0001', endedOn: '2026-05-01' }), '2026-05-01'],
  ])('takes the clinical time from the command (%#)', (command, time) => {
    expect(clinicalTimeOf(command)).toBe(time);
    expect(medicationListDecider.clinicalTimeOf(command)).toBe(time);
  });
});
