import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/config';
import { createLogger } from '../../observability/logger';
import { Metrics } from '../../observability/metrics';
import { createEventStore } from './event-store.module';

/* The store the app gets reads through the event schemas and counts what it cannot read (issue 17). */

describe('createEventStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'event-store-module-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('lifts a version-1 event, and skips and counts one in a version this build cannot read', async () => {
    const metrics = new Metrics();
    const store = createEventStore(loadConfig({ DATA_DIR: dir }, dir), createLogger({ level: 'silent' }), metrics);
    const meta = (schemaVersion: number) => ({
      commandId: `c${schemaVersion}`,
      correlationId: 'c',
      causationId: 'c',
      actor: { role: 'system' as const },
      clinicalTime: '2026-01-01T00:00:00.000Z',
      recordedAt: '2026-01-01T00:00:00.000Z',
      schemaVersion,
    });
    try {
      await store.appendToStream(
        'medicationList-1',
        [
          {
            id: 'a',
            type: 'MedicationDiscontinued',
            data: { entryId: 'e', discontinuedAt: '2026-01-01T00:00:00.000Z', reasonCode: 'A' },
            metadata: meta(1),
          },
          {
            id: 'b',
            type: 'MedicationDiscontinued',
            data: { entryId: 'e', shape: 'of a later build' },
            metadata: meta(9),
          },
        ],
        { expectedRevision: 'no_stream' },
      );
      const [lifted, unreadable] = await store.readStream('medicationList-1');
      expect(lifted!.data).toEqual({ entryId: 'e', discontinuedAt: '2026-01-01T00:00:00.000Z', reason: { code: 'A' } });
      expect(unreadable!.type).toBe('MedicationDiscontinued@v9');
      expect(await metrics.render()).toContain(
        'event_store_unreadable_events_total{type="MedicationDiscontinued",version="9"} 1',
      );
    } finally {
      await store.close();
    }
  });
});
