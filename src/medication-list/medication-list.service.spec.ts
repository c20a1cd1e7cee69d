import type { RequestContext } from '../graphql/request-context';
import { Metrics } from '../observability/metrics';
import { fixedClock } from '../shared/clock';
import type { RecordedEvent } from '../shared/event-sourcing/event-store.port';
import { InMemoryEventStore } from '../shared/event-sourcing/in-memory.event-store';
import {
  AT,
  ENTRY_ID,
  OTHER_ENTRY_ID,
  PATIENT_ID,
  aCommand,
  aStartMedication,
  paracetamol,
} from './domain/medication-list.fixtures';
import { MEDICATION_LIST_STREAM_PREFIX } from './domain/medication-list.events';
import { type CommandBuilder, MedicationListService } from './medication-list.service';
import { foldCurrentList } from './current-list.fold';
import { patientKeyOf, patientStreamId } from './patient-stream';

const SECRET = 'medication-list-service-spec-secret-0123456789';
const STREAM_ID = patientStreamId(PATIENT_ID, SECRET);
const STREAM = `${MEDICATION_LIST_STREAM_PREFIX}${STREAM_ID}`;
const PATIENT = patientKeyOf(PATIENT_ID, SECRET);
const context: RequestContext = { actor: { role: 'prescriber', hprNumber: '9144889' }, correlationId: 'corr-1' };

/** Counts stream reads: the answer must come from handleCommand's own read, not a second one. */
class CountingStore extends InMemoryEventStore {
  reads = 0;

  override readStream(streamName: string, options?: { readonly fromRevision?: number }): Promise<RecordedEvent[]> {
    this.reads += 1;
    return super.readStream(streamName, options);
  }
}

const startMetformin: CommandBuilder = (meta) => aStartMedication({}, meta);
const startParacetamol: CommandBuilder = (meta) =>
  aStartMedication({ entryId: OTHER_ENTRY_ID, medication: paracetamol }, meta);
const pauseMetformin: CommandBuilder = (meta) => aCommand('PauseMedication', { entryId: ENTRY_ID, pausedAt: AT }, meta);

describe('MedicationListService.execute', () => {
  let store: CountingStore;
  let service: MedicationListService;

  beforeEach(() => {
    store = new CountingStore();
    service = new MedicationListService(store, fixedClock('2026-03-02T10:00:00.000Z'), new Metrics());
  });

  it('given the patient key of the access step, then it writes to that key as given', async () => {
    const key = patientKeyOf(` ${PATIENT_ID} `, SECRET);
    expect(key).toEqual({ patientId: PATIENT_ID, streamId: STREAM_ID });
    await service.execute(key, startMetformin, context, { commandId: 'c1' });
    await service.execute(PATIENT, startParacetamol, context, { commandId: 'c2' });
    expect(await store.readStream(STREAM)).toHaveLength(2);
    // The key is not derived again: another key's stream id is where its command goes.
    const other = { patientId: PATIENT_ID, streamId: patientStreamId('13116900216', SECRET) };
    await service.execute(other, startMetformin, context, { commandId: 'c3' });
    expect(await store.readStream(`${MEDICATION_LIST_STREAM_PREFIX}${other.streamId}`)).toHaveLength(1);
    expect(await store.readStream(STREAM)).toHaveLength(2);
  });

  it('answers with the list as a fresh fold of the stream gives it, reading the stream once per command', async () => {
    await service.execute(PATIENT, startMetformin, context, { commandId: 'c1' });
    const outcome = await service.execute(PATIENT, pauseMetformin, context, { commandId: 'c2' });
    const stream = await store.readStream(STREAM);
    expect(store.reads).toBe(3);
    expect(outcome.document).toEqual(foldCurrentList(stream, STREAM_ID));
    expect(outcome).toMatchObject({ version: 2, position: stream[1]!.position, alreadyApplied: false });
    expect(outcome.version).toBe(outcome.document.version);
  });

  it('gives a retried command id the list, version and position of its first attempt, whoever wrote since', async () => {
    const first = await service.execute(PATIENT, startMetformin, context, { commandId: 'c1' });
    await service.execute(PATIENT, startParacetamol, context, { commandId: 'c2' });
    const retry = await service.execute(PATIENT, startMetformin, context, { commandId: 'c1' });
    expect(retry).toEqual({ ...first, alreadyApplied: true, appendedEvents: 0 });
    expect(retry.version).toBe(1);
    expect(retry.document.entries).toHaveLength(1);
    expect(await store.readStream(STREAM)).toHaveLength(2);
  });

  it.each([
    ['the same start under another command id', startMetformin, false],
    ['a new fact', startParacetamol, true],
  ])('given metformin started, when %s comes, then changed is %s', async (_case, build, changed) => {
    await service.execute(PATIENT, startMetformin, context, { commandId: 'c1' });
    const outcome = await service.execute(PATIENT, build, context, { commandId: 'c2' });
    expect(outcome).toMatchObject({ alreadyApplied: false, changed });
    expect(await store.readStream(STREAM)).toHaveLength(changed ? 2 : 1);
  });

  it('given a command applied, when its id is retried, then changed stays true (the earlier attempt changed the list)', async () => {
    await service.execute(PATIENT, startMetformin, context, { commandId: 'c1' });
    expect(await service.execute(PATIENT, startMetformin, context, { commandId: 'c1' })).toMatchObject({
      alreadyApplied: true,
      changed: true,
    });
  });
});
