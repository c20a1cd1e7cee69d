import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SqliteReadModelStore } from '../../src/read-models/read-model.store';
import type { NewEvent } from '../../src/shared/event-sourcing/event-store.port';
import { Projector, eraseDocumentType } from '../../src/shared/event-sourcing/projector';
import { SqliteEventStore } from '../../src/shared/event-sourcing/sqlite.event-store';
import { type StreamCount, streamCountProjection } from './stream-count.projection';

/*
 * Issue 3: the projector survives SIGKILL at arbitrary points. A child process projects the SQLite events file
 * into a read-model file while this process keeps appending; the child is killed five times at different
 * moments (during start-up, during catch-up of a backlog, while live) and restarted. At the end its read model
 * must equal a full rebuild into a fresh file and the log itself: checkpoint = head, every revision once.
 */

const CHILD = join(__dirname, 'projector-crash.child.ts');
const REGISTER = join(__dirname, 'register-ts.js');
const GUARD_MS = 10_000;
const STREAMS = 17;
const NAME = streamCountProjection.name;

/** A running child and what it has reported. Waits are event-driven; the timeout is only a guard. */
class ProjectorProcess {
  readonly exited: Promise<number | null>;
  checkpoint = 0n;
  commits = 0;
  stderr = '';
  readonly lines: string[] = [];
  private readonly checks = new Set<() => void>();
  private readonly child: ChildProcess;

  constructor(eventsFile: string, readModelsFile: string, onProgress: (checkpoint: bigint) => void) {
    const child = spawn(process.execPath, ['-r', REGISTER, CHILD, eventsFile, readModelsFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [word = '', value] = line.split(' '); // split gives at least one part
      if (word === 'checkpoint' || word === 'started') {
        this.checkpoint = BigInt(value!); // the child prints `checkpoint <position>` and `started <position>`
        this.commits += word === 'checkpoint' ? 1 : 0;
      }
      this.lines.push(word);
      onProgress(this.checkpoint);
      [...this.checks].forEach((check) => check());
    });
  }

  /** Resolves when the condition holds after some reported line; rejects after the guard timeout. */
  until(condition: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.checks.delete(check);
        reject(new Error(`child did not reach "${what}" (at ${this.checkpoint}); stderr: ${this.stderr}`));
      }, GUARD_MS);
      const check = (): void => {
        if (condition()) {
          clearTimeout(timer);
          this.checks.delete(check);
          resolve();
        }
      };
      this.checks.add(check);
      check();
    });
  }

  async kill(signal: NodeJS.Signals): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }
}

const counted = (seq: number): NewEvent => ({
  id: `00000000-0000-4000-8000-${seq.toString(16).padStart(12, '0')}`,
  type: 'Counted',
  data: { seq },
  metadata: {
    commandId: `c${seq}`,
    correlationId: `c${seq}`,
    causationId: `c${seq}`,
    actor: { role: 'system' },
    clinicalTime: '2026-01-05T08:00:00.000Z',
    recordedAt: '2026-01-05T08:00:00.000Z',
    schemaVersion: 1,
  },
});

describe('projector under SIGKILL (child process)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'projector-crash-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('ends equal to a full rebuild: no gap, no double apply', async () => {
    const eventsFile = join(dir, 'events.db');
    const readModelsFile = join(dir, 'read-models.db');
    // NORMAL: this process never crashes; the file only needs to be consistent for the child's reads.
    const appender = new SqliteEventStore({ filename: eventsFile, synchronous: 'NORMAL' });
    const children: ProjectorProcess[] = [];

    // Appends continuously: four streams per turn (group-committed), 1–3 events each, and now and then an event
    // type the projection does not handle (it must still move the checkpoint). Flow control instead of sleeps:
    // it runs at most BACKLOG events ahead of the child's last reported checkpoint, and waits for the next
    // report when it is that far ahead (so while no child runs, a backlog builds up for the next catch-up).
    const BACKLOG = 1500n;
    let appending = true;
    let seq = 0;
    let head = 0n;
    let reported = 0n;
    let wakeAppender: () => void = () => undefined;
    const progress = (checkpoint: bigint): void => {
      reported = checkpoint > reported ? checkpoint : reported;
      wakeAppender();
    };
    const appendLoop = (async () => {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- cleared by the test during the awaits
      while (appending) {
        if (head - reported > BACKLOG) {
          await new Promise<void>((resolve) => (wakeAppender = resolve));
          continue;
        }
        const results = await Promise.all(
          [0, 1, 2, 3].map((k) => {
            const events = Array.from({ length: 1 + ((seq + k) % 3) }, () => counted(seq++));
            const stream = `counter-${(seq + k) % STREAMS}`;
            const withOther = seq % 11 === 0 ? [...events, { ...counted(seq++), type: 'NotCounted' }] : events;
            return appender.appendToStream(stream, withOther, { expectedRevision: 'any' });
          }),
        );
        head = results.reduce((max, result) => (result.position > max ? result.position : max), head);
      }
    })();
    const start = (): ProjectorProcess => {
      const child = new ProjectorProcess(eventsFile, readModelsFile, progress);
      children.push(child);
      return child;
    };

    try {
      // Kill points: right after start-up (mid catch-up or before the first commit), and after 1 to 12 commits.
      for (const commits of [0, 3, 1, 12, 6]) {
        const child = start();
        await child.until(() => child.lines.includes('started') && child.commits >= commits, `${commits} commits`);
        const seen = child.checkpoint;
        expect(await child.kill('SIGKILL')).toBeNull();
        // the next run resumes from a committed checkpoint at least as far as the last one reported
        const next = new SqliteReadModelStore({ file: readModelsFile });
        expect(next.checkpoint(NAME) ?? 0n).toBeGreaterThanOrEqual(seen);
        next.close();
      }
      const last = start();
      await last.until(() => last.commits >= 3, 'three commits after the last restart');
      appending = false;
      wakeAppender();
      await appendLoop;
      const finalHead = (await appender.headPosition()) ?? 0n;
      await last.until(() => last.checkpoint >= finalHead, `head ${finalHead}`);
      expect(await last.kill('SIGTERM')).toBe(0);

      // A full rebuild from position zero into a fresh file, in this process.
      const rebuilt = new SqliteReadModelStore({ file: join(dir, 'rebuilt.db') });
      const projector = new Projector({
        eventStore: appender,
        store: rebuilt,
        projections: [eraseDocumentType(streamCountProjection)],
      });
      projector.start();
      await projector.waitForPosition(NAME, finalHead, GUARD_MS);
      await projector.stop();

      const survived = new SqliteReadModelStore({ file: readModelsFile });
      expect(survived.checkpoint(NAME)).toBe(finalHead); // no gap at the end
      const documents = survived.listDocuments<StreamCount>(NAME);
      expect(documents).toEqual(rebuilt.listDocuments<StreamCount>(NAME));
      survived.close();
      rebuilt.close();

      // And both equal the log itself: every Counted event exactly once, in revision order per stream.
      const expected = new Map<string, StreamCount>();
      for (const event of await appender.readAll()) {
        if (event.type === 'Counted') {
          const entry = expected.get(event.streamName) ?? streamCountProjection.initialDocument(event.streamName);
          expected.set(event.streamName, {
            count: entry.count + 1,
            positions: [...entry.positions, event.position.toString()],
            revisions: [...entry.revisions, event.revision],
          });
        }
      }
      expect(documents).toHaveLength(STREAMS);
      expect(documents).toEqual(
        [...expected].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, document]) => ({ id, document })),
      );
      expect(Number(finalHead)).toBeGreaterThan(5 * 50); // sanity: the kills happened amid real traffic
    } finally {
      appending = false;
      wakeAppender();
      await appendLoop.catch(() => undefined);
      await Promise.all(children.map((child) => child.kill('SIGKILL')));
      await appender.close();
    }
  }, 60_000);
});
