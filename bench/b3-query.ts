import type { BenchPatient } from './data';
import { defined } from '../src/shared/defined';
import { fhirListOperation } from './b3-fhir';
import { type ReplicaFigures, measureReplicas } from './b3-replicas';
import { type BenchContext, freePort, patientPicker } from './context';
import {
  type HttpTarget,
  type LoadResult,
  type Operation,
  graphqlOutcome,
  postJson,
  runClosedLoop,
  runFixedRate,
} from './load';
import type { FigureResult } from './report';
import { pairedRatio } from './report';
import { BENCH_RATE_LIMIT_PER_MINUTE, type ChildServer, authEnforced, startBaselineServer } from './service';
import { median, seededRandom, summarize } from './stats';

/*
 * B3: the nursing home's read, the current list of a random patient of 100k, over GraphQL with 10 keep-alive
 * connections, against a raw Fastify + Mercurius server answering the same query from the same read-model file.
 * Then the service alone at a fixed 1,000 requests/s for its latency. Each repetition also reads the same list
 * over FHIR (b3-fhir.ts) right after the GraphQL loop: issue 19's target is at least 80% of GraphQL's rate.
 */

export const CURRENT_LIST_QUERY = `query CurrentList($patientId: String!) {
  medicationList(patientId: $patientId) {
    version position
    entries { entryId status startedOn dosageText useLabel multidose
      medication { displayName atcCode } prescription { prescriptionId status expiresOn } }
    discontinued { entryId discontinuedAt reasonLabel medication { displayName } }
    review { status reviewedAt }
    recentChanges { at type summary }
  }
}`;

export const CONNECTIONS = 10;
export const FIXED_RATE = 1_000;

/** One current-list query for a random patient, with the bearer token when there is one. */
export const queryOperation = (
  target: HttpTarget,
  patients: readonly BenchPatient[],
  seed: number,
  token: string | undefined,
): Operation => {
  const pick = patientPicker(patients, seededRandom(seed));
  const headers: Record<string, string> = token === undefined ? {} : { Authorization: `Bearer ${token}` };
  return async (connection) => {
    const body = JSON.stringify({ query: CURRENT_LIST_QUERY, variables: { patientId: pick().patientId } });
    return graphqlOutcome(await connection.send(postJson(target, '/graphql', body, headers)));
  };
};

/** A note for a figure measured with the service's auth state as found. */
export const authNote = async (
  service: ChildServer,
  patients: readonly BenchPatient[],
): Promise<string | undefined> => {
  const body = JSON.stringify({
    query: CURRENT_LIST_QUERY,
    variables: { patientId: defined(patients[0], 'a patient').patientId },
  });
  return (await authEnforced(service, body))
    ? `auth enforced: a request without a token was refused; measured with a real dev token (AUTH_MODE=dev, prescriber), audit on, RATE_LIMIT_PER_MINUTE=${BENCH_RATE_LIMIT_PER_MINUTE} (one client makes all the load)`
    : 'auth not yet enforced (issue 5 not wired): the service answered without a token; the harness sends a real dev token anyway, so this figure must be re-measured once authorization and audit are on';
};

export const failureNote = (name: string, result: LoadResult): string | undefined =>
  result.failed === 0
    ? undefined
    : `${name}: ${result.failed} failed requests${result.firstFailure === undefined ? '' : `, e.g. ${result.firstFailure}`}`;

export const runB3 = async (ctx: BenchContext): Promise<FigureResult> => {
  const phaseMs = ctx.phaseMs(5_000, 1_000);
  const service = await ctx.service();
  const baselineServer = await startBaselineServer(ctx.buildRoot, ctx.runDir, ctx.readModelsFile, await freePort());
  const token = await ctx.token();
  const notes: string[] = [];
  const serviceRps: number[] = [];
  const fhirRps: number[] = [];
  const fhirP99s: number[] = [];
  const baselineRps: number[] = [];
  const closedP99s: number[] = [];
  const fixedP99s: number[] = [];
  const fixedP50s: number[] = [];
  const achievedRates: number[] = [];
  const baselineFixedP99s: number[] = [];
  const failures = new Map<string, LoadResult>();
  let replicas: ReplicaFigures | undefined;
  try {
    const auth = await authNote(service, ctx.dataset.patients);
    if (auth !== undefined) {
      notes.push(auth);
    }
    const patients = ctx.dataset.patients;
    const serviceQuery = queryOperation(service, patients, ctx.seed + 3, token);
    const baselineQuery = queryOperation(baselineServer, patients, ctx.seed + 3, undefined);
    const fhirQuery = fhirListOperation(service, patients, ctx.seed + 3, token);
    await runClosedLoop(baselineServer, {
      connections: CONNECTIONS,
      durationMs: Math.min(2_000, phaseMs),
      operation: baselineQuery,
    });
    await runClosedLoop(service, {
      connections: CONNECTIONS,
      durationMs: Math.min(2_000, phaseMs),
      operation: serviceQuery,
    });
    await runClosedLoop(service, {
      connections: CONNECTIONS,
      durationMs: Math.min(2_000, phaseMs),
      operation: fhirQuery,
    });
    const rate = ctx.smoke ? 200 : FIXED_RATE;
    for (let rep = 0; rep < ctx.reps; rep += 1) {
      const baseline = await runClosedLoop(baselineServer, {
        connections: CONNECTIONS,
        durationMs: phaseMs,
        operation: baselineQuery,
      });
      const figure = await runClosedLoop(service, {
        connections: CONNECTIONS,
        durationMs: phaseMs,
        operation: serviceQuery,
      });
      const fhir = await runClosedLoop(service, {
        connections: CONNECTIONS,
        durationMs: phaseMs,
        operation: fhirQuery,
      });
      fhirRps.push(fhir.perSecond);
      fhirP99s.push(summarize(fhir.latencies).p99);
      const fixed = await runFixedRate(service, {
        connections: CONNECTIONS,
        durationMs: phaseMs,
        rate,
        operation: serviceQuery,
      });
      // The raw server at the same fixed rate: what the p99 target asks of the machine itself.
      const baselineFixed = await runFixedRate(baselineServer, {
        connections: CONNECTIONS,
        durationMs: phaseMs,
        rate,
        operation: baselineQuery,
      });
      const baselineFixedP99 = summarize(baselineFixed.latencies).p99;
      baselineFixedP99s.push(baselineFixedP99);
      baselineRps.push(baseline.perSecond);
      serviceRps.push(figure.perSecond);
      closedP99s.push(summarize(figure.latencies).p99);
      const fixedSummary = summarize(fixed.latencies);
      fixedP99s.push(fixedSummary.p99);
      fixedP50s.push(fixedSummary.p50);
      achievedRates.push(fixed.perSecond);
      for (const [name, result] of [
        ['baseline', baseline],
        ['service', figure],
        ['FHIR list', fhir],
        [`service at ${rate}/s`, fixed],
        [`baseline at ${rate}/s`, baselineFixed],
      ] as const) {
        const seen = failures.get(name);
        failures.set(name, {
          ...result,
          failed: (seen?.failed ?? 0) + result.failed,
          firstFailure: seen?.firstFailure ?? result.firstFailure,
        });
      }
      ctx.log(
        `  B3 rep ${rep + 1}: ${figure.perSecond.toFixed(0)} req/s vs raw ${baseline.perSecond.toFixed(0)} req/s; FHIR list ${fhir.perSecond.toFixed(0)} req/s; at ${rate}/s p99 ${fixedSummary.p99.toFixed(2)} ms (raw server at ${rate}/s: p99 ${baselineFixedP99.toFixed(2)} ms, ${baselineFixed.perSecond.toFixed(0)} req/s achieved)`,
      );
    }
    if (ctx.replicas > 1) {
      await baselineServer.stop(); // its core goes to the replicas
      replicas = await measureReplicas(ctx, service, token, phaseMs);
      notes.push(
        `${replicas.processes} service processes over one events.db (own READ_MODELS_FILE each): ${median(replicas.allProcessesReqPerSecond).toFixed(0)} req/s against ${median(replicas.oneProcessReqPerSecond).toFixed(0)} for one, ratio ${replicas.ratio.toFixed(2)} (${ctx.reps} paired reps; the load generator shares the machine's cores)`,
      );
    }
  } finally {
    await baselineServer.stop();
  }
  for (const [name, result] of failures) {
    const note = failureNote(name, result);
    if (note !== undefined) {
      notes.push(note);
    }
  }
  if (serviceRps.length > 0) {
    notes.push(
      `service ${median(closedP99s).toFixed(1)} ms p99 under the closed loop; at the fixed rate, achieved ${median(achievedRates).toFixed(0)} req/s; the raw server at the same rate: p99 ${median(baselineFixedP99s).toFixed(1)} ms`,
    );
  }
  const figure = median(serviceRps);
  const baseline = median(baselineRps);
  const ratio = pairedRatio(serviceRps, baselineRps);
  const fhirRatio = pairedRatio(fhirRps, serviceRps);
  if (fhirRps.length > 0) {
    notes.push(
      `FHIR list (GET /fhir/List?patient.identifier=…&_include=List:item, same patients, right after the GraphQL loop): ${median(fhirRps).toFixed(0)} req/s, p99 ${median(fhirP99s).toFixed(1)} ms; ${fhirRatio === undefined ? '?' : (fhirRatio * 100).toFixed(0)}% of GraphQL's rate (median of paired reps; noisy on a shared machine)`,
    );
  }
  return {
    id: 'B3',
    title: `GraphQL current list, random of ${ctx.dataset.patients.length}, ${CONNECTIONS} connections`,
    status: 'measured',
    figure: { value: figure, unit: 'req/s', label: 'the service (NestJS, Mercurius, read model)' },
    baseline: { value: baseline, unit: 'req/s', label: 'raw Fastify + Mercurius, same query, same read model' },
    ratio,
    checks: [
      {
        label: 'ratio',
        measured: ratio === undefined ? undefined : ratio * 100,
        comparison: '>=',
        threshold: 60,
        unit: '%',
      },
      { label: `p99 at ${FIXED_RATE}/s`, measured: median(fixedP99s), comparison: '<=', threshold: 5, unit: 'ms' },
      {
        label: 'FHIR list ÷ GraphQL',
        measured: fhirRatio === undefined ? undefined : fhirRatio * 100,
        comparison: '>=',
        threshold: 80,
        unit: '%',
      },
    ],
    details: {
      serviceReqPerSecond: serviceRps,
      fhirListReqPerSecond: fhirRps,
      fhirListClosedLoopP99Ms: fhirP99s,
      fhirListToGraphqlRatio: fhirRatio ?? 'n/a',
      baselineReqPerSecond: baselineRps,
      closedLoopP99Ms: closedP99s,
      fixedRateP50Ms: median(fixedP50s),
      fixedRateP99Ms: fixedP99s,
      fixedRateAchieved: achievedRates,
      baselineFixedRateP99Ms: baselineFixedP99s,
      ...(replicas === undefined
        ? {}
        : {
            replicaProcesses: replicas.processes,
            replicasOneProcessReqPerSecond: replicas.oneProcessReqPerSecond,
            replicasAllProcessesReqPerSecond: replicas.allProcessesReqPerSecond,
            replicasRatio: replicas.ratio,
          }),
      phaseMs,
    },
    notes,
  };
};
