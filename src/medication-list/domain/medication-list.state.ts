import type {
  CareRelationStarted,
  Dosage,
  IsoDate,
  IsoDateTime,
  ListMarkedNotReviewed,
  ListMarkedReviewed,
  MedicationListEvent,
  MedicationStarted,
  MultidosePackingRecorded,
  MultidoseQuestionAnswered,
  MultidoseQuestionAsked,
  MultidoseRegistered,
  PrescriptionIssued,
  RecallReasonCode,
} from './medication-list.events';

/**
 * The decision state of one patient's list: only what the rules need, folded from the stream by `evolve`.
 * Immutable: every event yields a new state (maps are copied on write), so a state can be shared safely.
 */

export type EntryStatus = 'active' | 'paused' | 'discontinued' | 'retracted';

export interface EntryState {
  readonly entryId: string;
  /** the MedicationStarted data as recorded: an identical re-send is recognised against it */
  readonly started: MedicationStarted['data'];
  readonly dosage: Dosage;
  readonly status: EntryStatus;
  /** ids of the prescriptions ever linked to the entry, in issue order */
  readonly prescriptionIds: readonly string[];
}

export interface PrescriptionState {
  readonly prescriptionId: string;
  readonly entryId: string;
  readonly status: 'active' | 'recalled';
  readonly expiresOn: IsoDate;
  /** the PrescriptionIssued data as recorded */
  readonly issued: PrescriptionIssued['data'];
  readonly recallReason?: RecallReasonCode;
  readonly recalledAt?: IsoDateTime;
}

export interface DispensingState {
  readonly dispensingId: string;
  readonly prescriptionId: string;
  readonly entryId?: string;
  readonly prescriptionUsedUp: boolean;
  readonly annulled: boolean;
}

export interface MultidoseState {
  readonly registration: MultidoseRegistered['data'];
  readonly status: 'registered' | 'ended';
  readonly endedOn?: IsoDate;
}

export interface QuestionState {
  readonly asked: MultidoseQuestionAsked['data'];
  readonly answer?: MultidoseQuestionAnswered['data'];
}

export interface CareRelationState {
  readonly started: CareRelationStarted['data'];
  readonly active: boolean;
  readonly endedOn?: IsoDate;
}

export interface ReviewState {
  /** 'unreviewed': never marked either way */
  readonly status: 'unreviewed' | 'reviewed' | 'not-reviewed';
  readonly lastReview?: ListMarkedReviewed['data'];
  readonly lastNotReviewed?: ListMarkedNotReviewed['data'];
}

export interface MedicationListState {
  readonly entries: ReadonlyMap<string, EntryState>;
  readonly prescriptions: ReadonlyMap<string, PrescriptionState>;
  readonly dispensings: ReadonlyMap<string, DispensingState>;
  readonly multidose?: MultidoseState;
  readonly packingIds: ReadonlySet<string>;
  readonly lastPacking?: MultidosePackingRecorded['data'];
  readonly questions: ReadonlyMap<string, QuestionState>;
  readonly careRelations: ReadonlyMap<string, CareRelationState>;
  readonly review: ReviewState;
}

/** The state of a list with no events. */
export const initialState = (): MedicationListState => ({
  entries: new Map(),
  prescriptions: new Map(),
  dispensings: new Map(),
  packingIds: new Set(),
  questions: new Map(),
  careRelations: new Map(),
  review: { status: 'unreviewed' },
});

const put = <V>(map: ReadonlyMap<string, V>, key: string, value: V): ReadonlyMap<string, V> =>
  new Map(map).set(key, value);

/** Applies `change` to one map value; an event about an unknown key leaves the state as it was. */
const patch = <V>(map: ReadonlyMap<string, V>, key: string, change: (value: V) => V): ReadonlyMap<string, V> => {
  const current = map.get(key);
  return current === undefined ? map : put(map, key, change(current));
};

const withEntry = (state: MedicationListState, entryId: string, change: (entry: EntryState) => EntryState) => ({
  ...state,
  entries: patch(state.entries, entryId, change),
});

/**
 * Folds one event into the state. Pure: no clock, no randomness. Unknown (newer) event types, and events
 * about things the state does not know, leave the state unchanged.
 */
export const evolve = (state: MedicationListState, event: MedicationListEvent): MedicationListState => {
  switch (event.type) {
    case 'MedicationStarted':
      return {
        ...state,
        entries: put(state.entries, event.data.entryId, {
          entryId: event.data.entryId,
          started: event.data,
          dosage: event.data.dosage,
          status: 'active',
          prescriptionIds: [],
        }),
      };
    case 'MedicationDosageChanged':
      return withEntry(state, event.data.entryId, (entry) => ({ ...entry, dosage: event.data.dosage }));
    case 'MedicationPaused':
      return withEntry(state, event.data.entryId, (entry) => ({ ...entry, status: 'paused' }));
    case 'MedicationResumed':
      return withEntry(state, event.data.entryId, (entry) => ({ ...entry, status: 'active' }));
    case 'MedicationDiscontinued':
      return withEntry(state, event.data.entryId, (entry) => ({ ...entry, status: 'discontinued' }));
    case 'MedicationRetracted':
      return withEntry(state, event.data.entryId, (entry) => ({ ...entry, status: 'retracted' }));
    case 'PrescriptionIssued': {
      const { prescriptionId, entryId, expiresOn } = event.data;
      const linked = withEntry(state, entryId, (entry) => ({
        ...entry,
        prescriptionIds: entry.prescriptionIds.includes(prescriptionId)
          ? entry.prescriptionIds
          : [...entry.prescriptionIds, prescriptionId],
      }));
      return {
        ...linked,
        prescriptions: put(state.prescriptions, prescriptionId, {
          prescriptionId,
          entryId,
          status: 'active',
          expiresOn,
          issued: event.data,
        }),
      };
    }
    case 'PrescriptionRecalled':
      return {
        ...state,
        prescriptions: patch(state.prescriptions, event.data.prescriptionId, (prescription) => ({
          ...prescription,
          status: 'recalled',
          recallReason: event.data.reasonCode,
          recalledAt: event.data.recalledAt,
        })),
      };
    case 'DispensingRecorded': {
      const { dispensingId, prescriptionId, entryId, prescriptionUsedUp } = event.data;
      return {
        ...state,
        dispensings: put(state.dispensings, dispensingId, {
          dispensingId,
          prescriptionId,
          entryId,
          prescriptionUsedUp,
          annulled: false,
        }),
      };
    }
    case 'DispensingAnnulled':
      return {
        ...state,
        dispensings: patch(state.dispensings, event.data.dispensingId, (d) => ({ ...d, annulled: true })),
      };
    case 'MultidoseRegistered':
      return { ...state, multidose: { registration: event.data, status: 'registered' } };
    case 'MultidoseEnded':
      return state.multidose === undefined
        ? state
        : { ...state, multidose: { ...state.multidose, status: 'ended', endedOn: event.data.endedOn } };
    case 'MultidosePackingRecorded':
      return {
        ...state,
        packingIds: new Set(state.packingIds).add(event.data.packingId),
        lastPacking: event.data,
      };
    case 'MultidoseQuestionAsked':
      return { ...state, questions: put(state.questions, event.data.questionId, { asked: event.data }) };
    case 'MultidoseQuestionAnswered':
      return {
        ...state,
        questions: patch(state.questions, event.data.questionId, (q) => ({ ...q, answer: event.data })),
      };
    case 'ListMarkedReviewed':
      return { ...state, review: { ...state.review, status: 'reviewed', lastReview: event.data } };
    case 'ListMarkedNotReviewed':
      return { ...state, review: { ...state.review, status: 'not-reviewed', lastNotReviewed: event.data } };
    case 'CareRelationStarted':
      return {
        ...state,
        careRelations: put(state.careRelations, event.data.relationId, { started: event.data, active: true }),
      };
    case 'CareRelationEnded':
      return {
        ...state,
        careRelations: patch(state.careRelations, event.data.relationId, (relation) => ({
          ...relation,
          active: false,
          endedOn: event.data.endedOn,
        })),
      };
    default:
      // Unknown (newer) event types are ignored, so an older build can still fold a newer stream.
      return state;
  }
};

/** The prescriptions linked to an entry that are still active (not recalled), in issue order. */
export const activePrescriptionsOf = (state: MedicationListState, entryId: string): PrescriptionState[] =>
  (state.entries.get(entryId)?.prescriptionIds ?? [])
    .map((id) => state.prescriptions.get(id))
    .filter((p): p is PrescriptionState => p !== undefined && p.status === 'active');

/** Entries that are still in treatment (active or paused): they may change dosage and get prescriptions. */
export const isInTreatment = (entry: EntryState): boolean => entry.status === 'active' || entry.status === 'paused';
