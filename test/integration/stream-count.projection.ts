import type { Projection } from '../../projections/projection';

/** Per stream: how many events were applied, and their positions and revisions in the order applied. */
export interface StreamCount {
  readonly count: number;
  readonly positions: readonly string[];
  readonly revisions: readonly number[];
}

/**
 * A test projection that deliberately does NOT skip events it has already seen: a double apply shows as a
 * repeated position, a gap as a missing revision. (Real projections skip replays; this one must not hide them.)
 */
export const streamCountProjection: Projection<StreamCount> = {
  name: 'streamCount.v1',
  handles: ['Counted'],
  documentIds: (event) => [event.streamName],
  initialDocument: () => ({ count: 0, positions: [], revisions: [] }),
  evolve: (document, event) => ({
    count: document.count + 1,
    positions: [...document.positions, event.position],
    revisions: [...document.revisions, event.revision],
  }),
};
