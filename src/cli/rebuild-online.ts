import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { isLockHeld, removeRebuildRequest, writeRebuildRequest } from '../read-models/online-rebuild';
import { ownerLockFile } from '../read-models/read-model-file.lock';
import { generationKey } from '../read-models/read-model.store';
import { DomainError } from '../shared/errors/domain-error';
import type { EventStorePort } from '../shared/event-sourcing/event-store.port';

/*
 * `npm run rebuild` beside a running service (issue 23, part 1), the CLI's side: it holds the projection's rebuild
 * lock (taken by rebuild.ts) and watches, read-only, the service build the new copy and switch to it (see
 * src/read-models/online-rebuild.ts). It writes nothing: the service owns the file.
 */

/** The service on the file ended before it switched to the new copy: the served copy is untouched. */
export class OnlineRebuildInterruptedError extends DomainError {
  readonly code = 'ONLINE_REBUILD_INTERRUPTED';
  readonly kind = 'unavailable' as const;
  constructor(readonly file: string) {
    super(
      `The service on ${file} stopped before it served the new copy: the copy it served is untouched. ` +
        'Run the rebuild again.',
      { file },
    );
  }
}

export interface OnlineRebuildOptions {
  readonly file: string;
  readonly projection: string;
  readonly eventStore: EventStorePort;
  readonly onProgress?: (position: bigint, head: bigint) => void;
  readonly pollMs?: number;
}

export interface OnlineRebuildSummary {
  readonly projection: string;
  readonly generation: number;
  readonly checkpoint: bigint | undefined;
  readonly seconds: number;
}

/** Read-only looks at the served copy and the copy being built (the service's own writes, committed). */
const servedCopyView = (file: string) => {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const served = db.prepare<[string], number>('SELECT generation FROM served_generations WHERE projection = ?').pluck();
  const checkpoint = db.prepare<[string], string>('SELECT position FROM checkpoints WHERE projection = ?').pluck();
  return {
    generation: (name: string): number => served.get(name) ?? 0,
    checkpoint: (key: string): bigint | undefined => {
      const position = checkpoint.get(key);
      return position === undefined ? undefined : BigInt(position);
    },
    close: () => db.close(),
  };
};

/**
 * Called holding the projection's rebuild lock: asks the service to replace the copy it serves now (the request
 * file, see online-rebuild.ts) and waits, reporting progress, until it serves a newer one; throws if the service
 * ends first. The served generation is read before the request is written, so the service cannot switch unseen.
 */
export const rebuildOnline = async (options: OnlineRebuildOptions): Promise<OnlineRebuildSummary> => {
  const { file, projection } = options;
  const started = performance.now();
  const view = servedCopyView(file);
  try {
    const from = view.generation(projection);
    writeRebuildRequest(file, projection, { id: randomUUID(), replaces: from });
    const building = generationKey(projection, from + 1);
    for (;;) {
      const generation = view.generation(projection);
      if (generation > from) {
        const checkpoint = view.checkpoint(generationKey(projection, generation));
        return { projection, generation, checkpoint, seconds: (performance.now() - started) / 1000 };
      }
      if (!(await isLockHeld(ownerLockFile(file))) && view.generation(projection) === from) {
        throw new OnlineRebuildInterruptedError(file);
      }
      const head = await options.eventStore.headPosition();
      options.onProgress?.(view.checkpoint(building) ?? 0n, head ?? 0n);
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200));
    }
  } finally {
    removeRebuildRequest(file, projection);
    view.close();
  }
};
