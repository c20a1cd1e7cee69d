import type { EventSubscription, RecordedEvent } from './event-store.port';

/**
 * Tells waiting subscriptions that this process committed an append. The counter closes the gap between a
 * subscription's read and its wait: a commit in between changes it, and the wait returns at once.
 */
export class CommitSignal {
  private commits = 0;
  private readonly waiters = new Set<() => void>();

  get count(): number {
    return this.commits;
  }

  notify(): void {
    this.commits += 1;
    [...this.waiters].forEach((wake) => {
      wake();
    });
  }

  /**
   * Resolves on the next commit after `seen` (at once if there was one already), when `onWake`'s callback is
   * called (close), or after `pollMs` when given: appends by another process on the same file send no signal.
   */
  wait(seen: number, pollMs: number | undefined, onWake: (wake: () => void) => void): Promise<void> {
    if (this.commits !== seen) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer =
        pollMs === undefined
          ? undefined
          : setTimeout(() => {
              wake();
            }, pollMs);
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      this.waiters.add(wake);
      onWake(wake);
    });
  }
}

/** What a catch-up subscription needs from a store it can read synchronously (SQLite, in memory). */
export interface CatchUpSource {
  /** up to `limit` events after `after` (exclusive) in global order; throws when the store is unavailable */
  readAfter(after: bigint, limit: number): RecordedEvent[];
  readonly signal: CommitSignal;
  readonly pollMs?: number;
}

const PAGE = 500;

/**
 * A catch-up subscription over a synchronously readable store: pages of the log after the last delivered
 * position, then a wait for the next commit. Each event once and in order: the position only moves forward.
 */
export class CatchUpSubscription implements EventSubscription {
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly source: CatchUpSource,
    private last: bigint,
    private readonly onClose: () => void,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    try {
      while (!this.isClosed()) {
        const seen = this.source.signal.count;
        const page = this.source.readAfter(this.last, PAGE);
        for (const event of page) {
          if (this.isClosed()) {
            return;
          }
          this.last = event.position;
          yield event;
        }
        if (page.length < PAGE && !this.isClosed()) {
          await this.source.signal.wait(seen, this.source.pollMs, (wake) => {
            this.wake = wake;
          });
        }
      }
    } finally {
      this.onClose(); // also when the consumer breaks out of its loop instead of calling close()
    }
  }

  close(): Promise<void> {
    this.closed = true;
    this.onClose();
    this.wake?.();
    return Promise.resolve();
  }

  /** a method, not the field: the field changes across `yield`, which narrowing does not see */
  private isClosed(): boolean {
    return this.closed;
  }
}

/** The open catch-up subscriptions of one store: opened over its source, all closed when the store closes. */
export class CatchUpSubscriptions {
  private readonly open = new Set<CatchUpSubscription>();

  /** A subscription to `source` from `fromPosition` (exclusive), forgotten again when it closes. */
  subscribe(source: CatchUpSource, fromPosition: bigint): CatchUpSubscription {
    const subscription = new CatchUpSubscription(source, fromPosition, () => {
      this.open.delete(subscription);
    });
    this.open.add(subscription);
    return subscription;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open].map((subscription) => subscription.close()));
  }
}
