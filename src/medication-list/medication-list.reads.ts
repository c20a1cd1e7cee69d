import { osloDateOf } from '../shared/oslo-date';
import { Inject, Injectable } from '@nestjs/common';
import {
  type CareUnitOverview,
  type CareUnitOverviewDocument,
  type CareUnitPatient,
  careUnitIdPrefix,
  careUnitOverviewOf,
  careUnitOverviewProjection,
} from '../../projections/care-unit-overview/care-unit-overview.projection';
import type {
  CurrentMedicationListDocument,
  ListChange,
} from '../../projections/current-medication-list/current-medication-list.document';
import { emptyCurrentMedicationList } from '../../projections/current-medication-list/current-medication-list.document';
import { currentMedicationListProjection } from '../../projections/current-medication-list/current-medication-list.projection';
import {
  GP_WORKLIST_PROJECTION,
  type GpWorklistDocument,
  patientDocumentId,
} from '../../projections/gp-worklist/gp-worklist.projection';
import { buildTimeline, type TimelineItem } from '../../projections/medication-history/medication-history';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { assertOrganisationNumber } from '../identifiers/norwegian-identifiers';
import { READ_MODEL_STORE, type SqliteReadModelStore } from '../read-models/read-model.store';
import { CLOCK, type Clock } from '../shared/clock';
import { InvalidInputError } from '../shared/errors/invalid-input.error';
import { EVENT_STORE, type EventStorePort } from '../shared/event-sourcing/event-store.port';
import { PROJECTOR, type Projector } from '../shared/event-sourcing/projector';
import { toProjectionEvent } from '../shared/event-sourcing/projector.types';
import { attentionOf, type CareUnitAttention } from './domain/care-unit-attention';
import { foldCurrentList } from './current-list.fold';
import { MEDICATION_LIST_STREAM_PREFIX } from './domain/medication-list.events';
import type { PatientKey } from './patient-stream';
import { assertNotInFuture } from './domain/as-of.rule';

/** How long a read with `minPosition` waits for this replica's projection before SERVICE_UNAVAILABLE. */
export const READ_YOUR_WRITES_TIMEOUT_MS = 5_000;
/** The default "changes since" window of a care unit: the last 24 hours. */
export const CARE_UNIT_DEFAULT_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Who reads a care unit: its own staff (a care caller; the AccessGuard admits care callers to their own
 * organisation's units only) see the resident's name and room the organisation registered; anyone else (a
 * prescriber) sees them as null: that data is the organisation's (issue 20).
 */
export type CareUnitViewer = 'own-staff' | 'other';

/** A list document and the instant it is shown at (asOf, or now): the GraphQL edge maps both together. */
export interface ListAt {
  readonly document: CurrentMedicationListDocument;
  readonly at: Date;
}

/** A resident of a care unit and what changed on their list (the edge maps the changes to its own shape). */
export interface CareUnitResident extends Omit<CareUnitPatient, 'streamId'> {
  readonly listVersion: number;
  readonly changes: readonly ListChange[];
  readonly attention: CareUnitAttention;
}

/** The residents of an organisation (or one unit) with an active care relation. */
export interface CareUnitView {
  readonly organisationNumber: string;
  readonly unit: string | null;
  readonly changesSince: string;
  readonly patients: readonly CareUnitResident[];
}

/** Options of a list read: `asOf` (a past instant) or `minPosition` (read-your-writes). */
export interface CurrentListOptions {
  /** the list as it was SHOWN at this instant: events RECORDED at or before it (metadata.recordedAt) */
  readonly asOf?: Date;
  /** a position a mutation returned: wait (bounded) until this replica's read model has applied it */
  readonly minPosition?: string;
}

const POSITION = /^[0-9]{1,20}$/;
const UNIT_MAX = 100;

const validInstant = (value: Date, field: string): Date => {
  if (Number.isNaN(value.getTime())) {
    throw new InvalidInputError([field]);
  }
  return value;
};

/**
 * The read side of the medication list: current list (read model, or folded up to an instant), timeline and
 * care unit. The patient comes parsed and keyed by the edge's access step (PatientKey); organisation numbers, units,
 * instants and positions are validated here (never echoed). No access decisions (the access step makes them before
 * this service is called) and no clinical rules (those live in the projections).
 */
@Injectable()
export class MedicationListReads {
  private readonly listProjection = currentMedicationListProjection.name;
  private readonly overviewProjection = careUnitOverviewProjection.name;

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStorePort,
    @Inject(READ_MODEL_STORE) private readonly readModels: SqliteReadModelStore,
    @Inject(PROJECTOR) private readonly projector: Projector,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The patient's current list. With `asOf`, folded from the event store up to that recorded instant (the
   * read model is not consulted, so `minPosition` is moot); otherwise the projection document, after waiting
   * for `minPosition` when given. A patient without events has an empty list at version 0.
   */
  async currentList({ streamId }: PatientKey, options: CurrentListOptions = {}): Promise<ListAt> {
    if (options.asOf !== undefined) {
      const asOf = validInstant(options.asOf, 'asOf');
      assertNotInFuture(asOf, this.clock.now(), this.config.auth.clockSkewSeconds, 'asOf');
      return { document: await this.foldedAsOf(streamId, asOf), at: asOf };
    }
    if (options.minPosition !== undefined) {
      await this.waitFor(options.minPosition);
    }
    return this.listNow(streamId);
  }

  /** The committed list of a stream id (PatientKey.streamId), at the Clock's now. */
  listNow(streamId: string): ListAt {
    return { document: this.listDocument(streamId), at: this.clock.now() };
  }

  /** Every event of the patient's list as a readable timeline, oldest first. */
  async history({ streamId }: PatientKey): Promise<TimelineItem[]> {
    const events = await this.events.readStream(`${MEDICATION_LIST_STREAM_PREFIX}${streamId}`);
    return buildTimeline(events.map(toProjectionEvent));
  }

  /**
   * The residents of an organisation (or one unit) with an active care relation, and per resident the list
   * changes recorded at or after `changesSince` (default: the last 24 hours). Changes come from the list's
   * `recentChanges`, so at most the latest 50 per resident.
   */
  careUnit(
    organisationNumber: string,
    unit?: string,
    changesSince?: Date,
    viewer: CareUnitViewer = 'other',
  ): CareUnitView {
    const org = assertOrganisationNumber(organisationNumber, 'organisationNumber');
    const unitName = this.unitOf(unit);
    const since =
      changesSince === undefined
        ? new Date(this.clock.now().getTime() - CARE_UNIT_DEFAULT_WINDOW_MS)
        : validInstant(changesSince, 'changesSince');
    const overview = this.overviewOf(org, unitName);
    const now = this.clock.now();
    const today = osloDateOf(now) ?? now.toISOString().slice(0, 10); // the Norwegian calendar day
    const ownStaff = viewer === 'own-staff';
    return {
      organisationNumber: org,
      unit: unitName ?? null,
      changesSince: since.toISOString(),
      patients: overview.patients.map((patient) => {
        const list = this.listDocument(patient.streamId);
        return {
          patientId: patient.patientId,
          relationId: patient.relationId,
          from: patient.from,
          to: patient.to,
          unit: patient.unit,
          listVersion: list.version,
          changes: list.recentChanges.filter((change) => Date.parse(change.at) >= since.getTime()),
          residentName: ownStaff ? patient.residentName : null,
          room: ownStaff ? patient.room : null,
          attention: attentionOf(list, this.openDiscrepancies(patient.streamId), today),
        };
      }),
    };
  }

  /** Open reconciliation discrepancies of one list, from the GP worklist's patient document (0: none or no feed yet). */
  private openDiscrepancies(streamId: string): number {
    const document = this.readModels.getDocument<GpWorklistDocument>(
      GP_WORKLIST_PROJECTION,
      patientDocumentId(streamId),
    );
    return document?.kind === 'patient' ? document.open.length : 0;
  }

  /** The committed current-list document, or the empty list (version 0). */
  listDocument(streamId: string): CurrentMedicationListDocument {
    return (
      this.readModels.getDocument<CurrentMedicationListDocument>(this.listProjection, streamId) ??
      emptyCurrentMedicationList(streamId)
    );
  }

  /** The committed care-unit overview (empty when nobody is in its care); validates the organisation number and unit. */
  overview(organisationNumber: string, unit?: string): CareUnitOverview {
    return this.overviewOf(assertOrganisationNumber(organisationNumber, 'organisationNumber'), this.unitOf(unit));
  }

  /** The read-model id prefix of an organisation's or one unit's overview documents; validates like `overview`. */
  overviewIdPrefix(organisationNumber: string, unit?: string): string {
    return careUnitIdPrefix(assertOrganisationNumber(organisationNumber, 'organisationNumber'), this.unitOf(unit));
  }

  /** One small document per resident list (and ended ones, empty): see the projection. */
  private overviewOf(org: string, unit: string | undefined): CareUnitOverview {
    const documents = this.readModels.listDocuments<CareUnitOverviewDocument>(this.overviewProjection, {
      idPrefix: careUnitIdPrefix(org, unit),
    });
    return careUnitOverviewOf(
      org,
      unit,
      documents.map(({ document }) => document),
      osloDateOf(this.clock.now()) ?? '',
    );
  }

  private unitOf(unit: string | undefined): string | undefined {
    const trimmed = unit?.trim();
    if (trimmed === undefined || trimmed === '') {
      return undefined;
    }
    if (trimmed.length > UNIT_MAX) {
      throw new InvalidInputError(['unit']);
    }
    return trimmed;
  }

  /**
   * The list document as it was shown at `asOf` (the FHIR edge's `_at` too). Events are in revision order and
   * recordedAt follows it: the list at an instant is a prefix of the stream.
   */
  async foldedAsOf(streamId: string, asOf: Date): Promise<CurrentMedicationListDocument> {
    const events = await this.events.readStream(`${MEDICATION_LIST_STREAM_PREFIX}${streamId}`);
    const cut = events.findIndex((event) => Date.parse(event.metadata.recordedAt) > asOf.getTime());
    return foldCurrentList(cut === -1 ? events : events.slice(0, cut), streamId);
  }

  /** Throws ProjectionNotCaughtUpError (SERVICE_UNAVAILABLE) after READ_YOUR_WRITES_TIMEOUT_MS. */
  private async waitFor(minPosition: string): Promise<void> {
    if (!POSITION.test(minPosition)) {
      throw new InvalidInputError(['minPosition']);
    }
    await this.projector.waitForPosition(this.listProjection, BigInt(minPosition), READ_YOUR_WRITES_TIMEOUT_MS);
  }
}
