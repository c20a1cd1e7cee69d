import { Subject } from 'rxjs';
import { liveSnapshots } from './medication-list.live';

describe('liveSnapshots', () => {
  it('sends the current snapshot first, then one per tick, skipping identical snapshots', async () => {
    const ticks = new Subject<void>();
    let state = 1;
    const live = liveSnapshots(ticks, () => ({ state }));

    const first = await live.next();
    ticks.next(); // nothing changed: no message
    state = 2;
    ticks.next();
    const second = await live.next();

    expect([first.value, second.value]).toEqual([{ state: 1 }, { state: 2 }]);
  });

  it('conflates ticks a slow subscriber missed into the latest snapshot', async () => {
    const ticks = new Subject<void>();
    let state = 0;
    const live = liveSnapshots(ticks, () => state);
    await live.next();

    for (const next of [1, 2, 3]) {
      state = next;
      ticks.next();
    }

    expect(await live.next()).toEqual({ done: false, value: 3 });
  });

  it('wakes a waiting subscriber on a tick and ends on return() or when the source completes', async () => {
    const ticks = new Subject<void>();
    let state = 'a';
    const live = liveSnapshots(ticks, () => state);
    await live.next();

    const waiting = live.next();
    state = 'b';
    ticks.next();
    expect(await waiting).toEqual({ done: false, value: 'b' });

    const pending = live.next();
    await live.return?.();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(ticks.observed).toBe(false);

    const other = liveSnapshots(ticks, () => state);
    await other.next();
    ticks.complete();
    expect(await other.next()).toEqual({ done: true, value: undefined });
  });
});
