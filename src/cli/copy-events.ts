import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, describeEventStore, loadConfig } from '../config/config';
import { createLogger } from '../observability/logger';
import { createEventStore } from '../shared/event-sourcing/event-store.module';
import { runCli } from './cli-runner';
import type { EventStorePort, RecordedEvent } from '../shared/event-sourcing/event-store.port';
import { SqliteEventStore } from '../shared/event-sourcing/sqlite.event-store';

/**
 * `npm run copy-events -- --from ./data/events.db [--to other.db]`: copies every event of an embedded SQLite event
 * file into another store (by default the configured one: EVENT_STORE=eventstoredb and its connection string), to
 * move from SQLite to EventStoreDB / KurrentDB (docs/eventstoredb.md, "Migrating from SQLite").
 */
export const USAGE = `Usage: npm run copy-events -- --from <events.db> [--to <target.db>]
Copies every event of the SQLite event file <events.db>, in global order, with its id, stream, revision, type, data
and metadata, into <target.db> (SQLite) or, without --to, into the configured event store (EVENT_STORE,
EVENTSTORE_CONNECTION_STRING, EVENTSTORE_CLIENT). Stop the service first. Safe to run again: events already copied
are recognised by id and skipped (an interrupted copy resumes).`;

export interface CopySummary {
  readonly read: number;
  readonly appended: number;
  /** already in the target with the same id (a re-run) */
  readonly skipped: number;
}

const PAGE = 1_000;

/**
 * Reads the source in global order and appends each run of consecutive events of one stream as one append, with
 * the expected revision the source says the stream had before them and the events' own ids. So the target gets
 * every event once, each stream in the same revision order, and `$all` in the same relative order (positions
 * differ: the target numbers its own); a second run appends nothing (idempotent append by id).
 */
export const copyEvents = async (
  source: EventStorePort,
  target: EventStorePort,
  onProgress?: (summary: CopySummary) => void,
): Promise<CopySummary> => {
  let summary: CopySummary = { read: 0, appended: 0, skipped: 0 };
  let after: bigint | undefined;
  for (;;) {
    const page = await source.readAll({ fromPosition: after, maxCount: PAGE });
    for (const run of runsOfOneStream(page)) {
      const [first] = run;
      const result = await target.appendToStream(
        first.streamName,
        run.map(({ id, type, data, metadata }) => ({ id, type, data, metadata })),
        { expectedRevision: first.revision === 0 ? 'no_stream' : first.revision - 1 },
      );
      summary = {
        read: summary.read + run.length,
        appended: summary.appended + (result.appended ? run.length : 0),
        skipped: summary.skipped + (result.appended ? 0 : run.length),
      };
    }
    onProgress?.(summary);
    const lastOfPage = page.at(-1);
    if (page.length < PAGE || lastOfPage === undefined) {
      return summary;
    }
    after = lastOfPage.position;
  }
};

/** consecutive events of the same stream, in order */
const runsOfOneStream = (events: readonly RecordedEvent[]): [RecordedEvent, ...RecordedEvent[]][] => {
  const runs: [RecordedEvent, ...RecordedEvent[]][] = [];
  for (const event of events) {
    const last = runs.at(-1);
    if (last !== undefined && last[0].streamName === event.streamName) {
      last.push(event);
    } else {
      runs.push([event]);
    }
  }
  return runs;
};

const argument = (args: readonly string[], name: string): string | undefined => {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
};

const main = async (args: readonly string[]): Promise<number> => {
  const from = argument(args, '--from');
  const to = argument(args, '--to');
  if (from === undefined || !existsSync(from) || args.includes('--help')) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig(process.env);
  const source = new SqliteEventStore({ filename: path.resolve(from) });
  const target =
    to === undefined
      ? createEventStore(config, createLogger({ level: config.logLevel }))
      : new SqliteEventStore({ filename: path.resolve(to) });
  console.log(
    `Copying ${path.resolve(from)} to ${to === undefined ? describeEventStore(config) : path.resolve(to)} ...`,
  );
  try {
    const summary = await copyEvents(source, target, (progress) => {
      process.stdout.write(
        `\r${progress.read} events read, ${progress.appended} appended, ${progress.skipped} already there`,
      );
    });
    console.log(`\nDone: ${summary.read} events read, ${summary.appended} appended, ${summary.skipped} already there.`);
    return 0;
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
};

if (require.main === module) {
  runCli(() => main(process.argv.slice(2)), {
    failure: (error) => (error instanceof ConfigError ? error.message : error),
    exitAtOnce: true,
  });
}
