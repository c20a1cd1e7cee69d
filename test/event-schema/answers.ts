import { buildTimeline } from '../../projections/medication-history/medication-history';
import type { ProjectionEvent } from '../../projections/projection';
import { currentMedicationListProjection } from '../../projections/current-medication-list/current-medication-list.projection';
import { medicationListDecider } from '../../src/medication-list/domain/medication-list.decider';
import type { MedicationListCommand } from '../../src/medication-list/domain/medication-list.commands';
import {
  isMedicationListEvent,
  MEDICATION_LIST_STREAM_PREFIX,
} from '../../src/medication-list/domain/medication-list.events';
import { readModelProjections } from '../../src/read-models/read-models.module';
import { DomainError } from '../../src/shared/errors/domain-error';
import type { RecordedEvent } from '../../src/shared/event-sourcing/event-store.port';
import { toProjectionEvent } from '../../src/shared/event-sourcing/projector.types';

/*
 * What the service answers over a set of stored events, in a form that does not depend on any event's shape:
 * read-model documents (what GraphQL queries and FHIR reads map), list timelines (the history query) and the
 * outcome of commands (an error code, or the list document after the command's events). The answers file of
 * test/fixtures/schema-v1 was computed with these functions by the build that still wrote MedicationDiscontinued
 * version 1 (commit 1db2301); schema-v1.e2e-spec.ts computes them again with today's build and compares.
 */

export interface Answers {
  /** every document of every read model after a rebuild: projection name → document id → document */
  readonly documents: Record<string, Record<string, unknown>>;
  /** each list's timeline: stream name → items */
  readonly timelines: Record<string, unknown>;
  /** per stream and entry: what a discontinuation and a resumption would do now */
  readonly commands: Record<string, unknown>;
}

const AT = '2026-12-05T09:00:00.000Z';

/** Folds events into documents the way the projector does (handled types only, in global order). */
export const rebuiltDocuments = (events: readonly RecordedEvent[]): Answers['documents'] => {
  const documents: Record<string, Record<string, unknown>> = {};
  for (const projection of readModelProjections()) {
    const handles = new Set(projection.handles);
    const byId = new Map<string, unknown>();
    for (const event of events.filter((e) => handles.has(e.type)).map(toProjectionEvent)) {
      for (const id of projection.documentIds(event)) {
        byId.set(id, projection.evolve(byId.get(id) ?? projection.initialDocument(id), event));
      }
    }
    documents[projection.name] = Object.fromEntries([...byId].sort(([a], [b]) => (a < b ? -1 : 1)));
  }
  return JSON.parse(JSON.stringify(documents)) as Answers['documents'];
};

const commandsFor = (entryId: string): MedicationListCommand[] => {
  const meta = { commandId: `answers-${entryId}`, correlationId: 'answers', causationId: 'answers', recordedAt: AT };
  const actor = { role: 'prescriber' as const, hprNumber: '9144889' };
  return [
    {
      type: 'DiscontinueMedication',
      data: { entryId, discontinuedAt: AT, reasonCode: 'M', note: 'uten effekt' },
      meta: { ...meta, actor },
    },
    { type: 'ResumeMedication', data: { entryId, resumedAt: AT }, meta: { ...meta, actor } },
  ];
};

/** The outcome of one command on a stream: its error code, or the current list after its events. */
const outcomeOf = (stream: readonly RecordedEvent[], command: MedicationListCommand): unknown => {
  const state = stream.reduce(
    (folded, event) => (isMedicationListEvent(event) ? medicationListDecider.evolve(folded, event) : folded),
    medicationListDecider.initialState(),
  );
  let decided;
  try {
    decided = medicationListDecider.decide(command, state);
  } catch (error) {
    if (error instanceof DomainError) {
      return { error: error.code };
    }
    throw error;
  }
  const last = stream.at(-1);
  if (last === undefined) {
    throw new Error('a command on an empty stream has no recorded answer here');
  }
  const projection = currentMedicationListProjection;
  const events: ProjectionEvent[] = [...stream.map(toProjectionEvent)];
  decided.forEach((event, index) => {
    const metadata = { ...last.metadata, commandId: command.meta.commandId, clinicalTime: AT, recordedAt: AT };
    const position = (last.position + 1n + BigInt(index)).toString();
    events.push({ ...event, metadata, streamName: last.streamName, revision: last.revision + 1 + index, position });
  });
  const id = projection.documentIds(events[0]!)[0]!; // the stream is not empty (above); a list is one document
  const document = events.reduce((doc, event) => projection.evolve(doc, event), projection.initialDocument(id));
  // The parts a discontinuation or resumption changes; the whole document is in `documents` already.
  const { version, entries, discontinued, recentChanges } = document;
  const changed = { version, entries: entries.length, discontinued, lastChange: recentChanges.at(-1) ?? null };
  return { appended: decided.length, ...(JSON.parse(JSON.stringify(changed)) as object) };
};

const streamsOf = (events: readonly RecordedEvent[]): Map<string, RecordedEvent[]> => {
  const streams = new Map<string, RecordedEvent[]>();
  for (const event of events.filter((e) => e.streamName.startsWith(MEDICATION_LIST_STREAM_PREFIX))) {
    streams.set(event.streamName, [...(streams.get(event.streamName) ?? []), event]);
  }
  return streams;
};

/** Every answer over `events` (all of a store's events in global order). */
export const answersOver = (events: readonly RecordedEvent[]): Answers => {
  const timelines: Record<string, unknown> = {};
  const commands: Record<string, unknown> = {};
  for (const [streamName, stream] of streamsOf(events)) {
    timelines[streamName] = buildTimeline(stream.map(toProjectionEvent));
    const entryIds = [
      ...new Set(
        stream.flatMap((e) => (isMedicationListEvent(e) && e.type === 'MedicationStarted' ? [e.data.entryId] : [])),
      ),
    ];
    commands[streamName] = Object.fromEntries(
      entryIds.map((entryId) => [
        entryId,
        commandsFor(entryId).map((command) => ({ command: command.type, outcome: outcomeOf(stream, command) })),
      ]),
    );
  }
  return JSON.parse(JSON.stringify({ documents: rebuiltDocuments(events), timelines, commands })) as Answers;
};
