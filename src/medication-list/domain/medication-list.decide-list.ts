import { assertOrganisationNumber, isValidPatientId } from '../../identifiers/norwegian-identifiers';
import { InvalidIdentifierError } from '../../identifiers/identifier.errors';
import type {
  EndCareRelation,
  MarkListNotReviewed,
  MarkListReviewed,
  StartCareRelation,
} from './medication-list.commands';
import type { MedicationListEvent } from './medication-list.events';
import type { MedicationListState } from './medication-list.state';
import { assertCode, reviewKindCodes } from './medication-list.codes';
import {
  CareRelationNotActiveError,
  CareRelationAlreadyExistsError,
  CareRelationNotFoundError,
} from './medication-list.errors';
import {
  assertId,
  assertIsoDate,
  assertIsoDateTime,
  assertNotBefore,
  assertOptionalText,
  assertRequiredText,
  jsonEqual,
  MAX_CARE_UNIT,
  MAX_ROOM,
  withoutUndefined,
} from './medication-list.validation';

/** Decisions about the list as a whole: review status and the care relations that give access to it. */

/**
 * The responsible doctor reconciled the list (samstemming) or did a medication review (legemiddelgjennomgang).
 * Every review is a new fact (nursing homes need "changed since the last review"); only the identical mark
 * re-sent right after itself returns [].
 */
export const decideMarkListReviewed = (
  command: MarkListReviewed,
  state: MedicationListState,
): MedicationListEvent[] => {
  const { kind, reviewedAt, note } = command.data;
  assertCode(reviewKindCodes, kind, 'kind');
  assertIsoDateTime(reviewedAt, 'reviewedAt');
  assertOptionalText(note, 'note');
  const data = withoutUndefined({ kind, reviewedAt, note });
  if (state.review.status === 'reviewed' && jsonEqual(state.review.lastReview, data)) {
    return [];
  }
  return [{ type: 'ListMarkedReviewed', data }];
};

/** E.g. on hospital admission (as Denmark's FMK does): the list must be reviewed again. The reason is required. */
export const decideMarkListNotReviewed = (
  command: MarkListNotReviewed,
  state: MedicationListState,
): MedicationListEvent[] => {
  const { reason, markedAt } = command.data;
  assertRequiredText(reason, 'reason');
  assertIsoDateTime(markedAt, 'markedAt');
  if (state.review.status === 'not-reviewed' && jsonEqual(state.review.lastNotReviewed, { reason, markedAt })) {
    return [];
  }
  return [{ type: 'ListMarkedNotReviewed', data: { reason, markedAt } }];
};

/**
 * A care relation ("tjenstlig behov") gives a nursing home or home care access to the list. The patient id is
 * checked (fødselsnummer, D-, H-, synthetic or felles hjelpenummer) but never echoed: the error names the field
 * only. The same relation re-sent returns []; a relation id reused with other data is a conflict.
 */
export const decideStartCareRelation = (
  command: StartCareRelation,
  state: MedicationListState,
): MedicationListEvent[] => {
  const { relationId, unit, from, to, residentName, room } = command.data;
  assertId(relationId, 'relationId');
  if (typeof command.data.patientId !== 'string' || !isValidPatientId(command.data.patientId)) {
    throw new InvalidIdentifierError('patientId', 'not a valid Norwegian patient identifier');
  }
  const patientId = command.data.patientId.trim();
  const organisationNumber = assertOrganisationNumber(command.data.organisationNumber, 'organisationNumber');
  assertOptionalText(unit, 'unit', MAX_CARE_UNIT);
  assertOptionalText(residentName, 'residentName', MAX_CARE_UNIT);
  assertOptionalText(room, 'room', MAX_ROOM);
  assertIsoDate(from, 'from');
  if (to !== undefined) {
    assertIsoDate(to, 'to');
    assertNotBefore(to, from, 'to', 'from');
  }
  const data = withoutUndefined({ relationId, patientId, organisationNumber, unit, from, to, residentName, room });
  const existing = state.careRelations.get(relationId);
  if (existing !== undefined) {
    if (jsonEqual(existing.started, data)) {
      return [];
    }
    throw new CareRelationAlreadyExistsError(relationId);
  }
  return [{ type: 'CareRelationStarted', data }];
};

/** Ends an active relation (access ends with it); ending it again is refused (CARE_RELATION_NOT_ACTIVE). */
export const decideEndCareRelation = (command: EndCareRelation, state: MedicationListState): MedicationListEvent[] => {
  const { relationId, endedOn } = command.data;
  assertId(relationId, 'relationId');
  assertIsoDate(endedOn, 'endedOn');
  const relation = state.careRelations.get(relationId);
  if (relation === undefined) {
    throw new CareRelationNotFoundError(relationId);
  }
  if (!relation.active) {
    throw new CareRelationNotActiveError(relationId);
  }
  assertNotBefore(endedOn, relation.started.from, 'endedOn', 'the start of the relation');
  const { organisationNumber, unit } = relation.started;
  return [{ type: 'CareRelationEnded', data: withoutUndefined({ relationId, organisationNumber, unit, endedOn }) }];
};
