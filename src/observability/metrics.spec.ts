import { Metrics } from './metrics';

describe('Metrics', () => {
  it('keeps its series in its own registry, so two apps in one process never collide', async () => {
    const first = new Metrics();
    const second = new Metrics();

    first.commandObserver.onConflict();

    expect(await first.render()).toMatch(/^command_conflicts_total 1$/m);
    expect(await second.render()).toMatch(/^command_conflicts_total 0$/m);
  });

  it('records append latency in seconds from the command handler’s milliseconds', async () => {
    const metrics = new Metrics();

    metrics.commandObserver.onAppend(4);
    metrics.commandObserver.onAppend(300);

    const text = await metrics.render();
    expect(text).toMatch(/^event_store_append_seconds_count 2$/m);
    expect(text).toMatch(/^event_store_append_seconds_bucket\{le="0.005"\} 1$/m);
    expect(text).toMatch(/^event_store_append_seconds_sum 0.304$/m);
  });

  it('exposes projection lag and unknown events per projection for the projector', async () => {
    const metrics = new Metrics();

    metrics.projectionLag('currentMedicationList.v1', 0.02);
    metrics.projectionLag('currentMedicationList.v1', 0.5);
    metrics.projectionUnknownEvents('currentMedicationList.v1');
    metrics.projectionUnknownEvents('currentMedicationList.v1', 2);

    const text = await metrics.render();
    expect(text).toMatch(/^projection_lag_seconds_count\{projection="currentMedicationList.v1"\} 2$/m);
    expect(text).toMatch(/^projection_current_lag_seconds\{projection="currentMedicationList.v1"\} 0.5$/m);
    expect(text).toMatch(/^projection_unknown_events_total\{projection="currentMedicationList.v1"\} 3$/m);
  });
});
