import { evolve, initialState, type MedicationListState } from '../../medication-list/domain/medication-list.decider';
import {
  isMedicationListEvent,
  type DispensingRecorded,
  type IsoDateTime,
  type MedicationListEvent,
} from '../../medication-list/domain/medication-list.events';
import type { ExternalDispensing, FeedSource } from './external-record';
import type { ReconciliationEntry, ReconciliationListView } from './reconcile';

/**
 * From a patient's list stream to what `reconcile` compares: the medication-list decider's state (the same fold
 * the command handler uses) plus the two facts that state does not keep: when an entry was discontinued (D2
 * evidence, D3) and every dispensing the list has recorded, with date and product (D3, D7). Pure.
 *
 * Dispensings come from the list, not only from the feed at hand: once recorded (by a pharmacy or an earlier
 * feed) a dispensing stays a fact until annulled, so a later feed that no longer carries it (incremental pulls,
 * a registry window that moved on) does not clear its D3 or D7.
 */

export interface RecordedDispensing extends Readonly<DispensingRecorded['data']> {
  readonly annulled: boolean;
}

export interface ListFacts {
  readonly state: MedicationListState;
  readonly discontinuedAt: ReadonlyMap<string, IsoDateTime>;
  readonly dispensings: ReadonlyMap<string, RecordedDispensing>;
}

export const initialListFacts = (): ListFacts => ({
  state: initialState(),
  discontinuedAt: new Map(),
  dispensings: new Map(),
});

/** One list event into the facts; the state part is exactly the decider's `evolve`. */
export const evolveListFacts = (facts: ListFacts, event: MedicationListEvent): ListFacts => {
  const state = evolve(facts.state, event);
  switch (event.type) {
    case 'MedicationDiscontinued':
      return {
        ...facts,
        state,
        discontinuedAt: new Map(facts.discontinuedAt).set(event.data.entryId, event.data.discontinuedAt),
      };
    case 'DispensingRecorded':
      return {
        ...facts,
        state,
        dispensings: new Map(facts.dispensings).set(event.data.dispensingId, { ...event.data, annulled: false }),
      };
    case 'DispensingAnnulled': {
      const known = facts.dispensings.get(event.data.dispensingId);
      return known === undefined
        ? { ...facts, state }
        : {
            ...facts,
            state,
            dispensings: new Map(facts.dispensings).set(known.dispensingId, { ...known, annulled: true }),
          };
    }
    default:
      return { ...facts, state };
  }
};

/** Folds stored events (types this build does not know are skipped, as in handleCommand). */
export const foldListFacts = (events: readonly { readonly type: string; readonly data: unknown }[]): ListFacts =>
  events.reduce(
    (facts, event) => (isMedicationListEvent(event) ? evolveListFacts(facts, event) : facts),
    initialListFacts(),
  );

/** The list as `reconcile` sees it: every entry except retracted ones (a registration error is not on the list). */
export const toListView = (patientId: string, facts: ListFacts): ReconciliationListView => {
  const { state } = facts;
  const entries = [...state.entries.values()].flatMap((entry): ReconciliationEntry[] => {
    if (entry.status === 'retracted') {
      return [];
    }
    const discontinuedAt = entry.status === 'discontinued' ? facts.discontinuedAt.get(entry.entryId) : undefined;
    const prescriptions = entry.prescriptionIds.flatMap((id) => {
      const p = state.prescriptions.get(id);
      return p === undefined
        ? []
        : [
            {
              prescriptionId: p.prescriptionId,
              status: p.status,
              ...(p.recalledAt === undefined ? {} : { recalledAt: p.recalledAt }),
              expiresOn: p.expiresOn,
            },
          ];
    });
    return [
      {
        entryId: entry.entryId,
        status: entry.status,
        ...(discontinuedAt === undefined ? {} : { discontinuedAt }),
        medication: entry.started.medication,
        dosage: entry.dosage,
        startedOn: entry.started.startedOn,
        prescriptions,
      },
    ];
  });
  return { patientId, entries };
};

/** The dispensings the list has recorded, as external records (annulled ones marked, so reconcile drops them). */
export const listDispensings = (patientId: string, source: FeedSource, facts: ListFacts): ExternalDispensing[] =>
  [...facts.dispensings.values()].map((d) => ({
    kind: 'dispensing',
    source,
    dispensingId: d.dispensingId,
    prescriptionId: d.prescriptionId,
    patientId,
    dispensedAt: d.dispensedAt,
    product: d.product,
    quantity: d.quantity,
    pharmacyHerId: d.pharmacyHerId,
    annulled: d.annulled,
  }));
