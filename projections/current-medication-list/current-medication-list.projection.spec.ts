import fc from 'fast-check';
import { currentMedicationListProjection as projection } from './current-medication-list.projection';
import { emptyCurrentMedicationList } from './current-medication-list.document';
import type { CurrentMedicationListDocument } from './current-medication-list.document';
import { documentsOf, eventFactory, given, gp, project } from '../projection.spec-helpers';
import type { EventData } from '../projection.spec-helpers';
import {
  LIST_ID,
  STREAM,
  asNeeded,
  metformin,
  multidosePharmacy,
  paracet,
  pharmacy,
  twiceDaily,
  validListEvents,
} from './current-medication-list.spec-helpers';

const nurse = { role: 'nurse', herId: '55501', organisationNumber: '974633574' } as const;
const at = (hour: number): string => new Date(Date.parse('2026-01-05T08:00:00.000Z') + hour * 3_600_000).toISOString();

/** A fresh factory per test: positions start at 100 and every event is one hour after the previous. */
const list = () => {
  const { event, raw } = eventFactory();
  const started = (entryId = 'e1', medication = paracet) =>
    event(STREAM, 'MedicationStarted', {
      entryId,
      medication,
      use: '1',
      indication: 'smerter',
      dosage: twiceDaily,
      startedOn: '2026-01-05',
      prescriptionType: 'E',
    });
  const issued = (prescriptionId = 'p1', extra: Partial<EventData<'PrescriptionIssued'>> = {}) =>
    event(STREAM, 'PrescriptionIssued', {
      prescriptionId,
      entryId: 'e1',
      issuedAt: at(1),
      expiresOn: '2027-01-05',
      dispensingsAllowed: 3,
      ...extra,
    });
  const dispensed = (dispensingId: string, hour: number, prescriptionUsedUp = false) =>
    event(
      STREAM,
      'DispensingRecorded',
      {
        dispensingId,
        prescriptionId: 'p1',
        dispensedAt: at(hour),
        product: paracet,
        quantity: { value: 20, unit: 'tablett' },
        pharmacyHerId: '81234',
        prescriptionUsedUp,
      },
      { actor: pharmacy },
    );
  const multidose = () =>
    event(STREAM, 'MultidoseRegistered', {
      responsibleDoctorHpr: '9144889',
      pharmacyHerId: '99887',
      from: '2026-01-05',
    });
  return { event, raw, started, issued, dispensed, multidose };
};

describe('currentMedicationList.v1', () => {
  it('MedicationStarted adds an active entry and records the change', () => {
    const { started } = list();
    const change = {
      position: '100',
      at: at(0),
      clinicalTime: at(0),
      by: gp,
      type: 'MedicationStarted',
      entryId: 'e1',
      summary: 'Startet Paracet tab 500 mg',
    };
    given(projection, [started()]).thenDocument({
      ...emptyCurrentMedicationList(LIST_ID),
      version: 1,
      lastPosition: '100',
      entries: [
        {
          entryId: 'e1',
          medication: paracet,
          use: '1',
          indication: 'smerter',
          dosage: twiceDaily,
          dosageEffectiveFrom: '2026-01-05',
          startedOn: '2026-01-05',
          prescriptionType: 'E',
          status: 'active',
          pausedAt: null,
          pauseReason: null,
          prescription: null,
          dispensings: [],
          lastDispensing: null,
          multidose: 'not-in-multidose',
          changedAt: at(0),
          changedBy: gp,
        },
      ],
      changesSinceReview: [change],
      recentChanges: [change],
    });
  });

  it('MedicationDosageChanged replaces the dosage from the effective date', () => {
    const { event, started } = list();
    const e0 = started();
    const changed = event(STREAM, 'MedicationDosageChanged', {
      entryId: 'e1',
      previousDosage: twiceDaily,
      dosage: asNeeded,
      effectiveFrom: '2026-01-10',
    });
    given(projection, [e0, changed]).thenDocumentMatches({
      version: 2,
      entries: [{ dosage: asNeeded, dosageEffectiveFrom: '2026-01-10', changedAt: at(1) }],
      recentChanges: [
        {},
        { type: 'MedicationDosageChanged', entryId: 'e1', summary: expect.stringContaining('1+0+1 → ') as string },
      ],
    });
  });

  it('MedicationPaused marks the entry paused with time and reason', () => {
    const { event, started } = list();
    const e0 = started();
    const paused = event(
      STREAM,
      'MedicationPaused',
      { entryId: 'e1', pausedAt: at(1), reason: 'operasjon' },
      { actor: nurse },
    );
    given(projection, [e0, paused]).thenDocumentMatches({
      entries: [{ status: 'paused', pausedAt: at(1), pauseReason: 'operasjon', changedBy: nurse }],
      recentChanges: [{}, { summary: 'Pauset Paracet tab 500 mg', by: nurse }],
    });
  });

  it('MedicationResumed makes a paused entry active again', () => {
    const { event, started } = list();
    const e0 = started();
    const paused = event(STREAM, 'MedicationPaused', { entryId: 'e1', pausedAt: at(1) });
    const resumed = event(STREAM, 'MedicationResumed', { entryId: 'e1', resumedAt: at(2) });
    given(projection, [e0, paused, resumed]).thenDocumentMatches({
      entries: [{ status: 'active', pausedAt: null, pauseReason: null, changedAt: at(2) }],
    });
  });

  it('MedicationDiscontinued moves the entry to discontinued with reason, note and who', () => {
    const { event, started, issued } = list();
    const e0 = started();
    const e1 = issued();
    const stopped = event(STREAM, 'MedicationDiscontinued', {
      entryId: 'e1',
      discontinuedAt: at(2),
      reason: { code: 'L', note: 'utslett' },
    });
    given(projection, [e0, e1, stopped]).thenDocumentMatches({
      entries: [],
      discontinued: [
        {
          entryId: 'e1',
          medication: paracet,
          prescription: { prescriptionId: 'p1' },
          discontinuedAt: at(2),
          reasonCode: 'L',
          note: 'utslett',
          discontinuedBy: gp,
        },
      ],
      recentChanges: [{}, {}, { summary: 'Seponert Paracet tab 500 mg (årsak L)' }],
    });
  });

  it('MedicationRetracted removes the entry and remembers the retraction', () => {
    const { event, started } = list();
    const e0 = started();
    const retracted = event(STREAM, 'MedicationRetracted', {
      entryId: 'e1',
      retractedAt: at(1),
      reason: 'feil pasient',
    });
    given(projection, [e0, retracted]).thenDocumentMatches({
      entries: [],
      discontinued: [],
      retracted: [{ entryId: 'e1', displayName: 'Paracet tab 500 mg', reason: 'feil pasient', at: at(1), by: gp }],
    });
  });

  it('PrescriptionIssued links a dispensable prescription', () => {
    const { started, issued } = list();
    given(projection, [started(), issued()]).thenDocumentMatches({
      entries: [
        {
          prescription: {
            prescriptionId: 'p1',
            status: 'E',
            issuedAt: at(1),
            expiresOn: '2027-01-05',
            dispensingsAllowed: 3,
            dispensingsLeft: 3,
            renewsPrescriptionId: null,
            recalledAt: null,
            recallReasonCode: null,
          },
        },
      ],
    });
  });

  it('PrescriptionRecalled sets status T (7408) on the named prescription only', () => {
    const { event, started, issued } = list();
    const e0 = started();
    const e1 = issued();
    const recalled = event(STREAM, 'PrescriptionRecalled', {
      prescriptionId: 'p1',
      entryId: 'e1',
      recalledAt: at(2),
      reasonCode: '4',
    });
    given(projection, [e0, e1, recalled]).thenDocumentMatches({
      entries: [{ prescription: { prescriptionId: 'p1', status: 'T', recalledAt: at(2), recallReasonCode: '4' } }],
    });
  });

  it('DispensingRecorded sets U, then R when used up, counts down and keeps the last dispensing', () => {
    const { started, issued, dispensed } = list();
    given(projection, [started(), issued(), dispensed('d1', 2), dispensed('d2', 3, true)]).thenDocumentMatches({
      entries: [
        {
          prescription: { status: 'R', dispensingsLeft: 1 },
          lastDispensing: {
            dispensingId: 'd2',
            dispensedAt: at(3),
            product: paracet,
            quantity: { value: 20, unit: 'tablett' },
            pharmacyHerId: '81234',
          },
          dispensings: [{ dispensingId: 'd1' }, { dispensingId: 'd2' }],
          changedAt: at(1),
        },
      ],
      recentChanges: [{ type: 'MedicationStarted' }, { type: 'PrescriptionIssued' }],
    });
  });

  it('DispensingAnnulled falls back to the previous dispensing and restores status and count', () => {
    const { event, started, issued, dispensed } = list();
    const e0 = started();
    const e1 = issued();
    const e2 = dispensed('d1', 2);
    const e3 = dispensed('d2', 3, true);
    const annulled = event(
      STREAM,
      'DispensingAnnulled',
      { dispensingId: 'd2', annulledAt: at(5) },
      { actor: pharmacy },
    );
    given(projection, [e0, e1, e2, e3, annulled]).thenDocumentMatches({
      entries: [
        {
          prescription: { status: 'U', dispensingsLeft: 2 },
          lastDispensing: { dispensingId: 'd1' },
          dispensings: [{ dispensingId: 'd1' }],
        },
      ],
    });
  });

  it('MultidoseRegistered records the registration; unpacked entries are outside multidose', () => {
    const { started, multidose } = list();
    given(projection, [started(), multidose()]).thenDocumentMatches({
      multidose: { responsibleDoctorHpr: '9144889', pharmacyHerId: '99887', from: '2026-01-05', lastPacking: null },
      entries: [{ multidose: 'outside-multidose', changedAt: at(1) }],
    });
  });

  it('MultidoseEnded clears multidose; entries are not in multidose', () => {
    const { event, started, multidose } = list();
    const e0 = started();
    const e1 = multidose();
    const ended = event(STREAM, 'MultidoseEnded', { endedOn: '2026-02-01' });
    given(projection, [e0, e1, ended]).thenDocumentMatches({
      multidose: null,
      entries: [{ multidose: 'not-in-multidose' }],
      recentChanges: [{}, {}, { summary: 'Multidose avsluttet 2026-02-01' }],
    });
  });

  it('MultidosePackingRecorded: packed, packed:false and absent-or-newer entries are told apart plainly', () => {
    const { event, started, multidose } = list();
    const before = [started('e1'), started('e2', metformin), started('e3', paracet), multidose()];
    const packing = event(
      STREAM,
      'MultidosePackingRecorded',
      {
        packingId: 'k1',
        firstDoseOn: '2026-01-12',
        lastDoseOn: '2026-01-25',
        orderDeadline: '2026-01-20',
        entries: [
          { entryId: 'e1', packed: true },
          { entryId: 'e2', packed: false },
        ],
      },
      { actor: multidosePharmacy },
    );
    given(projection, [...before, packing, started('e4', metformin)]).thenDocumentMatches({
      multidose: {
        lastPacking: {
          packingId: 'k1',
          firstDoseOn: '2026-01-12',
          lastDoseOn: '2026-01-25',
          orderDeadline: '2026-01-20',
        },
      },
      entries: [
        { entryId: 'e1', multidose: 'packed' },
        { entryId: 'e2', multidose: 'outside-multidose' },
        { entryId: 'e3', multidose: 'outside-multidose' },
        { entryId: 'e4', multidose: 'outside-multidose' },
      ],
    });
  });

  it('MultidoseQuestionAsked opens a question', () => {
    const { event, started } = list();
    const e0 = started();
    const asked = event(STREAM, 'MultidoseQuestionAsked', {
      questionId: 'q1',
      entryId: 'e1',
      questionCode: '3',
      text: 'Fornye?',
      askedAt: at(1),
      pharmacyHerId: '99887',
    });
    given(projection, [e0, asked]).thenDocumentMatches({
      openQuestions: [
        { questionId: 'q1', entryId: 'e1', code: '3', text: 'Fornye?', askedAt: at(1), pharmacyHerId: '99887' },
      ],
    });
  });

  it('MultidoseQuestionAnswered closes the question', () => {
    const { event } = list();
    const ask = (questionId: string) =>
      event(STREAM, 'MultidoseQuestionAsked', {
        questionId,
        questionCode: '5',
        askedAt: at(0),
        pharmacyHerId: '99887',
      });
    const asked = [ask('q1'), ask('q2')];
    const answered = event(STREAM, 'MultidoseQuestionAnswered', {
      questionId: 'q1',
      answerCode: '8',
      answeredAt: at(2),
    });
    given(projection, [...asked, answered]).thenDocumentMatches({
      openQuestions: [{ questionId: 'q2', entryId: null, text: null }],
    });
  });

  it('ListMarkedReviewed records who and when and restarts the changes since review', () => {
    const { event, started } = list();
    const first = started('e1');
    const reviewed = event(STREAM, 'ListMarkedReviewed', {
      kind: 'medication-review',
      reviewedAt: at(1),
      note: 'ved innkomst',
    });
    given(projection, [first, reviewed, started('e2', metformin)]).thenDocumentMatches({
      review: {
        status: 'reviewed',
        kind: 'medication-review',
        reviewedAt: at(1),
        reviewedBy: gp,
        note: 'ved innkomst',
        notReviewedReason: null,
      },
      changesSinceReview: [{ entryId: 'e2', position: '102' }],
      recentChanges: [{ entryId: 'e1' }, { entryId: 'e2' }],
    });
  });

  it('ListMarkedNotReviewed keeps the last review and says why it is no longer valid', () => {
    const { event } = list();
    const reviewed = event(STREAM, 'ListMarkedReviewed', { kind: 'reconciliation', reviewedAt: at(0) });
    const notReviewed = event(
      STREAM,
      'ListMarkedNotReviewed',
      { reason: 'innlagt på sykehus', markedAt: at(1) },
      { actor: nurse },
    );
    given(projection, [reviewed, notReviewed]).thenDocumentMatches({
      review: {
        status: 'not-reviewed',
        kind: 'reconciliation',
        reviewedAt: at(0),
        notReviewedReason: 'innlagt på sykehus',
        notReviewedAt: at(1),
        notReviewedBy: nurse,
      },
    });
  });

  it('CareRelationStarted adds an active relation and the patient id', () => {
    const { event } = list();
    const relation = event(STREAM, 'CareRelationStarted', {
      relationId: 'r1',
      patientId: '31129956715',
      organisationNumber: '974633574',
      unit: 'Avd. 2',
      from: '2026-01-05',
    });
    given(projection, [relation]).thenDocumentMatches({
      patientId: '31129956715',
      careRelations: [
        { relationId: 'r1', organisationNumber: '974633574', unit: 'Avd. 2', from: '2026-01-05', to: null },
      ],
    });
  });

  it('CareRelationEnded removes the relation when its end date had passed when it was recorded', () => {
    const { event } = list();
    const relation = (relationId: string) =>
      event(STREAM, 'CareRelationStarted', {
        relationId,
        patientId: '31129956715',
        organisationNumber: '974633574',
        from: '2026-01-05',
      });
    const relations = [relation('r1'), relation('r2')];
    const ended = event(
      STREAM,
      'CareRelationEnded',
      { relationId: 'r1', organisationNumber: '974633574', endedOn: '2026-03-01' },
      { recordedAt: '2026-03-02T09:00:00.000Z' },
    );
    given(projection, [...relations, ended]).thenDocumentMatches({ careRelations: [{ relationId: 'r2', unit: null }] });
  });

  it('CareRelationEnded with an end date today or later keeps the relation, ending at that date (issue 15)', () => {
    const { event } = list();
    const relation = (relationId: string, to?: string) =>
      event(STREAM, 'CareRelationStarted', {
        relationId,
        patientId: '31129956715',
        organisationNumber: '974633574',
        from: '2026-01-05',
        ...(to === undefined ? {} : { to }),
      });
    const endOn = (relationId: string, endedOn: string) =>
      event(
        STREAM,
        'CareRelationEnded',
        { relationId, organisationNumber: '974633574', endedOn },
        { recordedAt: '2026-02-10T09:00:00.000Z' },
      );
    given(projection, [
      relation('r1'),
      relation('r2', '2026-02-20'),
      relation('r3'),
      endOn('r1', '2026-03-01'),
      endOn('r2', '2026-04-01'),
      endOn('r3', '2026-02-10'),
    ]).thenDocumentMatches({
      careRelations: [
        { relationId: 'r1', from: '2026-01-05', to: '2026-03-01' },
        { relationId: 'r2', from: '2026-01-05', to: '2026-02-20' },
        { relationId: 'r3', from: '2026-01-05', to: '2026-02-10' },
      ],
    });
  });

  describe('rules', () => {
    it('prunes discontinued entries more than 90 days before the current event was recorded, whatever its clinical time', () => {
      const { event, started } = list();
      const first = started();
      const stopped = event(STREAM, 'MedicationDiscontinued', {
        entryId: 'e1',
        discontinuedAt: '2026-01-06T08:00:00.000Z',
        reason: { code: 'A' },
      });
      // the clinical time is far in the future: only the recorded time may move the 90-day window
      const later = (day: string) =>
        event(
          STREAM,
          'ListMarkedNotReviewed',
          { reason: 'x', markedAt: '2126-01-01T00:00:00.000Z' },
          { recordedAt: day, clinicalTime: '2126-01-01T00:00:00.000Z' },
        );
      const visible = project(projection, [first, stopped, later('2026-04-06T08:00:00.000Z')]);
      const pruned = project(projection, [later('2026-04-06T08:00:01.000Z')], visible);
      expect(documentsOf<CurrentMedicationListDocument>(visible)[LIST_ID]?.discontinued).toHaveLength(1);
      expect(documentsOf<CurrentMedicationListDocument>(pruned)[LIST_ID]?.discontinued).toEqual([]);
    });

    it('keeps the last 50 changes in position order with ISO times', () => {
      const { event } = list();
      const events = Array.from({ length: 60 }, (_, i) =>
        event(STREAM, 'MedicationStarted', {
          entryId: `e${i}`,
          medication: paracet,
          use: '3',
          dosage: asNeeded,
          startedOn: '2026-01-05',
          prescriptionType: 'U',
        }),
      );
      const { recentChanges, changesSinceReview } = given(projection, events).documents[
        LIST_ID
      ] as CurrentMedicationListDocument;
      expect(recentChanges.map((c) => c.position)).toEqual(events.slice(10).map((e) => e.position));
      expect(recentChanges.every((c) => new Date(c.at).toISOString() === c.at)).toBe(true);
      expect(changesSinceReview).toHaveLength(60);
    });

    it('links a dispensing without entry id through its prescription; ignores one for an unknown prescription', () => {
      const { event, started, issued } = list();
      const linked = [started(), issued()];
      const product = metformin;
      const base = {
        dispensedAt: at(3),
        product,
        quantity: { value: 1, unit: 'pakning' },
        pharmacyHerId: '81234',
        prescriptionUsedUp: false,
      };
      const known = event(STREAM, 'DispensingRecorded', { dispensingId: 'd1', prescriptionId: 'p1', ...base });
      const unknown = event(STREAM, 'DispensingRecorded', {
        dispensingId: 'd2',
        prescriptionId: 'p-elsewhere',
        ...base,
      });
      given(projection, [...linked, known, unknown]).thenDocumentMatches({
        version: 4,
        entries: [{ dispensings: [{ dispensingId: 'd1', product: metformin }] }],
      });
    });

    it.each([
      ['issued before the old one is recalled', true],
      ['issued after the old one is recalled', false],
    ])('a renewal leaves the new prescription dispensable with its own count (%s)', (_, issueFirst) => {
      const { event, started, issued, dispensed } = list();
      const history = [started(), issued(), dispensed('d1', 2)];
      const recallOld = () =>
        event(STREAM, 'PrescriptionRecalled', {
          prescriptionId: 'p1',
          entryId: 'e1',
          recalledAt: at(3),
          reasonCode: '1',
        });
      const renew = () => issued('p2', { renewsPrescriptionId: 'p1' });
      const renewal = issueFirst ? [renew(), recallOld()] : [recallOld(), renew()];
      given(projection, [...history, ...renewal]).thenDocumentMatches({
        entries: [
          {
            prescription: { prescriptionId: 'p2', status: 'E', dispensingsLeft: 3, renewsPrescriptionId: 'p1' },
            lastDispensing: { dispensingId: 'd1', prescriptionId: 'p1' },
          },
        ],
      });
    });

    it('ignores unknown (newer) event types except that they advance the version', () => {
      const { raw, started } = list();
      const before = documentsOf<CurrentMedicationListDocument>(project(projection, [started()]))[
        LIST_ID
      ] as CurrentMedicationListDocument;
      const after = projection.evolve(before, raw(STREAM, 'MedicationNoteAdded', { entryId: 'e1', note: 'x' }));
      expect(after).toStrictEqual({ ...before, version: 2, lastPosition: '101' });
    });

    it('names one document per list stream and none for other streams', () => {
      const { event, raw } = list();
      expect(projection.documentIds(event(STREAM, 'MultidoseEnded', { endedOn: '2026-01-05' }))).toEqual([LIST_ID]);
      expect(projection.documentIds(raw('reconciliation-1', 'MultidoseEnded', { endedOn: '2026-01-05' }))).toEqual([]);
    });
  });

  describe('idempotency and rebuild', () => {
    it('replay: re-applying an already-applied event changes nothing', () => {
      const { event, started, issued, dispensed } = list();
      const events = [
        started(),
        issued(),
        dispensed('d1', 2),
        event(STREAM, 'DispensingAnnulled', { dispensingId: 'd1', annulledAt: at(4) }),
      ] as const;
      const once = project(projection, events);
      expect(project(projection, [events[2], events[0], events[3]], once)).toEqual(once);
    });

    it('rebuild: from position zero equals the incrementally maintained documents', () => {
      const { event, started, issued, dispensed, multidose } = list();
      const events = [
        started(),
        issued(),
        multidose(),
        dispensed('d1', 3),
        started('e2', metformin),
        event(STREAM, 'MedicationDiscontinued', { entryId: 'e2', discontinuedAt: at(5), reason: { code: 'M' } }),
      ];
      const incremental = events.reduce((stored, e) => project(projection, [e], stored), new Map<string, string>());
      expect(documentsOf(project(projection, events))).toStrictEqual(documentsOf(incremental));
    });

    it('property: folding from scratch equals folding incrementally with interleaved replays', () => {
      fc.assert(
        fc.property(validListEvents(), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 40 }), (events, replays) => {
          const interleaved = events.flatMap((e, i) => [
            e,
            ...replays
              .filter(([after]) => events.length > 0 && after % events.length === i)
              .map(([, pick]) => events[pick % (i + 1)]!),
          ]);
          const scratch = documentsOf<CurrentMedicationListDocument>(project(projection, events));
          expect(documentsOf(project(projection, interleaved))).toStrictEqual(scratch);
          const last = events.filter((e) => projection.handles.includes(e.type)).at(-1);
          expect(scratch[LIST_ID]?.version).toBe(last === undefined ? undefined : last.revision + 1);
        }),
        { numRuns: 100, seed: 20260105 },
      );
    });
  });
});
