import type { Actor, RecordedEvent } from '../../shared/event-sourcing/event-store.port';
import { paracetamol, sampleMedication, asNeededDosage } from '../domain/medication-list.fixtures';
import type { MedicationListEvent } from '../domain/medication-list.events';
import { foldCurrentList } from '../current-list.fold';
import { toMedicationListGql } from './medication-list.types';

/*
 * What the list shows depends only on what was recorded (in order) and on the reader's instant, never on a
 * clinical date standing in for "now" (issue 22). A clinical date is whatever the GP typed: a dosage change
 * planned months ahead, a back-dated review, a care relation from 1990. Given a list with a drug stopped today,
 * when any event with a clinical date far in the past or far in the future is recorded, then every reader
 * still sees the stopped drug among `discontinued` for 90 days after it was stopped.
 */

const LIST_ID = '6d1f0c2e-4a5b-4c3d-8e9f-0a1b2c3d4e5f';
const STREAM = `medicationList-${LIST_ID}`;
const gp: Actor = { role: 'prescriber', hprNumber: '9144889', name: 'Dr. Kari Lege' };
const DAY_MS = 24 * 60 * 60 * 1000;
/** "today": when the service records the events below, one hour apart */
const TODAY = Date.parse('2026-12-05T09:00:00.000Z');
const instant = (days: number): string => new Date(TODAY + days * DAY_MS).toISOString();
const dateIn = (days: number): string => instant(days).slice(0, 10);

const FAR_PAST = -36_500; // about a century ago
const FAR_FUTURE = 36_500;
const SOON = 100; // a planned dosage change, as GPs do

/** One recorded event: recorded at `recordedDays` after today (plus its index in hours), at `clinical`. */
const recorded = (event: MedicationListEvent, index: number, clinical: string, recordedDays = 0): RecordedEvent => ({
  id: `event-${index}`,
  streamName: STREAM,
  revision: index,
  position: BigInt(10 + index),
  type: event.type,
  data: event.data,
  metadata: {
    commandId: `cmd-${index}`,
    correlationId: 'corr',
    causationId: 'corr',
    actor: gp,
    clinicalTime: clinical,
    recordedAt: new Date(TODAY + recordedDays * DAY_MS + index * 3_600_000).toISOString(),
    schemaVersion: 1,
  },
});

const tabletDaily = {
  periods: [{ start: dateIn(-30), fixedDoses: [{ quantity: 1, unit: 'tablett', partOfDay: '1' as const }] }],
};

/** Two entries started a month ago; the first is discontinued today. */
const history = (): RecordedEvent[] => [
  recorded(
    {
      type: 'MedicationStarted',
      data: {
        entryId: 'stopped',
        medication: sampleMedication,
        use: '1',
        dosage: tabletDaily,
        startedOn: dateIn(-30),
        prescriptionType: 'E',
      },
    },
    0,
    dateIn(-30),
  ),
  recorded(
    {
      type: 'MedicationStarted',
      data: {
        entryId: 'kept',
        medication: paracetamol,
        use: '3',
        dosage: asNeededDosage,
        startedOn: dateIn(-30),
        prescriptionType: 'U',
      },
    },
    1,
    dateIn(-30),
  ),
  recorded(
    { type: 'MedicationDiscontinued', data: { entryId: 'stopped', discontinuedAt: instant(0), reason: { code: 'L' } } },
    2,
    instant(0),
  ),
];

/** An event of each kind that carries a clinical date, dated `days` from today. */
const laterEvents: ReadonlyArray<readonly [string, (days: number) => MedicationListEvent]> = [
  [
    'changeDosage (effectiveFrom)',
    (days) => ({
      type: 'MedicationDosageChanged',
      data: { entryId: 'kept', previousDosage: asNeededDosage, dosage: tabletDaily, effectiveFrom: dateIn(days) },
    }),
  ],
  ['pause (pausedAt)', (days) => ({ type: 'MedicationPaused', data: { entryId: 'kept', pausedAt: instant(days) } })],
  [
    'start (startedOn)',
    (days) => ({
      type: 'MedicationStarted',
      data: {
        entryId: 'new',
        medication: paracetamol,
        use: '2',
        dosage: asNeededDosage,
        startedOn: dateIn(days),
        prescriptionType: 'U',
      },
    }),
  ],
  [
    'issuePrescription (issuedAt)',
    (days) => ({
      type: 'PrescriptionIssued',
      data: { prescriptionId: 'rx-1', entryId: 'kept', issuedAt: instant(days), expiresOn: dateIn(days + 365) },
    }),
  ],
  [
    'markListReviewed (reviewedAt)',
    (days) => ({ type: 'ListMarkedReviewed', data: { kind: 'reconciliation', reviewedAt: instant(days) } }),
  ],
  [
    'registerMultidose (from)',
    (days) => ({
      type: 'MultidoseRegistered',
      data: { responsibleDoctorHpr: '9144889', pharmacyHerId: '81235', from: dateIn(days) },
    }),
  ],
  [
    'startCareRelation (from)',
    (days) => ({
      type: 'CareRelationStarted',
      data: { relationId: 'rel-1', patientId: '15834712358', organisationNumber: '974812002', from: dateIn(days) },
    }),
  ],
];

const readAt = (events: readonly RecordedEvent[], days: number) =>
  toMedicationListGql(foldCurrentList(events, LIST_ID), new Date(TODAY + days * DAY_MS));

describe('no clinical date stands in for "now"', () => {
  describe.each([
    ['far in the future', FAR_FUTURE],
    ['100 days ahead', SOON],
    ['far in the past', FAR_PAST],
  ])('given a drug stopped today, when an event dated %s is recorded', (_when, days) => {
    it.each(laterEvents)(
      '%s: then the stopped drug is shown as discontinued to every reader for 90 days',
      (_kind, make) => {
        const events = [...history(), recorded(make(days), 3, instant(days))];

        for (const readerDays of [0.5, 1, 45, 90]) {
          expect(readAt(events, readerDays).discontinued.map((entry) => entry.entryId)).toEqual(['stopped']);
        }
        expect(readAt(events, 90.01).discontinued).toEqual([]);
      },
    );
  });

  it('given a drug stopped today, when a later event is recorded 91 days on (clinical date far in the past), then the document prunes it', () => {
    const events = [
      ...history(),
      recorded(
        { type: 'ListMarkedNotReviewed', data: { reason: 'innleggelse', markedAt: instant(FAR_PAST) } },
        3,
        instant(FAR_PAST),
        91,
      ),
    ];

    expect(foldCurrentList(events, LIST_ID).discontinued).toEqual([]);
    expect(foldCurrentList(events.slice(0, 3), LIST_ID).discontinued.map((entry) => entry.entryId)).toEqual([
      'stopped',
    ]);
  });

  it.each([
    ['issued far in the past, expired long ago', FAR_PAST, 'F'],
    ['issued far in the future, expiry far ahead', FAR_FUTURE, 'E'],
    ['issued today', 0, 'E'],
  ])(
    "a prescription %s: expiry (7408 F) is judged at the reader's instant, not the issue date",
    (_case, days, status) => {
      const issued = recorded(
        {
          type: 'PrescriptionIssued',
          data: { prescriptionId: 'rx-1', entryId: 'kept', issuedAt: instant(days), expiresOn: dateIn(days + 365) },
        },
        3,
        instant(days),
      );
      const events = [...history(), issued];

      expect(readAt(events, 1).entries.find((entry) => entry.entryId === 'kept')?.prescription?.status).toBe(status);
    },
  );

  it('changes since review and recent changes are stamped with the recorded time, the clinical date kept beside it', () => {
    const events = [...history(), recorded(laterEvents[0]![1](FAR_FUTURE), 3, dateIn(FAR_FUTURE))];

    const change = readAt(events, 1).changesSinceReview.at(-1);

    expect(change).toMatchObject({ at: events[3]!.metadata.recordedAt, clinicalTime: dateIn(FAR_FUTURE) });
  });
});
