import { endedTo, keptAfterEnd, notEndedBy } from '../care-relation-end';
import type { Projection, ProjectionEvent } from '../projection';
import { MEDICATION_LIST_STREAM_PREFIX } from '../../src/medication-list/domain/medication-list.events';
import { defined } from '../../src/shared/defined';
import type {
  CareRelationEnded,
  CareRelationStarted,
  IsoDate,
} from '../../src/medication-list/domain/medication-list.events';

/*
 * Who is in an organisation's (and a unit's) care. Version 2 keeps one small document per patient list and
 * organisation/unit instead of v1's one document per organisation and unit with every resident in it (1.4 MB
 * each at 100k patients, parsed and rewritten whole on every care-relation event). A query lists an
 * organisation's or a unit's documents by id prefix and orders the relations by start (`careUnitOverviewOf`).
 *
 * Document ids, from the event alone (CareRelationEnded copies organisation and unit from the relation):
 *   `<organisationNumber>/<listId>`                      relations without a unit
 *   `<organisationNumber>/<encoded unit>/<listId>`       relations with a unit
 * so `<organisationNumber>/` finds the whole organisation and `<organisationNumber>/<encoded unit>/` one unit.
 * Every segment goes through `encodeIdSegment` (organisation numbers and list ids come out unchanged); the unit
 * is free text, and escaping leaves no `/` in it, so no two units share a prefix. The list id is the uuid of the patient's stream (a keyed hash), never the
 * patient identifier, which stays in the body. Relation ids are chosen by clients and unique only within one
 * list, so they stay in the body too.
 */

/** A patient in a care unit's care (one per active care relation). */
export interface CareUnitPatient {
  readonly patientId: string;
  /** the uuid of the patient's list stream: the current-medication-list document id */
  readonly streamId: string;
  readonly relationId: string;
  readonly from: IsoDate;
  readonly to: IsoDate | null;
  readonly unit: string | null;
  /** as the organisation registered them with the admission; null when not given (or before issue 20) */
  readonly residentName: string | null;
  readonly room: string | null;
}

/** An active care relation of one list to one organisation and unit. */
export interface CareUnitRelation {
  readonly relationId: string;
  readonly patientId: string;
  readonly from: IsoDate;
  readonly to: IsoDate | null;
  /** position of its CareRelationStarted: the overview lists relations in the order they started */
  readonly startedPosition: string;
  /** optional in the stored JSON: documents written before issue 20 lack them (read as null) */
  readonly residentName?: string | null;
  readonly room?: string | null;
}

/** The active relations of one patient list to one organisation (unit null: none named) or one unit of it. */
export interface CareUnitOverviewDocument {
  readonly organisationNumber: string;
  readonly unit: string | null;
  readonly streamId: string;
  /**
   * relations in the order they started; an ended one keeps `to` = its end date until that has passed, else is
   * removed (the document stays, maybe empty)
   */
  readonly relations: readonly CareUnitRelation[];
  readonly lastPosition: string | null;
}

/** The residents of an organisation or unit as the query shows them: every active relation, in start order. */
export interface CareUnitOverview {
  readonly organisationNumber: string;
  readonly unit: string | null;
  readonly patients: readonly CareUnitPatient[];
}

const SEPARATOR = '/';

/**
 * Escapes one id segment: letters, digits, space and `._-` stay; any other UTF-16 code unit becomes `%` and four
 * hex digits (`/` → `%002f`, `ø` → `%00f8`). Total (lone surrogates too) and injective, so ids never collide.
 */
export const encodeIdSegment = (value: string): string =>
  value.replace(/[^A-Za-z0-9 ._-]/g, (char) => `%${char.charCodeAt(0).toString(16).padStart(4, '0')}`);

const decodeIdSegment = (segment: string): string =>
  segment.replace(/%([0-9a-f]{4})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** The id prefix of every document of an organisation, or of one of its units. */
export const careUnitIdPrefix = (organisationNumber: string, unit: string | undefined): string =>
  unit === undefined
    ? `${encodeIdSegment(organisationNumber)}${SEPARATOR}`
    : `${encodeIdSegment(organisationNumber)}${SEPARATOR}${encodeIdSegment(unit)}${SEPARATOR}`;

/** The document of one list's relations to an organisation, or to one of its units. */
export const careUnitDocumentId = (organisationNumber: string, unit: string | undefined, streamId: string): string =>
  `${careUnitIdPrefix(organisationNumber, unit)}${encodeIdSegment(streamId)}`;

const initialDocument = (documentId: string): CareUnitOverviewDocument => {
  const segments = documentId.split(SEPARATOR);
  const [organisation, unitSegment] = segments;
  const unit = segments.length === 3 && unitSegment !== undefined ? decodeIdSegment(unitSegment) : null;
  return {
    // `split` returns at least one segment: the first and the last are always there.
    organisationNumber: decodeIdSegment(defined(organisation, 'organisation segment')),
    unit,
    streamId: decodeIdSegment(defined(segments.at(-1), 'stream segment')),
    relations: [],
    lastPosition: null,
  };
};

const streamIdOf = (streamName: string): string | undefined =>
  streamName.startsWith(MEDICATION_LIST_STREAM_PREFIX)
    ? streamName.slice(MEDICATION_LIST_STREAM_PREFIX.length)
    : undefined;

const isRelationEvent = (event: { type: string; data: unknown }): event is CareRelationStarted | CareRelationEnded =>
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
  // relation ids are unique within a list, and a list's relations to this organisation and unit are all here
  const others = document.relations.filter((r) => r.relationId !== relation.data.relationId);
  if (relation.type === 'CareRelationEnded') {
    // Listed through the end date (care-relation-end.ts): kept with `to` until it has passed, then dropped.
    const { relationId, endedOn } = relation.data;
    return keptAfterEnd(endedOn, event.metadata.recordedAt)
      ? {
          ...advanced,
          relations: document.relations.map((r) =>
            r.relationId === relationId ? { ...r, to: endedTo(r.to, endedOn) } : r,
          ),
        }
      : { ...advanced, relations: others };
  }
  const { relationId, patientId, from, to, residentName, room } = relation.data;
  const started = { relationId, patientId, from, to: to ?? null, startedPosition: event.position };
  return {
    ...advanced,
    relations: [...others, { ...started, residentName: residentName ?? null, room: room ?? null }],
  };
};

const byPosition = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/**
 * The overview of an organisation or unit from its documents (listed by `careUnitIdPrefix`): every relation not
 * ended by `today` (the Norwegian day of the reader's clock), in the order the relations started (global position of CareRelationStarted), as v1 kept them.
 */
export const careUnitOverviewOf = (
  organisationNumber: string,
  unit: string | undefined,
  documents: readonly CareUnitOverviewDocument[],
  today: IsoDate,
): CareUnitOverview => {
  const relations = documents.flatMap((document) =>
    document.relations.filter((relation) => notEndedBy(relation, today)).map((relation) => ({ relation, document })),
  );
  relations.sort((a, b) => byPosition(a.relation.startedPosition, b.relation.startedPosition));
  return {
    organisationNumber,
    unit: unit ?? null,
    patients: relations.map(({ relation, document }) => ({
      patientId: relation.patientId,
      streamId: document.streamId,
      relationId: relation.relationId,
      from: relation.from,
      to: relation.to,
      unit: document.unit,
      residentName: relation.residentName ?? null,
      room: relation.room ?? null,
    })),
  };
};

/** Read model `careUnitOverview.v2`: who is in an organisation's (and unit's) care, one document per list there. */
export const careUnitOverviewProjection: Projection<CareUnitOverviewDocument> = {
  name: 'careUnitOverview.v2',
  handles: ['CareRelationStarted', 'CareRelationEnded'],
  documentIds: (event) => {
    const relation = relationOf(event);
    const streamId = streamIdOf(event.streamName);
    return relation === undefined || streamId === undefined
      ? []
      : [careUnitDocumentId(relation.data.organisationNumber, relation.data.unit, streamId)];
  },
  initialDocument,
  evolve,
};
