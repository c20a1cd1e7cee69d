import type { Projection } from '../../../projections/projection';
import { SqliteReadModelStore } from '../../read-models/read-model.store';
import { fixedClock } from '../clock';
import type { EventStorePort, EventSubscription, RecordedEvent } from './event-store.port';
import { Projector, ProjectionNotCaughtUpError, backoffDelay, eraseDocumentType } from './projector';
import type { ProjectionChange, ProjectorObserver } from './projector';

/*
 * The projector against a small event-store double (positions 1, 2, 3, … like the SQLite store) and a real
 * in-memory SQLite read-model store. The test projection counts events per stream and lists their positions,
 * WITHOUT skipping replays, so any double apply or gap shows in the documents.
 */

interface StreamCount {
  readonly count: number;
  readonly positions: readonly string[];
}

const streamCount = (name = 'streamCount.v1', handles = ['Counted']): Projection<StreamCount> => ({
  name,
  handles,
  documentIds: (event) => [event.streamName],
  initialDocument: () => ({ count: 0, positions: [] }),
  evolve: (document, event) => ({ count: document.count + 1, positions: [...document.positions, event.position] }),
});

class TestEventStore implements EventStorePort {
  readonly events: RecordedEvent[] = [];
  /** throw from the next n subscriptions' first read */
  failSubscriptions = 0;
  openSubscriptions = 0;
  private readonly wakers = new Set<() => void>();

  add(streamName: string, type = 'Counted', recordedAt = '2026-01-05T08:00:00.000Z'): bigint {
    const position = BigInt(this.events.length + 1);
    const revision = this.events.filter((event) => event.streamName === streamName).length;
    const metadata = { commandId: 'c', correlationId: 'c', causationId: 'c', actor: { role: 'system' as const } };
    this.events.push({
      id: `e${position}`,
      streamName,
      revision,
      position,
      type,
      data: {},
      metadata: { ...metadata, clinicalTime: recordedAt, recordedAt, schemaVersion: 1 },
    });
    [...this.wakers].forEach((wake) => wake());
    return position;
  }

  subscribeToAll(options: { readonly fromPosition?: bigint } = {}): EventSubscription {
    const state = { closed: false, wake: (): void => undefined };
    const shouldFail = this.failSubscriptions > 0;
    this.failSubscriptions -= shouldFail ? 1 : 0;
    const events = this.events;
    const wakers = this.wakers;
    this.openSubscriptions += 1;
    const onClose = (): void => {
      this.openSubscriptions -= 1;
    };
    async function* iterate(): AsyncGenerator<RecordedEvent> {
      if (shouldFail) {
        throw new Error('connection lost');
      }
      let index = Number(options.fromPosition ?? 0n); // exclusive: position p is at index p − 1
      while (!state.closed) {
        const next = events[index];
        if (next !== undefined) {
          index += 1;
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => {
          state.wake = resolve;
          wakers.add(resolve);
        });
        wakers.delete(state.wake);
      }
    }
    return {
      [Symbol.asyncIterator]: iterate,
      close: () => {
        if (!state.closed) {
          state.closed = true;
          onClose();
          state.wake();
        }
        return Promise.resolve();
      },
    };
  }

  readAll(): Promise<RecordedEvent[]> {
    return Promise.resolve([...this.events]);
  }
  headPosition(): Promise<bigint | undefined> {
    return Promise.resolve(this.events.at(-1)?.position);
  }
  appendToStream(): never {
    throw new Error('not used');
  }
  readStream(): never {
    throw new Error('not used');
  }
  ping(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const recordingObserver = () => {
  const applied: { projection: string; count: number; lagSeconds: number }[] = [];
  const unknown: string[] = [];
  const errors: string[] = [];
  const observer: ProjectorObserver = {
    onApplied: (projection, count, lagSeconds) => applied.push({ projection, count, lagSeconds }),
    onUnknownEvent: (projection, type) => unknown.push(`${projection}:${type}`),
    onError: (_projection, error) => errors.push(error instanceof Error ? error.message : String(error)),
  };
  return { observer, applied, unknown, errors };
};

describe('Projector', () => {
  let events: TestEventStore;
  let store: SqliteReadModelStore;
  const projectors: Projector[] = [];
  const clock = fixedClock('2026-01-05T08:00:30.000Z');

  const projectorFor = (
    projections: Projection<StreamCount>[],
    observer?: ProjectorObserver,
    batchSize = 500,
    checkpointDelayMs?: number,
  ) => {
    const projector = new Projector({
      checkpointDelayMs,
      eventStore: events,
      store,
      projections: projections.map(eraseDocumentType),
      observer,
      clock,
      batchSize,
      backoff: { initialMs: 1, maxMs: 4 },
    });
    projectors.push(projector);
    return projector;
  };
  const counts = (name = 'streamCount.v1') =>
    Object.fromEntries(store.listDocuments<StreamCount>(name).map(({ id, document }) => [id, document.count]));

  beforeEach(() => {
    events = new TestEventStore();
    store = new SqliteReadModelStore({ file: ':memory:' });
  });
  afterEach(async () => {
    await Promise.all(projectors.splice(0).map((projector) => projector.stop()));
    store.close();
  });

  it('catches up from zero in batches of what is available, then applies live events', async () => {
    for (let i = 0; i < 1200; i += 1) {
      events.add(`s${i % 3}`);
    }
    const { observer, applied } = recordingObserver();
    const projector = projectorFor([streamCount()], observer);
    projector.start();
    await projector.waitForPosition('streamCount.v1', 1200n, 5000);
    expect(applied.map((batch) => batch.count)).toEqual([500, 500, 200]);

    const live = events.add('s0');
    await projector.waitForPosition('streamCount', live, 5000);
    expect(store.checkpoint('streamCount.v1')).toBe(1201n);
    expect(counts()).toEqual({ s0: 401, s1: 400, s2: 400 });
  });

  it('skips types it does not handle but moves the checkpoint; counts types no projection knows', async () => {
    events.add('a', 'Counted');
    events.add('a', 'Other'); // handled by the second projection: not unknown
    events.add('a', 'FromANewerBuild');
    events.add('a', '$metadata'); // a system event: neither applied nor counted
    const { observer, unknown } = recordingObserver();
    const projector = projectorFor([streamCount(), streamCount('other.v1', ['Other'])], observer);
    projector.start();
    await projector.waitForPosition('streamCount.v1', 4n, 5000);
    await projector.waitForPosition('other.v1', 4n, 5000);
    expect(counts()).toEqual({ a: 1 });
    expect(counts('other.v1')).toEqual({ a: 1 });
    expect(unknown.sort()).toEqual(['other.v1:FromANewerBuild', 'streamCount.v1:FromANewerBuild']);
  });

  it('keeps a checkpoint that changed no document in memory, and writes it after a delay or on stop', async () => {
    events.add('a');
    const changes: ProjectionChange[] = [];
    const projector = projectorFor([streamCount()], undefined, 500, 50);
    projector.changes.subscribe((change) => changes.push(change));
    projector.start();
    await projector.waitForPosition('streamCount.v1', 1n, 5000);
    expect(store.checkpoint('streamCount.v1')).toBe(1n);

    events.add('a', 'Ignored');
    events.add('b', 'Ignored');
    await projector.waitForPosition('streamCount.v1', 3n, 5000); // waits and readers see it at once
    expect(store.checkpoint('streamCount.v1')).toBe(1n);
    expect((await projector.status())['streamCount.v1']?.checkpoint).toBe(3n);
    while (store.checkpoint('streamCount.v1') !== 3n) {
      await new Promise((resolve) => setTimeout(resolve, 10)); // the delayed write (50 ms here)
    }
    expect(changes.map((change) => [change.position, change.documentIds])).toEqual([
      [1n, ['a']],
      [3n, []], // announced only once it is on disk
    ]);

    events.add('d', 'Ignored');
    await projector.waitForPosition('streamCount.v1', 4n, 5000);
    await projector.stop();
    expect(store.checkpoint('streamCount.v1')).toBe(4n);
    expect(counts()).toEqual({ a: 1 });
  });

  it('writes a checkpoint that changed no document at the latest after 5,000 events', async () => {
    for (let i = 0; i < 6_000; i += 1) {
      events.add('c', 'Ignored');
    }
    const projector = projectorFor([streamCount()], undefined, 500, 600_000);
    projector.start();
    await projector.waitForPosition('streamCount.v1', 6_000n, 5000);
    expect(store.checkpoint('streamCount.v1')).toBe(5_000n); // the batch that reached 5,000 unwritten events
  });

  it('evolves every document an event names', async () => {
    events.add('a');
    const fanOut: Projection<StreamCount> = { ...streamCount(), documentIds: (e) => [e.streamName, 'all'] };
    const projector = projectorFor([fanOut]);
    projector.start();
    await projector.waitForPosition('streamCount.v1', 1n, 5000);
    expect(counts()).toEqual({ a: 1, all: 1 });
  });

  it('resumes after a restart from the stored checkpoint: nothing applied twice, nothing skipped', async () => {
    events.add('a');
    events.add('a');
    const first = projectorFor([streamCount()]);
    first.start();
    await first.waitForPosition('streamCount.v1', 2n, 5000);
    await first.stop();
    events.add('a');
    const second = projectorFor([streamCount()]);
    second.start();
    await second.waitForPosition('streamCount.v1', 3n, 5000);
    expect(store.getDocument<StreamCount>('streamCount.v1', 'a')).toEqual({ count: 3, positions: ['1', '2', '3'] });
  });

  it('notifies after the commit, with the changed ids and the position', async () => {
    const projector = projectorFor([streamCount()]);
    const seen: { change: ProjectionChange; stored: number | undefined }[] = [];
    projector.changes.subscribe((change) =>
      seen.push({ change, stored: store.getDocument<StreamCount>(change.projection, 'b')?.count }),
    );
    projector.start();
    const position = events.add('b');
    await projector.waitForPosition('streamCount.v1', position, 5000);
    expect(seen).toEqual([{ change: { projection: 'streamCount.v1', documentIds: ['b'], position: 1n }, stored: 1 }]);
  });

  it('rejects waitForPosition with PROJECTION_NOT_CAUGHT_UP after the timeout', async () => {
    const projector = projectorFor([streamCount()]);
    projector.start();
    const wait = projector.waitForPosition('streamCount.v1', 99n, 10);
    await expect(wait).rejects.toBeInstanceOf(ProjectionNotCaughtUpError);
    await expect(wait).rejects.toMatchObject({ code: 'PROJECTION_NOT_CAUGHT_UP', kind: 'unavailable' });
  });

  it('resubscribes from the stored checkpoint after a subscription error', async () => {
    events.add('a');
    events.failSubscriptions = 2;
    const { observer, errors } = recordingObserver();
    const projector = projectorFor([streamCount()], observer);
    projector.start();
    await projector.waitForPosition('streamCount.v1', 1n, 5000);
    expect(errors).toEqual(['connection lost', 'connection lost']);
    expect(counts()).toEqual({ a: 1 });
  });

  it('retries a batch whose evolve failed: the failed batch wrote nothing, so nothing is applied twice', async () => {
    events.add('a');
    events.add('poison');
    let failures = 1;
    const flaky: Projection<StreamCount> = {
      ...streamCount(),
      evolve: (document, event) => {
        if (event.streamName === 'poison' && failures-- > 0) {
          throw new Error('evolve failed');
        }
        return streamCount().evolve(document, event);
      },
    };
    const { observer, errors } = recordingObserver();
    const projector = projectorFor([flaky], observer);
    projector.start();
    await projector.waitForPosition('streamCount.v1', 2n, 5000);
    expect(errors).toEqual(['evolve failed']);
    expect(counts()).toEqual({ a: 1, poison: 1 });
  });

  it('rebuilds a new version from zero and drops the old version once the new one has caught up', async () => {
    events.add('a');
    const v1 = projectorFor([streamCount('streamCount.v1')]);
    v1.start();
    await v1.waitForPosition('streamCount.v1', 1n, 5000);
    await v1.stop();
    events.add('a');

    const v2 = projectorFor([streamCount('streamCount.v2')]);
    v2.start();
    await v2.waitForPosition('streamCount.v2', 2n, 5000);
    await v2.stop(); // the retirement happens when the iterator would wait: stop() waits for the loop
    expect(counts('streamCount.v2')).toEqual({ a: 2 });
    expect(counts('streamCount.v1')).toEqual({});
    expect(store.checkpoint('streamCount.v1')).toBeUndefined();
    expect(store.projections().sort((x, y) => x.version - y.version)).toEqual([
      { projection: 'streamCount.v1', version: 1, status: 'retired' },
      { projection: 'streamCount.v2', version: 2, status: 'live' },
    ]);
  });

  it('reports lag per batch and in status()', async () => {
    events.add('a', 'Counted', '2026-01-05T08:00:00.000Z');
    events.add('a', 'Counted', '2026-01-05T08:00:10.000Z');
    const { observer, applied } = recordingObserver();
    const projector = projectorFor([streamCount()], observer);
    projector.start();
    await projector.waitForPosition('streamCount.v1', 2n, 5000);
    expect(applied).toEqual([{ projection: 'streamCount.v1', count: 2, lagSeconds: 20 }]);
    expect(await projector.status()).toEqual({
      'streamCount.v1': { checkpoint: 2n, head: 2n, lagEvents: 0, lagSeconds: 0, running: true },
    });
    await projector.stop();
    events.add('a', 'Counted', '2026-01-05T08:00:20.000Z');
    expect((await projector.status())['streamCount.v1']).toEqual({
      checkpoint: 2n,
      head: 3n,
      lagEvents: 1,
      lagSeconds: 20,
      running: false,
    });
  });

  it('stop() closes the subscriptions, ends the loops and fails pending waits', async () => {
    const projector = projectorFor([streamCount(), streamCount('other.v1')]);
    projector.start();
    const wait = projector.waitForPosition('other.v1', 5n, 60_000);
    await projector.stop();
    await expect(wait).rejects.toBeInstanceOf(ProjectionNotCaughtUpError);
    expect(events.openSubscriptions).toBe(0);
    expect((await projector.status())['other.v1']?.running).toBe(false);
  });

  it.each([
    [0, 100],
    [1, 200],
    [5, 3200],
    [6, 5000],
    [30, 5000],
  ])('backs off exponentially: attempt %i waits %i ms', (attempt, delay) => {
    expect(backoffDelay(attempt, { initialMs: 100, maxMs: 5000 })).toBe(delay);
  });
});
