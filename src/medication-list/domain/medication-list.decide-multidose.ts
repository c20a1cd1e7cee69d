import { assertHerId, assertHprNumber } from '../../identifiers/norwegian-identifiers';
import type {
  AnswerMultidoseQuestion,
  AskMultidoseQuestion,
  EndMultidose,
  RecordMultidosePacking,
  RegisterMultidose,
} from './medication-list.commands';
import type { MedicationListEvent, MultidoseAnswerCode, MultidoseQuestionCode } from './medication-list.events';
import type { MedicationListState } from './medication-list.state';
import { assertCode, multidoseAnswerCodes, multidoseQuestionCodes } from './medication-list.codes';
import {
  QuestionAlreadyAnsweredError,
  AnswerMismatchError,
  InvalidPackingError,
  MultidoseNotRegisteredError,
  QuestionNotFoundError,
  TextRequiredError,
} from './medication-list.errors';
import { entryOrThrow } from './medication-list.decide-entries';
import {
  assertId,
  assertIsoDate,
  assertIsoDateTime,
  assertNotBefore,
  assertOptionalText,
  withoutUndefined,
} from './medication-list.validation';

/** Decisions about multidose dispensing: registration (M27.1), packing reports (M25.3), questions (M25.2). */

/**
 * Registers the multidose-responsible doctor and pharmacy. The same doctor and pharmacy again returns [].
 * A different doctor or pharmacy replaces the registration with a single MultidoseRegistered, not an
 * end-and-register pair: the patient stays in multidose throughout, and a MultidoseEnded in between would tell
 * read models (nursing-home view, "outside multidose") that the bags stopped when they did not.
 */
export const decideRegisterMultidose = (
  command: RegisterMultidose,
  state: MedicationListState,
): MedicationListEvent[] => {
  const { from } = command.data;
  const responsibleDoctorHpr = assertHprNumber(command.data.responsibleDoctorHpr, 'responsibleDoctorHpr');
  const pharmacyHerId = assertHerId(command.data.pharmacyHerId, 'pharmacyHerId');
  assertIsoDate(from, 'from');
  const current = state.multidose;
  if (
    current?.status === 'registered' &&
    current.registration.responsibleDoctorHpr === responsibleDoctorHpr &&
    current.registration.pharmacyHerId === pharmacyHerId
  ) {
    return [];
  }
  return [{ type: 'MultidoseRegistered', data: { responsibleDoctorHpr, pharmacyHerId, from } }];
};

/** Ends multidose. The same end re-sent returns []; ending when never registered (or ended on another day) fails. */
export const decideEndMultidose = (command: EndMultidose, state: MedicationListState): MedicationListEvent[] => {
  const { endedOn, reason } = command.data;
  assertIsoDate(endedOn, 'endedOn');
  assertOptionalText(reason, 'reason');
  const current = state.multidose;
  if (current?.status === 'ended' && current.endedOn === endedOn) {
    return [];
  }
  if (current?.status !== 'registered') {
    throw new MultidoseNotRegisteredError();
  }
  assertNotBefore(endedOn, current.registration.from, 'endedOn', 'the registration date');
  return [{ type: 'MultidoseEnded', data: withoutUndefined({ endedOn, reason }) }];
};

/**
 * The multidose pharmacy's packing report. It says, per entry, whether the drug is in the bags: what is not
 * packed is given "outside multidose", which staff must see plainly (domain.md). Every entry must be one the
 * list knows, otherwise the nurse could not tell which drug is outside the bags. Recorded even for an entry
 * that has since been discontinued (the report is a fact; reconciliation flags it). Same packing id: [].
 */
export const decideRecordMultidosePacking = (
  command: RecordMultidosePacking,
  state: MedicationListState,
): MedicationListEvent[] => {
  const { packingId, firstDoseOn, lastDoseOn, orderDeadline, entries } = command.data;
  assertId(packingId, 'packingId');
  assertIsoDate(firstDoseOn, 'firstDoseOn');
  assertIsoDate(lastDoseOn, 'lastDoseOn');
  assertIsoDate(orderDeadline, 'orderDeadline');
  assertNotBefore(lastDoseOn, firstDoseOn, 'lastDoseOn', 'firstDoseOn');
  entries.forEach((line, i) => {
    assertId(line.entryId, `entries[${i}].entryId`);
    if (typeof line.packed !== 'boolean') {
      throw new InvalidPackingError(`entries[${i}].packed must be true or false`);
    }
  });
  if (new Set(entries.map((line) => line.entryId)).size !== entries.length) {
    throw new InvalidPackingError('an entry is listed twice');
  }
  if (state.packingIds.has(packingId)) {
    return [];
  }
  if (state.multidose?.status !== 'registered') {
    throw new MultidoseNotRegisteredError();
  }
  entries.forEach((line) => entryOrThrow(state, line.entryId));
  return [{ type: 'MultidosePackingRecorded', data: { packingId, firstDoseOn, lastDoseOn, orderDeadline, entries } }];
};

/**
 * A question from the pharmacy to the multidose doctor. It must say what it is about: an entry or a text;
 * "other" (4) and "message" (5) carry their content in the text. Not tied to a current registration, so a
 * question that crosses an EndMultidose is not lost. Same question id: [].
 */
export const decideAskMultidoseQuestion = (
  command: AskMultidoseQuestion,
  state: MedicationListState,
): MedicationListEvent[] => {
  const { questionId, entryId, questionCode, text, askedAt } = command.data;
  assertId(questionId, 'questionId');
  if (entryId !== undefined) {
    assertId(entryId, 'entryId');
  }
  assertCode(multidoseQuestionCodes, questionCode, 'questionCode');
  assertOptionalText(text, 'text');
  assertIsoDateTime(askedAt, 'askedAt');
  const pharmacyHerId = assertHerId(command.data.pharmacyHerId, 'pharmacyHerId');
  const hasText = text !== undefined && text.trim() !== '';
  if (!hasText && (questionCode === '4' || questionCode === '5' || entryId === undefined)) {
    throw new TextRequiredError('text');
  }
  if (state.questions.has(questionId)) {
    return [];
  }
  if (entryId !== undefined) {
    entryOrThrow(state, entryId);
  }
  return [
    {
      type: 'MultidoseQuestionAsked',
      data: withoutUndefined({ questionId, entryId, questionCode, text, askedAt, pharmacyHerId }),
    },
  ];
};

/** Which answers (7493) answer which questions (7495): the code lists pair them one to one. */
const answersTo: Readonly<Record<MultidoseQuestionCode, readonly MultidoseAnswerCode[]>> = {
  '1': ['1', '2'],
  '2': ['3', '4'],
  '3': ['5', '6'],
  '4': ['7'],
  '5': ['8'],
};

/** The doctor answers a pharmacy question; a question is answered once (a second answer returns []). */
export const decideAnswerMultidoseQuestion = (
  command: AnswerMultidoseQuestion,
  state: MedicationListState,
): MedicationListEvent[] => {
  const { questionId, answerCode, text, answeredAt } = command.data;
  assertId(questionId, 'questionId');
  assertCode(multidoseAnswerCodes, answerCode, 'answerCode');
  assertOptionalText(text, 'text');
  assertIsoDateTime(answeredAt, 'answeredAt');
  const question = state.questions.get(questionId);
  if (question === undefined) {
    throw new QuestionNotFoundError(questionId);
  }
  if (question.answer !== undefined) {
    throw new QuestionAlreadyAnsweredError(questionId);
  }
  if (!answersTo[question.asked.questionCode].includes(answerCode)) {
    throw new AnswerMismatchError(questionId, question.asked.questionCode, answerCode);
  }
  return [{ type: 'MultidoseQuestionAnswered', data: withoutUndefined({ questionId, answerCode, text, answeredAt }) }];
};
