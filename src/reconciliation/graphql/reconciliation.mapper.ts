import type { WorklistPatientDocument } from '../../../projections/gp-worklist/gp-worklist.projection';
import type { DiscrepancyView } from '../domain/discrepancy-view';
import type { FeedSource } from '../domain/external-record';
import type { ImportSummary, LineReport } from '../domain/import-summary';
import type { DiscrepancyCode } from '../domain/reconcile';
import type { DiscrepancyStatus } from '../domain/reconciliation.decider';
import type { Resolution } from '../domain/reconciliation.events';
import {
  DiscrepancyCodeGql,
  DiscrepancyStatusGql,
  FeedModeGql,
  FeedSourceGql,
  ResolutionGql,
  type DiscrepancyGql,
  type DiscrepancyWorklistGql,
  type ImportSummaryGql,
  type LineReportGql,
  type WorklistPatientGql,
} from './reconciliation.output-types';
import type { WorklistPage } from '../reconciliation.reads';

/** Domain values → GraphQL enums and output types (no rules here). */

const SOURCE: Readonly<Record<FeedSource, FeedSourceGql>> = {
  eprescription: FeedSourceGql.EPRESCRIPTION,
  'core-record': FeedSourceGql.CORE_RECORD,
};
const STATUS: Readonly<Record<DiscrepancyStatus, DiscrepancyStatusGql>> = {
  open: DiscrepancyStatusGql.OPEN,
  resolved: DiscrepancyStatusGql.RESOLVED,
  cleared: DiscrepancyStatusGql.CLEARED,
};
const RESOLUTION: Readonly<Record<Resolution, ResolutionGql>> = {
  include: ResolutionGql.INCLUDE,
  discontinue: ResolutionGql.DISCONTINUE,
  recall: ResolutionGql.RECALL,
  accept: ResolutionGql.ACCEPT,
  dismiss: ResolutionGql.DISMISS,
};
const CODE: Readonly<Record<DiscrepancyCode, DiscrepancyCodeGql>> = {
  D1: DiscrepancyCodeGql.D1,
  D2: DiscrepancyCodeGql.D2,
  D3: DiscrepancyCodeGql.D3,
  D4: DiscrepancyCodeGql.D4,
  D5: DiscrepancyCodeGql.D5,
  D6: DiscrepancyCodeGql.D6,
  D7: DiscrepancyCodeGql.D7,
  D8: DiscrepancyCodeGql.D8,
};

const isCode = (code: string): code is DiscrepancyCode => Object.prototype.hasOwnProperty.call(CODE, code);
const isSource = (source: string): source is FeedSource => Object.prototype.hasOwnProperty.call(SOURCE, source);

/** GraphQL enum → domain value (the enum's values are the domain strings). */
export const feedSourceOf = (source: FeedSourceGql): FeedSource =>
  source === FeedSourceGql.EPRESCRIPTION ? 'eprescription' : 'core-record';
export const statusOf = (status: DiscrepancyStatusGql): DiscrepancyStatus =>
  (Object.keys(STATUS) as DiscrepancyStatus[]).find((s) => STATUS[s] === status) ?? 'open';
export const resolutionOf = (resolution: ResolutionGql): Resolution =>
  (Object.keys(RESOLUTION) as Resolution[]).find((r) => RESOLUTION[r] === resolution) ?? 'accept';

export const toDiscrepancyGql = (view: DiscrepancyView): DiscrepancyGql => {
  const d = view.detected;
  const p = d.prescription;
  return {
    key: d.key,
    code: CODE[d.code],
    severity: d.severity,
    status: STATUS[view.status],
    entryId: d.entryId ?? null,
    prescriptionId: d.prescriptionId ?? null,
    dispensingId: d.dispensingId ?? null,
    evidence: Object.entries(d.evidence).map(([name, value]) => ({ name, value })),
    feedPrescription:
      p === undefined
        ? null
        : {
            prescriptionId: p.prescriptionId,
            status: p.status,
            medicationName: p.medication.displayName,
            festId: p.medication.festId ?? null,
            atcCode: p.medication.atcCode ?? null,
            issuedAt: p.issuedAt,
            expiresOn: p.expiresOn ?? null,
            dosageText: p.dosageText ?? null,
          },
    feedSource: SOURCE[d.feedSource],
    runId: d.runId,
    detectedAt: d.detectedAt,
    resolution: view.resolved === undefined ? null : RESOLUTION[view.resolved.resolution],
    reason: view.resolved?.reason ?? null,
    resolvedAt: view.resolved?.resolvedAt ?? null,
    resolvedByHpr: view.resolvedByHpr ?? null,
    resolvedEntryId: view.resolved?.entryId ?? null,
    clearedAt: view.status === 'cleared' ? (view.cleared?.clearedAt ?? null) : null,
  };
};

const toLineGql = (report: LineReport): LineReportGql => ({
  line: report.line,
  reason: report.reason,
  resourceType: report.resourceType ?? null,
});

export const toImportSummaryGql = (summary: ImportSummary): ImportSummaryGql => {
  const { source, mode, rejected, heldBack, skipped, unknownCodings, ...counts } = summary;
  return {
    ...counts,
    source: SOURCE[source],
    mode: mode === 'snapshot' ? FeedModeGql.SNAPSHOT : FeedModeGql.CHANGES,
    unknownCodings: unknownCodings.map(({ line, system }) => ({ line, system })),
    rejected: rejected.map(toLineGql),
    heldBack: heldBack.map(toLineGql),
    skipped: Object.entries(skipped).map(([resourceType, count]) => ({ resourceType, count })),
  };
};

const toWorklistPatientGql = (patient: WorklistPatientDocument): WorklistPatientGql => ({
  listId: patient.listId,
  patientId: patient.patientId,
  openDiscrepancies: patient.open.flatMap((d) =>
    isCode(d.code) && isSource(d.feedSource)
      ? [
          {
            key: d.key,
            code: CODE[d.code],
            severity: d.severity,
            entryId: d.entryId,
            prescriptionId: d.prescriptionId,
            dispensingId: d.dispensingId,
            feedSource: SOURCE[d.feedSource],
            detectedAt: d.detectedAt,
          },
        ]
      : [],
  ),
});

export const toWorklistGql = (page: WorklistPage): DiscrepancyWorklistGql => ({
  hprNumber: page.hprNumber,
  patients: page.patients.map(toWorklistPatientGql),
  endCursor: page.endCursor ?? null,
  hasNextPage: page.hasNextPage,
});
