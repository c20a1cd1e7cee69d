import type { Projection, ProjectionEvent } from '../projection';
import { MEDICATION_LIST_STREAM_PREFIX } from '../../src/medication-list/medication-list.events';
import type {
  CareRelationEnded,
  CareRelationStarted,
  IsoDate,
} from '../../src/medication-list/medication-list.events';

/** A patient in a care unit's care (one per active care relation). */
export interface CareUnitPatient {
  readonly patientId: string;
  /** the uuid of the patient's list stream: the current-medication-list document id */
  readonly streamId: string;
  readonly relationId: string;
  readonly from: IsoDate;
  readonly to: IsoDate | null;
  readonly unit: string | null;
}

/** The patients of one organisation (unit null: every unit) or of one unit of it. */
export interface CareUnitOverviewDocument {
  readonly organisationNumber: string;
  readonly unit: string | null;
  /** active relations in the order they started; ended ones are removed */
  readonly patients: readonly CareUnitPatient[];
  readonly lastPosition: string | null;
}

/**
 * Document ids: `<organisationNumber>` for the whole organisation and `<organisationNumber>/<unit>` when
 * the relation names a unit. Organisation numbers are nine digits, so the first `/` splits the id.
 */
export const careUnitDocumentIds = (organisationNumber: string, unit: string | undefined): string[] =>
  unit === undefined ? [organisationNumber] : [organisationNumber, `${organisationNumber}/${unit}`];

const initialDocument = (documentId: string): CareUnitOverviewDocument => {
  const slash = documentId.indexOf('/');
  return {
    organisationNumber: slash === -1 ? documentId : documentId.slice(0, slash),
    unit: slash === -1 ? null : documentId.slice(slash + 1),
    patients: [],
    lastPosition: null,
  };
};

const streamIdOf = (streamName: string): string =>
  streamName.startsWith(MEDICATION_LIST_STREAM_PREFIX)
    ? streamName.slice(MEDICATION_LIST_STREAM_PREFIX.length)
    : streamName;

const isRelationEvent = (event: {
  type: string;
  data: unknown;
}): event is CareRelationStarted | CareRelationEnded =>
  event.type === 'CareRelationStarted' || event.type === 'CareRelationEnded';

/** The relation events carry organisation and unit (CareRelationEnded copies them), so no lookup is needed. */
const relationOf = (event: ProjectionEvent): CareRelationStarted | CareRelationEnded | undefined => {
  const candidate = { type: event.type, data: event.data };
  return isRelationEvent(candidate) ? candidate : undefined;
};

const evolve = (document: CareUnitOverviewDocument, event: ProjectionEvent): CareUnitOverviewDocument => {
  if (document.lastPosition !== null && BigInt(event.position) <= BigInt(document.lastPosition)) {
    return document;
  }
  const advanced = { ...document, lastPosition: event.position };
  const relation = relationOf(event);
  if (relation === undefined) {
    return advanced;
  }
  const others = document.patients.filter((patient) => patient.relationId !== relation.data.relationId);
  if (relation.type === 'CareRelationEnded') {
    return { ...advanced, patients: others };
  }
  const { relationId, patientId, unit, from, to } = relation.data;
  const patient: CareUnitPatient = {
    patientId,
    streamId: streamIdOf(event.streamName),
    relationId,
    from,
    to: to ?? null,
    unit: unit ?? null,
  };
  return { ...advanced, patients: [...others, patient] };
};

/** Read model `careUnitOverview.v1`: who is in an organisation's (and unit's) care, from care-relation events. */
export const careUnitOverviewProjection: Projection<CareUnitOverviewDocument> = {
  name: 'careUnitOverview.v1',
  handles: ['CareRelationStarted', 'CareRelationEnded'],
  documentIds: (event) => {
    const relation = relationOf(event);
    return relation === undefined
      ? []
      : careUnitDocumentIds(relation.data.organisationNumber, relation.data.unit);
  },
  initialDocument,
  evolve,
};
