import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventMetadata, EventStorePort, NewEvent, RecordedEvent } from '../shared/event-sourcing/event-store.port';
import { InMemoryEventStore } from '../shared/event-sourcing/in-memory.event-store';
import { SqliteEventStore } from '../shared/event-sourcing/sqlite.event-store';
import { copyEvents } from './copy-events';

const metadata: EventMetadata = {
  commandId: 'c',
  correlationId: 'r',
  causationId: 'k',
  actor: { role: 'system' },
  clinicalTime: '2025-03-01T10:00:00.000Z',
  recordedAt: '2025-03-01T10:00:01.000Z',
  schemaVersion: 1,
};

const event = (n: number): NewEvent => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type: n % 3 === 0 ? 'MedicationStarted' : 'AccessRecorded',
  data: { n, text: 'blå resept' },
  metadata,
});

/** everything but the position, which each store numbers itself */
const withoutPositions = (events: readonly RecordedEvent[]) => events.map(({ position: _, ...rest }) => rest);

describe('copyEvents: every event, with its id, stream, revision and global order', () => {
  let dir: string;
  let source: SqliteEventStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'copy-events-'));
    source = new SqliteEventStore({ filename: join(dir, 'events.db') });
    // Interleaved streams, more events than one page of the copy (1 000), runs of one stream of several events.
    let n = 0;
    for (let round = 0; round < 260; round += 1) {
      for (const stream of ['medicationList-a', 'medicationList-b', 'accessAudit-general']) {
        const revision = round === 0 ? 'no_stream' : round * (stream === 'accessAudit-general' ? 2 : 1) - 1;
        const batch = stream === 'accessAudit-general' ? [event((n += 1)), event((n += 1))] : [event((n += 1))];
        await source.appendToStream(stream, batch, { expectedRevision: revision });
      }
    }
  });
  afterEach(async () => {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each<[string, () => EventStorePort]>([
    ['in memory', () => new InMemoryEventStore()],
    ['SQLite', () => new SqliteEventStore({ filename: join(dir, 'target.db') })],
  ])('SQLite → %s: the same events in the same order; a second run appends nothing', async (_, targetOf) => {
    const target = targetOf();
    try {
      const all = await source.readAll();
      expect(all).toHaveLength(1_040);

      const first = await copyEvents(source, target);
      const copied = await target.readAll();

      expect(first).toEqual({ read: 1_040, appended: 1_040, skipped: 0 });
      expect(withoutPositions(copied)).toEqual(withoutPositions(all));
      expect(copied.every((copy, index) => index === 0 || copy.position > copied[index - 1]!.position)).toBe(true);
      expect(await copyEvents(source, target)).toEqual({ read: 1_040, appended: 0, skipped: 1_040 });
      expect(await target.readAll()).toHaveLength(1_040);
    } finally {
      await target.close();
    }
  });
});
