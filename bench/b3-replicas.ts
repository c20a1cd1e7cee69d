import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { CONNECTIONS, queryOperation } from './b3-query';
import { type BenchContext, freePort } from './context';
import { copyDurably } from './data';
import { runClosedLoop } from './load';
import { type ChildServer, startService } from './service';
import { median } from './stats';

/*
 * B3 with `--replicas n` (issue 23, part 3): n service processes over the same events.db, each with its own read
 * models (a copy of the dataset's, which each catches up from its checkpoint at start), against the one process B3
 * measured. The same CONNECTIONS closed-loop connections either all go to the first process, or are spread over
 * the n processes; the combined rate over the single one is the scaling ratio. The load generator runs on the same
 * machine and takes a core's share itself, so on 2 cores the ratio stays well under 2.
 */

export interface ReplicaFigures {
  readonly processes: number;
  readonly oneProcessReqPerSecond: number[];
  readonly allProcessesReqPerSecond: number[];
  /** median of the paired ratios (all processes / one process, per repetition) */
  readonly ratio: number;
}

/** Starts processes 2…n beside `first`, measures, stops them; `first` stays up (B4 and B8 use it). */
export const measureReplicas = async (
  ctx: BenchContext,
  first: ChildServer,
  token: string,
  phaseMs: number,
): Promise<ReplicaFigures> => {
  const others: ChildServer[] = [];
  try {
    for (let replica = 2; replica <= ctx.replicas; replica += 1) {
      const readModelsFile = path.join(ctx.runDir, `replica-${replica}`, 'read-models.db');
      mkdirSync(path.dirname(readModelsFile), { recursive: true });
      copyDurably(ctx.dataset.readModelsFile, readModelsFile);
      const started = await startService(ctx.buildRoot, ctx.runDir, ctx.dataDir, await freePort(), undefined, {
        name: `service-${replica}`,
        readModelsFile,
      });
      others.push(started);
      ctx.log(`  B3 replica ${replica} ready (pid ${started.pid})`);
    }
    const all = [first, ...others];
    const operation = (server: ChildServer, index: number) =>
      queryOperation(server, ctx.dataset.patients, ctx.seed + 5 + index, token);
    const share = (index: number): number =>
      Math.floor(CONNECTIONS / all.length) + (index < CONNECTIONS % all.length ? 1 : 0);
    const one: number[] = [];
    const spread: number[] = [];
    const ratios: number[] = [];
    for (let rep = 0; rep < ctx.reps; rep += 1) {
      const alone = (
        await runClosedLoop(first, { connections: CONNECTIONS, durationMs: phaseMs, operation: operation(first, 0) })
      ).perSecond;
      one.push(alone);
      const results = await Promise.all(
        all.map((server, index) =>
          runClosedLoop(server, {
            connections: share(index),
            durationMs: phaseMs,
            operation: operation(server, index),
          }),
        ),
      );
      const together = results.reduce((sum, result) => sum + result.perSecond, 0);
      spread.push(together);
      ratios.push(together / alone);
      ctx.log(
        `  B3 rep ${rep + 1}: ${all.length} processes ${together.toFixed(0)} req/s, one process ${alone.toFixed(0)} req/s`,
      );
    }
    return {
      processes: all.length,
      oneProcessReqPerSecond: one,
      allProcessesReqPerSecond: spread,
      ratio: median(ratios),
    };
  } finally {
    await Promise.all(others.map((server) => server.stop()));
  }
};
