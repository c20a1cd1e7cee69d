import { eventSchemas } from '../event-schemas';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { medicationListDecider } from '../medication-list/domain/medication-list.decider';
import { MEDICATION_LIST_STREAM_PREFIX, isMedicationListEvent } from '../medication-list/domain/medication-list.events';
import { type PatientKey, patientKeyOf } from '../medication-list/patient-stream';
import { Metrics } from '../observability/metrics';
import { CLOCK, type Clock } from '../shared/clock';
import { isDomainError } from '../shared/errors/domain-error';
import type { CommandMeta } from '../shared/event-sourcing/decider';
import { EVENT_STORE, type EventStorePort } from '../shared/event-sourcing/event-store.port';
import { handleCommand } from '../shared/event-sourcing/handle-command';
import type { ExternalPrescription, ExternalRecord, FeedMode, FeedSource } from './domain/external-record';
import { codesFor, feedModeOf, unknownCodingsOf } from './domain/feed-mode';
import { feedActor, feedCommands } from './domain/feed-commands';
import { appendCommands } from './stream-commands';
import type { FeedLine, FeedLineOutcome } from './feeds/fhir-ndjson.feed';
import { parseFhirBundle, parseFhirNdjson } from './feeds/fhir-ndjson.feed';
import { ImportTally, osloDateTime, runCompletedData, type ImportSummary } from './domain/import-summary';
import { evolveListFacts, foldListFacts, initialListFacts, listDispensings, toListView } from './domain/list-view';
import { reconcileCounted } from './domain/reconcile';
import {
  reconciliationDecider,
  type DetectedDiscrepancy,
  type RecordFeedResult,
} from './domain/reconciliation.decider';
import { InvalidRunIdError } from './domain/reconciliation.errors';
import {
  RECONCILIATION_RUN_STREAM_PREFIX,
  isReconciliationEvent,
  reconciliationStreamName,
  type FeedPrescriptionSnapshot,
} from './domain/reconciliation.events';
import { reconciliationRunDecider } from './domain/reconciliation-run.decider';

/** A feed to import: NDJSON lines (strings, or the over-long markers of readLinesLimited) or a Bundle's text. */
export type FeedInput =
  | { readonly kind: 'ndjson'; readonly lines: AsyncIterable<FeedLine> | Iterable<FeedLine> }
  | { readonly kind: 'bundle'; readonly text: string };

export interface ImportProgress {
  readonly phase: 'read' | 'apply';
  readonly done: number;
  /** known in the apply phase (patients); undefined while reading */
  readonly total?: number;
}

export interface ImportOptions {
  /** default: a random UUID; a run id is a list-style id (no patient data) */
  readonly runId?: string;
  /** patients processed at the same time (default 32); one patient's work is always sequential */
  readonly concurrency?: number;
  readonly onProgress?: (progress: ImportProgress) => void;
  /**
   * Called with every patient the feed names (valid subject, held back or not), keyed once per run, before anything
   * is recorded; a rejection stops the run with nothing applied. The GraphQL edge audits them here (issue 15).
   */
  readonly beforeApply?: (patients: readonly PatientKey[]) => Promise<void>;
  /** snapshot or change feed (see feed-mode.ts); default: a Bundle's type says, else snapshot */
  readonly mode?: FeedMode;
}

const RUN_ID = /^[A-Za-z0-9._:-]{1,100}$/;
const HELD_BACK = 'held back: another line of the same patient was rejected';

interface PatientRecords {
  /** the patient, keyed where the feed's id entered: once per patient per run */
  readonly patient: PatientKey;
  readonly items: { readonly line: number; readonly record: ExternalRecord }[];
}

const snapshotOf = (p: ExternalPrescription): FeedPrescriptionSnapshot => ({
  prescriptionId: p.prescriptionId,
  status: p.status,
  medication: p.medication,
  ...(p.dosage === undefined ? {} : { dosage: p.dosage }),
  ...(p.dosageText === undefined ? {} : { dosageText: p.dosageText }),
  issuedAt: p.issuedAt,
  ...(p.expiresOn === undefined ? {} : { expiresOn: p.expiresOn }),
  ...(p.dispensingsAllowed === undefined ? {} : { dispensingsAllowed: p.dispensingsAllowed }),
  ...(p.prescriberHpr === undefined ? {} : { prescriberHpr: p.prescriberHpr }),
});

/**
 * Imports a feed: parse; group by patient; hold back every patient with a rejected line (one patient's records
 * apply all or nothing); per patient, record the feed's dispensings on the list through the medication-list
 * decider, fold the list, `reconcile`, and record the result in the patient's reconciliation stream; finally the
 * run's counts. The run goes on past bad lines and bad patients. Nothing is logged per patient.
 */
@Injectable()
export class ReconciliationService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStorePort,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'patientIdSecret'>,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  async importFeed(source: FeedSource, input: FeedInput, options: ImportOptions = {}): Promise<ImportSummary> {
    const runId = options.runId ?? randomUUID();
    if (!RUN_ID.test(runId)) {
      throw new InvalidRunIdError();
    }
    const startedAt = osloDateTime(this.clock.now());
    const tally = new ImportTally();
    const { byPatient, heldBack, named, bundleType } = await this.read(source, input, tally, options);
    const mode = feedModeOf(options.mode, bundleType);
    tally.patients = named.size;
    await options.beforeApply?.([...named.values()]);
    const queue = [...byPatient].filter(([patientId, records]) => {
      if (!heldBack.has(patientId)) {
        return true;
      }
      records.items.forEach(({ line }) => tally.holdBack({ line, reason: HELD_BACK }));
      return false;
    });
    tally.patientsHeldBack = heldBack.size;
    const now = osloDateTime(this.clock.now());
    let done = 0;
    // One iterator shared by the workers: each takes the next patient in turn.
    const pending = queue.values();
    const worker = async (): Promise<void> => {
      for (const [, records] of pending) {
        await this.importPatient(records, { source, runId, now, mode }, tally);
        done += 1;
        options.onProgress?.({ phase: 'apply', done, total: queue.length });
      }
    };
    const concurrency = Math.max(1, Math.min(options.concurrency ?? 32, queue.length));
    await Promise.all(Array.from({ length: concurrency }, worker));
    const summary = tally.finish({ runId, source, mode, startedAt, completedAt: osloDateTime(this.clock.now()) });
    await handleCommand(
      this.store,
      reconciliationRunDecider,
      `${RECONCILIATION_RUN_STREAM_PREFIX}${runId}`,
      {
        type: 'CompleteRun',
        data: runCompletedData(summary),
        meta: this.meta(`run:${runId}`, source, runId, summary.completedAt),
      },
      { observer: this.metrics?.commandObserver },
    );
    return summary;
  }

  private async read(
    source: FeedSource,
    input: FeedInput,
    tally: ImportTally,
    options: ImportOptions,
  ): Promise<{
    byPatient: Map<string, PatientRecords>;
    heldBack: Set<string>;
    /** every patient the feed names (valid subject), by its id: keyed here, where the id enters, once per run */
    named: Map<string, PatientKey>;
    bundleType?: string;
  }> {
    const byPatient = new Map<string, PatientRecords>();
    const heldBack = new Set<string>();
    const named = new Map<string, PatientKey>();
    // The parser validated the id (parsePatientId); a patient named on many lines is keyed on its first.
    const keyOf = (patientId: string): PatientKey => {
      const known = named.get(patientId);
      if (known !== undefined) {
        return known;
      }
      const key = patientKeyOf(patientId, this.config.patientIdSecret, 'subject.identifier');
      named.set(patientId, key);
      return key;
    };
    const take = (outcome: FeedLineOutcome): void => {
      tally.recordsRead += 1;
      if ('record' in outcome) {
        tally.recordsAccepted += 1;
        const { patientId } = outcome.record;
        const group = byPatient.get(patientId) ?? { patient: keyOf(patientId), items: [] };
        group.items.push({ line: outcome.line, record: outcome.record });
        // Kept on the record, never compared, and reported by line and system (never the patient).
        unknownCodingsOf(outcome.record).forEach((coding) => tally.unknownCoding(outcome.line, coding.system));
        byPatient.set(patientId, group);
      } else if ('skipped' in outcome) {
        tally.skip(outcome.skipped);
      } else {
        const { line, rejected, resourceType } = outcome;
        tally.reject({ line, reason: rejected, ...(resourceType === undefined ? {} : { resourceType }) });
        if (outcome.patientId !== undefined) {
          keyOf(outcome.patientId);
          heldBack.add(outcome.patientId);
        }
      }
      if (tally.recordsRead % 1000 === 0) {
        options.onProgress?.({ phase: 'read', done: tally.recordsRead });
      }
    };
    if (input.kind === 'bundle') {
      let json: unknown;
      try {
        json = JSON.parse(input.text);
      } catch {
        take({ line: 0, rejected: 'malformed JSON' });
        return { byPatient, heldBack, named };
      }
      parseFhirBundle(json, source).forEach(take);
      const type = typeof json === 'object' && json !== null && 'type' in json ? json.type : undefined;
      return { byPatient, heldBack, named, ...(typeof type === 'string' ? { bundleType: type } : {}) };
    } else {
      for await (const outcome of parseFhirNdjson(input.lines, source)) {
        take(outcome);
      }
    }
    return { byPatient, heldBack, named };
  }

  private async importPatient(
    records: PatientRecords,
    run: { readonly source: FeedSource; readonly runId: string; readonly now: string; readonly mode: FeedMode },
    tally: ImportTally,
  ): Promise<void> {
    const { source, runId, now, mode } = run;
    const { patientId, streamId } = records.patient;
    const listStream = `${MEDICATION_LIST_STREAM_PREFIX}${streamId}`;
    const listEvents = await this.store.readStream(listStream);
    let facts = foldListFacts(listEvents);
    const feedRecords = records.items.map(({ record }) => record);
    const dispensings = feedRecords.flatMap((r) => (r.kind === 'dispensing' ? [r] : []));
    const plan = feedCommands(dispensings, { source, runId, now, known: facts.state.dispensings });

    // All or nothing: decide every command on the current state first. A refusal (a typed domain error) holds the
    // whole patient back; then the commands are appended together in one append, so only a concurrent writer
    // (after retries) or the store can still fail the patient, and then nothing of it was appended.
    try {
      plan.commands.reduce(
        (state, command) => medicationListDecider.decide(command, state).reduce(medicationListDecider.evolve, state),
        facts.state,
      );
    } catch (error) {
      if (!isDomainError(error)) {
        throw error;
      }
      tally.patientsHeldBack += 1;
      records.items.forEach(({ line }) =>
        tally.holdBack({ line, reason: `held back: the list refused a dispensing (${error.code})` }),
      );
      return;
    }
    try {
      if (plan.commands.length > 0) {
        const applied = await appendCommands(this.store, medicationListDecider, listStream, plan.commands, {
          isEvent: isMedicationListEvent,
          schemaVersion: eventSchemas.versionOf,
          recorded: listEvents,
        });
        // The facts after the append: the stream as the successful attempt read it, plus what it appended.
        facts = [...applied.recorded, ...applied.decided.flat()].reduce(
          (folded, event) => (isMedicationListEvent(event) ? evolveListFacts(folded, event) : folded),
          initialListFacts(),
        );
        applied.decided.forEach((events, i) => {
          if (events.length > 0) {
            tally[plan.commands[i]?.type === 'RecordDispensing' ? 'dispensingsRecorded' : 'dispensingsAnnulled'] += 1;
          }
        });
      }
      tally.dispensingsNotRecordable += plan.notRecordable;

      const prescriptions = new Map(
        feedRecords.flatMap((r) => (r.kind === 'prescription' ? [[r.prescriptionId, r] as const] : [])),
      );
      const codes = codesFor(source, mode);
      const raised = new Set(codes.raised);
      const result = reconcileCounted(
        toListView(patientId, facts),
        [...listDispensings(patientId, source, facts), ...feedRecords],
        now,
        {
          coversPatient: source === 'eprescription' && mode === 'snapshot',
        },
      );
      const found = result.discrepancies
        .filter((d) => raised.has(d.code))
        .map((d): DetectedDiscrepancy => {
          const p = d.code === 'D1' && d.prescriptionId !== undefined ? prescriptions.get(d.prescriptionId) : undefined;
          return p === undefined ? d : { ...d, prescription: snapshotOf(p) };
        });
      const coveredCodes = codes.cleared;
      // D7 is judged by the core-record run only, so only that run counts the pairs it could not compare.
      const notComparable = raised.has('D7') ? result.notComparable : 0;
      await this.recordResult(
        streamId,
        { runId, source, patientId, coveredCodes, discrepancies: found, recordedAt: now },
        tally,
      );
      tally.patientsApplied += 1;
      tally.pairsNotComparable += notComparable;
    } catch (error) {
      if (!isDomainError(error)) {
        throw error;
      }
      tally.patientsFailed += 1;
    }
  }

  private async recordResult(streamId: string, data: RecordFeedResult['data'], tally: ImportTally): Promise<void> {
    const command: RecordFeedResult = {
      type: 'RecordFeedResult',
      data,
      meta: this.meta(`feed-result:${data.runId}`, data.source, data.runId, data.recordedAt),
    };
    const { decided } = await appendCommands(
      this.store,
      reconciliationDecider,
      reconciliationStreamName(streamId),
      [command],
      {
        isEvent: isReconciliationEvent,
      },
    );
    for (const event of decided.flat()) {
      tally.discrepanciesNew += event.type === 'DiscrepancyDetected' ? 1 : 0;
      tally.discrepanciesCleared += event.type === 'DiscrepancyCleared' ? 1 : 0;
    }
  }

  /**
   * The run's own commands (a patient's result, the run's completion) carry times and counts the service derived; the
   * run id stands for one run of one source, so a retried run is the same command and another source is not.
   */
  private meta(commandId: string, source: FeedSource, runId: string, recordedAt: string): CommandMeta {
    return {
      commandId,
      correlationId: runId,
      causationId: runId,
      actor: feedActor(source),
      recordedAt,
      fingerprintData: { source, runId },
    };
  }
}
