import { eventSchemas } from '../event-schemas';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { RequestContext } from '../graphql/request-context';
import { medicationListDecider } from '../medication-list/domain/medication-list.decider';
import { MEDICATION_LIST_STREAM_PREFIX, isMedicationListEvent } from '../medication-list/domain/medication-list.events';
import type { PatientKey } from '../medication-list/patient-stream';
import { Metrics } from '../observability/metrics';
import { CLOCK, type Clock } from '../shared/clock';
import { EVENT_STORE, type EventStorePort } from '../shared/event-sourcing/event-store.port';
import { handleCommand } from '../shared/event-sourcing/handle-command';
import { foldDiscrepancies, type DiscrepancyView } from './domain/discrepancy-view';
import { osloDateTime } from './domain/import-summary';
import { assertDiscrepancyKey, reconciliationDecider, type ResolveDiscrepancy } from './domain/reconciliation.decider';
import { DiscrepancyNotFoundError } from './domain/reconciliation.errors';
import { isReconciliationEvent, reconciliationStreamName, type Resolution } from './domain/reconciliation.events';
import { resolutionMeta, resolutionPlan, type ResolutionPlan } from './domain/resolution-commands';

export interface ResolutionOutcome {
  readonly discrepancy: DiscrepancyView;
  /** position of the DiscrepancyResolved event (or of the earlier one for a retry) */
  readonly position?: bigint;
  /** position of the last list event the resolution appended, when it touched the list */
  readonly listPosition?: bigint;
  readonly alreadyApplied: boolean;
}

/**
 * A doctor resolves a discrepancy, and the list command the resolution implies is applied in the same decision.
 * Two streams cannot share one atomic append, so the order makes it safe:
 *  1. decide the resolution on the reconciliation state first (open? applicable? a doctor?) without appending;
 *  2. append the list command(s), with command ids derived from the discrepancy key;
 *  3. append DiscrepancyResolved (command id derived from the key as well).
 * A crash between 2 and 3 leaves the discrepancy open with the list already changed; retrying the same resolution
 * re-sends the same command ids, the handler recognises them and appends nothing, and step 3 completes. Resolving
 * an already-resolved discrepancy the same way again returns the earlier outcome.
 */
@Injectable()
export class DiscrepancyResolutionService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStorePort,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  /** `patient`: the key the edge's access step derived (validated there, once per request). */
  async resolve(
    { streamId }: PatientKey,
    key: string,
    resolution: Resolution,
    reason: string | undefined,
    context: RequestContext,
  ): Promise<ResolutionOutcome> {
    assertDiscrepancyKey(key);
    const stream = reconciliationStreamName(streamId);
    const resolvedAt = osloDateTime(this.clock.now());
    const meta = resolutionMeta(
      { key, resolution, reason },
      {
        correlationId: context.correlationId,
        causationId: context.correlationId,
        actor: context.actor,
        recordedAt: resolvedAt,
      },
    );
    const before = foldDiscrepancies(await this.store.readStream(stream)).state;
    const detected = before.discrepancies.get(key)?.detected;
    if (detected === undefined) {
      throw new DiscrepancyNotFoundError(key);
    }
    const base: ResolveDiscrepancy = {
      type: 'ResolveDiscrepancy',
      data: { key, resolution, ...(reason === undefined ? {} : { reason }), resolvedAt, listCommandIds: [] },
      meta: meta(`resolve:${key}:${resolution}`),
    };
    // 1. the decision, without appending: a typed rejection comes before the list is touched
    const decided = reconciliationDecider.decide(base, before);
    const plan: ResolutionPlan =
      decided.length === 0 ? { commands: [] } : resolutionPlan({ detected, resolution, reason, resolvedAt, meta });
    const command: ResolveDiscrepancy = {
      ...base,
      data: {
        ...base.data,
        ...(plan.entryId === undefined ? {} : { entryId: plan.entryId }),
        listCommandIds: plan.commands.map((c) => c.meta.commandId),
      },
    };

    // 2. the list
    let listPosition: bigint | undefined;
    const listStream = `${MEDICATION_LIST_STREAM_PREFIX}${streamId}`;
    for (const listCommand of plan.commands) {
      const result = await handleCommand(this.store, medicationListDecider, listStream, listCommand, {
        isEvent: isMedicationListEvent,
        schemaVersion: eventSchemas.versionOf,
        observer: this.metrics?.commandObserver,
      });
      listPosition = result.position ?? listPosition;
    }

    // 3. the resolution
    const result = await handleCommand(this.store, reconciliationDecider, stream, command, {
      isEvent: isReconciliationEvent,
      observer: this.metrics?.commandObserver,
    });
    const after = foldDiscrepancies(await this.store.readStream(stream)).views.find((d) => d.detected.key === key);
    if (after === undefined) {
      throw new DiscrepancyNotFoundError(key);
    }
    return {
      discrepancy: after,
      ...(result.position === undefined ? {} : { position: result.position }),
      ...(listPosition === undefined ? {} : { listPosition }),
      alreadyApplied: result.appendedEvents === 0,
    };
  }
}
