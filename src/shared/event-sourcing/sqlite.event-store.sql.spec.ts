import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AT, fixedMeta } from '../../medication-list/domain/medication-list.fixtures';
import type { EventMetadata } from './event-store.port';
import { SqliteEventStore } from './sqlite.event-store';
import { toRecordedEvent, toStreamEvent } from './sqlite.event-store.sql';

// the metadata handleCommand writes for the medication list's fixed command
const metadata: EventMetadata = { ...fixedMeta, clinicalTime: AT, schemaVersion: 1 };

describe('event row parsing', () => {
  const row = [7n, 2n, 'event-1', 'ListMarkedReviewed', '{"reviewedAt":"2026-12-01"}', JSON.stringify(metadata)];

  it('parses a stream read row with the stream name the read asked for', () => {
    expect(toStreamEvent('medicationList-a')(row)).toEqual({
      id: 'event-1',
      streamName: 'medicationList-a',
      revision: 2,
      position: 7n,
      type: 'ListMarkedReviewed',
      data: { reviewedAt: '2026-12-01' },
      metadata,
    });
  });

  it('takes the stream name from the last column of a catch-up row', () => {
    expect(toRecordedEvent([...row, 'medicationList-b']).streamName).toBe('medicationList-b');
  });

  it.each([
    ['an object instead of a row', { position: 7n }, 'malformed event row: not a row'],
    ['a number position', [7, ...row.slice(1)], 'malformed event row: no position'],
    ['no stream name at all', row, 'malformed event row at position 7'],
    ['a number revision', [7n, 2, ...row.slice(2), 'medicationList-a'], 'malformed event row at position 7'],
    [
      'metadata without an actor',
      [...row.slice(0, 5), '{"commandId":"c"}', 's'],
      'malformed event metadata at position 7',
    ],
  ])('rejects %s as corruption', (_case, bad, message) => {
    expect(() => toRecordedEvent(bad)).toThrow(message);
  });
});

describe('SqliteEventStore reads', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-rows-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a row corrupted on disk as malformed, naming only its position', async () => {
    const filename = join(dir, 'events.db');
    const store = new SqliteEventStore({ filename, backgroundCheckpoints: false });
    const event = { id: 'event-1', type: 'ListMarkedReviewed', data: { reviewedAt: '2026-12-01' }, metadata };
    await store.appendToStream('medicationList-a', [event], { expectedRevision: 'no_stream' });
    const raw = new Database(filename);
    raw.prepare("UPDATE events SET metadata = '{}' WHERE event_id = 'event-1'").run();
    raw.close();

    await expect(store.readStream('medicationList-a')).rejects.toThrow('malformed event metadata at position 1');
    await expect(store.readAll()).rejects.toThrow('malformed event metadata at position 1');
    await store.close();
  });
});
