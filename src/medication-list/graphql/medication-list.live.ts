import { Inject, Injectable } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import { type Observable, filter } from 'rxjs';
import { careUnitOverviewProjection } from '../../../projections/care-unit-overview/care-unit-overview.projection';
import { currentMedicationListProjection } from '../../../projections/current-medication-list/current-medication-list.projection';
import { GP_WORKLIST_PROJECTION, patientDocumentId } from '../../../projections/gp-worklist/gp-worklist.projection';
import { maskIdentifiers } from '../../observability/logger';
import { isDomainError } from '../../shared/errors/domain-error';
import { KIND_TO_CODE } from '../../shared/errors/graphql-error.normaliser';
import { PROJECTOR, type ProjectionChange, type Projector } from '../../shared/event-sourcing/projector';
import type { CareUnitGql } from './medication-list.read-types';
import { type CareUnitViewer, MedicationListReads } from '../medication-list.reads';
import type { PatientKey } from '../patient-stream';
import { type MedicationListGql, toCareUnitGql, toMedicationListGql } from './medication-list.types';

/**
 * An async iterator of snapshots for a graphql-js subscription: the current snapshot first, then a fresh one
 * after each relevant committed change. Snapshots are taken when the subscriber pulls, from committed read
 * models, so a slow subscriber gets the latest state instead of an unbounded backlog (conflation), and an
 * identical snapshot is never sent twice. `return()` (client unsubscribed, socket closed) unsubscribes. Every
 * snapshot after the first passes `authorize` before it is sent (the first passed the access step already).
 */
export const liveSnapshots = <T>(
  ticks: Observable<unknown>,
  snapshot: () => T,
  authorize: () => Promise<void> = () => Promise.resolve(),
): AsyncIterableIterator<T> => {
  let pending = true; // the first pull sends the current state
  let first = true; // authorized (and audited) by the access step when the subscription started
  let done = false;
  let lastSent: string | undefined;
  let wake: (() => void) | undefined;
  const signal = (): void => {
    wake?.();
    wake = undefined;
  };
  const subscription = ticks.subscribe({
    next: () => {
      pending = true;
      signal();
    },
    complete: () => {
      done = true;
      signal();
    },
  });
  const finish = (): Promise<IteratorResult<T>> => {
    done = true;
    subscription.unsubscribe();
    signal();
    return Promise.resolve({ done: true, value: undefined });
  };
  const iterator: AsyncIterableIterator<T> = {
    async next(): Promise<IteratorResult<T>> {
      for (;;) {
        if (done) {
          return finish();
        }
        if (pending) {
          pending = false;
          const value = snapshot();
          const serialised = JSON.stringify(value);
          if (serialised !== lastSent) {
            if (!first) {
              // Live authorization: every later snapshot is checked and audited before it leaves; a denial ends
              // the subscription with its typed error.
              await authorize().catch(async (error: unknown) => {
                await finish();
                throw error;
              });
            }
            first = false;
            lastSent = serialised;
            return { done: false, value };
          }
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    return: finish,
    throw: async (error: unknown): Promise<IteratorResult<T>> => {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
};

/**
 * Runs a subscription's setup, turning a DomainError (an invalid id) into a GraphQLError with the same
 * `extensions` the error normaliser gives queries: Mercurius sends setup errors of a subscription as they are,
 * without the errorFormatter.
 */
export const withErrorCodes = <T>(setup: () => T): T => {
  try {
    return setup();
  } catch (error) {
    if (!isDomainError(error)) {
      throw error;
    }
    throw new GraphQLError(maskIdentifiers(error.message), {
      originalError: error,
      extensions: { code: KIND_TO_CODE[error.kind], errorCode: error.code, details: error.details },
    });
  }
};

/** The worklist's per-list documents are `patient:<listId>` (gp-worklist.projection.ts). */
const WORKLIST_PATIENT_PREFIX = patientDocumentId('');

/**
 * Live views for GraphQL subscriptions, fed by the projector's committed changes (Projector.changes emits
 * after the read-model transaction commits, so every snapshot reads what is on disk).
 */
@Injectable()
export class MedicationListLive {
  constructor(
    private readonly reads: MedicationListReads,
    @Inject(PROJECTOR) private readonly projector: Projector,
  ) {}

  /** The patient's list (parsed and keyed by the access step) now and after every committed change to it. */
  list({ streamId }: PatientKey, authorize?: () => Promise<void>): AsyncIterableIterator<MedicationListGql> {
    const ticks = this.projector.changes.pipe(
      filter(
        (change) => change.projection === currentMedicationListProjection.name && change.documentIds.includes(streamId),
      ),
    );
    return liveSnapshots(
      ticks,
      () => {
        const { document, at } = this.reads.listNow(streamId);
        return toMedicationListGql(document, at);
      },
      authorize,
    );
  }

  /**
   * The care unit now and whenever one of its overview documents, the list of any of its residents or their open
   * discrepancies (the GP worklist's document, for the attention badges) change
   * (residents as listed after the latest overview change: re-read only when the overview changes, not on every
   * list change). Changes since the last 24 hours, like the query's default.
   */
  careUnit(
    organisationNumber: string,
    unit: string | undefined,
    authorize?: () => Promise<void>,
    viewer: CareUnitViewer = 'other',
  ): AsyncIterableIterator<CareUnitGql> {
    const prefix = withErrorCodes(() => this.reads.overviewIdPrefix(organisationNumber, unit)); // validates first
    let residents: ReadonlySet<string> | undefined;
    const concerns = (change: ProjectionChange): boolean => {
      if (change.projection === careUnitOverviewProjection.name) {
        const changed = change.documentIds.some((id) => id.startsWith(prefix));
        residents = changed ? undefined : residents;
        return changed;
      }
      // A resident's list, or their open discrepancies (the attention badges read the GP worklist's patient document).
      const listIds =
        change.projection === currentMedicationListProjection.name
          ? change.documentIds
          : change.projection === GP_WORKLIST_PROJECTION
            ? change.documentIds
                .filter((id) => id.startsWith(WORKLIST_PATIENT_PREFIX))
                .map((id) => id.slice(WORKLIST_PATIENT_PREFIX.length))
            : [];
      if (listIds.length === 0) {
        return false;
      }
      const current =
        residents ?? new Set(this.reads.overview(organisationNumber, unit).patients.map((p) => p.streamId));
      residents = current;
      return listIds.some((id) => current.has(id));
    };
    return liveSnapshots(
      this.projector.changes.pipe(filter(concerns)),
      () => toCareUnitGql(this.reads.careUnit(organisationNumber, unit, undefined, viewer)),
      authorize,
    );
  }
}
