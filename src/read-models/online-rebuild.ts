import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
 * copy untouched. Beside the lock the CLI writes one small request file naming the copy (generation) it wants
 * replaced, read from the file after it took the lock; the owner builds only while that names the copy it serves.
 * So a CLI always knows which switch is its own: the owner cannot switch on its behalf before it has looked (a small
 * read model is rebuilt in milliseconds), and a new request right after a switch (a lock let go and taken again
 * between two looks of the owner) is a new request, not the old one. The CLI writes nothing else, so the one-owner
 * rule holds.
 */

/** The lock that one `npm run rebuild` of `projection` holds on `readModelsFile` while it runs. */
export const rebuildLockFile = (readModelsFile: string, projection: string): string =>
  `${readModelsFile}.rebuild-${projection}.lock`;

/**
 * The request beside the lock: the generation of the copy the CLI wants replaced, and an id of this request (so a
 * request after a failed build is told from the failed one). JSON `{ "id": "…", "replaces": n }`.
 */
export interface RebuildRequest {
  readonly id: string;
  readonly replaces: number;
}

export const rebuildRequestFile = (readModelsFile: string, projection: string): string =>
  `${readModelsFile}.rebuild-${projection}.request`;

/** Written by the CLI while it holds the lock; atomically (a rename), so the owner never reads half of it. */
export const writeRebuildRequest = (readModelsFile: string, projection: string, request: RebuildRequest): void => {
  const path = rebuildRequestFile(readModelsFile, projection);
  writeFileSync(`${path}.tmp`, JSON.stringify({ id: request.id, replaces: request.replaces }));
  renameSync(`${path}.tmp`, path);
};

/** The request beside the lock; undefined if there is none or it is not one (ignored, not an error). */
export const readRebuildRequest = (readModelsFile: string, projection: string): RebuildRequest | undefined => {
  try {
    const { id, replaces } = JSON.parse(readFileSync(rebuildRequestFile(readModelsFile, projection), 'utf8')) as {
      id?: unknown;
      replaces?: unknown;
    };
    return typeof id === 'string' && typeof replaces === 'number' && Number.isSafeInteger(replaces) && replaces >= 0
      ? { id, replaces }
      : undefined;
  } catch {
    return undefined;
  }
};

/** The CLI's clean-up when it ends (a SIGKILLed CLI leaves it; a stale request is only ever read under a new lock). */
export const removeRebuildRequest = (readModelsFile: string, projection: string): void =>
  rmSync(rebuildRequestFile(readModelsFile, projection), { force: true });

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

/** Per projection: nothing going on, a build for a request, or a build for a request that failed. */
type RequestState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'building'; readonly request: RebuildRequest }
  | { readonly kind: 'failed'; readonly request: RebuildRequest };

const IDLE: RequestState = { kind: 'idle' };

/** The owner's watch over the rebuild locks of its projections (started and stopped with the projector). */
export class RebuildRequestWatcher {
  private readonly states = new Map<string, RequestState>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly readModelsFile: string,
    private readonly projector: Pick<Projector, 'startRebuild' | 'abandonRebuild'>,
    private readonly projections: readonly string[],
    /** The generation of the copy of a projection that is served now (the store's). */
    private readonly servedGeneration: (projection: string) => number,
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
    const state = this.states.get(name) ?? IDLE;
    if (!held) {
      this.states.set(name, IDLE);
      if (state.kind === 'building') {
        await this.projector.abandonRebuild(name);
      }
      return;
    }
    const request = readRebuildRequest(this.readModelsFile, name);
    if (request === undefined || request.replaces !== this.servedGeneration(name)) {
      return; // no request yet, or its copy was replaced already (by its own build): nothing to do
    }
    if (state.kind === 'building' || (state.kind === 'failed' && state.request.id === request.id)) {
      return; // a build under way replaces the same copy (a new CLI adopts it); a failed request is not retried
    }
    const building: RequestState = { kind: 'building', request };
    this.states.set(name, building);
    this.logger?.info({ projection: name }, 'online rebuild requested: building a new copy beside the served one');
    // The outcome changes the state only if it is still this build's (an abandon or a new request came meanwhile).
    const settle = (next: RequestState): void => {
      if (this.states.get(name) === building) {
        this.states.set(name, next);
      }
    };
    this.projector.startRebuild(name).then(
      () => {
        settle(IDLE); // the served copy is the new one now, so the same request starts nothing more
        this.logger?.info({ projection: name }, 'online rebuild caught up: the new copy is served');
      },
      (error: unknown) => {
        settle({ kind: 'failed', request }); // not retried for this request; a new one (another id) tries again
        const code = isDomainError(error) ? error.code : 'unknown';
        this.logger?.warn(
          { projection: name, code },
          'online rebuild ended without a switch: the served copy is untouched',
        );
      },
    );
  }
}
