import type { Projection, ProjectionEvent } from './projection';
import type { Actor } from '../src/shared/event-sourcing/event-store.port';
import type {
  MedicationListEvent,
  MedicationListEventType,
} from '../src/medication-list/domain/medication-list.events';

/*
 * Test helpers for projections (house style: `given(events).then(document)`). Documents pass through
 * JSON between events, as in the read-model store, and are deep-frozen before `evolve` sees them, so a
 * projection that keeps a Map/Date/bigint or mutates its input fails here rather than in production.
 */

/** The data of one catalogue event type. */
export type EventData<K extends MedicationListEventType> = Extract<MedicationListEvent, { type: K }>['data'];

/** Per-event overrides of the envelope. */
export interface EnvelopeOptions {
  readonly actor?: Actor;
  readonly clinicalTime?: string;
  readonly recordedAt?: string;
}

/** A general practitioner (prescriber) used as the default actor. */
export const gp: Actor = { role: 'prescriber', hprNumber: '9144889', name: 'Dr. Kari Lege' };

const BASE_TIME = Date.parse('2026-01-05T08:00:00.000Z');
const HOUR_MS = 60 * 60 * 1000;

/**
 * Builds envelopes with per-stream revisions and one global position counter shared by all streams,
 * like the store. By default the n-th event (global) happens and is recorded n hours after a fixed base time.
 */
export const eventFactory = (firstPosition = 100n) => {
  let next = firstPosition;
  const revisions = new Map<string, number>();
  const envelope = (
    streamName: string,
    type: string,
    data: unknown,
    options: EnvelopeOptions = {},
  ): ProjectionEvent => {
    const revision = revisions.get(streamName) ?? 0;
    revisions.set(streamName, revision + 1);
    const position = next;
    next += 1n;
    const defaultTime = new Date(BASE_TIME + Number(position - firstPosition) * HOUR_MS).toISOString();
    return {
      type,
      data,
      streamName,
      revision,
      position: position.toString(),
      metadata: {
        commandId: `cmd-${position}`,
        correlationId: `corr-${position}`,
        causationId: `cmd-${position}`,
        actor: options.actor ?? gp,
        clinicalTime: options.clinicalTime ?? defaultTime,
        recordedAt: options.recordedAt ?? defaultTime,
        schemaVersion: 1,
      },
    };
  };
  return {
    /** a catalogue event, type-checked against the catalogue */
    event: <K extends MedicationListEventType>(
      streamName: string,
      type: K,
      data: EventData<K>,
      options?: EnvelopeOptions,
    ): ProjectionEvent => envelope(streamName, type, data, options),
    /** any event type, e.g. one a newer build writes */
    raw: envelope,
  };
};

const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    Object.values(value).forEach(deepFreeze);
  }
  return value;
};

/** Folds events into documents the way the projector does; `stored` holds JSON per document id. */
export const project = <TDocument>(
  projection: Projection<TDocument>,
  events: readonly ProjectionEvent[],
  stored: ReadonlyMap<string, string> = new Map(),
): Map<string, string> => {
  const documents = new Map(stored);
  for (const event of events) {
    if (!projection.handles.includes(event.type)) {
      continue;
    }
    for (const id of projection.documentIds(event)) {
      const json = documents.get(id);
      const current = json === undefined ? projection.initialDocument(id) : (JSON.parse(json) as TDocument);
      documents.set(id, JSON.stringify(projection.evolve(deepFreeze(current), event)));
    }
  }
  return documents;
};

/** The documents as parsed objects, keyed by document id. */
export const documentsOf = <TDocument>(stored: ReadonlyMap<string, string>): Partial<Record<string, TDocument>> =>
  Object.fromEntries([...stored].map(([id, json]) => [id, JSON.parse(json) as TDocument]));

/** `given(projection, events).then(documents)`: the documents after folding the events from scratch. */
export const given = <TDocument>(projection: Projection<TDocument>, events: readonly ProjectionEvent[]) => {
  // a given history is in store order; replays are tested with `project` directly
  expect(events.map((event) => BigInt(event.position))).toEqual(
    events.map((event) => BigInt(event.position)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const documents = documentsOf<TDocument>(project(projection, events));
  const only = (): TDocument | undefined => {
    const ids = Object.keys(documents);
    expect(ids).toHaveLength(1);
    return documents[ids[0] ?? ''];
  };
  return {
    documents,
    /** every document, exactly */
    then: (expected: Record<string, TDocument>): void => {
      expect(documents).toStrictEqual(expected);
    },
    /** the one document, exactly */
    thenDocument: (expected: TDocument): void => {
      expect(only()).toStrictEqual(expected);
    },
    /** the one document has (at least) these fields; arrays must match element by element */
    thenDocumentMatches: (expected: object): void => {
      expect(only()).toMatchObject(expected);
    },
  };
};
