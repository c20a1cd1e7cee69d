import type { EventMetadata } from '../src/shared/event-sourcing/event-store.port';

/** An event as a projection sees it: the clinical event plus where it sits in the store and who did it. */
export interface ProjectionEvent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  readonly streamName: string;
  /** revision in its stream (0-based); the list version after it is revision + 1 */
  readonly revision: number;
  /** global position as a decimal string (JSON-safe) */
  readonly position: string;
}

/**
 * A pure read-model projection. The projector feeds it every event of `handles` in global order and stores
 * the documents it returns; the document write and the checkpoint commit in one transaction.
 *
 * `documentIds` may name several documents (the care-unit overview keeps one per organisation and unit).
 * `evolve` must skip an event it has already applied (compare positions kept in the document), so a
 * replay changes nothing. No clock, no randomness, no I/O.
 */
export interface Projection<TDocument> {
  /** versioned name, e.g. `currentMedicationList.v1`; a new version is rebuilt from position zero */
  readonly name: string;
  readonly handles: readonly string[];
  readonly documentIds: (event: ProjectionEvent) => readonly string[];
  readonly initialDocument: (documentId: string) => TDocument;
  readonly evolve: (document: TDocument, event: ProjectionEvent) => TDocument;
  /**
   * Set when every document is built from the events of ONE stream, whose name starts with `streamPrefix`, and
   * no other stream's events touch it (and events of streams without the prefix touch no document). A rebuild
   * from zero may then fold stream after stream, each document once, instead of following the global order.
   */
  readonly perStream?: { readonly streamPrefix: string };
  /**
   * Blue/green of a new version (issue 23): the previous version's projection, kept in the code for one release.
   * When this version has never been live in a read-model file and the previous one is, the service goes on
   * serving (and projecting, with this code) the previous version's documents under this name while it builds this
   * version beside them, and switches once it has caught up; then the previous version is retired and its documents
   * dropped. Same document type: the readers of this build read the previous version's documents meanwhile. A new
   * version whose documents have another shape cannot be served this way: leave `previous` out (docs/operations.md).
   */
  readonly previous?: Projection<TDocument>;
}
