import { Inject, Injectable } from '@nestjs/common';
import {
  type CareUnitOverviewDocument,
  careUnitIdPrefix,
  careUnitOverviewOf,
  careUnitOverviewProjection,
} from '../../projections/care-unit-overview/care-unit-overview.projection';
import type { CurrentMedicationListDocument } from '../../projections/current-medication-list/current-medication-list.document';
import { currentMedicationListProjection } from '../../projections/current-medication-list/current-medication-list.projection';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { type PatientKey, patientKeyOf, patientStreamId } from '../medication-list/patient-stream';
import { CLOCK, type Clock } from '../shared/clock';
import { osloDateOf } from '../shared/oslo-date';
import { READ_MODEL_STORE, type SqliteReadModelStore } from '../read-models/read-model.store';
import { type Caller, isCallerThePatient } from './domain/caller';
import type { PatientAccessContext } from './domain/policy';

/**
 * The facts the policy needs about a patient or a care unit, from the read models (design.md decision 7):
 *  - care relations: the current-list document's `careRelations`, which the projector keeps within milliseconds of
 *    the event store (projection lag). A relation started a moment ago may not count yet, and an ended one may
 *    count a moment longer; both windows are the projection lag, which /ready bounds (READY_MAX_LAG_SECONDS) and
 *    /metrics reports (projection_lag_seconds). Folding the stream per request would close the window at the
 *    cost of a stream read on every look; not worth it for a lag of milliseconds.
 *  - the residents of a care unit (one audit event per resident the overview shows).
 */
@Injectable()
export class PatientContextReader {
  constructor(
    @Inject(READ_MODEL_STORE) private readonly readModels: SqliteReadModelStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The patient a request names, validated and keyed once (see PatientKey); BAD_USER_INPUT naming `field`. */
  patientKey(rawPatientId: string, field?: string): PatientKey {
    return patientKeyOf(rawPatientId, this.config.patientIdSecret, field);
  }

  patientContext(caller: Caller, patient: PatientKey): PatientAccessContext {
    const list = this.readModels.getDocument<CurrentMedicationListDocument>(
      currentMedicationListProjection.name,
      patient.streamId,
    );
    return {
      isCallerThePatient: isCallerThePatient(caller, patient.patientId),
      careRelations: list?.careRelations ?? [],
    };
  }

  /**
   * The same facts for a patient named only by their list id (a FHIR read by resource id): "is it me?" compares
   * the list id derived from the caller's own pid, so no patient id is needed.
   */
  listContext(caller: Caller, listId: string): PatientAccessContext {
    const list = this.readModels.getDocument<CurrentMedicationListDocument>(
      currentMedicationListProjection.name,
      listId,
    );
    const own = caller.pid !== undefined && patientStreamId(caller.pid, this.config.patientIdSecret) === listId;
    return { isCallerThePatient: own, careRelations: list?.careRelations ?? [] };
  }

  /** The list (stream) ids of the patients the care-unit overview of an organisation (or one unit) lists now, in order. */
  residentListIds(organisationNumber: string, unit: string | undefined): string[] {
    const documents = this.readModels.listDocuments<CareUnitOverviewDocument>(careUnitOverviewProjection.name, {
      idPrefix: careUnitIdPrefix(organisationNumber, unit),
    });
    const today = osloDateOf(this.clock.now()) ?? '';
    const overview = careUnitOverviewOf(
      organisationNumber,
      unit,
      documents.map(({ document }) => document),
      today,
    );
    return overview.patients.map((patient) => patient.streamId);
  }
}
