import { Args, Context, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Access, CommandContext, MissingGrantError, grantedPatient } from '../../access/graphql/access.decorator';
import { AccessStep } from '../../access/access-step';
import type { GraphqlContext } from '../../graphql/graphql.module';
import type { PatientKey } from '../../medication-list/patient-stream';
import type { RequestContext } from '../../graphql/request-context';
import { DiscrepancyResolutionService } from '../discrepancy-resolution.service';
import { FeedPayloadRequiredError, FeedPayloadTooLargeError } from '../domain/reconciliation.errors';
import { DISCREPANCY_KEY_RULE } from '../domain/reconciliation.decider';
import {
  DiscrepancyGql,
  DiscrepancyResolutionPayloadGql,
  DiscrepancyStatusGql,
  DiscrepancyWorklistGql,
  FeedModeGql,
  FeedSourceGql,
  ImportSummaryGql,
  ResolutionGql,
} from './reconciliation.output-types';
import {
  feedSourceOf,
  resolutionOf,
  statusOf,
  toDiscrepancyGql,
  toImportSummaryGql,
  toWorklistGql,
} from './reconciliation.mapper';
import { ReconciliationReads } from '../reconciliation.reads';
import { ReconciliationService } from '../reconciliation.service';

/**
 * The largest feed `importFeed` takes (UTF-8 bytes of `ndjson` or `bundle`). Below Fastify's 1 MiB request body
 * limit, so an oversized feed gets this typed BAD_USER_INPUT instead of a bare HTTP 413; bigger feeds go through
 * the CLI or the scheduled pull.
 */
export const IMPORT_FEED_MAX_BYTES = 512 * 1024;

const PATIENT_ID = { description: 'fødselsnummer, D-, H- or synthetic number; validated, never echoed' } as const;

/**
 * Thin GraphQL edge of reconciliation: arguments in, services out. No rules; access is the AccessGuard's (each
 * @Access marker) and a resolution's actor comes from its grant (@CommandContext).
 */
@Resolver()
export class ReconciliationResolver {
  constructor(
    private readonly imports: ReconciliationService,
    private readonly resolutions: DiscrepancyResolutionService,
    private readonly reads: ReconciliationReads,
    private readonly access: AccessStep,
  ) {}

  @Mutation(() => ImportSummaryGql, {
    description: `Imports a small FHIR R4 feed: NDJSON (one resource per line) or a Bundle, at most ${IMPORT_FEED_MAX_BYTES} bytes.`,
  })
  @Access('importFeed')
  async importFeed(
    @Args('source', { type: () => FeedSourceGql }) source: FeedSourceGql,
    // The verified caller, for the per-patient audit only (the guard decided access; a feed has no command actor).
    @Context() context: GraphqlContext,
    @Args('ndjson', { type: () => String, nullable: true }) ndjson?: string | null,
    @Args('bundle', { type: () => String, nullable: true }) bundle?: string | null,
    @Args('mode', {
      type: () => FeedModeGql,
      nullable: true,
      description: "default: a Bundle's type (searchset: SNAPSHOT, any other: CHANGES); NDJSON: SNAPSHOT",
    })
    mode?: FeedModeGql | null,
  ): Promise<ImportSummaryGql> {
    const given = [ndjson, bundle].filter((payload): payload is string => typeof payload === 'string');
    const payload = given[0];
    if (given.length !== 1 || payload === undefined) {
      throw new FeedPayloadRequiredError();
    }
    const bytes = Buffer.byteLength(payload, 'utf8');
    if (bytes > IMPORT_FEED_MAX_BYTES) {
      throw new FeedPayloadTooLargeError(bytes, IMPORT_FEED_MAX_BYTES);
    }
    // A final newline ends the last line; it does not start an empty one.
    const input =
      typeof ndjson === 'string'
        ? { kind: 'ndjson' as const, lines: ndjson.replace(/\r?\n$/, '').split('\n') }
        : { kind: 'bundle' as const, text: payload };
    const { caller, correlationId } = context;
    if (caller === undefined) {
      throw new MissingGrantError();
    }
    const feed = feedSourceOf(source);
    // Every patient the feed names gets an access-log entry naming the feed and the client (issue 15).
    const beforeApply = (patients: readonly PatientKey[]): Promise<void> =>
      this.access.recordFeedImport(caller, patients, feed, correlationId);
    const named = mode === FeedModeGql.SNAPSHOT ? 'snapshot' : mode === FeedModeGql.CHANGES ? 'changes' : undefined;
    return toImportSummaryGql(
      await this.imports.importFeed(feed, input, { beforeApply, ...(named === undefined ? {} : { mode: named }) }),
    );
  }

  @Query(() => [DiscrepancyGql], {
    description: "The patient's discrepancies, optionally of one status, in key order.",
  })
  @Access('discrepancies', { patient: 'patientId' })
  async discrepancies(
    // Read by the access step only: it hands the parsed, keyed patient on in the context.
    @Args('patientId', PATIENT_ID) _patientId: string,
    @CommandContext() context: RequestContext,
    @Args('status', { type: () => DiscrepancyStatusGql, nullable: true }) status?: DiscrepancyStatusGql | null,
  ): Promise<DiscrepancyGql[]> {
    const views = await this.reads.discrepancies(
      grantedPatient(context),
      status === null || status === undefined ? undefined : statusOf(status),
    );
    return views.map(toDiscrepancyGql);
  }

  @Query(() => DiscrepancyWorklistGql, {
    nullable: true,
    description:
      'Open discrepancies across the patients of one responsible doctor (HPR number): the multidose-responsible ' +
      'doctor and whoever issued the latest prescription on the list. Pages by list id.',
  })
  @Access('gpWorklist', { hpr: 'hprNumber' })
  gpWorklist(
    @Args('hprNumber') hprNumber: string,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): DiscrepancyWorklistGql {
    return toWorklistGql(this.reads.gpWorklist(hprNumber, first ?? undefined, after ?? undefined));
  }

  @Mutation(() => DiscrepancyResolutionPayloadGql, {
    nullable: true,
    description:
      'A doctor resolves an open discrepancy; the list command it implies (include → start the treatment linked to ' +
      'the registry prescription, discontinue, recall) is applied first. Retrying the same resolution is safe.',
  })
  @Access('resolveDiscrepancy', { patient: 'patientId' })
  async resolveDiscrepancy(
    // Read by the access step only: it hands the parsed, keyed patient on in the context.
    @Args('patientId', PATIENT_ID) _patientId: string,
    @Args('key', { description: `the discrepancy's key as \`discrepancies\` lists it (${DISCREPANCY_KEY_RULE})` })
    key: string,
    @Args('resolution', { type: () => ResolutionGql }) resolution: ResolutionGql,
    @Args('reason', {
      type: () => String,
      nullable: true,
      description:
        'why (a dismissal needs one); plain text: newline and tab allowed, no other control or bidi characters',
    })
    reason: string | null | undefined,
    @CommandContext() context: RequestContext,
  ): Promise<DiscrepancyResolutionPayloadGql> {
    const outcome = await this.resolutions.resolve(
      grantedPatient(context),
      key,
      resolutionOf(resolution),
      reason ?? undefined,
      context,
    );
    return {
      discrepancy: toDiscrepancyGql(outcome.discrepancy),
      position: outcome.position?.toString() ?? null,
      listPosition: outcome.listPosition?.toString() ?? null,
      alreadyApplied: outcome.alreadyApplied,
    };
  }
}
