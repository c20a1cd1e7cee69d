import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AccessStep } from '../access/access-step';
import type { Caller } from '../access/domain/caller';
import { LOGGER } from '../observability/logger';
import { CLOCK, type Clock } from '../shared/clock';
import { isDomainError } from '../shared/errors/domain-error';
import { EVENT_STORE, type EventStorePort } from '../shared/event-sourcing/event-store.port';
import { handleCommand } from '../shared/event-sourcing/handle-command';
import type { FeedSource } from './domain/external-record';
import { feedActor } from './domain/feed-commands';
import { type FeedLine, isOverlong, readLinesLimited } from './feeds/fhir-ndjson.feed';
import { type ImportSummary, osloDateTime } from './domain/import-summary';
import { RECONCILIATION_CONFIG, type FeedPullConfig, type ReconciliationConfig } from './reconciliation.config';
import { FeedPullFailedError } from './domain/reconciliation.errors';
import { RECONCILIATION_CURSOR_STREAM_PREFIX } from './domain/reconciliation.events';
import { feedCursorDecider } from './domain/reconciliation-run.decider';
import { ReconciliationService } from './reconciliation.service';

/**
 * The scheduled HTTP pull (docs/reconciliation.md, "Pull protocol"). Each tick: GET the URL with `_since=<cursor>`
 * (no parameter the first time), import the NDJSON page as one run, and, when the page's LAST line is the cursor
 * trailer, store the next cursor durably as a FeedCursorAdvanced event in `reconciliationCursor-<source>`; repeat
 * while the trailer says `more`. The cursor sits at the end of the body on purpose: a truncated response has no
 * trailer, so the cursor does not move past data that never arrived, and the same page is fetched again next tick
 * (importing a page twice changes nothing).
 */

/** `{"resourceType":"Parameters","parameter":[{"name":"next-cursor","valueString":"…"},{"name":"more","valueBoolean":true}]}` */
export interface CursorTrailer {
  readonly cursor: string;
  readonly more: boolean;
}

export const MAX_PAGES_PER_TICK = 100;
const FETCH_TIMEOUT_MS = 120_000;

/** The trailer of a page, or undefined when the line is anything else. */
export const parseCursorTrailer = (line: FeedLine): CursorTrailer | undefined => {
  if (isOverlong(line) || !line.includes('"next-cursor"')) {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || !('resourceType' in json) || json.resourceType !== 'Parameters') {
    return undefined;
  }
  const parameters = 'parameter' in json && Array.isArray(json.parameter) ? (json.parameter as unknown[]) : [];
  const named = (name: string): Record<string, unknown> | undefined =>
    parameters.find(
      (p): p is Record<string, unknown> =>
        typeof p === 'object' && p !== null && (p as Record<string, unknown>).name === name,
    );
  const cursor = named('next-cursor')?.valueString;
  const more = named('more')?.valueBoolean;
  return typeof cursor === 'string' ? { cursor, more: more === true } : undefined;
};

/** Passes every line on except a cursor trailer in last position, which it keeps (one line of lookahead). */
export class TrailerSplitter {
  trailer: CursorTrailer | undefined;

  async *lines(source: AsyncIterable<FeedLine> | Iterable<FeedLine>): AsyncGenerator<FeedLine> {
    let previous: FeedLine | undefined;
    for await (const line of source) {
      if (previous !== undefined) {
        yield previous;
      }
      previous = line;
    }
    if (previous === undefined) {
      return;
    }
    this.trailer = parseCursorTrailer(previous);
    if (this.trailer === undefined) {
      yield previous;
    }
  }
}

export const pageUrl = (base: string, cursor: string | undefined): string => {
  const url = new URL(base);
  if (cursor !== undefined) {
    url.searchParams.set('_since', cursor);
  }
  return url.toString();
};

/**
 * Who the access log names for the service's own scheduled pull (issue 15: every patient an import touches gets an
 * entry naming the feed and the client): the feed role, no person, no organisation, the feed server's host.
 */
export const scheduledPullCaller = (pull: FeedPullConfig): Caller => ({
  clientId: `scheduled-pull:${new URL(pull.url).host}`,
  organisation: {},
  scopes: [],
  roles: ['feed'],
});

@Injectable()
export class FeedPuller implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    @Inject(RECONCILIATION_CONFIG) private readonly config: ReconciliationConfig,
    private readonly imports: ReconciliationService,
    private readonly access: AccessStep,
    @Inject(EVENT_STORE) private readonly store: EventStorePort,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const pull = this.config.pull;
    if (pull === undefined) {
      return;
    }
    this.timer = setInterval(() => {
      // A tick still running (a slow feed) is not overlapped: the next one starts after it.
      this.running ??= this.pullOnce()
        .catch((error: unknown) => {
          this.logger?.warn(
            { source: pull.source, code: isDomainError(error) ? error.code : 'unexpected' },
            'feed pull failed',
          );
        })
        .finally(() => {
          this.running = undefined;
        });
    }, pull.intervalSeconds * 1000);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** The stored cursor of a source, or undefined before the first page. */
  async cursorOf(source: FeedSource): Promise<string | undefined> {
    const events = await this.store.readStream(`${RECONCILIATION_CURSOR_STREAM_PREFIX}${source}`);
    const data: unknown = events.filter((event) => event.type === 'FeedCursorAdvanced').at(-1)?.data;
    return typeof data === 'object' && data !== null && 'cursor' in data && typeof data.cursor === 'string'
      ? data.cursor
      : undefined;
  }

  /** One tick: pages until the server says there is no more (or MAX_PAGES_PER_TICK). Throws FeedPullFailedError. */
  async pullOnce(): Promise<ImportSummary[]> {
    const pull = this.config.pull;
    if (pull === undefined) {
      throw new FeedPullFailedError('no RECONCILE_PULL_URL configured');
    }
    const pages: ImportSummary[] = [];
    for (let page = 0; page < MAX_PAGES_PER_TICK; page += 1) {
      const { summary, trailer, advanced } = await this.pullPage(pull);
      pages.push(summary);
      // Counts and ids only: never a patient id.
      const { runId, recordsRead, linesRejected, discrepanciesNew } = summary;
      this.logger?.info(
        { source: pull.source, runId, recordsRead, linesRejected, discrepanciesNew, advanced },
        'feed page imported',
      );
      // A server that says `more` without moving the cursor would make this loop for ever.
      if (trailer?.more !== true || !advanced) {
        break;
      }
    }
    return pages;
  }

  private async pullPage(
    pull: FeedPullConfig,
  ): Promise<{ summary: ImportSummary; trailer?: CursorTrailer; advanced: boolean }> {
    const cursor = await this.cursorOf(pull.source);
    let response: Response;
    try {
      response = await fetch(pageUrl(pull.url, cursor), {
        headers: { accept: 'application/fhir+ndjson' },
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
    } catch (error) {
      throw new FeedPullFailedError(error instanceof Error ? error.name : 'network error');
    }
    if (!response.ok || response.body === null) {
      throw new FeedPullFailedError(`HTTP ${response.status}`);
    }
    const runId = randomUUID();
    const splitter = new TrailerSplitter();
    const lines = splitter.lines(readLinesLimited(response.body));
    const caller = scheduledPullCaller(pull);
    const summary = await this.imports.importFeed(
      pull.source,
      { kind: 'ndjson', lines },
      {
        runId,
        mode: 'snapshot', // the protocol: all current records of each patient a page includes
        // Every patient the page names gets an access-log entry before anything is recorded, as over GraphQL.
        beforeApply: (patients) => this.access.recordFeedImport(caller, patients, pull.source, runId),
      },
    );
    const trailer = splitter.trailer;
    const advanced = trailer !== undefined && trailer.cursor !== cursor;
    if (advanced) {
      const advancedAt = osloDateTime(this.clock.now());
      await handleCommand(this.store, feedCursorDecider, `${RECONCILIATION_CURSOR_STREAM_PREFIX}${pull.source}`, {
        type: 'AdvanceFeedCursor',
        data: { source: pull.source, cursor: trailer.cursor, runId, advancedAt },
        meta: {
          commandId: `cursor:${runId}`,
          correlationId: runId,
          causationId: runId,
          actor: feedActor(pull.source),
          recordedAt: advancedAt,
        },
      });
    }
    return { summary, ...(trailer === undefined ? {} : { trailer }), advanced };
  }
}
