import { eventSchemas } from '../../event-schemas';
import type { DiscontinueMedication } from './medication-list.commands';
import { decideDiscontinueMedication } from './medication-list.decide-entries';
import { evolve, initialState } from './medication-list.state';
import { discontinuedV1ToV2, medicationListEventSchemas } from './medication-list.upcasters';
import { medicationListEventTypes } from './medication-list.events';

const ENTRY = 'entry-1';
const AT = '2026-03-02T08:00:00.000Z';

describe('MedicationDiscontinued version 1 → 2', () => {
  it.each([
    [
      { entryId: ENTRY, discontinuedAt: AT, reasonCode: 'L', note: 'utslett' },
      { entryId: ENTRY, discontinuedAt: AT, reason: { code: 'L', note: 'utslett' } },
    ],
    [
      { entryId: ENTRY, discontinuedAt: AT, reasonCode: 'A' },
      { entryId: ENTRY, discontinuedAt: AT, reason: { code: 'A' } },
    ],
  ])('given %j then %j', (v1, v2) => {
    expect(discontinuedV1ToV2(v1)).toEqual(v2);
  });

  it.each([
    ['not an object', 'A'],
    ['no entry id', { discontinuedAt: AT, reasonCode: 'A' }],
    ['no time', { entryId: ENTRY, reasonCode: 'A' }],
    ['a code outside 7494', { entryId: ENTRY, discontinuedAt: AT, reasonCode: 'Q' }],
    ['a note that is not text', { entryId: ENTRY, discontinuedAt: AT, reasonCode: 'A', note: 7 }],
    ['already version 2', { entryId: ENTRY, discontinuedAt: AT, reason: { code: 'A' } }],
  ])('given %s then it is not version 1 (undefined: skipped as unreadable)', (_what, data) => {
    expect(discontinuedV1ToV2(data)).toBeUndefined();
  });

  // What the decider writes today equals the lift of what it wrote before, for every reason code, with and without
  // a note: a list folded from old events and one folded from new events cannot differ.
  it.each(['A', 'M', 'L', 'I', 'S', 'X'] as const)(
    'the event decided today for reason %s equals the lifted version-1 event',
    (code) => {
      for (const note of [undefined, 'merknad']) {
        const started = {
          type: 'MedicationStarted' as const,
          data: {
            entryId: ENTRY,
            medication: { displayName: 'X' },
            use: '1' as const,
            dosage: { periods: [] },
            startedOn: '2026-01-01',
            prescriptionType: 'U' as const,
          },
        };
        const command: DiscontinueMedication = {
          type: 'DiscontinueMedication',
          data: { entryId: ENTRY, discontinuedAt: AT, reasonCode: code, ...(note === undefined ? {} : { note }) },
          meta: { commandId: 'c', correlationId: 'c', causationId: 'c', recordedAt: AT, actor: { role: 'prescriber' } },
        };
        const [decided] = decideDiscontinueMedication(command, evolve(initialState(), started));
        const v1 = { entryId: ENTRY, discontinuedAt: AT, reasonCode: code, ...(note === undefined ? {} : { note }) };
        expect(decided!.data).toEqual(discontinuedV1ToV2(v1));
      }
    },
  );
});

describe('medication-list event schemas', () => {
  it('list every medication-list event type once; MedicationDiscontinued is the only one past version 1', () => {
    expect(medicationListEventSchemas.map((schema) => schema.type)).toEqual(medicationListEventTypes);
    const changed = medicationListEventSchemas.filter((schema) => schema.current !== 1);
    expect(changed.map((schema) => [schema.type, schema.current])).toEqual([['MedicationDiscontinued', 2]]);
  });

  it('are what the service writes and reads', () => {
    expect(eventSchemas.versionOf('MedicationDiscontinued')).toBe(2);
    expect(eventSchemas.versionOf('MedicationStarted')).toBe(1);
  });
});
