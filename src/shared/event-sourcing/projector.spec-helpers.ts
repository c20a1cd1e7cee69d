import type { NewEvent } from './event-store.port';

/** Shared by the projector specs: system metadata, and a `Counted` event (or `type`) with a fresh UUID. */
const metadata = {
  commandId: 'c',
  correlationId: 'c',
  causationId: 'c',
  actor: { role: 'system' as const },
  clinicalTime: '2026-01-05T08:00:00.000Z',
  recordedAt: '2026-01-05T08:00:00.000Z',
  schemaVersion: 1,
};
let nextId = 0;
export const countedEvent = (type = 'Counted'): NewEvent => {
  nextId += 1;
  return { id: `00000000-0000-4000-8000-${String(nextId).padStart(12, '0')}`, type, data: {}, metadata };
};
