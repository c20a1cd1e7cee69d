import type { Projection } from '../../../projections/projection';
import { SqliteReadModelStore } from '../../read-models/read-model.store';
import type { EventStorePort } from './event-store.port';
import { countedEvent } from './projector.spec-helpers';
import { Projector, eraseDocumentType } from './projector';
import { SqliteEventStore } from './sqlite.event-store';

/*
 * Blue/green of a projection version (issue 23): a build whose `positions.v2` names `positions.v1` as its previous
 * version serves v1's documents under the name v2 (projected with v1's code) while v2 is built beside them, and
 * switches once v2 has caught up. Readers never see an empty or partial read model, and v1 is retired after.
 */

interface Positions {
  readonly version: number;
  readonly positions: readonly string[];
}

const PREFIX = 'list-';
const STREAMS = 10;
const version = (number: number, previous?: Projection<Positions>): Projection<Positions> => ({
  name: `positions.v${number}`,
  handles: ['Counted'],
  documentIds: (event) => (event.streamName.startsWith(PREFIX) ? [event.streamName.slice(PREFIX.length)] : []),
  initialDocument: () => ({ version: number, positions: [] }),
  evolve: (document, event) => ({ version: number, positions: [...document.positions, event.position] }),
  ...(previous === undefined ? {} : { previous }),
});
const v1 = version(1);
const v2 = version(2, v1);

describe('Projector: blue/green of a new projection version', () => {
  let events: EventStorePort;
  let store: SqliteReadModelStore;
  const appended = new Map<string, string[]>();
  const projectors: Projector[] = [];

  const append = async (rounds: number): Promise<bigint> => {
    let last = 0n;
    for (let round = 0; round < rounds; round += 1) {
      for (let stream = 0; stream < STREAMS; stream += 1) {
        const { position } = await events.appendToStream(`${PREFIX}${stream}`, [countedEvent()], {
          expectedRevision: 'any',
        });
        appended.set(String(stream), [...(appended.get(String(stream)) ?? []), position.toString()]);
        last = position;
      }
    }
    return last;
  };
  const projector = (projection: Projection<Positions>): Projector => {
    const started = new Projector({
      eventStore: events,
      store,
      projections: [eraseDocumentType(projection)],
      batchSize: 7,
    });
    projectors.push(started);
    started.start();
    return started;
  };
  const read = (name: string) => store.listDocuments<Positions>(name).map(({ id, document }) => ({ id, ...document }));

  beforeEach(async () => {
    appended.clear();
    events = new SqliteEventStore({ filename: ':memory:', synchronous: 'NORMAL' });
    store = new SqliteReadModelStore({ file: ':memory:' });
    const head = await append(30);
    const first = projector(v1);
    await first.waitForPosition(v1.name, head, 5_000);
    await first.stop();
  });
  afterEach(async () => {
    await Promise.all(projectors.splice(0).map((started) => started.stop()));
    store.close();
    await events.close();
  });

  it('given v1 live, when a build with v2 (previous v1) starts, then v1 is served under v2 until v2 caught up, then v2', async () => {
    const head = await append(5); // came while no service ran: v1's copy is behind
    const service = projector(v2);

    // at once: the previous version's documents, complete up to v1's checkpoint, under the new name; /ready sees both
    const first = read(v2.name);
    expect(first).toHaveLength(STREAMS);
    expect(first.every((document) => document.version === 1)).toBe(true);
    expect(Object.keys(await service.status()).sort()).toEqual(['positions.v2', 'positions.v2#g1']);

    // read-your-writes goes on meanwhile (served by v1's code), and no read is ever empty or partial
    await service.waitForPosition(v2.name, head, 5_000);
    const seen = new Set<number>();
    for (let round = 0; round < 200 && !(seen.has(2) && Object.keys(await service.status()).length === 1); round += 1) {
      const last = await append(1);
      await service.waitForPosition(v2.name, last, 5_000);
      const documents = read(v2.name);
      expect(documents).toHaveLength(STREAMS);
      for (const document of documents) {
        expect(document.positions).toEqual(appended.get(document.id));
        seen.add(document.version);
      }
    }
    expect([...seen].sort()).toEqual([1, 2]);
    expect(store.status(v2.name)).toBe('live');
    expect(store.status(v1.name)).toBe('retired');
    for (let round = 0; round < 100 && read(v1.name).length > 0; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10)); // the old copy is dropped in chunks after the switch
    }
    expect(read(v1.name)).toEqual([]);

    // after the switch, the served runner projects with v2's code
    const last = await append(1);
    await service.waitForPosition(v2.name, last, 5_000);
    expect(
      read(v2.name).every(
        (document) => document.version === 2 && document.positions.length === appended.get(document.id)?.length,
      ),
    ).toBe(true);
  });

  it('given v2 already live, when the service restarts, then nothing is adopted or rebuilt', async () => {
    const service = projector(v2);
    for (let round = 0; round < 200 && store.status(v2.name) !== 'live'; round += 1) {
      await append(1);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(store.status(v2.name)).toBe('live');
    await service.stop();
    const again = projector(v2);
    expect(Object.keys(await again.status())).toEqual(['positions.v2']);
    expect(read(v2.name).every((document) => document.version === 2)).toBe(true);
  });

  it('given a file where the previous version never ran, then the new version is built from zero as before', async () => {
    const fresh = new SqliteReadModelStore({ file: ':memory:' });
    const service = new Projector({
      eventStore: events,
      store: fresh,
      projections: [eraseDocumentType(version(3, v2))],
    });
    service.start();
    try {
      expect(Object.keys(await service.status())).toEqual(['positions.v3']);
      await service.waitForPosition('positions.v3', (await events.headPosition()) ?? 0n, 5_000);
      expect(fresh.listDocuments<Positions>('positions.v3').every(({ document }) => document.version === 3)).toBe(true);
    } finally {
      await service.stop();
      fresh.close();
    }
  });
});
