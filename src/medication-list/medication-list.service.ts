import { eventSchemas } from '../event-schemas';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { CurrentMedicationListDocument } from '../../projections/current-medication-list/current-medication-list.document';
import type { RequestContext } from '../graphql/request-context';
import { Metrics } from '../observability/metrics';
import { CLOCK, type Clock } from '../shared/clock';
import type { CommandMeta } from '../shared/event-sourcing/decider';
import { EVENT_STORE, type EventStorePort } from '../shared/event-sourcing/event-store.port';
import { handleCommand } from '../shared/event-sourcing/handle-command';
import type { MedicationListCommand } from './domain/medication-list.commands';
import { medicationListDecider } from './domain/medication-list.decider';
import { MEDICATION_LIST_STREAM_PREFIX, isMedicationListEvent } from './domain/medication-list.events';
import { foldCurrentList } from './current-list.fold';
import type { PatientKey } from './patient-stream';

/** The outcome of one command: the list exactly as the command left it. */
export interface CommandOutcome {
  /** the current-list document folded from the stream up to the command's last event (folded on first read) */
  readonly document: CurrentMedicationListDocument;
  /** the list version after the command (of the earlier result for an already-applied command id) */
  readonly version: number;
  /** global position of the last appended event (or of the earlier result for an already-applied command) */
  readonly position?: bigint;
  readonly alreadyApplied: boolean;
  /**
   * false when the command was accepted and changed nothing, because the list already holds exactly that fact (the
   * same start, dosage, review, prescription or dispensing again under another command id); true when it appended
   * events, or an earlier attempt with this command id did.
   */
  readonly changed: boolean;
  /** events this command appended (0: already applied, or the decider found nothing to do) */
  readonly appendedEvents: number;
}

interface PatientStream {
  /** the validated, trimmed patient id: for StartCareRelation's data only, never for logs or errors */
  readonly patient: string;
  readonly streamId: string;
  readonly streamName: string;
}

/** Builds the command from its meta and the validated, trimmed patient id (StartCareRelation stores it). */
export type CommandBuilder = (meta: CommandMeta, patientId: string) => MedicationListCommand;

/** Per-request options of a command: the retry-safe id and the version the client saw. */
export interface CommandOptions {
  /** client-chosen command id: a retry with the same id appends nothing */
  readonly commandId?: string;
  /** the list version the client saw; a stale one is rejected with CONFLICT */
  readonly expectedVersion?: number;
}

/**
 * The command side of a patient's list: turns a request into a command (meta from the Clock and the request
 * context), derives the stream from the patient id, and runs read–fold–decide–append through handleCommand.
 * No business rules here; they are the decider's. No access decisions either: the AccessGuard makes them before
 * this service is called, and the context's actor is the verified caller it granted.
 */
@Injectable()
export class MedicationListService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStorePort,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Executes one command on the patient's list. `build` receives the meta and the validated patient id so each
   * command keeps its own type without casts. The patient comes parsed and keyed by the edge's access step
   * (PatientKey: validated there, once per request). StartCareRelation takes its `patientId` from here: the
   * decider cannot check it against the stream, so it must be the list's own patient, not a second id from the client.
   */
  async execute(
    patientKey: PatientKey,
    build: CommandBuilder,
    context: RequestContext,
    options: CommandOptions = {},
  ): Promise<CommandOutcome> {
    const { patient, streamId, streamName } = this.streamOf(patientKey);
    const command = build(this.metaFor(context, options.commandId), patient);
    const result = await handleCommand(this.store, medicationListDecider, streamName, command, {
      expectedVersion: options.expectedVersion,
      isEvent: isMedicationListEvent,
      schemaVersion: eventSchemas.versionOf,
      observer: this.metrics.commandObserver,
    });
    // The answer is folded from what handleCommand read and appended, without reading the stream again. For an
    // already-applied command id those events end at its last event, so a retry gets the list, version and
    // position of the first attempt, whoever wrote since.
    const events = result.position === undefined ? [] : result.events;
    const last = events.at(-1);
    let document: CurrentMedicationListDocument | undefined;
    return {
      // Folded on first use: a client that selects only `version` and `position` does not pay for the list.
      get document(): CurrentMedicationListDocument {
        document ??= foldCurrentList(events, streamId);
        return document;
      },
      // The projection's version: the revision after the last event folded (unknown types count too).
      version: last === undefined ? 0 : last.revision + 1,
      position: result.position,
      alreadyApplied: result.alreadyApplied,
      changed: result.alreadyApplied || result.appendedEvents > 0,
      appendedEvents: result.appendedEvents,
    };
  }

  /** From the access step's grant (parsed and keyed once per request). */
  private streamOf({ patientId: patient, streamId }: PatientKey): PatientStream {
    return { patient, streamId, streamName: `${MEDICATION_LIST_STREAM_PREFIX}${streamId}` };
  }

  private metaFor(context: RequestContext, commandId: string | undefined): CommandMeta {
    return {
      commandId: commandId ?? randomUUID(),
      correlationId: context.correlationId,
      // A command sent by a client is caused by its request; a feed or process manager would name its trigger.
      causationId: context.correlationId,
      actor: context.actor,
      recordedAt: this.clock.now().toISOString(),
    };
  }
}
