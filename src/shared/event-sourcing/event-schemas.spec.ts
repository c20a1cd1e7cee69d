import { EventSchemas, unreadableType, type UnreadableEvent } from './event-schemas';
import type { RecordedEvent } from './event-store.port';

/* The mechanism with a made-up type: a dose in milligrams (v1) becomes a quantity (v2), then gains a route (v3). */

const schemas = new EventSchemas([
  {
    type: 'DoseGiven',
    current: 3,
    upcasters: {
      1: (data) =>
        typeof data === 'object' && data !== null && 'mg' in data
          ? { dose: { value: data.mg, unit: 'mg' } }
          : undefined,
      2: (data) => (typeof data === 'object' && data !== null ? { ...data, route: 'oral' } : undefined),
    },
  },
  { type: 'NoteWritten', current: 1 },
  {
    type: 'Fragile',
    current: 2,
    upcasters: {
      1: () => {
        throw new Error('boom');
      },
    },
  },
]);

const recorded = (type: string, data: unknown, schemaVersion: number): RecordedEvent => ({
  id: 'id-1',
  streamName: 's-1',
  revision: 4,
  position: 17n,
  type,
  data,
  metadata: {
    commandId: 'c',
    correlationId: 'c',
    causationId: 'c',
    actor: { role: 'system' },
    clinicalTime: '2026-01-01T00:00:00.000Z',
    recordedAt: '2026-01-01T00:00:00.000Z',
    schemaVersion,
  },
});

describe('EventSchemas.read', () => {
  it('returns an event in its current version as the same object', () => {
    const event = recorded('DoseGiven', { dose: { value: 5, unit: 'mg' }, route: 'iv' }, 3);
    expect(schemas.read(event)).toBe(event);
  });

  it.each([
    [1, { mg: 5 }],
    [2, { dose: { value: 5, unit: 'mg' } }],
  ])('lifts version %i through every upcaster to the current version', (version, data) => {
    const read = schemas.read(recorded('DoseGiven', data, version));
    expect(read).toMatchObject({ id: 'id-1', revision: 4, position: 17n, type: 'DoseGiven' });
    expect(read.data).toEqual({ dose: { value: 5, unit: 'mg' }, route: 'oral' });
    expect(read.metadata.schemaVersion).toBe(3);
  });

  it('passes a type the catalogue does not list as it is (consumers skip unknown types)', () => {
    const event = recorded('SomethingNewer', { x: 1 }, 7);
    expect(schemas.read(event)).toBe(event);
  });

  it.each([
    ['a newer version', 'DoseGiven', { dose: {} }, 4],
    ['version 0', 'DoseGiven', { mg: 5 }, 0],
    ['a fractional version', 'DoseGiven', { mg: 5 }, 1.5],
    ['data an upcaster does not recognise', 'DoseGiven', { grams: 5 }, 1],
    ['data an upcaster throws on', 'Fragile', {}, 1],
    ['a newer version of an unchanged type', 'NoteWritten', { text: 'a' }, 2],
  ])('passes %s on under an unreadable type, and reports it', (_what, type, data, version) => {
    const seen: UnreadableEvent[] = [];
    const read = schemas.read(recorded(type, data, version), (event) => seen.push(event));
    expect(read).toMatchObject({ type: unreadableType(type, version), revision: 4, position: 17n, data });
    expect(seen).toEqual([{ type, schemaVersion: version, position: 17n }]);
  });
});

describe('EventSchemas catalogue', () => {
  it('gives the version to write per type, 1 for a type it does not list', () => {
    expect(['DoseGiven', 'NoteWritten', 'Unlisted'].map(schemas.versionOf)).toEqual([3, 1, 1]);
  });

  it.each([
    [
      'a missing upcaster',
      [{ type: 'A', current: 3, upcasters: { 1: (d: unknown) => d } }],
      /no upcaster from version 2 to 3/,
    ],
    [
      'a type listed twice',
      [
        { type: 'A', current: 1 },
        { type: 'A', current: 1 },
      ],
      /listed twice/,
    ],
    ['a current version below 1', [{ type: 'A', current: 0 }], /whole number from 1/],
  ])('refuses %s at start', (_what, catalogue, message) => {
    expect(() => new EventSchemas(catalogue)).toThrow(message);
  });
});
