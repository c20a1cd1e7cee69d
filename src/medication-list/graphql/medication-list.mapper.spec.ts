import type { Actor, RecordedEvent } from '../../shared/event-sourcing/event-store.port';
import { asNeededDosage, paracetamol, sampleMedication } from '../domain/medication-list.fixtures';
import type { Dosage, MedicationListEvent } from '../domain/medication-list.events';
import { foldCurrentList } from '../current-list.fold';
import { toMedicationListGql } from './medication-list.types';

const LIST_ID = '0b9c3a52-8d4e-8b7a-9c1e-2a6b5d8e0f13';
const STREAM = `medicationList-${LIST_ID}`;
const gp: Actor = { role: 'prescriber', hprNumber: '9144889', name: 'Dr. Kari Lege' };
const DAY_MS = 24 * 60 * 60 * 1000;
const T0 = '2026-03-02T09:00:00.000Z';
const at = (days: number): string => new Date(Date.parse(T0) + days * DAY_MS).toISOString();

/** Recorded events of one stream, one a day from T0, positions from 10. */
const recorded = (events: readonly MedicationListEvent[], streamName = STREAM): RecordedEvent[] =>
  events.map((event, index) => ({
    id: `event-${index}`,
    streamName,
    revision: index,
    position: BigInt(10 + index),
    type: event.type,
    data: event.data,
    metadata: {
      commandId: `cmd-${index}`,
      correlationId: 'corr',
      causationId: 'corr',
      actor: gp,
      clinicalTime: at(index),
      recordedAt: at(index),
      schemaVersion: 1,
    },
  }));

/** Mornings in the first week, then 20:00. */
const tapering: Dosage = {
  periods: [
    { start: '2026-03-02', end: '2026-03-08', fixedDoses: [{ quantity: 2, unit: 'tablett', partOfDay: '1' }] },
    { start: '2026-03-09', fixedDoses: [{ quantity: 1, unit: 'tablett', time: '20:00' }] },
  ],
};

const started = (
  entryId: string,
  overrides: Partial<Extract<MedicationListEvent, { type: 'MedicationStarted' }>['data']> = {},
): MedicationListEvent => ({
  type: 'MedicationStarted',
  data: {
    entryId,
    medication: sampleMedication,
    use: '1',
    dosage: tapering,
    startedOn: '2026-03-02',
    prescriptionType: 'E',
    ...overrides,
  },
});

describe('foldCurrentList', () => {
  it('folds only the named stream, with the version and position of its last event', () => {
    const events = [...recorded([started('a')]), ...recorded([started('x')], 'medicationList-other')];

    const document = foldCurrentList(events, LIST_ID);

    expect(document).toMatchObject({ listId: LIST_ID, version: 1, lastPosition: '10' });
    expect(document.entries.map((entry) => entry.entryId)).toEqual(['a']);
  });

  it('gives the empty list at version 0 for no events', () => {
    expect(foldCurrentList([], LIST_ID)).toMatchObject({ version: 0, lastPosition: null, entries: [] });
  });
});

describe('toMedicationListGql', () => {
  const document = foldCurrentList(
    recorded([
      started('taper'),
      started('prn', { medication: paracetamol, use: '3', dosage: asNeededDosage }),
      {
        type: 'PrescriptionIssued',
        data: { prescriptionId: 'rx-1', entryId: 'taper', issuedAt: at(2), expiresOn: '2026-06-01' },
      },
      started('stopped'),
      { type: 'MedicationDiscontinued', data: { entryId: 'stopped', discontinuedAt: at(4), reason: { code: 'L' } } },
    ]),
    LIST_ID,
  );

  it('derives administration times and as-needed limits from the period in effect at `now`', () => {
    const firstWeek = toMedicationListGql(document, new Date(at(5)));
    const afterTapering = toMedicationListGql(document, new Date('2026-03-09T12:00:00.000Z'));

    expect(firstWeek.entries[0]).toMatchObject({ entryId: 'taper', administrationTimes: ['Morgen'], asNeeded: null });
    expect(firstWeek.entries[0]!.dosage.periods[0]!.fixedDoses[0]).toMatchObject({
      quantity: 2,
      time: null,
      partOfDay: '1',
    });
    expect(afterTapering.entries[0]!.administrationTimes).toEqual(['20:00']);
    expect(firstWeek.entries[1]).toMatchObject({
      useLabel: 'Ved behov',
      administrationTimes: [],
      asNeeded: { maxPer24h: 3, minIntervalHours: 4 },
      multidose: 'NOT_IN_MULTIDOSE',
    });
  });

  it('shows a dispensable prescription past its expiry date as F (Foreldet), with the 7408 label', () => {
    expect(toMedicationListGql(document, new Date(at(5))).entries[0]!.prescription).toMatchObject({
      status: 'E',
      statusLabel: 'Ekspederbar',
    });
    expect(toMedicationListGql(document, new Date('2026-06-02T00:00:00.000Z')).entries[0]!.prescription).toMatchObject({
      status: 'F',
      statusLabel: 'Foreldet',
    });
  });

  it('counts calendar dates in Norwegian days: 00:30 in Oslo (22:30 UTC) is already the next day', () => {
    // expiresOn 2026-06-01: at 23:30 Oslo time on that day it is valid; half an hour after midnight it is not
    expect(toMedicationListGql(document, new Date('2026-06-01T21:30:00.000Z')).entries[0]!.prescription).toMatchObject({
      status: 'E',
    });
    expect(toMedicationListGql(document, new Date('2026-06-01T22:30:00.000Z')).entries[0]!.prescription).toMatchObject({
      status: 'F',
    });
  });

  it('shows discontinued entries for 90 days after discontinuedAt, then hides them', () => {
    expect(toMedicationListGql(document, new Date(at(4 + 90))).discontinued).toEqual([
      expect.objectContaining({
        entryId: 'stopped',
        reasonCode: 'L',
        reasonLabel: 'Bivirkning',
        discontinuedBy: expect.objectContaining({ hprNumber: '9144889', herId: null }),
      }),
    ]);
    expect(toMedicationListGql(document, new Date(Date.parse(at(4 + 90)) + 1)).discontinued).toEqual([]);
  });

  it('exposes version, position, review and changes, but no patient or stream id', () => {
    const list = toMedicationListGql(document, new Date(at(5)));

    expect(list).toMatchObject({ version: 5, position: '14', review: { status: 'NEVER', reviewedBy: null } });
    expect(list.recentChanges.map((change) => change.type)).toEqual([
      'MedicationStarted',
      'MedicationStarted',
      'PrescriptionIssued',
      'MedicationStarted',
      'MedicationDiscontinued',
    ]);
    expect(JSON.stringify(list)).not.toContain(LIST_ID);
  });
});
