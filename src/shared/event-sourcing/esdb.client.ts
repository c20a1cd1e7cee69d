import { EventStoreDBClient } from '@eventstore/db-client';
import { KurrentDBClient } from '@kurrent/kurrentdb-client';

/*
 * What the EventStoreDB adapter uses of a gRPC client, as a structural type. Both `@eventstore/db-client` 6.x (the
 * client the design card names; EventStoreDB 20.10 to 24.10 and KurrentDB 25.x speak its protocol) and
 * `@kurrent/kurrentdb-client` 1.x (KurrentDB's own client, for 25.x and 26.x and the `kurrentdb://` scheme) have
 * this shape; `createEsdbClient` checks both against it at compile time. The adapter and its spec's fake client
 * depend on this type only, never on either package's classes (their error classes differ: errors are told
 * apart by the `type` string both packages set).
 */

/** A place in `$all`: commit and prepare position (equal for every event appended over gRPC). */
export interface EsdbPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

/** An event as either client returns it. `data` and `metadata` are parsed JSON when `isJson`, bytes otherwise. */
export interface EsdbEvent {
  readonly streamId: string;
  readonly id: string;
  readonly isJson: boolean;
  readonly revision: bigint;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position?: EsdbPosition;
}

/** One item of a read: `link` is set for a link event (`$>`), `event` is what it points to if resolved. */
export interface EsdbResolvedEvent {
  readonly event?: EsdbEvent;
  readonly link?: EsdbEvent;
}

/** The clients' BaseOptions we use: a deadline in ms (gRPC) for the call. */
interface CallOptions {
  readonly deadline?: number;
}

export interface EsdbReadStreamOptions extends CallOptions {
  readonly fromRevision?: 'start' | 'end' | bigint;
  readonly direction?: 'forwards' | 'backwards';
  readonly maxCount?: number;
}

export interface EsdbReadAllOptions extends CallOptions {
  readonly fromPosition?: 'start' | 'end' | EsdbPosition;
  readonly direction?: 'forwards' | 'backwards';
  readonly maxCount?: number;
}

/** A server-side filter on `$all` (the clients' RegexFilter): by stream name or event type. */
export interface EsdbRegexFilter {
  readonly filterOn: 'streamName' | 'eventType';
  readonly regex: string;
  /** how often (in multiples of the server's window of 32 events) the server sends a checkpoint */
  readonly checkpointInterval: number;
}

/** A JSON event to append (the clients' JSONEventData). */
export interface EsdbEventData {
  readonly id: string;
  readonly contentType: 'application/json';
  readonly type: string;
  // mutable types: the clients' JSONType is
  readonly data: Record<string, unknown> | unknown[] | string;
  readonly metadata: Record<string, unknown>;
}

/**
 * A live catch-up subscription (a Node stream in both clients). `caughtUp` is emitted when the server has sent
 * everything that existed (servers from 23.10 on); `fellBehind` when it falls back to reading the log.
 */
export interface EsdbClientSubscription extends AsyncIterable<EsdbResolvedEvent> {
  on(event: 'caughtUp' | 'fellBehind', listener: () => void): unknown;
  unsubscribe(): Promise<void>;
  destroy(): void;
  /** Node's Readable.push: a marker pushed in a `caughtUp` listener lands after every event sent before it */
  push(chunk: EsdbResolvedEvent): boolean;
}

export interface EsdbClient {
  appendToStream(
    streamName: string,
    events: EsdbEventData[],
    options: CallOptions & { readonly expectedRevision: 'any' | 'no_stream' | bigint },
  ): Promise<{ readonly nextExpectedRevision: bigint; readonly position?: EsdbPosition }>;
  readStream(streamName: string, options: EsdbReadStreamOptions): AsyncIterable<EsdbResolvedEvent>;
  readAll(options: EsdbReadAllOptions): AsyncIterable<EsdbResolvedEvent>;
  subscribeToAll(options: {
    readonly fromPosition?: 'start' | EsdbPosition;
    readonly filter?: EsdbRegexFilter;
  }): EsdbClientSubscription;
  dispose(): Promise<void>;
}

/** Which package speaks to the server (EVENTSTORE_CLIENT). */
export type EsdbClientPackage = 'eventstore' | 'kurrentdb';

/** A client of the chosen package, connected lazily (the first call connects). */
export const createEsdbClient = (clientPackage: EsdbClientPackage, connectionString: string): EsdbClient => {
  switch (clientPackage) {
    case 'eventstore': {
      const client: EsdbClient = EventStoreDBClient.connectionString(connectionString);
      return client;
    }
    case 'kurrentdb': {
      const client: EsdbClient = KurrentDBClient.connectionString(connectionString);
      return client;
    }
  }
};
