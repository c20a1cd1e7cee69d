import { buildTimeline, describeActor, describeEvent } from './medication-history';
import { eventFactory } from '../projection.spec-helpers';
import type { EventData } from '../projection.spec-helpers';
import type { MedicationListEventType } from '../../src/medication-list/domain/medication-list.events';
import { medicationListEventTypes } from '../../src/medication-list/domain/medication-list.events';

const STREAM = 'medicationList-3f1c9a52-8d4e-4b7a-9c1e-2a6b5d8e0f13';
const paracet = { atcCode: 'N02BE01', displayName: 'Paracet tab 500 mg' };
const twiceDaily = {
  periods: [
    {
      start: '2026-01-05',
      fixedDoses: [
        { quantity: 1, unit: 'tablett', partOfDay: '1' as const },
        { quantity: 1, unit: 'tablett', partOfDay: '5' as const },
      ],
    },
  ],
  shortCode: '1+0+1',
};
const once = { periods: [{ start: '2026-01-10', fixedDoses: [{ quantity: 1, unit: 'tablett', time: '08:00' }] }] };
const names = new Map([['e1', 'Paracet tab 500 mg']]);
const context = { names, dispensingEntries: new Map([['d1', 'e1']]), questionEntries: new Map([['q1', 'e1']]) };

type Row<K extends MedicationListEventType> = [K, EventData<K>, string, string | null, string | null];
const row = <K extends MedicationListEventType>(...r: Row<K>): Row<K> => r;

/** [type, data, what, why, entryId]: one row per event type of the catalogue. */
const table = [
  row(
    'MedicationStarted',
    {
      entryId: 'e1',
      medication: paracet,
      use: '1',
      indication: 'smerter',
      dosage: twiceDaily,
      startedOn: '2026-01-05',
      prescriptionType: 'E',
    },
    'Startet Paracet tab 500 mg fra 2026-01-05: 1 tablett morgen, 1 tablett kveld',
    'smerter',
    'e1',
  ),
  row(
    'MedicationDosageChanged',
    { entryId: 'e1', previousDosage: twiceDaily, dosage: once, effectiveFrom: '2026-01-10', reason: 'bedre' },
    'Dosering endret for Paracet tab 500 mg fra 2026-01-10: 1 tablett morgen, 1 tablett kveld → 1 tablett kl. 08:00',
    'bedre',
    'e1',
  ),
  row(
    'MedicationPaused',
    { entryId: 'e1', pausedAt: '2026-01-06T08:00:00.000Z', reason: 'operasjon' },
    'Pauset Paracet tab 500 mg',
    'operasjon',
    'e1',
  ),
  row(
    'MedicationResumed',
    { entryId: 'e1', resumedAt: '2026-01-07T08:00:00.000Z' },
    'Gjenopptatt Paracet tab 500 mg',
    null,
    'e1',
  ),
  row(
    'MedicationDiscontinued',
    { entryId: 'e1', discontinuedAt: '2026-01-08T08:00:00.000Z', reason: { code: 'L', note: 'utslett' } },
    'Seponert Paracet tab 500 mg: årsak L (Bivirkning)',
    'utslett',
    'e1',
  ),
  row(
    'MedicationRetracted',
    { entryId: 'e1', retractedAt: '2026-01-08T08:00:00.000Z', reason: 'feil pasient' },
    'Feilregistrering: Paracet tab 500 mg fjernet fra listen',
    'feil pasient',
    'e1',
  ),
  row(
    'PrescriptionIssued',
    {
      prescriptionId: 'p2',
      entryId: 'e1',
      issuedAt: '2026-01-05T08:00:00.000Z',
      expiresOn: '2027-01-05',
      dispensingsAllowed: 3,
      renewsPrescriptionId: 'p1',
    },
    'Resept p2 utstedt som fornyelse av p1 for Paracet tab 500 mg, gyldig til 2027-01-05, 3 utleveringer',
    null,
    'e1',
  ),
  row(
    'PrescriptionRecalled',
    { prescriptionId: 'p1', entryId: 'e1', recalledAt: '2026-01-05T08:00:00.000Z', reasonCode: '1' },
    'Resept p1 tilbakekalt for Paracet tab 500 mg: årsak 1 (Fornying)',
    null,
    'e1',
  ),
  row(
    'DispensingRecorded',
    {
      dispensingId: 'd1',
      prescriptionId: 'p1',
      dispensedAt: '2026-01-05T12:00:00.000Z',
      product: { displayName: 'Pinex tab 500 mg' },
      quantity: { value: 20, unit: 'tablett' },
      pharmacyHerId: '81234',
      prescriptionUsedUp: true,
    },
    'Utlevert Pinex tab 500 mg, 20 tablett, på resept p1 (apotek HER 81234); resepten er brukt opp',
    null,
    'e1',
  ),
  row(
    'DispensingAnnulled',
    { dispensingId: 'd1', annulledAt: '2026-01-06T08:00:00.000Z', reason: 'feil vare' },
    'Utlevering d1 av Paracet tab 500 mg annullert',
    'feil vare',
    'e1',
  ),
  row(
    'MultidoseRegistered',
    { responsibleDoctorHpr: '9144889', pharmacyHerId: '99887', from: '2026-01-05' },
    'Multidose registrert fra 2026-01-05: ansvarlig lege HPR 9144889, apotek HER 99887',
    null,
    null,
  ),
  row(
    'MultidoseEnded',
    { endedOn: '2026-03-01', reason: 'flyttet' },
    'Multidose avsluttet 2026-03-01',
    'flyttet',
    null,
  ),
  row(
    'MultidosePackingRecorded',
    {
      packingId: 'k1',
      firstDoseOn: '2026-01-12',
      lastDoseOn: '2026-01-25',
      orderDeadline: '2026-01-20',
      entries: [
        { entryId: 'e1', packed: false },
        { entryId: 'e2', packed: true },
      ],
    },
    'Multidosepakking 2026-01-12–2026-01-25 (bestillingsfrist 2026-01-20): 1 pakket; utenfor multidose: Paracet tab 500 mg',
    null,
    null,
  ),
  row(
    'MultidoseQuestionAsked',
    {
      questionId: 'q1',
      entryId: 'e1',
      questionCode: '3',
      text: 'Snart tom',
      askedAt: '2026-01-05T08:00:00.000Z',
      pharmacyHerId: '99887',
    },
    'Spørsmål fra multidoseapotek om Paracet tab 500 mg: 3 (Skal resepten fornyes?)',
    'Snart tom',
    'e1',
  ),
  row(
    'MultidoseQuestionAnswered',
    { questionId: 'q1', answerCode: '5', answeredAt: '2026-01-06T08:00:00.000Z' },
    'Svar til multidoseapotek om Paracet tab 500 mg: 5 (Fornyet)',
    null,
    'e1',
  ),
  row(
    'ListMarkedReviewed',
    { kind: 'reconciliation', reviewedAt: '2026-01-05T08:00:00.000Z', note: 'mot kjernejournal' },
    'Listen markert som gjennomgått: Samstemming',
    'mot kjernejournal',
    null,
  ),
  row(
    'ListMarkedNotReviewed',
    { reason: 'innlagt på sykehus', markedAt: '2026-01-05T08:00:00.000Z' },
    'Listen markert som ikke gjennomgått',
    'innlagt på sykehus',
    null,
  ),
  row(
    'CareRelationStarted',
    {
      relationId: 'r1',
      patientId: '31129956715',
      organisationNumber: '974633574',
      unit: 'Avd. 2',
      from: '2026-01-05',
      to: '2026-06-30',
    },
    'Tjenstlig behov registrert for 974633574, Avd. 2 fra 2026-01-05 til 2026-06-30',
    null,
    null,
  ),
  row(
    'CareRelationEnded',
    { relationId: 'r1', organisationNumber: '974633574', endedOn: '2026-03-01' },
    'Tjenstlig behov avsluttet for 974633574 2026-03-01',
    null,
    null,
  ),
];

describe('medication history', () => {
  it('has one row per event type of the catalogue', () => {
    expect(table.map(([type]) => type).sort()).toEqual([...medicationListEventTypes].sort());
  });

  it.each(table)('describes %s', (type, data, what, why, entryId) => {
    const { event } = eventFactory(7n);
    const item = describeEvent(event(STREAM, type, data, { clinicalTime: '2026-01-05T07:30:00.000Z' }), context);
    expect(item).toStrictEqual({
      at: '2026-01-05T07:30:00.000Z',
      recordedAt: '2026-01-05T08:00:00.000Z',
      position: '7',
      type,
      entryId,
      what,
      why,
      who: 'lege Dr. Kari Lege (HPR 9144889)',
    });
    expect(item?.what).not.toContain('31129956715');
  });

  it('returns undefined for an unknown event type', () => {
    expect(describeEvent(eventFactory().raw(STREAM, 'MedicationNoteAdded', { note: 'x' }))).toBeUndefined();
  });

  it('names who acted by role and identifiers', () => {
    expect(describeActor({ role: 'pharmacy', herId: '81234', organisationNumber: '123456785' })).toBe(
      'apotek (HER 81234, org.nr. 123456785)',
    );
    expect(describeActor({ role: 'system' })).toBe('system');
  });

  it('buildTimeline learns names and links from earlier events, in stream order, skipping unknown types', () => {
    const { event, raw } = eventFactory();
    const timeline = buildTimeline([
      event(STREAM, 'MedicationStarted', {
        entryId: 'e9',
        medication: paracet,
        use: '3',
        dosage: twiceDaily,
        startedOn: '2026-01-05',
        prescriptionType: 'E',
      }),
      event(STREAM, 'PrescriptionIssued', {
        prescriptionId: 'p9',
        entryId: 'e9',
        issuedAt: '2026-01-05T08:00:00.000Z',
        expiresOn: '2027-01-05',
      }),
      raw(STREAM, 'MedicationNoteAdded', { note: 'x' }),
      event(
        STREAM,
        'DispensingRecorded',
        {
          dispensingId: 'd9',
          prescriptionId: 'p9',
          dispensedAt: '2026-01-06T08:00:00.000Z',
          product: paracet,
          quantity: { value: 1, unit: 'pakning' },
          pharmacyHerId: '81234',
          prescriptionUsedUp: false,
        },
        { actor: { role: 'pharmacy', herId: '81234' } },
      ),
      event(STREAM, 'DispensingAnnulled', { dispensingId: 'd9', annulledAt: '2026-01-07T08:00:00.000Z' }),
      event(STREAM, 'MedicationDiscontinued', {
        entryId: 'e9',
        discontinuedAt: '2026-01-08T08:00:00.000Z',
        reason: { code: 'A' },
      }),
    ]);
    expect(timeline.map((item) => [item.position, item.entryId, item.what])).toEqual([
      ['100', 'e9', 'Startet Paracet tab 500 mg fra 2026-01-05: 1 tablett morgen, 1 tablett kveld'],
      ['101', 'e9', 'Resept p9 utstedt for Paracet tab 500 mg, gyldig til 2027-01-05'],
      ['103', 'e9', 'Utlevert Paracet tab 500 mg, 1 pakning, på resept p9 (apotek HER 81234)'],
      ['104', 'e9', 'Utlevering d9 av Paracet tab 500 mg annullert'],
      ['105', 'e9', 'Seponert Paracet tab 500 mg: årsak A (Avsluttet behandling)'],
    ]);
    expect(timeline[2]?.who).toBe('apotek (HER 81234)');
  });
});
