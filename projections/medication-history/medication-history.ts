import type { ProjectionEvent } from '../projection';
import type { Actor, ActorRole } from '../../src/shared/event-sourcing/event-store.port';
import { isMedicationListEvent } from '../../src/medication-list/domain/medication-list.events';
import type { MedicationListEvent } from '../../src/medication-list/domain/medication-list.events';
import { describeDosage } from '../../src/medication-list/domain/dosage';
import {
  discontinuationReasonCodes,
  labelOf,
  multidoseAnswerCodes,
  multidoseQuestionCodes,
  recallReasonCodes,
  reviewKindCodes,
} from '../../src/medication-list/domain/medication-list.codes';
import type { CodeList } from '../../src/medication-list/domain/medication-list.codes';

/*
 * The medication history (timeline) of one list: every event as a readable item, in stream order.
 * Texts are Norwegian, like the dosage descriptions (dosage.ts) and the code-list labels they use.
 * No patient identifier appears in a text: a care relation is described by organisation and unit only.
 */

/** One readable line of the timeline. */
export interface TimelineItem {
  /** metadata.clinicalTime: when it happened clinically */
  readonly at: string;
  readonly recordedAt: string;
  readonly position: string;
  readonly type: string;
  readonly entryId: string | null;
  readonly what: string;
  /** role and identifiers of the actor, e.g. "lege Kari Lege (HPR 9144889)" */
  readonly who: string;
  /** the reason, note or indication where the event has one */
  readonly why: string | null;
}

/** What earlier events told us: entry names and which entry a dispensing or question concerns. */
export interface TimelineContext {
  /** entry id → display name */
  readonly names?: ReadonlyMap<string, string>;
  /** dispensing id → entry id */
  readonly dispensingEntries?: ReadonlyMap<string, string>;
  /** question id → entry id */
  readonly questionEntries?: ReadonlyMap<string, string>;
}

const roleLabels: Record<ActorRole, string> = {
  prescriber: 'lege',
  pharmacy: 'apotek',
  nurse: 'sykepleier',
  patient: 'pasient',
  system: 'system',
  feed: 'import',
};

/** "lege Kari Lege (HPR 9144889)", "apotek (HER 81234, org.nr. 123456785)". */
export const describeActor = (actor: Actor): string => {
  const ids = [
    actor.hprNumber === undefined ? '' : `HPR ${actor.hprNumber}`,
    actor.herId === undefined ? '' : `HER ${actor.herId}`,
    actor.organisationNumber === undefined ? '' : `org.nr. ${actor.organisationNumber}`,
  ].filter((id) => id !== '');
  const name = actor.name === undefined ? '' : ` ${actor.name}`;
  return `${roleLabels[actor.role]}${name}${ids.length > 0 ? ` (${ids.join(', ')})` : ''}`;
};

/** "L (Bivirkning)"; the bare code when the list does not know it. */
const coded = (list: CodeList, code: string): string => {
  const label = labelOf(list, code);
  return label === undefined ? code : `${code} (${label})`;
};

const orNull = (text: string | undefined): string | null => (text === undefined || text === '' ? null : text);

type Described = Pick<TimelineItem, 'entryId' | 'what' | 'why'>;

const describe = (event: MedicationListEvent, context: TimelineContext): Described => {
  const nameOf = (entryId: string): string => context.names?.get(entryId) ?? `oppføring ${entryId}`;
  switch (event.type) {
    case 'MedicationStarted': {
      const { entryId, medication, dosage, startedOn } = event.data;
      const what = `Startet ${medication.displayName} fra ${startedOn}: ${describeDosage(dosage)}`;
      return { entryId, what, why: orNull(event.data.indication) };
    }
    case 'MedicationDosageChanged': {
      const { entryId, dosage, previousDosage, effectiveFrom } = event.data;
      const change = `${describeDosage(previousDosage)} → ${describeDosage(dosage)}`;
      const what = `Dosering endret for ${nameOf(entryId)} fra ${effectiveFrom}: ${change}`;
      return { entryId, what, why: orNull(event.data.reason) };
    }
    case 'MedicationPaused':
      return {
        entryId: event.data.entryId,
        what: `Pauset ${nameOf(event.data.entryId)}`,
        why: orNull(event.data.reason),
      };
    case 'MedicationResumed':
      return { entryId: event.data.entryId, what: `Gjenopptatt ${nameOf(event.data.entryId)}`, why: null };
    case 'MedicationDiscontinued': {
      const { entryId, reason } = event.data;
      const what = `Seponert ${nameOf(entryId)}: årsak ${coded(discontinuationReasonCodes, reason.code)}`;
      return { entryId, what, why: orNull(reason.note) };
    }
    case 'MedicationRetracted': {
      const { entryId, reason } = event.data;
      return { entryId, what: `Feilregistrering: ${nameOf(entryId)} fjernet fra listen`, why: orNull(reason) };
    }
    case 'PrescriptionIssued': {
      const { entryId, prescriptionId, expiresOn, renewsPrescriptionId, dispensingsAllowed } = event.data;
      const verb = renewsPrescriptionId === undefined ? 'utstedt' : `utstedt som fornyelse av ${renewsPrescriptionId}`;
      const times = dispensingsAllowed === undefined ? '' : `, ${dispensingsAllowed} utleveringer`;
      const what = `Resept ${prescriptionId} ${verb} for ${nameOf(entryId)}, gyldig til ${expiresOn}${times}`;
      return { entryId, what, why: null };
    }
    case 'PrescriptionRecalled': {
      const { entryId, prescriptionId, reasonCode } = event.data;
      const reason = coded(recallReasonCodes, reasonCode);
      const what = `Resept ${prescriptionId} tilbakekalt for ${nameOf(entryId)}: årsak ${reason}`;
      return { entryId, what, why: null };
    }
    case 'DispensingRecorded': {
      const { dispensingId, product, quantity, prescriptionId, pharmacyHerId, prescriptionUsedUp } = event.data;
      const entryId = event.data.entryId ?? context.dispensingEntries?.get(dispensingId);
      const usedUp = prescriptionUsedUp ? '; resepten er brukt opp' : '';
      const amount = `${quantity.value} ${quantity.unit}`;
      const where = `på resept ${prescriptionId} (apotek HER ${pharmacyHerId})`;
      const what = `Utlevert ${product.displayName}, ${amount}, ${where}${usedUp}`;
      return { entryId: entryId ?? null, what, why: null };
    }
    case 'DispensingAnnulled': {
      const { dispensingId, reason } = event.data;
      const entryId = context.dispensingEntries?.get(dispensingId) ?? null;
      const of = entryId === null ? '' : ` av ${nameOf(entryId)}`;
      return { entryId, what: `Utlevering ${dispensingId}${of} annullert`, why: orNull(reason) };
    }
    case 'MultidoseRegistered': {
      const { from, responsibleDoctorHpr, pharmacyHerId } = event.data;
      const who = `ansvarlig lege HPR ${responsibleDoctorHpr}, apotek HER ${pharmacyHerId}`;
      const what = `Multidose registrert fra ${from}: ${who}`;
      return { entryId: null, what, why: null };
    }
    case 'MultidoseEnded':
      return { entryId: null, what: `Multidose avsluttet ${event.data.endedOn}`, why: orNull(event.data.reason) };
    case 'MultidosePackingRecorded': {
      const { firstDoseOn, lastDoseOn, orderDeadline, entries } = event.data;
      const outside = entries.filter((e) => !e.packed).map((e) => nameOf(e.entryId));
      const packed = entries.length - outside.length;
      const outsideText = outside.length === 0 ? '' : `; utenfor multidose: ${outside.join(', ')}`;
      const period = `${firstDoseOn}–${lastDoseOn} (bestillingsfrist ${orderDeadline})`;
      const what = `Multidosepakking ${period}: ${packed} pakket${outsideText}`;
      return { entryId: null, what, why: null };
    }
    case 'MultidoseQuestionAsked': {
      const { entryId, questionCode, text } = event.data;
      const about = entryId === undefined ? '' : ` om ${nameOf(entryId)}`;
      const what = `Spørsmål fra multidoseapotek${about}: ${coded(multidoseQuestionCodes, questionCode)}`;
      return { entryId: entryId ?? null, what, why: orNull(text) };
    }
    case 'MultidoseQuestionAnswered': {
      const { questionId, answerCode, text } = event.data;
      const entryId = context.questionEntries?.get(questionId) ?? null;
      const about = entryId === null ? '' : ` om ${nameOf(entryId)}`;
      const what = `Svar til multidoseapotek${about}: ${coded(multidoseAnswerCodes, answerCode)}`;
      return { entryId, what, why: orNull(text) };
    }
    case 'ListMarkedReviewed': {
      const what = `Listen markert som gjennomgått: ${labelOf(reviewKindCodes, event.data.kind) ?? event.data.kind}`;
      return { entryId: null, what, why: orNull(event.data.note) };
    }
    case 'ListMarkedNotReviewed':
      return { entryId: null, what: 'Listen markert som ikke gjennomgått', why: orNull(event.data.reason) };
    case 'CareRelationStarted': {
      const { organisationNumber, unit, from, to } = event.data;
      const where = unit === undefined ? organisationNumber : `${organisationNumber}, ${unit}`;
      const until = to === undefined ? '' : ` til ${to}`;
      return { entryId: null, what: `Tjenstlig behov registrert for ${where} fra ${from}${until}`, why: null };
    }
    case 'CareRelationEnded': {
      const { organisationNumber, unit, endedOn } = event.data;
      const where = unit === undefined ? organisationNumber : `${organisationNumber}, ${unit}`;
      return { entryId: null, what: `Tjenstlig behov avsluttet for ${where} ${endedOn}`, why: null };
    }
  }
};

/** One event as a timeline item; undefined for an event type this build does not know. */
export const describeEvent = (event: ProjectionEvent, context: TimelineContext = {}): TimelineItem | undefined => {
  const known = { type: event.type, data: event.data };
  if (!isMedicationListEvent(known)) {
    return undefined;
  }
  return {
    at: event.metadata.clinicalTime,
    recordedAt: event.metadata.recordedAt,
    position: event.position,
    type: event.type,
    ...describe(known, context),
    who: describeActor(event.metadata.actor),
  };
};

/**
 * The whole timeline of one stream, in order. Walks the events once, learning entry names, which entry each
 * prescription, dispensing and question belongs to, so later events that carry only an id read well.
 */
export const buildTimeline = (events: readonly ProjectionEvent[]): TimelineItem[] => {
  const names = new Map<string, string>();
  const prescriptionEntries = new Map<string, string>();
  const dispensingEntries = new Map<string, string>();
  const questionEntries = new Map<string, string>();
  const context: TimelineContext = { names, dispensingEntries, questionEntries };
  const items: TimelineItem[] = [];
  for (const event of events) {
    const known = { type: event.type, data: event.data };
    if (isMedicationListEvent(known)) {
      if (known.type === 'MedicationStarted') {
        names.set(known.data.entryId, known.data.medication.displayName);
      } else if (known.type === 'PrescriptionIssued') {
        prescriptionEntries.set(known.data.prescriptionId, known.data.entryId);
      } else if (known.type === 'DispensingRecorded') {
        const entryId = known.data.entryId ?? prescriptionEntries.get(known.data.prescriptionId);
        if (entryId !== undefined) {
          dispensingEntries.set(known.data.dispensingId, entryId);
        }
      } else if (known.type === 'MultidoseQuestionAsked' && known.data.entryId !== undefined) {
        questionEntries.set(known.data.questionId, known.data.entryId);
      }
    }
    const item = describeEvent(event, context);
    if (item !== undefined) {
      items.push(item);
    }
  }
  return items;
};
