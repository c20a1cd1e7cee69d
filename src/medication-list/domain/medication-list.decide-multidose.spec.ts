import { specFor } from '../../shared/event-sourcing/decider.spec-helpers';
import { InvalidIdentifierError } from '../../identifiers/identifier.errors';
import type { MultidosePackingRecorded, MultidoseQuestionAsked } from './medication-list.events';
import { medicationListDecider } from './medication-list.decider';
import {
  QuestionAlreadyAnsweredError,
  AnswerMismatchError,
  EntryNotFoundError,
  InvalidDateError,
  InvalidPackingError,
  MultidoseNotRegisteredError,
  QuestionNotFoundError,
  TextRequiredError,
  UnknownCodeError,
} from './medication-list.errors';
import {
  aCommand,
  aMedicationStarted,
  anEvent,
  AT,
  DOCTOR_HPR,
  ENTRY_ID,
  LATER,
  OTHER_ENTRY_ID,
  paracetamol,
  PHARMACY_HER_ID,
} from './medication-list.fixtures';

type ErrorClass = new (...args: never[]) => Error;

const given = specFor(medicationListDecider);
const started = aMedicationStarted();
const otherStarted = aMedicationStarted({ entryId: OTHER_ENTRY_ID, medication: paracetamol, use: '3' });
const registration = { responsibleDoctorHpr: DOCTOR_HPR, pharmacyHerId: PHARMACY_HER_ID, from: '2026-03-02' };
const registered = anEvent('MultidoseRegistered', registration);
const register = (overrides: Partial<typeof registration> = {}) =>
  aCommand('RegisterMultidose', { ...registration, ...overrides });

describe('RegisterMultidose', () => {
  it('registers the responsible doctor and pharmacy', () => {
    given([]).when(register()).then([registered]);
  });

  it('is a no-op for the same doctor and pharmacy', () => {
    given([registered]).when(register()).thenNothing();
    given([registered])
      .when(register({ from: '2026-04-01', pharmacyHerId: ` ${PHARMACY_HER_ID}` }))
      .thenNothing();
  });

  it('replaces the registration with a single event when the doctor or pharmacy changes', () => {
    given([registered])
      .when(register({ pharmacyHerId: '99999', from: '2026-05-01' }))
      .then([anEvent('MultidoseRegistered', { ...registration, pharmacyHerId: '99999', from: '2026-05-01' })]);
  });

  it('registers again after multidose ended', () => {
    given([registered, anEvent('MultidoseEnded', { endedOn: '2026-04-01' })])
      .when(register())
      .then([registered]);
  });

  it.each<[string, Partial<typeof registration>, ErrorClass]>([
    ['an HPR number with letters', { responsibleDoctorHpr: 'HPR1' }, InvalidIdentifierError],
    ['an HPR number of 10 digits', { responsibleDoctorHpr: '1234567890' }, InvalidIdentifierError],
    ['an empty HER-id', { pharmacyHerId: '' }, InvalidIdentifierError],
    ['an invalid date', { from: '2026-3-2' }, InvalidDateError],
  ])('rejects %s', (_name, overrides, errorClass) => {
    given([]).when(register(overrides)).thenThrows(errorClass);
  });
});

describe('EndMultidose', () => {
  const end = aCommand('EndMultidose', { endedOn: '2026-06-01', reason: 'Flyttet' });
  const ended = anEvent('MultidoseEnded', { endedOn: '2026-06-01', reason: 'Flyttet' });

  it('ends a registration', () => {
    given([registered]).when(end).then([ended]);
  });

  it('is a no-op when the same end is re-sent', () => {
    given([registered, ended]).when(end).thenNothing();
  });

  it('rejects ending without a registration, or after ending on another day', () => {
    given([]).when(end).thenThrows(MultidoseNotRegisteredError, 'MULTIDOSE_NOT_REGISTERED');
    given([registered, anEvent('MultidoseEnded', { endedOn: '2026-05-01' })])
      .when(end)
      .thenThrows(MultidoseNotRegisteredError);
  });

  it('rejects an end before the registration date', () => {
    given([registered])
      .when(aCommand('EndMultidose', { endedOn: '2026-03-01' }))
      .thenThrows(InvalidDateError);
  });
});

describe('RecordMultidosePacking', () => {
  const packing: MultidosePackingRecorded['data'] = {
    packingId: 'pack-0001',
    firstDoseOn: '2026-03-09',
    lastDoseOn: '2026-03-22',
    orderDeadline: '2026-03-04',
    entries: [
      { entryId: ENTRY_ID, packed: true },
      { entryId: OTHER_ENTRY_ID, packed: false },
    ],
  };
  const record = (overrides: Partial<MultidosePackingRecorded['data']> = {}) =>
    aCommand('RecordMultidosePacking', { ...packing, ...overrides });

  it('records which entries are in the bags and which are given outside multidose', () => {
    given([started, otherStarted, registered])
      .when(record())
      .then([anEvent('MultidosePackingRecorded', packing)]);
  });

  it('records a one-day roll', () => {
    given([started, otherStarted, registered])
      .when(record({ lastDoseOn: '2026-03-09' }))
      .then([anEvent('MultidosePackingRecorded', { ...packing, lastDoseOn: '2026-03-09' })]);
  });

  it('is a no-op for the same packing id', () => {
    given([started, otherStarted, registered, anEvent('MultidosePackingRecorded', packing)])
      .when(record())
      .thenNothing();
  });

  it('rejects a report without registration', () => {
    given([started, otherStarted]).when(record()).thenThrows(MultidoseNotRegisteredError);
  });

  it('rejects an entry the list does not know', () => {
    given([started, registered]).when(record()).thenThrows(EntryNotFoundError, 'ENTRY_NOT_FOUND');
  });

  it.each<[string, Partial<MultidosePackingRecorded['data']>, ErrorClass]>([
    ['a last dose before the first', { lastDoseOn: '2026-03-08' }, InvalidDateError],
    ['an invalid order deadline', { orderDeadline: 'soon' }, InvalidDateError],
    [
      'an entry listed twice',
      {
        entries: [
          { entryId: ENTRY_ID, packed: true },
          { entryId: ENTRY_ID, packed: false },
        ],
      },
      InvalidPackingError,
    ],
  ])('rejects %s', (_name, overrides, errorClass) => {
    given([started, otherStarted, registered]).when(record(overrides)).thenThrows(errorClass);
  });
});

describe('AskMultidoseQuestion', () => {
  const question: MultidoseQuestionAsked['data'] = {
    questionId: 'q-0001',
    entryId: ENTRY_ID,
    questionCode: '1',
    askedAt: AT,
    pharmacyHerId: PHARMACY_HER_ID,
  };
  const ask = (overrides: Partial<MultidoseQuestionAsked['data']> = {}) =>
    aCommand('AskMultidoseQuestion', { ...question, ...overrides });

  it('records a question about an entry', () => {
    given([started, registered])
      .when(ask())
      .then([anEvent('MultidoseQuestionAsked', question)]);
  });

  it('records a message with text and no entry', () => {
    const message = { ...question, entryId: undefined, questionCode: '5' as const, text: 'Ny leveringsdag' };
    given([registered])
      .when(ask(message))
      .then([
        anEvent('MultidoseQuestionAsked', {
          questionId: 'q-0001',
          questionCode: '5',
          text: 'Ny leveringsdag',
          askedAt: AT,
          pharmacyHerId: PHARMACY_HER_ID,
        }),
      ]);
  });

  it('is a no-op for the same question id', () => {
    given([started, anEvent('MultidoseQuestionAsked', question)])
      .when(ask())
      .thenNothing();
  });

  it('rejects an unknown entry', () => {
    given([registered]).when(ask()).thenThrows(EntryNotFoundError);
  });

  it.each<[string, Partial<MultidoseQuestionAsked['data']>, ErrorClass]>([
    ['question code 6 (not in 7495)', { questionCode: '6' as '1' }, UnknownCodeError],
    ['"other" without text', { questionCode: '4' }, TextRequiredError],
    ['a message with blank text', { questionCode: '5', text: ' ' }, TextRequiredError],
    ['a question with neither entry nor text', { entryId: undefined, questionCode: '2' }, TextRequiredError],
    ['an invalid HER-id', { pharmacyHerId: 'apotek' }, InvalidIdentifierError],
    ['an invalid time', { askedAt: 'yesterday' }, InvalidDateError],
  ])('rejects %s', (_name, overrides, errorClass) => {
    given([started]).when(ask(overrides)).thenThrows(errorClass);
  });
});

describe('AnswerMultidoseQuestion', () => {
  const asked = anEvent('MultidoseQuestionAsked', {
    questionId: 'q-0001',
    entryId: ENTRY_ID,
    questionCode: '3',
    askedAt: AT,
    pharmacyHerId: PHARMACY_HER_ID,
  });
  const answer = (answerCode: '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' = '5') =>
    aCommand('AnswerMultidoseQuestion', { questionId: 'q-0001', answerCode, text: 'Fornyet i dag', answeredAt: LATER });
  const answered = anEvent('MultidoseQuestionAnswered', {
    questionId: 'q-0001',
    answerCode: '5',
    text: 'Fornyet i dag',
    answeredAt: LATER,
  });

  it.each([
    ['renewed', '5'],
    ['not renewed', '6'],
  ] as const)('answers "renew the prescription?" with %s', (_name, code) => {
    given([started, asked])
      .when(answer(code))
      .then([{ ...answered, data: { ...answered.data, answerCode: code } }]);
  });

  it('given an answered question, when another answer comes, then QUESTION_ALREADY_ANSWERED (the second is not dropped silently)', () => {
    given([started, asked, answered])
      .when(answer('6'))
      .thenThrows(QuestionAlreadyAnsweredError, 'QUESTION_ALREADY_ANSWERED');
  });

  it('rejects an unknown question', () => {
    given([started]).when(answer()).thenThrows(QuestionNotFoundError, 'QUESTION_NOT_FOUND');
  });

  it('rejects answer code 9 (not in 7493)', () => {
    given([started, asked])
      .when(answer('9' as '1'))
      .thenThrows(UnknownCodeError);
  });

  it.each(['1', '3', '7', '8'] as const)('rejects answer %s to a renewal question', (code) => {
    given([started, asked]).when(answer(code)).thenThrows(AnswerMismatchError, 'ANSWER_MISMATCH');
  });
});
