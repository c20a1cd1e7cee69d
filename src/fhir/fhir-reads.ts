import { Inject, Injectable } from '@nestjs/common';
import type { AuditEvent, List, MedicationDispense, MedicationRequest, MedicationStatement } from '@medplum/fhirtypes';
import type { CurrentMedicationListDocument } from '../../projections/current-medication-list/current-medication-list.document';
import { emptyCurrentMedicationList } from '../../projections/current-medication-list/current-medication-list.document';
import { currentMedicationListProjection } from '../../projections/current-medication-list/current-medication-list.projection';
import { auditEventOf } from '../../projections/fhir/fhir-audit-event';
import { listOf, statementsOf } from '../../projections/fhir/fhir-list';
import { dispensesOfEntries, requestsOfEntries } from '../../projections/fhir/fhir-prescriptions';
import type { FhirPatient } from '../../projections/fhir/fhir-systems';
import { ACCESS_LOG_PAGE, AuditService } from '../access/audit';
import type { Caller } from '../access/domain/caller';
import { MedicationListReads } from '../medication-list/medication-list.reads';
import type { PatientKey } from '../medication-list/patient-stream';
import { MEDICATION_LIST_STREAM_PREFIX } from '../medication-list/domain/medication-list.events';
import { EVENT_STORE, type EventStorePort } from '../shared/event-sourcing/event-store.port';
import { toProjectionEvent } from '../shared/event-sourcing/projector.types';
import { parsePatientId } from '../identifiers/norwegian-identifiers';

/**
 * The read side of the FHIR edge: the same read model and event store as GraphQL (MedicationListReads), mapped
 * by the pure mappers in projections/fhir. No access decisions here: FhirEdge.admit has made and audited them.
 */

/** One patient's list as the FHIR mappers need it. */
export interface ListView {
  readonly document: CurrentMedicationListDocument;
  /** absent when a read by resource id names a list whose patient the service cannot name */
  readonly patient?: FhirPatient;
}

export interface ListParts {
  readonly statements: MedicationStatement[];
  readonly requests: MedicationRequest[];
  readonly dispenses: MedicationDispense[];
}

@Injectable()
export class FhirReads {
  constructor(
    private readonly reads: MedicationListReads,
    private readonly audit: AuditService,
    @Inject(EVENT_STORE) private readonly events: EventStorePort,
  ) {}

  /**
   * The list of a patient named by identifier (in `system`), keyed by the access step: now, or as shown at `at`.
   */
  async ofPatient(key: PatientKey, system: string, at?: Date): Promise<ListView> {
    const listId = key.streamId;
    const document = at === undefined ? this.reads.listDocument(listId) : await this.reads.foldedAsOf(listId, at);
    return { document, patient: { system, value: key.patientId } };
  }

  /**
   * The list of a resource id. Its patient: the one the list names (care relations store it), else the caller
   * when the caller is the patient (the access step has compared the list id of the caller's pid); otherwise the
   * subject is the list's opaque id.
   */
  ofListId(listId: string, caller: Caller, callerIsPatient: boolean): ListView {
    const document = this.reads.listDocument(listId);
    const number = document.patientId ?? (callerIsPatient ? caller.pid : undefined);
    return { document, ...(number === undefined ? {} : { patient: { system: this.systemOf(number), value: number } }) };
  }

  /** Whether the list has any events (an unknown resource id is 404, an empty list of a known patient is not). */
  exists(view: ListView): boolean {
    return view.document.version > 0;
  }

  list(view: ListView): List {
    return listOf(view.document, view.patient);
  }

  parts(view: ListView): ListParts {
    const list = { listId: view.document.listId, ...(view.patient === undefined ? {} : { patient: view.patient }) };
    const entries = [...view.document.entries, ...view.document.discontinued];
    return {
      statements: statementsOf(view.document, view.patient),
      requests: requestsOfEntries(list, entries),
      dispenses: dispensesOfEntries(list, entries),
    };
  }

  /** One List per list version, oldest first (FHIR _history), folded from the stream. */
  async history(view: ListView): Promise<List[]> {
    const listId = view.document.listId;
    const events = await this.events.readStream(`${MEDICATION_LIST_STREAM_PREFIX}${listId}`);
    const versions: List[] = [];
    let document = emptyCurrentMedicationList(listId);
    for (const event of events) {
      document = currentMedicationListProjection.evolve(document, toProjectionEvent(event));
      versions.push(listOf(document, view.patient));
    }
    return versions;
  }

  /** The patient's access log as AuditEvents, newest first (the latest page of ACCESS_LOG_PAGE.max). */
  async auditEvents(key: PatientKey, system: string): Promise<AuditEvent[]> {
    const listId = key.streamId;
    const patient = { system, value: key.patientId };
    const page = await this.audit.readAccessLog(key, { first: ACCESS_LOG_PAGE.max });
    return page.entries.map((entry) => auditEventOf(`${listId}.a${entry.cursor}`, entry.event, listId, patient));
  }

  private systemOf(patientId: string): string {
    return parsePatientId(patientId).system;
  }
}
