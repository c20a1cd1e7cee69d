import { randomUUID } from 'node:crypto';
import { eventSchemas, withEventSchemas } from '../../src/event-schemas';
import { medicationListDecider } from '../../src/medication-list/domain/medication-list.decider';
import {
  isMedicationListEvent,
  MEDICATION_LIST_STREAM_PREFIX,
} from '../../src/medication-list/domain/medication-list.events';
import type { UnreadableEvent } from '../../src/shared/event-sourcing/event-schemas';
import type {
  EventMetadata,
  EventStorePort,
  NewEvent,
  RecordedEvent,
} from '../../src/shared/event-sourcing/event-store.port';
import { handleCommand } from '../../src/shared/event-sourcing/handle-command';
import { Collector } from './event-store.contract';

type Factory = () => EventStorePort | Promise<EventStorePort>;

const metadata = (schemaVersion: number): EventMetadata => ({
  commandId: `schemas-${randomUUID()}`,
  correlationId: 'schemas-contract',
  causationId: 'schemas-contract',
  actor: { role: 'prescriber', hprNumber: '9144889' },
  clinicalTime: '2025-03-01T10:00:00.000Z',
  recordedAt: '2025-03-01T10:00:01.000Z',
  schemaVersion,
});

const stored = (type: string, data: unknown, schemaVersion: number): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: metadata(schemaVersion),
});

const ENTRY = 'e-1';
const started = stored(
  'MedicationStarted',
  {
    entryId: ENTRY,
    medication: { displayName: 'Paracet tab 500 mg', atcCode: 'N02BE01' },
    use: '1',
    dosage: { periods: [{ start: '2025-03-01', fixedDoses: [{ quantity: 1, unit: 'tablett', partOfDay: '1' }] }] },
    startedOn: '2025-03-01',
    prescriptionType: 'U',
  },
  1,
);
const v1 = { entryId: ENTRY, discontinuedAt: '2025-03-02T08:00:00.000Z', reasonCode: 'L', note: 'utslett' };
const v2 = { entryId: ENTRY, discontinuedAt: '2025-03-02T08:00:00.000Z', reason: { code: 'L', note: 'utslett' } };

const ofStream = (events: readonly RecordedEvent[], streamName: string): RecordedEvent[] =>
  events.filter((event) => event.streamName === streamName);

/**
 * Every adapter, wrapped as the app wraps it (withEventSchemas), reads a version-1 event in its current shape on
 * every read path, and passes an event this build cannot read on as skipped and counted: never a crash.
 */
export function eventSchemasContract(name: string, factory: Factory): void {
  describe(`${name}: stored events read in their current shape`, () => {
    let raw: EventStorePort;
    let store: EventStorePort;
    let unreadable: UnreadableEvent[];
    let stream: string;

    beforeEach(async () => {
      raw = await factory();
      unreadable = [];
      store = withEventSchemas(raw, (event) => unreadable.push(event));
      stream = `${MEDICATION_LIST_STREAM_PREFIX}${randomUUID()}`;
    });
    afterEach(async () => {
      await store.close();
    });

    it('lifts a version-1 MedicationDiscontinued to version 2 on stream reads, reads of all and subscriptions', async () => {
      const appended = await raw.appendToStream(stream, [started, stored('MedicationDiscontinued', v1, 1)], {
        expectedRevision: 'no_stream',
      });
      const subscription = store.subscribeToAll();
      const collector = new Collector(subscription, (event) => event.streamName === stream);
      try {
        const reads = [
          await store.readStream(stream),
          ofStream(await store.readAll(), stream),
          await collector.until(2),
        ];
        for (const [first, second] of reads) {
          expect(first?.data).toEqual(started.data);
          expect(second).toMatchObject({
            type: 'MedicationDiscontinued',
            revision: 1,
            position: appended.position,
            data: v2,
          });
          expect(second?.metadata.schemaVersion).toBe(2);
        }
      } finally {
        await subscription.close();
      }
      expect((await raw.readStream(stream))[1]?.data).toEqual(v1); // the stored event is never rewritten
      expect(unreadable).toEqual([]);
    });

    it('lifts it on reads by stream prefix too, where the adapter has them', async () => {
      await raw.appendToStream(stream, [started, stored('MedicationDiscontinued', v1, 1)], {
        expectedRevision: 'no_stream',
      });
      const head = await raw.headPosition();
      const byPrefix = store.readStreamsByPrefix;
      expect(byPrefix === undefined).toBe(raw.readStreamsByPrefix === undefined);
      if (byPrefix !== undefined && head !== undefined) {
        const events: RecordedEvent[] = [];
        for await (const event of byPrefix(stream, { toPosition: head })) {
          events.push(event);
        }
        expect(events.map((event) => event.data)).toEqual([started.data, v2]);
      }
    });

    it('passes a current (version-2) event as it is stored', async () => {
      await raw.appendToStream(stream, [started, stored('MedicationDiscontinued', v2, 2)], {
        expectedRevision: 'no_stream',
      });
      expect((await store.readStream(stream))[1]).toMatchObject({ type: 'MedicationDiscontinued', data: v2 });
    });

    it("stores what a command decides today with each type's current version, and reads it back as stored", async () => {
      await raw.appendToStream(stream, [started], { expectedRevision: 'no_stream' });
      const discontinue = {
        type: 'DiscontinueMedication' as const,
        data: { ...v1, reasonCode: 'L' as const },
        meta: { ...metadata(1), actor: { role: 'prescriber' as const } },
      };
      await handleCommand(store, medicationListDecider, stream, discontinue, {
        isEvent: isMedicationListEvent,
        schemaVersion: eventSchemas.versionOf,
      });
      const [, stopped, recalled] = await raw.readStream(stream);
      expect(stopped).toMatchObject({ type: 'MedicationDiscontinued', data: v2, metadata: { schemaVersion: 2 } });
      expect(recalled).toBeUndefined(); // no prescription to recall
      expect((await store.readStream(stream))[1]).toEqual(stopped);
    });

    it.each([
      ['a newer version', v2, 3],
      ['version 0', v1, 0],
      ['version-1 data of the wrong shape', { entryId: ENTRY, reasonCode: 'not a 7494 code' }, 1],
    ])('skips and counts %s, and a command on the stream still appends after it', async (_what, data, version) => {
      await raw.appendToStream(stream, [started, stored('MedicationDiscontinued', data, version)], {
        expectedRevision: 'no_stream',
      });
      const read = await store.readStream(stream);
      expect(read.map((event) => event.type)).toEqual(['MedicationStarted', `MedicationDiscontinued@v${version}`]);
      expect(unreadable).toEqual([expect.objectContaining({ type: 'MedicationDiscontinued', schemaVersion: version })]);

      // The entry is active as far as this build can tell; the command appends at revision 2, after the unreadable.
      const pause = {
        type: 'PauseMedication' as const,
        data: { entryId: ENTRY, pausedAt: '2025-03-03T08:00:00.000Z' },
        meta: { ...metadata(1), actor: { role: 'prescriber' as const } },
      };
      const result = await handleCommand(store, medicationListDecider, stream, pause, {
        isEvent: isMedicationListEvent,
      });
      expect(result).toMatchObject({ version: 3, appendedEvents: 1 });
      expect(result.state.entries.get(ENTRY)?.status).toBe('paused');
    });
  });
}
