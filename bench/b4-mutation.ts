import { authNote } from './b3-query';
import { type BenchContext, patientPicker } from './context';
import { type Operation, graphqlOutcome, postJson, runClosedLoop } from './load';
import type { FigureResult } from './report';
import { ratioOf } from './report';
import { median, seededRandom, summarize } from './stats';

/*
 * B4: a GP's mutation end to end: markListReviewed over GraphQL (command handler, durable append), then the
 * current list read back with the mutation's position as minPosition, which waits until this replica's
 * projection has committed it (read your writes). One operation = both requests; its latency is mutation sent →
 * projected list received.
 */

const MUTATION = `mutation Review($input: MarkListReviewedInput!) {
  markListReviewed(input: $input) { position version }
}`;
const READ_BACK = `query Visible($patientId: String!, $minPosition: String) {
  medicationList(patientId: $patientId, minPosition: $minPosition) { version position }
}`;

const IN_FLIGHT = 16;
const BASE_MS = Date.parse('2026-03-01T09:00:00.000Z');

interface MutationAnswer {
  readonly data?: { readonly markListReviewed?: { readonly position: string | null; readonly version: number } };
}
interface ReadAnswer {
  readonly data?: { readonly medicationList?: { readonly version: number } };
}

export const runB4 = async (ctx: BenchContext): Promise<FigureResult> => {
  const phaseMs = ctx.phaseMs(5_000, 1_000);
  const service = await ctx.service();
  const token = await ctx.token();
  const headers = { Authorization: `Bearer ${token}` };
  const pick = patientPicker(ctx.dataset.patients, seededRandom(ctx.seed + 4));
  const notes: string[] = [];
  const auth = await authNote(service, ctx.dataset.patients);
  if (auth !== undefined) {
    notes.push(auth);
  }
  let sequence = 0;
  let notVisible = 0;
  const operation: Operation = async (connection) => {
    const { patientId } = pick();
    const reviewedAt = new Date(BASE_MS + sequence++ * 1000).toISOString();
    const input = { patientId, kind: 'medication-review', reviewedAt, note: 'Benchmark review' };
    const written = await connection.send(
      postJson(service, '/graphql', JSON.stringify({ query: MUTATION, variables: { input } }), headers),
    );
    const writeOutcome = graphqlOutcome(written);
    if (writeOutcome !== true) {
      return `mutation: ${writeOutcome}`;
    }
    const result = (JSON.parse(written.body) as MutationAnswer).data?.markListReviewed;
    if (result?.position === undefined || result.position === null) {
      return 'mutation: no position in the answer';
    }
    const body = JSON.stringify({ query: READ_BACK, variables: { patientId, minPosition: result.position } });
    const read = await connection.send(postJson(service, '/graphql', body, headers));
    const readOutcome = graphqlOutcome(read);
    if (readOutcome !== true) {
      return `read back: ${readOutcome}`;
    }
    const version = (JSON.parse(read.body) as ReadAnswer).data?.medicationList?.version;
    if (version === undefined || version < result.version) {
      notVisible += 1;
      return `read back: version ${String(version)} < ${result.version}`;
    }
    return true;
  };
  const perSecond: number[] = [];
  const p99s: number[] = [];
  const p50s: number[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  await runClosedLoop(service, { connections: IN_FLIGHT, durationMs: Math.min(2_000, phaseMs), operation });
  for (let rep = 0; rep < ctx.reps; rep += 1) {
    const result = await runClosedLoop(service, { connections: IN_FLIGHT, durationMs: phaseMs, operation });
    const summary = summarize(result.latencies);
    perSecond.push(result.perSecond);
    p99s.push(summary.p99);
    p50s.push(summary.p50);
    failed += result.failed;
    firstFailure ??= result.firstFailure;
    ctx.log(
      `  B4 rep ${rep + 1}: ${result.perSecond.toFixed(0)} mutations/s end to end, p50 ${summary.p50.toFixed(1)} ms, p99 ${summary.p99.toFixed(1)} ms`,
    );
  }
  if (failed > 0) {
    notes.push(
      `${failed} operations failed (${notVisible} not visible after minPosition)${firstFailure === undefined ? '' : `: ${firstFailure}`}`,
    );
  }
  const figure = median(perSecond);
  const b1 = ctx.measured.get('B1');
  return {
    id: 'B4',
    title: `GraphQL mutation end to end (${IN_FLIGHT} in flight)`,
    status: 'measured',
    figure: { value: figure, unit: 'mutations/s', label: 'mutation → event → projection visible (minPosition)' },
    ...(b1 === undefined ? {} : { baseline: { value: b1, unit: 'commands/s', label: 'B1 of this run' } }),
    ratio: ratioOf(figure, b1),
    checks: [
      { label: 'mutations/s', measured: figure, comparison: '>=', threshold: 1_500, unit: '/s' },
      { label: 'p99', measured: median(p99s), comparison: '<=', threshold: 20, unit: 'ms' },
    ],
    details: { mutationsPerSecond: perSecond, p50Ms: median(p50s), p99Ms: p99s, inFlight: IN_FLIGHT, phaseMs },
    notes,
  };
};
