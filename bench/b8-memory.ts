import { CONNECTIONS, FIXED_RATE, authNote, queryOperation } from './b3-query';
import type { BenchContext } from './context';
import { runClosedLoop, runFixedRate } from './load';
import type { Check, FigureResult } from './report';
import type { ChildServer } from './service';
import { median, round } from './stats';

/*
 * B8: the service's resident memory (its own process, from /proc) under B3's load on the 1M-event dataset: the
 * largest RSS sampled during a closed-loop run with 10 connections. With --soak, 10 minutes at B3's fixed
 * 1,000 requests/s, and the growth from the first minute to the last.
 */

const SOAK_MS = 10 * 60_000;
const MINUTE = 60_000;

/** Samples the service's RSS every `everyMs` while `body` runs. */
const sampling = async <T>(
  service: ChildServer,
  everyMs: number,
  body: () => Promise<T>,
): Promise<{ result: T; samples: { at: number; mb: number }[] }> => {
  const samples: { at: number; mb: number }[] = [];
  const started = Date.now();
  const timer = setInterval(() => {
    samples.push({ at: Date.now() - started, mb: service.rssMb() });
  }, everyMs);
  try {
    return { result: await body(), samples };
  } finally {
    clearInterval(timer);
  }
};

export const runB8 = async (ctx: BenchContext): Promise<FigureResult> => {
  const service = await ctx.service();
  const token = await ctx.token();
  const notes: string[] = [];
  const auth = await authNote(service, ctx.dataset.patients);
  if (auth !== undefined) {
    notes.push(auth);
  }
  const operation = queryOperation(service, ctx.dataset.patients, ctx.seed + 8, token);
  const durationMs = ctx.phaseMs(20_000, 2_000);
  const before = service.rssMb();
  const { samples } = await sampling(service, 250, () =>
    runClosedLoop(service, { connections: CONNECTIONS, durationMs, operation }),
  );
  const maxRss = Math.max(...samples.map((sample) => sample.mb));
  const checks: Check[] = [{ label: 'RSS under load', measured: maxRss, comparison: '<=', threshold: 512, unit: 'MB' }];
  const details: Record<string, number | string | readonly number[]> = {
    rssBeforeMb: round(before, 1),
    rssMaxMb: round(maxRss, 1),
    peakRssSinceStartMb: round(service.peakRssMb(), 1),
    samples: samples.length,
  };
  ctx.log(
    `  B8: RSS ${before.toFixed(0)} MB idle, max ${maxRss.toFixed(0)} MB under load, peak since start ${service.peakRssMb().toFixed(0)} MB`,
  );

  if (ctx.soak) {
    const rate = ctx.smoke ? 200 : FIXED_RATE;
    const soakMs = ctx.smoke ? 30_000 : SOAK_MS;
    const window = ctx.smoke ? 5_000 : MINUTE;
    ctx.log(`  B8 soak: ${soakMs / MINUTE} minutes at ${rate} req/s`);
    const soak = await sampling(service, 1_000, () =>
      runFixedRate(service, { connections: CONNECTIONS, durationMs: soakMs, rate, operation }),
    );
    const first = median(soak.samples.filter((s) => s.at < window).map((s) => s.mb));
    const last = median(soak.samples.filter((s) => s.at >= soakMs - window).map((s) => s.mb));
    const growth = ((last - first) / first) * 100;
    checks.push({
      label: 'soak growth, first → last minute',
      measured: growth,
      comparison: '<',
      threshold: 10,
      unit: '%',
    });
    Object.assign(details, {
      soakFirstMinuteMb: round(first, 1),
      soakLastMinuteMb: round(last, 1),
      soakGrowthPercent: round(growth, 2),
      soakRequests: soak.result.completed,
      soakFailed: soak.result.failed,
      soakRssMb: soak.samples.filter((_, i) => i % 10 === 0).map((s) => round(s.mb, 1)),
    });
    ctx.log(`  B8 soak: ${first.toFixed(0)} MB → ${last.toFixed(0)} MB (${growth.toFixed(1)}%)`);
  } else {
    notes.push('soak not run (npm run bench -- --soak --only B8)');
  }
  return {
    id: 'B8',
    title: `service memory under B3's load, ${ctx.dataset.events} events`,
    status: 'measured',
    figure: { value: maxRss, unit: 'MB RSS', label: 'max RSS of the service process under load' },
    checks,
    details,
    notes,
  };
};
