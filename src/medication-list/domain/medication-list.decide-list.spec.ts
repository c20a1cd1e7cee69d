import { specFor } from '../../shared/event-sourcing/decider.spec-helpers';
import { InvalidIdentifierError } from '../../identifiers/identifier.errors';
import { medicationListDecider } from './medication-list.decider';
import {
  CareRelationNotActiveError,
  CareRelationAlreadyExistsError,
  CareRelationNotFoundError,
  InvalidDateError,
  InvalidIdError,
  TextRequiredError,
  TextTooLongError,
  UnknownCodeError,
} from './medication-list.errors';
import {
  aCommand,
  anEvent,
  AT,
  aStartCareRelation,
  LATER,
  NURSING_HOME_ORG,
  PATIENT_ID,
} from './medication-list.fixtures';

type ErrorClass = new (...args: never[]) => Error;

const given = specFor(medicationListDecider);

describe('MarkListReviewed', () => {
  const review = aCommand('MarkListReviewed', { kind: 'medication-review', reviewedAt: AT, note: 'Årlig gjennomgang' });
  const reviewed = anEvent('ListMarkedReviewed', {
    kind: 'medication-review',
    reviewedAt: AT,
    note: 'Årlig gjennomgang',
  });

  it.each(['reconciliation', 'medication-review'] as const)('marks the list reviewed (%s)', (kind) => {
    given([])
      .when(aCommand('MarkListReviewed', { kind, reviewedAt: AT }))
      .then([anEvent('ListMarkedReviewed', { kind, reviewedAt: AT })]);
  });

  it('records every new review, also after a not-reviewed mark', () => {
    const notReviewed = anEvent('ListMarkedNotReviewed', { reason: 'Innlagt på sykehus', markedAt: AT });
    given([reviewed])
      .when(aCommand('MarkListReviewed', { kind: 'reconciliation', reviewedAt: LATER }))
      .then([anEvent('ListMarkedReviewed', { kind: 'reconciliation', reviewedAt: LATER })]);
    given([reviewed, notReviewed]).when(review).then([reviewed]);
  });

  it('is a no-op when the same mark is re-sent', () => {
    given([reviewed]).when(review).thenNothing();
  });

  it.each<[string, Partial<typeof review.data>, ErrorClass]>([
    ['an unknown kind', { kind: 'audit' as 'reconciliation' }, UnknownCodeError],
    ['a note of 1001 characters', { note: 'x'.repeat(1001) }, TextTooLongError],
    ['an invalid time', { reviewedAt: '2026-03-02' }, InvalidDateError],
  ])('rejects %s', (_name, overrides, errorClass) => {
    given([])
      .when({ ...review, data: { ...review.data, ...overrides } })
      .thenThrows(errorClass);
  });
});

describe('MarkListNotReviewed', () => {
  const mark = aCommand('MarkListNotReviewed', { reason: 'Innlagt på sykehus', markedAt: AT });
  const marked = anEvent('ListMarkedNotReviewed', { reason: 'Innlagt på sykehus', markedAt: AT });

  it('marks the list not reviewed, with the reason', () => {
    given([anEvent('ListMarkedReviewed', { kind: 'reconciliation', reviewedAt: AT })])
      .when(mark)
      .then([marked]);
  });

  it('is a no-op when the same mark is re-sent', () => {
    given([marked]).when(mark).thenNothing();
  });

  it('rejects a missing reason', () => {
    given([])
      .when({ ...mark, data: { ...mark.data, reason: '' } })
      .thenThrows(TextRequiredError, 'TEXT_REQUIRED');
  });
});

describe('StartCareRelation', () => {
  const relation = aStartCareRelation().data;
  const relationStarted = anEvent('CareRelationStarted', relation);

  it('starts a care relation with the patient, organisation and unit', () => {
    given([]).when(aStartCareRelation()).then([relationStarted]);
  });

  it('accepts an end date on or after the start, and trims the identifiers', () => {
    given([])
      .when(aStartCareRelation({ to: relation.from }))
      .then([anEvent('CareRelationStarted', { ...relation, to: relation.from })]);
    given([])
      .when(aStartCareRelation({ patientId: ` ${PATIENT_ID} `, organisationNumber: `${NURSING_HOME_ORG} ` }))
      .then([relationStarted]);
  });

  it("records the resident's name and room the care organisation registers with the admission", () => {
    given([])
      .when(aStartCareRelation({ residentName: 'Kari Nordmann', room: 'Rom 12' }))
      .then([anEvent('CareRelationStarted', { ...relation, residentName: 'Kari Nordmann', room: 'Rom 12' })]);
  });

  it('is a no-op when the same relation is re-sent', () => {
    given([relationStarted]).when(aStartCareRelation()).thenNothing();
  });

  it('rejects a relation id reused with other data', () => {
    given([relationStarted])
      .when(aStartCareRelation({ unit: 'Avdeling 3' }))
      .thenThrows(CareRelationAlreadyExistsError, 'CARE_RELATION_ALREADY_EXISTS');
  });

  it.each<[string, Parameters<typeof aStartCareRelation>[0], ErrorClass]>([
    ['an organisation number with a wrong check digit', { organisationNumber: '123456789' }, InvalidIdentifierError],
    ['an organisation number of 8 digits', { organisationNumber: '12345678' }, InvalidIdentifierError],
    ['an end before the start', { to: '2026-03-01' }, InvalidDateError],
    ['an invalid start', { from: '2026-02-30' }, InvalidDateError],
    ['a unit of 201 characters', { unit: 'x'.repeat(201) }, TextTooLongError],
    ['a resident name of 201 characters', { residentName: 'x'.repeat(201) }, TextTooLongError],
    ['a room of 51 characters', { room: 'x'.repeat(51) }, TextTooLongError],
    ['an invalid relation id', { relationId: 'rel 1' }, InvalidIdError],
  ])('rejects %s', (_name, overrides, errorClass) => {
    given([]).when(aStartCareRelation(overrides)).thenThrows(errorClass);
  });

  it('rejects an invalid patient id without echoing it', () => {
    const invalid = '31129956716';
    given([])
      .when(aStartCareRelation({ patientId: invalid }))
      .thenThrows(InvalidIdentifierError, 'INVALID_IDENTIFIER');
    let error: unknown;
    try {
      medicationListDecider.decide(aStartCareRelation({ patientId: invalid }), medicationListDecider.initialState());
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ field: 'patientId' });
    expect(JSON.stringify(error)).not.toContain(invalid);
    expect((error as Error).message).not.toContain(invalid);
  });
});

describe('EndCareRelation', () => {
  const relationStarted = anEvent('CareRelationStarted', aStartCareRelation().data);
  const end = aCommand('EndCareRelation', { relationId: 'rel-0001', endedOn: '2026-06-30' });
  const ended = anEvent('CareRelationEnded', {
    relationId: 'rel-0001',
    organisationNumber: NURSING_HOME_ORG,
    unit: 'Avdeling 2',
    endedOn: '2026-06-30',
  });

  it('ends the relation, copying organisation and unit', () => {
    given([relationStarted]).when(end).then([ended]);
  });

  it('given an ended relation, when it is ended again, then CARE_RELATION_NOT_ACTIVE (not a silent no-op)', () => {
    given([relationStarted, ended]).when(end).thenThrows(CareRelationNotActiveError, 'CARE_RELATION_NOT_ACTIVE');
  });

  it('rejects an unknown relation', () => {
    given([]).when(end).thenThrows(CareRelationNotFoundError, 'CARE_RELATION_NOT_FOUND');
  });

  it('rejects an end before the start of the relation', () => {
    given([relationStarted])
      .when({ ...end, data: { ...end.data, endedOn: '2026-03-01' } })
      .thenThrows(InvalidDateError);
  });
});
