import { randomUUID } from 'node:crypto';
import { type PatientKey, patientStreamId } from '../medication-list/patient-stream';
import { maskIdentifiers } from '../observability/logger';
import type { Clock } from '../shared/clock';
import type { EventStorePort, NewEvent, RecordedEvent } from '../shared/event-sourcing/event-store.port';
import { AuditUnavailableError, InvalidAccessLogPageError } from './domain/access.errors';
import { type Caller, CALLER_ROLES, callerOrganisationNumber, toActor } from './domain/caller';
import { ACCESS_EVENT_SCHEMA_VERSION, type PatientDataAccessed } from './domain/access-log.events';
import {
  ALL_OPERATIONS,
  type AccessDecision,
  type EmergencyAccess,
  type Operation,
  roleOfDecision,
} from './domain/policy';

/**
 * The access log (issue 5, "Audit"): every look at, and every change of, a patient's data, allowed or denied, is
 * appended durably BEFORE the answer leaves; when the append fails the request fails (fail closed). One stream per
 * patient, `accessLog-<patientStreamId>` (the keyed hash of design.md decision 1: no patient id in a stream name).
 * Denied or allowed operations on no single patient (careUnit, gpWorklist, importFeed) go to `accessAudit-general`.
 * Event building is pure (`buildAccessEvent`); AuditService only appends and reads.
 */

export { ACCESS_EVENT_SCHEMA_VERSION, accessEventTypes, type PatientDataAccessed } from './domain/access-log.events';

export const ACCESS_LOG_STREAM_PREFIX = 'accessLog-';
export const GENERAL_AUDIT_STREAM = 'accessAudit-general';
/** Streams no read model projects: EventStoreDB's projector subscription filters them out on the server. */
export const AUDIT_STREAM_PREFIXES: readonly string[] = [ACCESS_LOG_STREAM_PREFIX, 'accessAudit-'];

export const accessLogStreamName = (patientId: string, secret: string): string =>
  `${ACCESS_LOG_STREAM_PREFIX}${patientStreamId(patientId, secret)}`;

export interface AccessRecord {
  readonly caller: Caller;
  readonly operation: Operation;
  readonly decision: AccessDecision;
  /** false when the register does not place the token's orgnr_child under its orgnr_parent (default: false) */
  readonly childOrganisationTrusted?: boolean;
  readonly emergency?: EmergencyAccess;
  /**
   * the patients named, by their list id (PatientKey.streamId, derived by the caller once per patient): one event
   * per patient stream. With none the event goes to the general stream.
   */
  readonly listIds?: readonly string[];
  readonly correlationId: string;
  /** a feed import's entries: the feed that named the patient */
  readonly feedSource?: string;
}

/** How many access-log streams a feed import appends to at once. */
export const FEED_AUDIT_BATCH = 500;

/** What a feed import's entries name: who imported, the patients the feed names, the feed, and the run. */
export interface FeedImportAccess {
  readonly caller: Caller;
  /** the list ids (PatientKey.streamId) of the patients the feed names, keyed once by the import */
  readonly listIds: readonly string[];
  readonly feedSource: string;
  /** the request's correlation id, or the run id of a pull or a CLI run */
  readonly correlationId: string;
  /** false when the register does not place the caller's orgnr_child under its orgnr_parent */
  readonly childOrganisationTrusted: boolean;
}

// The reason is free text typed in a hurry: mask a national id number someone may have pasted into it.
const MAX_REASON = 1000;
const safeReason = (reason: string): string => maskIdentifiers(reason.trim()).slice(0, MAX_REASON);

/** Pure: the audit event of one decision, recorded at `at` with id `eventId`. */
export const buildAccessEvent = (record: AccessRecord, at: Date, eventId: string): NewEvent => {
  const { decision, emergency, operation } = record;
  const { parent, child } = record.caller.organisation;
  const trustedChild = record.childOrganisationTrusted === true ? child : undefined;
  const untrustedChild = trustedChild === undefined ? child : undefined;
  // Who is named is what the register vouches for: an untrusted sub-unit never becomes the actor (issue 15).
  const caller: Caller = {
    ...record.caller,
    organisation: {
      ...(parent === undefined ? {} : { parent }),
      ...(trustedChild === undefined ? {} : { child: trustedChild }),
    },
  };
  const role = roleOfDecision(caller, decision);
  const organisation = callerOrganisationNumber(caller);
  const data: PatientDataAccessed['data'] = {
    operation,
    ...(decision.basis === undefined ? {} : { basis: decision.basis }),
    outcome: decision.allowed ? 'allowed' : 'denied',
    ...(decision.allowed ? {} : { reasonCode: decision.reasonCode }),
    flagged: decision.flagged,
    ...(decision.flagged && emergency !== undefined
      ? { emergencyReason: safeReason(emergency.reason), emergencyBasisCode: emergency.basisCode }
      : {}),
    ...(caller.hprNumber === undefined ? {} : { callerHpr: caller.hprNumber }),
    ...(organisation === undefined ? {} : { callerOrganisation: organisation }),
    ...(parent === undefined ? {} : { callerParentOrganisation: parent }),
    ...(trustedChild === undefined ? {} : { callerChildOrganisation: trustedChild }),
    ...(untrustedChild === undefined ? {} : { untrustedChildOrganisation: untrustedChild }),
    clientId: caller.clientId,
    ...(decision.basis === 'own-data' ? { byPatient: true } : {}),
    ...(record.feedSource === undefined ? {} : { feedSource: record.feedSource }),
    callerRole: role ?? 'none',
    at: at.toISOString(),
  };
  return {
    id: eventId,
    type: 'PatientDataAccessed',
    data,
    metadata: {
      commandId: eventId,
      correlationId: record.correlationId,
      causationId: record.correlationId,
      actor: toActor(caller, role),
      clinicalTime: data.at,
      recordedAt: data.at,
      schemaVersion: ACCESS_EVENT_SCHEMA_VERSION,
    },
  };
};

export interface AccessLogEntry {
  /** the event's revision in the patient's access-log stream: the page cursor */
  readonly cursor: string;
  readonly event: PatientDataAccessed['data'];
}

export interface AccessLogPage {
  readonly entries: readonly AccessLogEntry[];
  readonly hasNextPage: boolean;
  /** pass as `after` for the next (older) page; null on an empty page */
  readonly endCursor: string | null;
}

export const ACCESS_LOG_PAGE = { default: 20, max: 100 } as const;

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const optionalString = (value: unknown): boolean => value === undefined || typeof value === 'string';

/** Parses stored data at the boundary (never cast): an entry written by a newer build with other fields is skipped. */
export const parseAccessData = (data: unknown): PatientDataAccessed['data'] | undefined => {
  if (
    !isRecord(data) ||
    !ALL_OPERATIONS.some((operation) => operation === data.operation) ||
    (data.outcome !== 'allowed' && data.outcome !== 'denied') ||
    typeof data.flagged !== 'boolean' ||
    typeof data.at !== 'string' ||
    !(data.callerRole === 'none' || CALLER_ROLES.some((role) => role === data.callerRole)) ||
    ![
      'basis',
      'reasonCode',
      'emergencyReason',
      'emergencyBasisCode',
      'callerHpr',
      'callerOrganisation',
      'callerParentOrganisation',
      'callerChildOrganisation',
      'untrustedChildOrganisation',
      'clientId',
      'feedSource',
    ].every((key) => optionalString(data[key])) ||
    !(data.byPatient === undefined || typeof data.byPatient === 'boolean')
  ) {
    return undefined;
  }
  return data as PatientDataAccessed['data'];
};

const pageSizeOf = (first: number | undefined): number => {
  const size = first ?? ACCESS_LOG_PAGE.default;
  if (!Number.isInteger(size) || size < 1 || size > ACCESS_LOG_PAGE.max) {
    throw new InvalidAccessLogPageError('first');
  }
  return size;
};

const cursorOf = (after: string | undefined): number | undefined => {
  if (after === undefined) {
    return undefined;
  }
  if (!/^(0|[1-9][0-9]{0,15})$/.test(after)) {
    throw new InvalidAccessLogPageError('after');
  }
  return Number(after);
};

/** Pure paging over a stream's events, NEWEST FIRST (what a patient asks: "who looked lately?"). */
export const pageOfAccessLog = (
  events: readonly RecordedEvent[],
  options: { readonly first?: number; readonly after?: string },
): AccessLogPage => {
  const size = pageSizeOf(options.first);
  const before = cursorOf(options.after);
  const entries = events
    .filter((event) => event.type === 'PatientDataAccessed' && (before === undefined || event.revision < before))
    .flatMap((event) => {
      const data = parseAccessData(event.data);
      return data === undefined ? [] : [{ cursor: String(event.revision), event: data, revision: event.revision }];
    })
    .sort((a, b) => b.revision - a.revision);
  const page = entries.slice(0, size).map(({ cursor, event }) => ({ cursor, event }));
  return { entries: page, hasNextPage: entries.length > size, endCursor: page.at(-1)?.cursor ?? null };
};

/** Appends and reads the access log through the event-store port. Thin on purpose. */
export class AuditService {
  constructor(
    private readonly store: EventStorePort,
    private readonly clock: Clock,
    private readonly newId: () => string = randomUUID,
  ) {}

  /** Resolves once every event is durably stored; otherwise throws AuditUnavailableError (fail the request). */
  async record(access: AccessRecord): Promise<void> {
    const at = this.clock.now();
    const named = (access.listIds ?? []).map((listId) => `${ACCESS_LOG_STREAM_PREFIX}${listId}`);
    const streams = named.length === 0 ? [GENERAL_AUDIT_STREAM] : named;
    try {
      await Promise.all(
        streams.map((stream) =>
          // 'any': audit events only ever append; concurrent looks at one patient must not conflict.
          this.store.appendToStream(stream, [buildAccessEvent(access, at, this.newId())], { expectedRevision: 'any' }),
        ),
      );
    } catch (error) {
      throw new AuditUnavailableError({ cause: error });
    }
  }

  /**
   * A feed import's entries (issue 15): `importFeed`, allowed on the basis `feed`, one per patient the feed names,
   * naming the feed and the caller. Every feed import path (GraphQL, the scheduled pull, the CLI) writes them here,
   * before anything of those patients is recorded; throws AuditUnavailableError like `record`. No patient: nothing.
   * Appended FEED_AUDIT_BATCH streams at a time: a CLI feed may name 100,000 patients, and one append each at once
   * would hold them all in memory and in flight. A batch that fails stops the rest (the caller applies nothing).
   */
  async recordFeedImport(feed: FeedImportAccess): Promise<void> {
    for (let start = 0; start < feed.listIds.length; start += FEED_AUDIT_BATCH) {
      await this.record({
        caller: feed.caller,
        operation: 'importFeed',
        decision: { allowed: true, basis: 'feed', flagged: false },
        childOrganisationTrusted: feed.childOrganisationTrusted,
        listIds: feed.listIds.slice(start, start + FEED_AUDIT_BATCH),
        correlationId: feed.correlationId,
        feedSource: feed.feedSource,
      });
    }
  }

  /**
   * One page of a patient's access log, newest first. Reads the whole stream: an access log is per patient and
   * small; a projection can take over if one ever grows large.
   */
  async readAccessLog(
    patient: PatientKey,
    options: { readonly first?: number; readonly after?: string } = {},
  ): Promise<AccessLogPage> {
    // Validate the page arguments before touching the store.
    pageSizeOf(options.first);
    cursorOf(options.after);
    const events = await this.store.readStream(`${ACCESS_LOG_STREAM_PREFIX}${patient.streamId}`);
    return pageOfAccessLog(events, options);
  }
}
