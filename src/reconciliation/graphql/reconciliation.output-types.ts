import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

/**
 * GraphQL output types and enums of reconciliation (code first). Times are ISO 8601 strings with the offset they
 * were recorded with (Norwegian local time for imports and resolutions). Enum values map to the domain's strings.
 */

export enum FeedSourceGql {
  EPRESCRIPTION = 'eprescription',
  CORE_RECORD = 'core-record',
}
/** Snapshot or change feed (issue 16); the enum values are the domain's FeedMode strings. */
export enum FeedModeGql {
  SNAPSHOT = 'snapshot',
  CHANGES = 'changes',
}
registerEnumType(FeedModeGql, {
  name: 'FeedMode',
  description:
    "SNAPSHOT: each patient's complete picture (absence means absence; D8 may be raised); CHANGES: a history or incremental export (absence means nothing)",
});

registerEnumType(FeedSourceGql, {
  name: 'FeedSource',
  description:
    'EPRESCRIPTION: the e-prescription registry (Reseptformidleren); CORE_RECORD: the core record (Kjernejournal)',
});

export enum DiscrepancyStatusGql {
  OPEN = 'open',
  RESOLVED = 'resolved',
  CLEARED = 'cleared',
}
registerEnumType(DiscrepancyStatusGql, { name: 'DiscrepancyStatus' });

export enum ResolutionGql {
  INCLUDE = 'include',
  DISCONTINUE = 'discontinue',
  RECALL = 'recall',
  ACCEPT = 'accept',
  DISMISS = 'dismiss',
}
registerEnumType(ResolutionGql, {
  name: 'Resolution',
  description:
    'INCLUDE (D1): start the treatment linked to the registry prescription; DISCONTINUE: discontinue the entry; ' +
    'RECALL: recall the list prescription; ACCEPT: accept as is; DISMISS: dismiss (reason required)',
});

export enum DiscrepancyCodeGql {
  D1 = 'D1',
  D2 = 'D2',
  D3 = 'D3',
  D4 = 'D4',
  D5 = 'D5',
  D6 = 'D6',
  D7 = 'D7',
  D8 = 'D8',
}
registerEnumType(DiscrepancyCodeGql, {
  name: 'DiscrepancyCode',
  description:
    'D1 registry prescription not on the list; D2 discontinued but dispensable; D3 dispensed after discontinuation ' +
    'or recall; D4 dose differs; D5 prescription expired or expiring; D6 duplicate therapy; D7 substitution ' +
    '(informational); D8 on the list but unknown to or ended in the registry',
});

@ObjectType('DiscrepancyEvidence')
export class EvidenceGql {
  @Field() name!: string;
  @Field() value!: string;
}

@ObjectType('FeedPrescription', {
  description: 'What the registry said about a prescription missing from the list (D1)',
})
export class FeedPrescriptionGql {
  @Field() prescriptionId!: string;
  @Field({ description: '7408 status' }) status!: string;
  @Field() medicationName!: string;
  @Field(() => String, { nullable: true }) festId!: string | null;
  @Field(() => String, { nullable: true }) atcCode!: string | null;
  @Field() issuedAt!: string;
  @Field(() => String, { nullable: true }) expiresOn!: string | null;
  @Field(() => String, { nullable: true, description: 'the free-text dosage when it could not be structured' })
  dosageText!: string | null;
}

@ObjectType('Discrepancy')
export class DiscrepancyGql {
  @Field({ description: '`code|id|…`: stable across feeds' }) key!: string;
  @Field(() => DiscrepancyCodeGql) code!: DiscrepancyCodeGql;
  @Field({ description: 'warning, or info (D7)' }) severity!: string;
  @Field(() => DiscrepancyStatusGql) status!: DiscrepancyStatusGql;
  @Field(() => String, { nullable: true }) entryId!: string | null;
  @Field(() => String, { nullable: true }) prescriptionId!: string | null;
  @Field(() => String, { nullable: true }) dispensingId!: string | null;
  @Field(() => [EvidenceGql]) evidence!: EvidenceGql[];
  @Field(() => FeedPrescriptionGql, { nullable: true }) feedPrescription!: FeedPrescriptionGql | null;
  @Field(() => FeedSourceGql) feedSource!: FeedSourceGql;
  @Field() runId!: string;
  @Field() detectedAt!: string;
  @Field(() => ResolutionGql, { nullable: true }) resolution!: ResolutionGql | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => String, { nullable: true }) resolvedAt!: string | null;
  @Field(() => String, { nullable: true }) resolvedByHpr!: string | null;
  @Field(() => String, { nullable: true, description: 'the entry a resolution started or changed' })
  resolvedEntryId!: string | null;
  @Field(() => String, { nullable: true }) clearedAt!: string | null;
}

@ObjectType('FeedLineReport', { description: 'A line (or Bundle entry; 0 = the Bundle) that changed nothing' })
export class LineReportGql {
  @Field(() => Int) line!: number;
  @Field({ description: 'a fixed reason; never line content' }) reason!: string;
  @Field(() => String, { nullable: true }) resourceType!: string | null;
}

@ObjectType('SkippedResources')
export class SkippedGql {
  @Field() resourceType!: string;
  @Field(() => Int) count!: number;
}

@ObjectType('UnknownCodingReport', {
  description: 'A coding in a system the service does not know: kept, never compared',
})
export class UnknownCodingGql {
  @Field(() => Int) line!: number;
  @Field({ description: 'the system URI as the feed wrote it (a placeholder when it could carry personal data)' })
  system!: string;
}

@ObjectType('ImportSummary')
export class ImportSummaryGql {
  @Field() runId!: string;
  @Field(() => FeedSourceGql) source!: FeedSourceGql;
  @Field() startedAt!: string;
  @Field() completedAt!: string;
  @Field(() => Int) recordsRead!: number;
  @Field(() => Int) recordsAccepted!: number;
  @Field(() => Int) patients!: number;
  @Field(() => Int) patientsApplied!: number;
  @Field(() => Int) patientsHeldBack!: number;
  @Field(() => Int) patientsFailed!: number;
  @Field(() => Int) dispensingsRecorded!: number;
  @Field(() => Int) dispensingsAnnulled!: number;
  @Field(() => Int) dispensingsNotRecordable!: number;
  @Field(() => Int) discrepanciesNew!: number;
  @Field(() => Int) discrepanciesCleared!: number;
  @Field(() => Int) linesRejected!: number;
  @Field(() => [LineReportGql], { description: 'the first 1000' }) rejected!: LineReportGql[];
  @Field(() => Int) linesHeldBack!: number;
  @Field(() => [LineReportGql], { description: 'the first 1000' }) heldBack!: LineReportGql[];
  @Field(() => [SkippedGql]) skipped!: SkippedGql[];
  @Field(() => FeedModeGql) mode!: FeedModeGql;
  @Field(() => Int) codingsUnknown!: number;
  @Field(() => [UnknownCodingGql], { description: 'the first 1000' }) unknownCodings!: UnknownCodingGql[];
  @Field(() => Int, { description: 'dispensing/prescription pairs D7 could not compare at the level needed' })
  pairsNotComparable!: number;
}

@ObjectType('WorklistDiscrepancy')
export class WorklistDiscrepancyGql {
  @Field() key!: string;
  @Field(() => DiscrepancyCodeGql) code!: DiscrepancyCodeGql;
  @Field() severity!: string;
  @Field(() => String, { nullable: true }) entryId!: string | null;
  @Field(() => String, { nullable: true }) prescriptionId!: string | null;
  @Field(() => String, { nullable: true }) dispensingId!: string | null;
  @Field(() => FeedSourceGql) feedSource!: FeedSourceGql;
  @Field() detectedAt!: string;
}

@ObjectType('WorklistPatient')
export class WorklistPatientGql {
  @Field({ description: 'the uuid of the patient list (no personal data): the cursor' }) listId!: string;
  @Field(() => String, { nullable: true, description: 'the patient id, for resolveDiscrepancy' })
  patientId!: string | null;
  @Field(() => [WorklistDiscrepancyGql]) openDiscrepancies!: WorklistDiscrepancyGql[];
}

@ObjectType('DiscrepancyWorklist')
export class DiscrepancyWorklistGql {
  @Field() hprNumber!: string;
  @Field(() => [WorklistPatientGql]) patients!: WorklistPatientGql[];
  @Field(() => String, { nullable: true }) endCursor!: string | null;
  @Field() hasNextPage!: boolean;
}

@ObjectType('DiscrepancyResolutionPayload')
export class DiscrepancyResolutionPayloadGql {
  @Field(() => DiscrepancyGql) discrepancy!: DiscrepancyGql;
  @Field(() => String, { nullable: true, description: 'position of DiscrepancyResolved (read-your-writes)' })
  position!: string | null;
  @Field(() => String, { nullable: true, description: 'position of the last list event the resolution appended' })
  listPosition!: string | null;
  @Field({ description: 'the same resolution was already recorded: nothing appended' }) alreadyApplied!: boolean;
}
