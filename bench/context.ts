import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import type { MarkListReviewed } from '../src/medication-list/domain/medication-list.commands';
import type { Actor } from '../src/shared/event-sourcing/event-store.port';
import { defined } from '../src/shared/defined';
import type { BenchPatient, Dataset } from './data';
import type { ChildServer } from './service';

/** What every figure gets from bench/run.ts. */
export interface BenchContext {
  /** tiny data and short phases; targets are not judged */
  readonly smoke: boolean;
  /** B8 also runs its 10-minute growth check */
  readonly soak: boolean;
  /** B6 runs its rebuild to the end however long it takes */
  readonly uncapped: boolean;
  /** B3 also measures this many service processes over the same events against one (`--replicas 2`); 1: not */
  readonly replicas: number;
  /** repetitions inside the run; figures quote their median */
  readonly reps: number;
  readonly seed: number;
  /** the compiled tree (src/, projections/, bench/) */
  readonly buildRoot: string;
  /** scratch space of this run (bench-results/run), emptied at the start */
  readonly runDir: string;
  readonly cacheDir: string;
  readonly dataset: Dataset;
  /** this run's copy of the dataset: the service's DATA_DIR (events.db, read-models.db) */
  readonly dataDir: string;
  readonly eventsFile: string;
  readonly readModelsFile: string;
  /** a second copy of events.db for B1/B2, whose tens of thousands of appends must not reach the service's file */
  readonly commandsFile: () => string;
  /** how long one measured phase lasts */
  readonly phaseMs: (full: number, smoke: number) => number;
  readonly log: (message: string) => void;
  /** the real service on dataDir, started on first use and shared by B3, B4 and B8 */
  readonly service: () => Promise<ChildServer>;
  /** a prescriber's bearer token the service accepts (AUTH_MODE=dev) */
  readonly token: () => Promise<string>;
  /** figures measured earlier in this run, for figures whose baseline is another figure (B4 → B1) */
  readonly measured: Map<string, number>;
}

/** A port nobody listens on right now. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') {
          reject(new Error('no port'));
        } else {
          resolve(address.port);
        }
      });
    });
  });

/** The prescriber all benchmark commands come from (a synthetic HPR number). */
export const BENCH_ACTOR: Actor = { role: 'prescriber', hprNumber: '9144889', name: 'Benchmark prescriber' };

const BASE_MS = Date.parse('2026-03-01T08:00:00.000Z');

/**
 * The benchmark's command: a medication review, one event each time (every review is a new fact, and a new
 * `reviewedAt` makes each one distinct). Valid on any patient's list, however its history was cut.
 */
export const reviewCommand = (sequence: number): MarkListReviewed => {
  const commandId = randomUUID();
  const at = new Date(BASE_MS + sequence * 1000).toISOString();
  return {
    type: 'MarkListReviewed',
    data: { kind: 'medication-review', reviewedAt: at, note: 'Benchmark review' },
    meta: { commandId, correlationId: commandId, causationId: commandId, actor: BENCH_ACTOR, recordedAt: at },
  };
};

/** Picks patients at random (seeded): the same seed gives the same sequence of patients. */
export const patientPicker = (patients: readonly BenchPatient[], random: () => number): (() => BenchPatient) => {
  if (patients.length === 0) {
    throw new Error('the dataset has no patients');
  }
  return () => defined(patients[Math.floor(random() * patients.length)], 'a patient'); // random() is below 1
};
