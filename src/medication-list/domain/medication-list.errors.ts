import { DomainError } from '../../shared/errors/domain-error';

/**
 * Typed errors of the medication-list decider. Each has a stable `code` and a `kind` the GraphQL edge maps to
 * `extensions.code`. Messages and details carry list ids (entry, prescription, dispensing …), field names and
 * code-list names only: never a patient identifier, and never an invalid value echoed back (a client could have
 * typed a fødselsnummer into the wrong field).
 */

// ---- not found -------------------------------------------------------------------------------------------

export class EntryNotFoundError extends DomainError {
  readonly code = 'ENTRY_NOT_FOUND';
  readonly kind = 'not-found' as const;
  constructor(readonly entryId: string) {
    super(`Medication list entry ${entryId} does not exist`, { entryId });
  }
}

export class PrescriptionNotFoundError extends DomainError {
  readonly code = 'PRESCRIPTION_NOT_FOUND';
  readonly kind = 'not-found' as const;
  constructor(readonly prescriptionId: string) {
    super(`Prescription ${prescriptionId} is not on the list`, { prescriptionId });
  }
}

export class DispensingNotFoundError extends DomainError {
  readonly code = 'DISPENSING_NOT_FOUND';
  readonly kind = 'not-found' as const;
  constructor(readonly dispensingId: string) {
    super(`Dispensing ${dispensingId} has not been recorded`, { dispensingId });
  }
}

export class QuestionNotFoundError extends DomainError {
  readonly code = 'QUESTION_NOT_FOUND';
  readonly kind = 'not-found' as const;
  constructor(readonly questionId: string) {
    super(`Multidose question ${questionId} has not been asked`, { questionId });
  }
}

export class CareRelationNotFoundError extends DomainError {
  readonly code = 'CARE_RELATION_NOT_FOUND';
  readonly kind = 'not-found' as const;
  constructor(readonly relationId: string) {
    super(`Care relation ${relationId} does not exist`, { relationId });
  }
}

// ---- conflict (the list's current state forbids it) -------------------------------------------------------

export class EntryNotActiveError extends DomainError {
  readonly code = 'ENTRY_NOT_ACTIVE';
  readonly kind = 'conflict' as const;
  constructor(
    readonly entryId: string,
    readonly status: string,
  ) {
    super(`Medication list entry ${entryId} is ${status}`, { entryId, status });
  }
}

export class EntryAlreadyExistsError extends DomainError {
  readonly code = 'ENTRY_ALREADY_EXISTS';
  readonly kind = 'conflict' as const;
  constructor(readonly entryId: string) {
    super(`Medication list entry ${entryId} already exists with different data`, { entryId });
  }
}

export class PrescriptionAlreadyLinkedError extends DomainError {
  readonly code = 'PRESCRIPTION_ALREADY_LINKED';
  readonly kind = 'conflict' as const;
  constructor(
    readonly prescriptionId: string,
    readonly entryId: string,
  ) {
    super(`Prescription ${prescriptionId} is already linked to entry ${entryId}`, { prescriptionId, entryId });
  }
}

export class PrescriptionNotActiveError extends DomainError {
  readonly code = 'PRESCRIPTION_NOT_ACTIVE';
  readonly kind = 'conflict' as const;
  constructor(readonly prescriptionId: string) {
    super(`Prescription ${prescriptionId} has been recalled`, { prescriptionId });
  }
}

/** Only a paused entry can be resumed (an active one has nothing to resume: issue 14, no silent no-op). */
export class EntryNotPausedError extends DomainError {
  readonly code = 'ENTRY_NOT_PAUSED';
  readonly kind = 'conflict' as const;
  constructor(
    readonly entryId: string,
    readonly status: string,
  ) {
    super(`Medication list entry ${entryId} is ${status}, not paused`, { entryId, status });
  }
}

export class DispensingAlreadyAnnulledError extends DomainError {
  readonly code = 'DISPENSING_ALREADY_ANNULLED';
  readonly kind = 'conflict' as const;
  constructor(readonly dispensingId: string) {
    super(`Dispensing ${dispensingId} has already been annulled`, { dispensingId });
  }
}

export class CareRelationNotActiveError extends DomainError {
  readonly code = 'CARE_RELATION_NOT_ACTIVE';
  readonly kind = 'conflict' as const;
  constructor(readonly relationId: string) {
    super(`Care relation ${relationId} has already ended`, { relationId });
  }
}

/** A question has one answer: a second one would otherwise be dropped without a word. */
export class QuestionAlreadyAnsweredError extends DomainError {
  readonly code = 'QUESTION_ALREADY_ANSWERED';
  readonly kind = 'conflict' as const;
  constructor(readonly questionId: string) {
    super(`Multidose question ${questionId} has already been answered`, { questionId });
  }
}

export class MultidoseNotRegisteredError extends DomainError {
  readonly code = 'MULTIDOSE_NOT_REGISTERED';
  readonly kind = 'conflict' as const;
  constructor() {
    super('The patient is not registered for multidose dispensing');
  }
}

export class CareRelationAlreadyExistsError extends DomainError {
  readonly code = 'CARE_RELATION_ALREADY_EXISTS';
  readonly kind = 'conflict' as const;
  constructor(readonly relationId: string) {
    super(`Care relation ${relationId} already exists with different data`, { relationId });
  }
}

// ---- invalid input -----------------------------------------------------------------------------------------

export class InvalidDosageError extends DomainError {
  readonly code = 'INVALID_DOSAGE';
  readonly kind = 'invalid' as const;
  constructor(
    readonly reason: string,
    readonly field = 'dosage',
  ) {
    super(`Invalid dosage (${field}): ${reason}`, { reason, field });
  }
}

export class UnknownCodeError extends DomainError {
  readonly code = 'UNKNOWN_CODE';
  readonly kind = 'invalid' as const;
  constructor(
    readonly codeList: string,
    readonly field: string,
    readonly allowed: readonly string[],
  ) {
    super(`${field} is not a code in code list ${codeList} (allowed: ${allowed.join(', ')})`, {
      codeList,
      field,
      allowed: allowed.join(','),
    });
  }
}

export class InvalidMedicationError extends DomainError {
  readonly code = 'INVALID_MEDICATION';
  readonly kind = 'invalid' as const;
  constructor(
    readonly reason: string,
    readonly field = 'medication',
  ) {
    super(`Invalid medication (${field}): ${reason}`, { reason, field });
  }
}

export class InvalidDateError extends DomainError {
  readonly code = 'INVALID_DATE';
  readonly kind = 'invalid' as const;
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`Invalid date (${field}): ${reason}`, { field, reason });
  }
}

export class InvalidIdError extends DomainError {
  readonly code = 'INVALID_ID';
  readonly kind = 'invalid' as const;
  constructor(readonly field: string) {
    super(`${field} must be 1 to 100 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'`, { field });
  }
}

export class InvalidQuantityError extends DomainError {
  readonly code = 'INVALID_QUANTITY';
  readonly kind = 'invalid' as const;
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`Invalid quantity (${field}): ${reason}`, { field, reason });
  }
}

export class TextRequiredError extends DomainError {
  readonly code = 'TEXT_REQUIRED';
  readonly kind = 'invalid' as const;
  constructor(readonly field: string) {
    super(`${field} is required and must not be blank`, { field });
  }
}

export class TextTooLongError extends DomainError {
  readonly code = 'TEXT_TOO_LONG';
  readonly kind = 'invalid' as const;
  constructor(
    readonly field: string,
    readonly maxLength: number,
  ) {
    super(`${field} must be at most ${maxLength} characters`, { field, maxLength });
  }
}

export class InvalidPackingError extends DomainError {
  readonly code = 'INVALID_PACKING';
  readonly kind = 'invalid' as const;
  constructor(readonly reason: string) {
    super(`Invalid multidose packing report: ${reason}`, { reason });
  }
}

/** The doctor's answer code (7493) does not answer the kind of question the pharmacy asked (7495). */
export class AnswerMismatchError extends DomainError {
  readonly code = 'ANSWER_MISMATCH';
  readonly kind = 'invalid' as const;
  constructor(
    readonly questionId: string,
    readonly questionCode: string,
    readonly answerCode: string,
  ) {
    super(`Answer code ${answerCode} does not answer question ${questionId} (question code ${questionCode})`, {
      questionId,
      questionCode,
      answerCode,
    });
  }
}
