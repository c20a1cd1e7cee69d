import type { Projection, ProjectionEvent } from '../../../projections/projection';
import { DomainError } from '../errors/domain-error';
import type { RecordedEvent } from './event-store.port';

/*
 * The projector's public vocabulary: its typed errors, what it reports, and the small pure helpers it is
 * built from. The Projector itself is in projector.ts, which re-exports all of this.
 */

/** `currentMedicationList.v2` → { base: 'currentMedicationList', version: 2 }; an unversioned name is version 0. */
export const parseProjectionName = (name: string): { base: string; version: number } => {
  const [, base, version] = /^(.*)\.v(\d+)$/.exec(name) ?? [];
  return base !== undefined && version !== undefined ? { base, version: Number(version) } : { base: name, version: 0 };
};

/** The projection has not reached the asked position within the time allowed (read-your-writes gave up). */
export class ProjectionNotCaughtUpError extends DomainError {
  readonly code = 'PROJECTION_NOT_CAUGHT_UP';
  readonly kind = 'unavailable' as const;
  constructor(projection: string, position: bigint, checkpoint: bigint | undefined) {
    super(`Projection ${projection} is at ${checkpoint ?? 'none'}, not yet at ${position}`, {
      projection,
      position: position.toString(),
      checkpoint: checkpoint?.toString() ?? 'none',
    });
  }
}

/** No projection of that name (with or without its version suffix) runs in this projector. */
export class UnknownProjectionError extends DomainError {
  readonly code = 'UNKNOWN_PROJECTION';
  readonly kind = 'not-found' as const;
  constructor(projection: string) {
    super(`No projection named ${projection}`, { projection });
  }
}

/** Receives what the projector does: metrics and logs hang here. Must not throw (errors are swallowed). */
export interface ProjectorObserver {
  onApplied(projection: string, count: number, lagSeconds: number): void;
  onUnknownEvent(projection: string, type: string): void;
  onError(projection: string, error: unknown): void;
}

/** Emitted after each commit. `documentIds` may be empty when a batch only moved the checkpoint. */
export interface ProjectionChange {
  readonly projection: string;
  readonly documentIds: readonly string[];
  readonly position: bigint;
}

/**
 * For /ready. `lagEvents` counts events on every store: head − checkpoint where positions count events (SQLite, in
 * memory), the events received and not yet applied where the subscription reports its progress (EventStoreDB; head
 * is then not read and undefined).
 */
export interface ProjectionStatus {
  readonly checkpoint: bigint | undefined;
  readonly head: bigint | undefined;
  readonly lagEvents: number;
  /** 0 when caught up; null when behind and nothing applied yet in this process */
  readonly lagSeconds: number | null;
  readonly running: boolean;
}

/**
 * Lets projections of different document types run in one projector. Sound because the projector only ever
 * hands `evolve` a document that the same projection produced (its initialDocument or an earlier evolve).
 */
export const eraseDocumentType = <TDocument>(projection: Projection<TDocument>): Projection<unknown> =>
  projection as unknown as Projection<unknown>;

/** The projection named `name`, exactly or by its unversioned base name; throws UnknownProjectionError. */
export const findProjection = <T extends { readonly name: string }>(projections: readonly T[], name: string): T => {
  const exact = projections.find((projection) => projection.name === name);
  const byBase = projections.filter((projection) => parseProjectionName(projection.name).base === name);
  const found = exact ?? (byBase.length === 1 ? byBase[0] : undefined);
  if (found === undefined) {
    throw new UnknownProjectionError(name);
  }
  return found;
};

/** Exponential backoff before resubscribing: initialMs · 2^attempt, capped at maxMs (100 ms → 5 s by default). */
export const backoffDelay = (
  attempt: number,
  backoff: { readonly initialMs: number; readonly maxMs: number },
): number => Math.min(backoff.initialMs * 2 ** Math.min(attempt, 30), backoff.maxMs);

/** The boundary: positions become decimal strings so documents stay JSON-safe. */
export const toProjectionEvent = (event: RecordedEvent): ProjectionEvent => ({
  type: event.type,
  data: event.data,
  metadata: event.metadata,
  streamName: event.streamName,
  revision: event.revision,
  position: event.position.toString(),
});

interface Waiter {
  readonly position: bigint;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** Pending `waitForPosition` calls per projection: released by a commit at or past their position, or timed out. */
export class PositionWaiters {
  private readonly waiters = new Map<string, Set<Waiter>>();

  wait(name: string, position: bigint, timeoutMs: number, checkpoint: () => bigint | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiters = this.waiters.get(name) ?? new Set<Waiter>();
      this.waiters.set(name, waiters);
      const waiter: Waiter = {
        position,
        resolve,
        reject,
        timer: setTimeout(() => {
          waiters.delete(waiter);
          reject(new ProjectionNotCaughtUpError(name, position, checkpoint()));
        }, timeoutMs),
      };
      waiters.add(waiter);
    });
  }

  /** After a commit: resolves every wait at or below the new checkpoint. */
  release(name: string, checkpoint: bigint): void {
    const waiters = this.waiters.get(name);
    for (const waiter of waiters ?? []) {
      if (waiter.position <= checkpoint) {
        clearTimeout(waiter.timer);
        waiters?.delete(waiter);
        waiter.resolve();
      }
    }
  }

  /** On stop: nothing will move the checkpoints any more. */
  rejectAll(checkpoint: (name: string) => bigint | undefined): void {
    for (const [name, waiters] of this.waiters) {
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new ProjectionNotCaughtUpError(name, waiter.position, checkpoint(name)));
      }
    }
    this.waiters.clear();
  }
}
