import { medicationListDecider } from '../medication-list/domain/medication-list.decider';
import { EntryNotFoundError } from '../medication-list/domain/medication-list.errors';
import { isMedicationListEvent } from '../medication-list/domain/medication-list.events';
import { patientStreamName } from '../medication-list/patient-stream';
import { IdempotencyKeyReusedError } from '../shared/event-sourcing/command-fingerprint';
import { ConcurrentModificationError, StreamRevisionConflictError } from '../shared/event-sourcing/event-store.errors';
import { commandEventId, handleCommand } from '../shared/event-sourcing/handle-command';
import { InMemoryEventStore } from '../shared/event-sourcing/in-memory.event-store';
import { generateSyntheticPatients } from './synthetic/feed-generator';
import { SECRET } from './reconciliation.spec-helpers';
import { appendCommands } from './stream-commands';
import { listCommandsOf } from './synthetic/synthetic-list-commands';

const [patient] = [...generateSyntheticPatients({ patients: 1, seed: 7 })];
if (patient === undefined) {
  throw new Error('the generator gave no patient');
}
const stream = patientStreamName(patient.patientId, SECRET);
const commands = listCommandsOf(patient.list);
const options = { isEvent: isMedicationListEvent };

describe('appendCommands', () => {
  it('appends the events of every command in one append, with the ids and metadata handleCommand writes', async () => {
    const store = new InMemoryEventStore();
    const append = jest.spyOn(store, 'appendToStream');
    const { decided } = await appendCommands(store, medicationListDecider, stream, commands, options);

    expect(append).toHaveBeenCalledTimes(1);
    const stored = await store.readStream(stream);
    expect(stored.map((e) => e.id)).toEqual(
      commands.flatMap((command, i) =>
        (decided[i] ?? []).map((_, index) => commandEventId(stream, command.meta.commandId, index)),
      ),
    );
    expect(stored.map((e) => e.metadata.commandId)).toEqual(
      commands.flatMap((command, i) => (decided[i] ?? []).map(() => command.meta.commandId)),
    );
    expect(stored.map((e) => e.revision)).toEqual(stored.map((_, i) => i));
  });

  it('stores exactly what handleCommand would, command by command', async () => {
    const batched = new InMemoryEventStore();
    const single = new InMemoryEventStore();
    await appendCommands(batched, medicationListDecider, stream, commands, options);
    for (const command of commands) {
      await handleCommand(single, medicationListDecider, stream, command, options);
    }
    const shape = (events: Awaited<ReturnType<InMemoryEventStore['readStream']>>) =>
      events.map(({ id, type, data, metadata, revision }) => ({ id, type, data, metadata, revision }));
    expect(shape(await batched.readStream(stream))).toEqual(shape(await single.readStream(stream)));
  });

  it('decides nothing and appends nothing for commands already in the stream (a repeated import)', async () => {
    const store = new InMemoryEventStore();
    await appendCommands(store, medicationListDecider, stream, commands, options);
    const append = jest.spyOn(store, 'appendToStream');
    const again = await appendCommands(store, medicationListDecider, stream, commands, options);
    expect(again.decided.flat()).toEqual([]);
    expect(append).not.toHaveBeenCalled();
  });

  it('starts over from a fresh read when the stream moved after the caller read it', async () => {
    const store = new InMemoryEventStore();
    const half = Math.ceil(commands.length / 2);
    const stale = await store.readStream(stream); // [] : read before another writer appended the first half
    for (const command of commands.slice(0, half)) {
      await handleCommand(store, medicationListDecider, stream, command, options);
    }
    const { recorded, decided } = await appendCommands(store, medicationListDecider, stream, commands, {
      ...options,
      recorded: stale,
    });
    expect(decided.slice(0, half).flat()).toEqual([]); // done by the other writer
    expect(decided.slice(half).every((events) => events.length > 0)).toBe(true);
    expect((await store.readStream(stream)).length).toBe(recorded.length + decided.flat().length);
  });

  it('gives up with CONCURRENT_MODIFICATION when every attempt conflicts', async () => {
    const store = new InMemoryEventStore();
    jest.spyOn(store, 'appendToStream').mockRejectedValue(new StreamRevisionConflictError(stream, 'no_stream', '0'));
    const pauses: number[] = [];
    const backoff = { random: () => 0.5, sleep: (ms: number) => Promise.resolve(void pauses.push(ms)) };
    await expect(
      appendCommands(store, medicationListDecider, stream, commands, { ...options, maxAttempts: 3, backoff }),
    ).rejects.toThrow(ConcurrentModificationError);
    expect(store.appendToStream).toHaveBeenCalledTimes(3);
    expect(pauses).toEqual([1.5, 3]); // a jittered, doubling pause between attempts, none after the last
  });

  it('throws the decider refusal before appending anything (all or nothing)', async () => {
    const store = new InMemoryEventStore();
    const [start, ...rest] = commands;
    if (start === undefined) {
      throw new Error('the list has no commands');
    }
    // Without the StartMedication the first IssuePrescription names an entry the list does not have.
    await expect(appendCommands(store, medicationListDecider, stream, rest, options)).rejects.toThrow(
      EntryNotFoundError,
    );
    expect(await store.readStream(stream)).toEqual([]);
  });

  it('refuses a command whose id is in the stream with another command (IDEMPOTENCY_KEY_REUSED), appending nothing', async () => {
    const store = new InMemoryEventStore();
    await appendCommands(store, medicationListDecider, stream, commands, options);
    const before = await store.readStream(stream);
    const [first, ...others] = commands;
    if (first?.type !== 'StartMedication') {
      throw new Error('the list does not start with StartMedication');
    }
    const changed = { ...first, data: { ...first.data, entryId: `${first.data.entryId}-other` } };
    await expect(appendCommands(store, medicationListDecider, stream, [...others, changed], options)).rejects.toThrow(
      IdempotencyKeyReusedError,
    );
    expect(await store.readStream(stream)).toEqual(before);
  });
});
