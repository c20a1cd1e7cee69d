import { canonicalJson, commandFingerprint, IdempotencyKeyReusedError } from './command-fingerprint';
import type { Command, CommandMeta, Decider, DomainEvent } from './decider';
import { handleCommand } from './handle-command';
import { InMemoryEventStore } from './in-memory.event-store';

/** A note pad: `Write` appends a NoteWritten with the text; the command id is the client's idempotency key. */
type Write = Command<'Write' | 'Erase', { readonly text: string; readonly at?: string }>;
interface NoteWritten extends DomainEvent {
  readonly type: 'NoteWritten';
  readonly data: { readonly text: string };
}
const notes: Decider<Write, NoteWritten, readonly string[]> = {
  initialState: () => [],
  decide: (command) => [{ type: 'NoteWritten', data: { text: command.data.text } }],
  evolve: (state, event) => [...state, event.data.text],
  clinicalTimeOf: () => '2025-03-01T10:00:00.000Z',
};

const meta = (commandId: string, recordedAt = '2025-03-01T10:00:05.000Z'): CommandMeta => ({
  commandId,
  correlationId: `correlation-${recordedAt}`,
  causationId: 'cause',
  actor: { role: 'prescriber', hprNumber: '9144900' },
  recordedAt,
});
const write = (commandId: string, text: string, recordedAt?: string): Write => ({
  type: 'Write',
  data: { text },
  meta: meta(commandId, recordedAt),
});
const STREAM = 'notes-1';

describe('command fingerprint (idempotency key reuse, issue 14)', () => {
  it('given c1 applied, when c1 comes again with the same command (other metadata and time), then the earlier outcome', async () => {
    const store = new InMemoryEventStore();
    const first = await handleCommand(store, notes, STREAM, write('c1', 'a'));
    const retry = await handleCommand(store, notes, STREAM, write('c1', 'a', '2025-03-02T08:00:00.000Z'));
    expect(retry).toMatchObject({ alreadyApplied: true, appendedEvents: 0, position: first.position, state: ['a'] });
    expect(first.events[0]?.metadata.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['other data', write('c1', 'b')],
    ['another command type', { ...write('c1', 'a'), type: 'Erase' } satisfies Write],
  ])(
    'given c1 applied, when c1 comes with %s, then IDEMPOTENCY_KEY_REUSED and nothing is appended',
    async (_case, command) => {
      const store = new InMemoryEventStore();
      await handleCommand(store, notes, STREAM, write('c1', 'a'));
      await expect(handleCommand(store, notes, STREAM, command)).rejects.toThrow(IdempotencyKeyReusedError);
      expect((await store.readStream(STREAM)).map((e) => e.data)).toEqual([{ text: 'a' }]);
    },
  );

  it('given c1 applied on one stream (patient), when c1 comes for another, then the fingerprints differ', () => {
    expect(commandFingerprint('notes-1', write('c1', 'a'))).not.toBe(commandFingerprint('notes-2', write('c1', 'a')));
  });

  it('given an event written before fingerprints existed, when its id comes with other data, then the earlier outcome (as before)', async () => {
    const store = new InMemoryEventStore();
    const legacy = { ...meta('c1'), clinicalTime: '2025-03-01T10:00:00.000Z', schemaVersion: 1 };
    await store.appendToStream(
      STREAM,
      [{ id: '00000000-0000-4000-8000-000000000001', type: 'NoteWritten', data: { text: 'a' }, metadata: legacy }],
      {
        expectedRevision: 'no_stream',
      },
    );
    const result = await handleCommand(store, notes, STREAM, write('c1', 'b'));
    expect(result).toMatchObject({ alreadyApplied: true, appendedEvents: 0, state: ['a'] });
  });

  it('given a derived command with fingerprintData, when it is retried with another clock time in its data, then the earlier outcome', async () => {
    const store = new InMemoryEventStore();
    const derived = (at: string): Write => ({
      type: 'Write',
      data: { text: 'a', at },
      meta: { ...meta('d1'), fingerprintData: { text: 'a' } },
    });
    await handleCommand(store, notes, STREAM, derived('2025-03-01T10:00:00.000Z'));
    const retry = await handleCommand(store, notes, STREAM, derived('2025-03-01T11:00:00.000Z'));
    expect(retry.alreadyApplied).toBe(true);
  });

  it.each([
    [{ b: 1, a: { d: [1, { f: 2, e: undefined }], c: 'x' } }, '{"a":{"c":"x","d":[1,{"f":2}]},"b":1}'],
    [{ a: undefined }, '{}'],
    ['text', '"text"'],
  ])('canonicalJson(%j) sorts keys and drops undefined', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });
});
