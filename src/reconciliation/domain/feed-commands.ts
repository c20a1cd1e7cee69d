import type { AnnulDispensing, RecordDispensing } from '../../medication-list/domain/medication-list.commands';
import type { IsoDateTime } from '../../medication-list/domain/medication-list.events';
import { isIsoDate } from '../../medication-list/domain/medication-list.validation';
import type { Actor } from '../../shared/event-sourcing/event-store.port';
import type { CommandMeta } from '../../shared/event-sourcing/decider';
import type { ExternalDispensing, FeedSource } from './external-record';

/**
 * What a feed says about dispensings becomes the SAME list commands a pharmacy sends (RecordDispensing,
 * AnnulDispensing), so a dispensing reported by both is recorded once: the medication-list decider returns [] for a
 * dispensing id it knows. Command ids are deterministic per feed record, so a repeated feed appends nothing even
 * before the decider looks. Pure.
 */

export type FeedListCommand = RecordDispensing | AnnulDispensing;

export interface FeedCommandPlan {
  readonly commands: readonly FeedListCommand[];
  /** dispensings without a prescription id or pharmacy HER-id: the list cannot record them (reconcile still sees them) */
  readonly notRecordable: number;
  /** annulments of dispensings neither the list nor this feed recorded: nothing to annul */
  readonly annulmentsOfUnknown: number;
}

/** The actor of feed-imported events (role `feed`): which national source said it. */
export const feedActor = (source: FeedSource): Actor => ({
  role: 'feed',
  name:
    source === 'eprescription'
      ? 'E-prescription registry feed (Reseptformidleren)'
      : 'Core record feed (Kjernejournal)',
});

/** The command id of one feed record: the same record from the same source always gets the same id. */
export const feedCommandId = (source: FeedSource, dispensingId: string, annulled: boolean): string =>
  `feed:${source}:${annulled ? 'annul' : 'record'}:${dispensingId}`;

/** A date-only `whenHandedOver` is recorded as the start of that day (UTC), which is how reconcile reads it anyway. */
export const asDateTime = (value: string): IsoDateTime => (isIsoDate(value) ? `${value}T00:00:00.000Z` : value);

export interface FeedCommandContext {
  readonly source: FeedSource;
  readonly runId: string;
  /** the import's time (Clock): an annulment in a feed carries no time of its own */
  readonly now: IsoDateTime;
  /** the dispensings the list already knows (the decider state's map) */
  readonly known: ReadonlyMap<string, { readonly annulled: boolean }>;
}

/** The list commands for one patient's dispensing records, in feed order (a record before its annulment). */
export const feedCommands = (records: readonly ExternalDispensing[], context: FeedCommandContext): FeedCommandPlan => {
  const { source, runId, now } = context;
  const meta = (commandId: string): CommandMeta => ({
    commandId,
    correlationId: runId,
    causationId: runId,
    actor: feedActor(source),
    recordedAt: now,
  });
  // Known records and annulments are left out: the decider would return [] for them, and each command costs a read.
  const recorded = new Set(context.known.keys());
  const planned = new Set<string>();
  const commands: FeedListCommand[] = [];
  let notRecordable = 0;
  let annulmentsOfUnknown = 0;
  for (const d of records) {
    const commandId = feedCommandId(source, d.dispensingId, d.annulled);
    if (planned.has(commandId)) {
      continue; // the same record twice in one feed
    }
    planned.add(commandId);
    if (d.annulled) {
      if (context.known.get(d.dispensingId)?.annulled === true) {
        continue;
      }
      if (recorded.has(d.dispensingId)) {
        const reason = 'annulled by the pharmacy (entered-in-error in the feed)';
        // annulledAt is the import's clock, not the record's: the id stands for the annulment of this dispensing.
        commands.push({
          type: 'AnnulDispensing',
          data: { dispensingId: d.dispensingId, annulledAt: now, reason },
          meta: { ...meta(commandId), fingerprintData: { dispensingId: d.dispensingId, reason } },
        });
      } else {
        annulmentsOfUnknown += 1;
      }
      continue;
    }
    if (recorded.has(d.dispensingId)) {
      continue;
    }
    if (d.prescriptionId === undefined || d.pharmacyHerId === undefined) {
      notRecordable += 1;
      continue;
    }
    recorded.add(d.dispensingId);
    commands.push({
      type: 'RecordDispensing',
      data: {
        dispensingId: d.dispensingId,
        prescriptionId: d.prescriptionId,
        dispensedAt: asDateTime(d.dispensedAt),
        product: d.product,
        quantity: d.quantity,
        pharmacyHerId: d.pharmacyHerId,
        // FHIR MedicationDispense does not say whether the prescription is used up; the registry's status does.
        prescriptionUsedUp: false,
      },
      meta: meta(commandId),
    });
  }
  return { commands, notRecordable, annulmentsOfUnknown };
};
