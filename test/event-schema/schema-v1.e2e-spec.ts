import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rebuildProjection } from '../../src/cli/rebuild';
import { withEventSchemas } from '../../src/event-schemas';
import type { DiscontinueMedication } from '../../src/medication-list/domain/medication-list.commands';
import { medicationListDecider } from '../../src/medication-list/domain/medication-list.decider';
import { isMedicationListEvent } from '../../src/medication-list/domain/medication-list.events';
import { SqliteReadModelStore } from '../../src/read-models/read-model.store';
import { readModelProjections } from '../../src/read-models/read-models.module';
import type { EventMetadata, EventStorePort } from '../../src/shared/event-sourcing/event-store.port';
import { handleCommand } from '../../src/shared/event-sourcing/handle-command';
import { InMemoryEventStore } from '../../src/shared/event-sourcing/in-memory.event-store';
import { SqliteEventStore } from '../../src/shared/event-sourcing/sqlite.event-store';
import { answersOver, type Answers } from './answers';

/*
 * Version-1 events written by the build before MedicationDiscontinued version 2 (test/fixtures/schema-v1, written
 * once and never regenerated) give today's build the answers that build gave: read models rebuilt by the projector,
 * timelines, and what commands do. Loaded into each adapter as they were stored, and read as the app reads them.
 */

const FIXTURE = join(__dirname, '../fixtures/schema-v1');

interface FixtureEvent {
  readonly id: string;
  readonly streamName: string;
  readonly revision: number;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

const fixtureEvents = readFileSync(join(FIXTURE, 'events.ndjson'), 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line) as FixtureEvent);
const answers = JSON.parse(readFileSync(join(FIXTURE, 'answers.json'), 'utf8')) as Answers;

/** Appends the fixture as it was stored: the same ids, streams, revisions, order and metadata. */
const load = async (store: EventStorePort): Promise<void> => {
  for (const { id, streamName, revision, type, data, metadata } of fixtureEvents) {
    await store.appendToStream(streamName, [{ id, type, data, metadata }], {
      expectedRevision: revision === 0 ? 'no_stream' : revision - 1,
    });
  }
};

it('the fixture holds version-1 events only, MedicationDiscontinued among them with and without a note', () => {
  const discontinued = fixtureEvents.filter((event) => event.type === 'MedicationDiscontinued');
  expect(fixtureEvents.every((event) => event.metadata.schemaVersion === 1)).toBe(true);
  expect(discontinued.length).toBeGreaterThanOrEqual(5);
  expect(discontinued.some((event) => 'note' in (event.data as object))).toBe(true);
  expect(discontinued.some((event) => !('note' in (event.data as object)))).toBe(true);
});

describe.each([
  ['in memory', (): EventStorePort => new InMemoryEventStore()],
  ['SQLite', (): EventStorePort => new SqliteEventStore({ filename: ':memory:' })],
])("version-1 events in the %s store, read by today's build", (_name, open) => {
  let store: EventStorePort;
  beforeAll(async () => {
    const raw = open();
    await load(raw);
    store = withEventSchemas(raw);
  });
  afterAll(async () => {
    await store.close();
  });

  it('are read in the current shape: every MedicationDiscontinued is version 2', async () => {
    const discontinued = (await store.readAll()).filter((event) => event.type === 'MedicationDiscontinued');
    expect(discontinued).toHaveLength(fixtureEvents.filter((event) => event.type === 'MedicationDiscontinued').length);
    expect(
      discontinued.every((event) => event.metadata.schemaVersion === 2 && 'reason' in (event.data as object)),
    ).toBe(true);
  });

  it('give the same documents, timelines and command outcomes as the version-1 build', async () => {
    const today = answersOver(await store.readAll());
    expect(today.documents).toEqual(answers.documents);
    expect(today.timelines).toEqual(answers.timelines);
    expect(today.commands).toEqual(answers.commands);
  });

  it('rebuild every read model through the projector to the documents the version-1 build had', async () => {
    const readModels = new SqliteReadModelStore({ file: ':memory:' });
    try {
      for (const projection of readModelProjections()) {
        await rebuildProjection({ eventStore: store, store: readModels, projection });
        const expected = answers.documents[projection.name] ?? {};
        expect(Object.keys(expected).length).toBeGreaterThan(0);
        for (const [id, document] of Object.entries(expected)) {
          expect(readModels.getDocument(projection.name, id)).toEqual(document);
        }
      }
    } finally {
      readModels.close();
    }
  });

  it('refuse, through handleCommand, to discontinue again what a version-1 event discontinued', async () => {
    const discontinued = fixtureEvents.filter((event) => event.type === 'MedicationDiscontinued');
    for (const { streamName, data } of discontinued) {
      const { entryId } = data as { readonly entryId: string };
      const recorded = answers.commands[streamName] as Record<string, { readonly outcome: unknown }[]>;
      const command: DiscontinueMedication = {
        type: 'DiscontinueMedication',
        data: { entryId, discontinuedAt: '2026-12-05T09:00:00.000Z', reasonCode: 'M' },
        meta: {
          commandId: `again-${entryId}`,
          correlationId: 'c',
          causationId: 'c',
          recordedAt: '2026-12-05T09:00:00.000Z',
          actor: { role: 'prescriber' },
        },
      };
      const outcome = handleCommand(store, medicationListDecider, streamName, command, {
        isEvent: isMedicationListEvent,
      });
      await expect(outcome).rejects.toMatchObject({ code: 'ENTRY_NOT_ACTIVE' });
      expect(recorded[entryId]?.[0]?.outcome).toEqual({ error: 'ENTRY_NOT_ACTIVE' });
    }
  });
});
