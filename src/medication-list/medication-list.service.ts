import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { RequestContext } from '../graphql/request-context';
import { parsePatientId } from '../identifiers/norwegian-identifiers';
import { Metrics } from '../observability/metrics';
import { CLOCK, type Clock } from '../shared/clock';
import type { CommandMeta } from '../shared/event-sourcing/decider';
import { EVENT_STORE, type EventStorePort } from '../shared/event-sourcing/event-store.port';
import { handleCommand } from '../shared/event-sourcing/handle-command';
import type { MedicationListCommand } from './medication-list.commands';
import { medicationListDecider } from './medication-list.decider';
import { MEDICATION_LIST_SCHEMA_VERSION, isMedicationListEvent } from './medication-list.events';
import type { MedicationListState } from './medication-list.state';
import { patientStreamName } from './patient-stream';

/** A list as folded from its stream, with the version a client passes back as `expectedVersion`. */
export interface FoldedList {
  readonly state: MedicationListState;
  readonly version: number;
}

export interface CommandOutcome extends FoldedList {
  /** global position of the last appended event (or of the earlier result for an already-applied command) */
  readonly position?: bigint;
  readonly alreadyApplied: boolean;
}

export interface CommandOptions {
  /** client-chosen command id: a retry with the same id appends nothing */
  readonly commandId?: string;
  /** the list version the client saw; a stale one is rejected with CONFLICT */
  readonly expectedVersion?: number;
}

/**
 * The command side of a patient's list: turns a request into a command (meta from the Clock and the request
 * context), derives the stream from the patient id, and runs read–fold–decide–append through handleCommand.
 * No business rules here; they are the decider's. No access decisions either: those come with issue 5, before
 * this service is called.
 */
@Injectable()
export class MedicationListService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStorePort,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Executes one command on the patient's list. `build` receives the meta so each command keeps its own type
   * without casts; the patient id is validated first (InvalidIdentifierError, value never echoed).
   */
  async execute(
    patientId: string,
    build: (meta: CommandMeta) => MedicationListCommand,
    context: RequestContext,
    options: CommandOptions = {},
  ): Promise<CommandOutcome> {
    const streamName = this.streamOf(patientId);
    const command = build(this.metaFor(context, options.commandId));
    const result = await handleCommand(this.store, medicationListDecider, streamName, command, {
      expectedVersion: options.expectedVersion,
      isEvent: isMedicationListEvent,
      schemaVersion: MEDICATION_LIST_SCHEMA_VERSION,
      observer: this.metrics.commandObserver,
    });
    return {
      state: result.state,
      version: result.version,
      position: result.position,
      alreadyApplied: result.alreadyApplied,
    };
  }

  /** The list folded from its stream (the projection-backed read replaces this for queries in issue 3). */
  async current(patientId: string): Promise<FoldedList> {
    const events = await this.store.readStream(this.streamOf(patientId));
    const state = events
      .flatMap((event) => (isMedicationListEvent(event) ? [event] : []))
      .reduce((folded, event) => medicationListDecider.evolve(folded, event), medicationListDecider.initialState());
    // Unknown event types still count: the version is the stream's revision count, as the store sees it.
    const last = events.at(-1);
    return { state, version: last === undefined ? 0 : last.revision + 1 };
  }

  private streamOf(patientId: string): string {
    return patientStreamName(parsePatientId(patientId).value, this.config.patientIdSecret);
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
