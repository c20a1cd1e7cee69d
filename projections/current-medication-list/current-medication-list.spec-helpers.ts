import fc from 'fast-check';
import type { ProjectionEvent } from '../projection';
import type { Actor } from '../../src/shared/event-sourcing/event-store.port';
import type { Dosage, Medication } from '../../src/medication-list/domain/medication-list.events';
import { eventFactory } from '../projection.spec-helpers';

/* Fixtures and a generator of valid event sequences for the current-medication-list specs. */

/** The list under test. */
export const LIST_ID = '3f1c9a52-8d4e-4b7a-9c1e-2a6b5d8e0f13';
/** Its stream. */
export const STREAM = `medicationList-${LIST_ID}`;

/** A community pharmacy reporting dispensings. */
export const pharmacy: Actor = { role: 'pharmacy', herId: '81234', organisationNumber: '123456785' };
/** A multidose pharmacy. */
export const multidosePharmacy: Actor = { role: 'pharmacy', herId: '99887' };

/** Drugs from the catalogue. */
export const paracet: Medication = {
  festId: 'ID_6A2A1E4C-5D4B-4C7A-9E3E-1B2C3D4E5F60',
  atcCode: 'N02BE01',
  displayName: 'Paracet tab 500 mg',
};
export const metformin: Medication = { atcCode: 'A10BA02', displayName: 'Metformin Mylan tab 500 mg' };
export const fishOil: Medication = { displayName: 'Omega-3 kapsel' };

/** 1 tablet morning and evening. */
export const twiceDaily: Dosage = {
  periods: [
    {
      start: '2026-01-05',
      fixedDoses: [
        { quantity: 1, unit: 'tablett', partOfDay: '1' },
        { quantity: 1, unit: 'tablett', partOfDay: '5' },
      ],
    },
  ],
  shortCode: '1+0+1',
};
/** As needed, at most 4 a day, 6 hours apart. */
export const asNeeded: Dosage = {
  periods: [
    {
      start: '2026-01-05',
      fixedDoses: [],
      asNeeded: { quantity: 1, unit: 'tablett', maxPer24h: 4, minIntervalHours: 6 },
    },
  ],
  instruction: '1 tablett ved behov, høyst 4 per døgn',
};
/** Tapering: two tablets at 08:00 for a week, then one. */
export const tapering: Dosage = {
  periods: [
    { start: '2026-01-05', end: '2026-01-11', fixedDoses: [{ quantity: 2, unit: 'tablett', time: '08:00' }] },
    {
      start: '2026-01-12',
      fixedDoses: [{ quantity: 1, unit: 'tablett', time: '08:00' }],
      weekdays: ['mon', 'wed', 'fri'],
    },
  ],
};

const medications = [paracet, metformin, fishOil];
const dosages = [twiceDaily, asNeeded, tapering];
const kinds = [
  'start',
  'changeDosage',
  'pause',
  'resume',
  'discontinue',
  'retract',
  'issue',
  'renew',
  'recall',
  'dispense',
  'annul',
  'registerMultidose',
  'endMultidose',
  'pack',
  'ask',
  'answer',
  'review',
  'notReview',
  'startRelation',
  'endRelation',
  'unknown',
] as const;
type Op = {
  readonly kind: (typeof kinds)[number];
  readonly pick: number;
  readonly flag: boolean;
  readonly days: number;
};

interface ModelEntry {
  status: 'active' | 'paused';
  dosage: Dosage;
  prescriptionId?: string;
}

const pickFrom = <T>(items: readonly T[], pick: number): T | undefined =>
  items.length === 0 ? undefined : items[pick % items.length];

/**
 * Turns random operations into a VALID event sequence (as the decider would allow it) by tracking a small
 * model; an operation that does not fit the model is skipped. Time moves 0–40 days per operation, so the
 * 90-day pruning of discontinued entries is exercised.
 */
const toEvents = (ops: readonly Op[]): ProjectionEvent[] => {
  const { event, raw } = eventFactory();
  const out: ProjectionEvent[] = [];
  const entries = new Map<string, ModelEntry>();
  const discontinued: string[] = [];
  let dispensings: { id: string; entryId: string }[] = [];
  let questions: string[] = [];
  let relations: { id: string; org: string; unit?: string }[] = [];
  let multidose = false;
  let time = Date.parse('2026-01-05T08:00:00.000Z');
  ops.forEach((op, n) => {
    time += op.days * 86_400_000 + 3_600_000;
    const at = new Date(time).toISOString();
    const on = at.slice(0, 10);
    const options = { clinicalTime: at, recordedAt: at };
    const emit = <K extends Parameters<typeof event>[1]>(type: K, data: Parameters<typeof event<K>>[2]): void => {
      out.push(event(STREAM, type, data, options));
    };
    const ids = [...entries.keys()];
    const entryId = pickFrom(ids, op.pick);
    const entry = entryId === undefined ? undefined : entries.get(entryId);
    switch (op.kind) {
      case 'start': {
        const dosage = pickFrom(dosages, op.pick)!;
        const medication = pickFrom(medications, op.pick)!;
        entries.set(`e${n}`, { status: 'active', dosage });
        emit('MedicationStarted', {
          entryId: `e${n}`,
          medication,
          use: op.flag ? '1' : '3',
          dosage,
          startedOn: on,
          prescriptionType: op.flag ? 'E' : 'U',
        });
        return;
      }
      case 'changeDosage':
        if (entryId !== undefined && entry !== undefined) {
          const dosage = pickFrom(dosages, op.pick + 1)!;
          emit('MedicationDosageChanged', { entryId, previousDosage: entry.dosage, dosage, effectiveFrom: on });
          entry.dosage = dosage;
        }
        return;
      case 'pause': {
        const target = pickFrom(
          ids.filter((id) => entries.get(id)?.status === 'active'),
          op.pick,
        );
        if (target !== undefined) {
          entries.set(target, { ...(entries.get(target) as ModelEntry), status: 'paused' });
          emit('MedicationPaused', { entryId: target, pausedAt: at, ...(op.flag ? { reason: 'operasjon' } : {}) });
        }
        return;
      }
      case 'resume': {
        const target = pickFrom(
          ids.filter((id) => entries.get(id)?.status === 'paused'),
          op.pick,
        );
        if (target !== undefined) {
          entries.set(target, { ...(entries.get(target) as ModelEntry), status: 'active' });
          emit('MedicationResumed', { entryId: target, resumedAt: at });
        }
        return;
      }
      case 'discontinue':
        if (entryId !== undefined && entry !== undefined) {
          entries.delete(entryId);
          discontinued.push(entryId);
          emit('MedicationDiscontinued', { entryId, discontinuedAt: at, reason: { code: op.flag ? 'L' : 'A' } });
          if (entry.prescriptionId !== undefined) {
            emit('PrescriptionRecalled', {
              prescriptionId: entry.prescriptionId,
              entryId,
              recalledAt: at,
              reasonCode: '2',
            });
          }
        }
        return;
      case 'retract': {
        const target = pickFrom([...ids, ...discontinued], op.pick);
        if (target !== undefined) {
          entries.delete(target);
          discontinued.splice(0, discontinued.length, ...discontinued.filter((id) => id !== target));
          dispensings = dispensings.filter((d) => d.entryId !== target);
          emit('MedicationRetracted', { entryId: target, retractedAt: at, reason: 'feil pasient' });
        }
        return;
      }
      case 'issue':
      case 'renew':
        if (
          entryId !== undefined &&
          entry !== undefined &&
          (op.kind === 'issue') === (entry.prescriptionId === undefined)
        ) {
          const previous = entry.prescriptionId;
          const issued = () => {
            emit('PrescriptionIssued', {
              prescriptionId: `p${n}`,
              entryId,
              issuedAt: at,
              expiresOn: `${Number(on.slice(0, 4)) + 1}${on.slice(4)}`,
              ...(op.pick % 3 === 0 ? {} : { dispensingsAllowed: (op.pick % 4) + 1 }),
              ...(previous === undefined ? {} : { renewsPrescriptionId: previous }),
            });
          };
          const recalled = () => {
            if (previous !== undefined) {
              emit('PrescriptionRecalled', { prescriptionId: previous, entryId, recalledAt: at, reasonCode: '1' });
            }
          };
          // a renewal is a recall (reason 1) plus a new prescription; accept either order
          if (op.flag) {
            issued();
            recalled();
          } else {
            recalled();
            issued();
          }
          entry.prescriptionId = `p${n}`;
        }
        return;
      case 'recall':
        if (entryId !== undefined && entry?.prescriptionId !== undefined) {
          emit('PrescriptionRecalled', {
            prescriptionId: entry.prescriptionId,
            entryId,
            recalledAt: at,
            reasonCode: '4',
          });
        }
        return;
      case 'dispense':
        if (entryId !== undefined && entry?.prescriptionId !== undefined) {
          dispensings.push({ id: `d${n}`, entryId });
          emit('DispensingRecorded', {
            dispensingId: `d${n}`,
            prescriptionId: entry.prescriptionId,
            ...(op.flag ? { entryId } : {}),
            dispensedAt: at,
            product: pickFrom(medications, op.pick)!,
            quantity: { value: 30, unit: 'tablett' },
            pharmacyHerId: '81234',
            prescriptionUsedUp: op.pick % 5 === 0,
          });
        }
        return;
      case 'annul': {
        const dispensing = pickFrom(dispensings, op.pick);
        if (dispensing !== undefined) {
          dispensings = dispensings.filter((d) => d !== dispensing);
          emit('DispensingAnnulled', { dispensingId: dispensing.id, annulledAt: at });
        }
        return;
      }
      case 'registerMultidose':
      case 'endMultidose':
        if (multidose === (op.kind === 'endMultidose')) {
          multidose = !multidose;
          if (multidose) {
            emit('MultidoseRegistered', { responsibleDoctorHpr: '9144889', pharmacyHerId: '99887', from: on });
          } else {
            emit('MultidoseEnded', { endedOn: on });
          }
        }
        return;
      case 'pack':
        if (multidose) {
          const packed = ids
            .filter((_, i) => ((op.pick >> i) & 1) === 1)
            .map((id, i) => ({ entryId: id, packed: op.flag || i % 2 === 0 }));
          emit('MultidosePackingRecorded', {
            packingId: `k${n}`,
            firstDoseOn: on,
            lastDoseOn: on,
            orderDeadline: on,
            entries: packed,
          });
        }
        return;
      case 'ask':
        questions.push(`q${n}`);
        emit('MultidoseQuestionAsked', {
          questionId: `q${n}`,
          ...(op.flag && entryId !== undefined ? { entryId } : {}),
          questionCode: '1',
          askedAt: at,
          pharmacyHerId: '99887',
        });
        return;
      case 'answer': {
        const question = pickFrom(questions, op.pick);
        if (question !== undefined) {
          questions = questions.filter((q) => q !== question);
          emit('MultidoseQuestionAnswered', { questionId: question, answerCode: '2', answeredAt: at });
        }
        return;
      }
      case 'review':
        emit('ListMarkedReviewed', { kind: op.flag ? 'reconciliation' : 'medication-review', reviewedAt: at });
        return;
      case 'notReview':
        emit('ListMarkedNotReviewed', { reason: 'innlagt på sykehus', markedAt: at });
        return;
      case 'startRelation': {
        const relation = {
          id: `r${n}`,
          org: op.flag ? '123456785' : '974633574',
          ...(op.pick % 2 === 0 ? { unit: 'Avd. 2' } : {}),
        };
        relations.push(relation);
        emit('CareRelationStarted', {
          relationId: relation.id,
          patientId: '31129956715',
          organisationNumber: relation.org,
          ...(relation.unit === undefined ? {} : { unit: relation.unit }),
          from: on,
        });
        return;
      }
      case 'endRelation': {
        const relation = pickFrom(relations, op.pick);
        if (relation !== undefined) {
          relations = relations.filter((r) => r !== relation);
          emit('CareRelationEnded', {
            relationId: relation.id,
            organisationNumber: relation.org,
            ...(relation.unit === undefined ? {} : { unit: relation.unit }),
            endedOn: on,
          });
        }
        return;
      }
      case 'unknown':
        out.push(raw(STREAM, 'MedicationNoteAdded', { note: 'from a newer build' }, options));
        return;
    }
  });
  return out;
};

/** Operations that need an entry or a prescription come more often, so deep histories are common. */
const weightedKinds = [
  ...kinds,
  'start',
  'start',
  'issue',
  'issue',
  'renew',
  'dispense',
  'dispense',
  'dispense',
  'annul',
  'pack',
] as const;

/** A valid event sequence of one list (up to `maxOps` operations, of which some are skipped as invalid). */
export const validListEvents = (maxOps = 60): fc.Arbitrary<ProjectionEvent[]> =>
  fc
    .array(
      fc.record({
        kind: fc.constantFrom(...weightedKinds),
        pick: fc.nat({ max: 1023 }),
        flag: fc.boolean(),
        days: fc.integer({ min: 0, max: 40 }),
      }),
      { maxLength: maxOps, size: 'max' },
    )
    .map(toEvents);
