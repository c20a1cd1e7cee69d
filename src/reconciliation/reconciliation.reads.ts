import { Inject, Injectable } from '@nestjs/common';
import {
  GP_WORKLIST_PROJECTION,
  doctorIdPrefix,
  isResponsible,
  membershipDocumentId,
  patientDocumentId,
  type WorklistMembershipDocument,
  type WorklistPatientDocument,
} from '../../projections/gp-worklist/gp-worklist.projection';
import { assertHprNumber } from '../identifiers/norwegian-identifiers';
import type { PatientKey } from '../medication-list/patient-stream';
import { READ_MODEL_STORE, type SqliteReadModelStore } from '../read-models/read-model.store';
import { InvalidInputError } from '../shared/errors/invalid-input.error';
import { EVENT_STORE, type EventStorePort } from '../shared/event-sourcing/event-store.port';
import { foldDiscrepancies, withStatus, type DiscrepancyView } from './domain/discrepancy-view';
import type { DiscrepancyStatus } from './domain/reconciliation.decider';
import { reconciliationStreamName } from './domain/reconciliation.events';

export const WORKLIST_DEFAULT_PAGE = 20;
export const WORKLIST_MAX_PAGE = 100;
/** Membership documents read per step while filling a page (most of a doctor's lists have nothing open). */
const MEMBERSHIP_CHUNK = 200;
const LIST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface WorklistPage {
  readonly hprNumber: string;
  readonly patients: readonly WorklistPatientDocument[];
  /** the list id of the last patient on the page: pass it as `after` for the next page */
  readonly endCursor?: string;
  readonly hasNextPage: boolean;
}

/**
 * The read side of reconciliation: a patient's discrepancies (folded from the reconciliation stream, so always
 * current) and a GP's worklist (the gpWorklist read model). The patient comes parsed and keyed by the edge's access
 * step (PatientKey); other identifiers are validated here without echoing them. No access decisions (issue 5 puts
 * them in front of this).
 */
@Injectable()
export class ReconciliationReads {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStorePort,
    @Inject(READ_MODEL_STORE) private readonly readModels: SqliteReadModelStore,
  ) {}

  /** The patient's discrepancies (the key the access step derived), optionally of one status. */
  async discrepancies({ streamId }: PatientKey, status?: DiscrepancyStatus): Promise<DiscrepancyView[]> {
    const { views } = foldDiscrepancies(await this.events.readStream(reconciliationStreamName(streamId)));
    return withStatus(views, status);
  }

  /**
   * Patients the doctor is responsible for (see the projection for the rule) with at least one open
   * discrepancy, in list-id order, `first` at a time after the `after` cursor.
   */
  gpWorklist(hprNumber: string, first = WORKLIST_DEFAULT_PAGE, after?: string): WorklistPage {
    const hpr = assertHprNumber(hprNumber, 'hprNumber');
    if (!Number.isInteger(first) || first < 1 || first > WORKLIST_MAX_PAGE) {
      throw new InvalidInputError(['first']);
    }
    if (after !== undefined && !LIST_ID.test(after)) {
      throw new InvalidInputError(['after']);
    }
    const patients: WorklistPatientDocument[] = [];
    let hasNextPage = false;
    for (const listId of this.listsOf(hpr, after)) {
      const patient = this.readModels.getDocument<WorklistPatientDocument>(
        GP_WORKLIST_PROJECTION,
        patientDocumentId(listId),
      );
      if (patient === undefined || patient.open.length === 0 || !isResponsible(patient, hpr)) {
        continue;
      }
      if (patients.length === first) {
        hasNextPage = true;
        break;
      }
      patients.push(patient);
    }
    const last = patients.at(-1);
    return { hprNumber: hpr, patients, ...(last === undefined ? {} : { endCursor: last.listId }), hasNextPage };
  }

  /** The lists the doctor was ever made responsible for, after `after`, in list-id order, a chunk at a time. */
  private *listsOf(hpr: string, after: string | undefined): Generator<string> {
    let afterId = after === undefined ? undefined : membershipDocumentId(hpr, after);
    for (;;) {
      const chunk = this.readModels.listDocuments<WorklistMembershipDocument>(GP_WORKLIST_PROJECTION, {
        idPrefix: doctorIdPrefix(hpr),
        ...(afterId === undefined ? {} : { afterId }),
        limit: MEMBERSHIP_CHUNK,
      });
      yield* chunk.map(({ document }) => document.listId);
      const last = chunk.at(-1);
      if (last === undefined || chunk.length < MEMBERSHIP_CHUNK) {
        return;
      }
      afterId = last.id;
    }
  }
}
