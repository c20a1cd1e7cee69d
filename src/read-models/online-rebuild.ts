import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { isDomainError } from '../shared/errors/domain-error';
import type { Projector } from '../shared/event-sourcing/projector';
import { FileLock } from './read-model-file.lock';

/*
 * Online rebuild, the owner's side (issue 23, part 1). Only the service that owns a read-model file writes it
 * (part 2), so `npm run rebuild` beside a service does not build anything itself: it holds the projection's
 * rebuild lock (`<file>.rebuild-<projection>.lock`) for as long as it wants the rebuild, and the owner, which
 * looks at those locks a few times a second, builds the new copy in-process (Projector.startRebuild) and switches.
 * The lock is the whole protocol: held means "rebuild", a second CLI cannot take it ("one is running"), and a CLI
 * that ends before the switch (Ctrl-C, SIGKILL: the kernel drops the lock) means "abandon", which leaves the served
 * copy untouched. Nothing else is written by the CLI, so the one-owner rule holds.
 */

/** The lock that one `npm run rebuild` of `projection` holds on `readModelsFile` while it runs. */
export const rebuildLockFile = (readModelsFile: string, projection: string): string =>
  `${readModelsFile}.rebuild-${projection}.lock`;

/** Whether some process holds the lock now (a missing file: nobody ever asked). */
export const isLockHeld = async (path: string): Promise<boolean> => {
  if (!existsSync(path)) {
    return false;
  }
  const lock = await FileLock.tryAcquire(path);
  lock?.release();
  return lock === undefined;
};

/** How often the owner looks for rebuild requests: a CLI waits at most this long before the build starts. */
export const REBUILD_POLL_MS = 250;

type RequestState = 'idle' | 'building' | 'done';

/** The owner's watch over the rebuild locks of its projections (started and stopped with the projector). */
export class RebuildRequestWatcher {
  private readonly states = new Map<string, RequestState>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly readModelsFile: string,
    private readonly projector: Pick<Projector, 'startRebuild' | 'abandonRebuild'>,
    private readonly projections: readonly string[],
    private readonly logger?: Pick<Logger, 'info' | 'warn'>,
  ) {}

  start(pollMs = REBUILD_POLL_MS): void {
    this.timer ??= setInterval(() => void this.poll(), pollMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at every projection's rebuild lock (public for the specs, which drive it step by step). */
  async poll(): Promise<void> {
    if (this.polling) {
      return;
    }
    this.polling = true;
    try {
      for (const name of this.projections) {
        await this.follow(name, await isLockHeld(rebuildLockFile(this.readModelsFile, name)));
      }
    } finally {
      this.polling = false;
    }
  }

  private async follow(name: string, held: boolean): Promise<void> {
    const state = this.states.get(name) ?? 'idle';
    if (state === 'idle' && held) {
      this.states.set(name, 'building');
      this.logger?.info({ projection: name }, 'online rebuild requested: building a new copy beside the served one');
      this.projector.startRebuild(name).then(
        () => {
          this.states.set(name, 'done'); // until the CLI, which sees the switch, lets go of the lock
          this.logger?.info({ projection: name }, 'online rebuild caught up: the new copy is served');
        },
        (error: unknown) => {
          this.states.set(name, held ? 'done' : 'idle');
          const code = isDomainError(error) ? error.code : 'unknown';
          this.logger?.warn({ projection: name, code }, 'online rebuild ended without a switch: the served copy is untouched');
        },
      );
    } else if (state === 'building' && !held) {
      this.states.set(name, 'idle');
      await this.projector.abandonRebuild(name);
    } else if (state === 'done' && !held) {
      this.states.set(name, 'idle');
    }
  }
}
