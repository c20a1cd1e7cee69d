import { patientKeyOf } from '../medication-list/patient-stream';
import { fixedClock } from '../shared/clock';
import { EventStoreLockedError, EventStoreUnavailableError } from '../shared/event-sourcing/event-store.errors';
import type { AppendResult } from '../shared/event-sourcing/event-store.port';
import { InMemoryEventStore } from '../shared/event-sourcing/in-memory.event-store';
import { AuditUnavailableError, InvalidAccessLogPageError } from './domain/access.errors';
import {
  type AccessRecord,
  AuditService,
  FEED_AUDIT_BATCH,
  GENERAL_AUDIT_STREAM,
  ACCESS_LOG_STREAM_PREFIX,
  accessLogStreamName,
  buildAccessEvent,
  parseAccessData,
} from './audit';
import type { Caller } from './domain/caller';

const SECRET = 'test-secret-of-at-least-thirty-two-characters';
const PATIENT = '31129956715';
const OTHER_PATIENT = '15057045628';
const PATIENT_KEY = patientKeyOf(PATIENT, SECRET);
const OTHER_PATIENT_KEY = patientKeyOf(OTHER_PATIENT, SECRET);
const AT = new Date('2025-06-01T10:00:00.000Z');

const prescriber: Caller = {
  clientId: 'gp-system',
  securityLevel: 4,
  hprNumber: '1234567',
  organisation: { parent: '998877660', child: '123456785' },
  scopes: ['e-helse:pll/prescriber'],
  roles: ['prescriber'],
  // a prescriber's own pid is in the token too: it must not reach the log
  pid: OTHER_PATIENT,
};

const patient: Caller = {
  clientId: 'helsenorge',
  securityLevel: 4,
  pid: PATIENT,
  organisation: {},
  scopes: ['e-helse:pll/patient'],
  roles: ['patient'],
};

const access = (overrides: Partial<AccessRecord> = {}): AccessRecord => ({
  caller: prescriber,
  operation: 'medicationList',
  decision: { allowed: true, basis: 'prescriber', flagged: false },
  listIds: [PATIENT_KEY.streamId],
  correlationId: '6f1c1f3e-0d5e-4b7a-9a57-0b7f7d1c2a10',
  ...overrides,
});

describe('buildAccessEvent', () => {
  it('records who (HPR, organisation, role), what, on which basis and when', () => {
    expect(buildAccessEvent(access({ childOrganisationTrusted: true }), AT, 'event-1')).toEqual({
      id: 'event-1',
      type: 'PatientDataAccessed',
      data: {
        operation: 'medicationList',
        basis: 'prescriber',
        outcome: 'allowed',
        flagged: false,
        callerHpr: '1234567',
        callerOrganisation: '123456785',
        callerParentOrganisation: '998877660',
        callerChildOrganisation: '123456785',
        clientId: 'gp-system',
        callerRole: 'prescriber',
        at: '2025-06-01T10:00:00.000Z',
      },
      metadata: {
        commandId: 'event-1',
        correlationId: '6f1c1f3e-0d5e-4b7a-9a57-0b7f7d1c2a10',
        causationId: '6f1c1f3e-0d5e-4b7a-9a57-0b7f7d1c2a10',
        actor: { role: 'prescriber', hprNumber: '1234567', organisationNumber: '123456785' },
        clinicalTime: '2025-06-01T10:00:00.000Z',
        recordedAt: '2025-06-01T10:00:00.000Z',
        schemaVersion: 1,
      },
    });
  });

  it('never names a sub-unit the register does not vouch for: recorded as a claim, the legal entity acts', () => {
    const event = buildAccessEvent(access(), AT, 'event-3');
    expect(event.data).toMatchObject({
      callerOrganisation: '998877660',
      callerParentOrganisation: '998877660',
      untrustedChildOrganisation: '123456785',
    });
    expect(event.data).not.toHaveProperty('callerChildOrganisation');
    expect(event.metadata.actor).toEqual({ role: 'prescriber', hprNumber: '1234567', organisationNumber: '998877660' });
  });

  it('records that the patient looked, never their number', () => {
    const patient = { ...access().caller, roles: ['patient' as const], pid: PATIENT, organisation: {} };
    const event = buildAccessEvent(
      access({ caller: patient, decision: { allowed: true, basis: 'own-data', flagged: false } }),
      AT,
      'e',
    );
    expect(event.data).toMatchObject({ byPatient: true, callerRole: 'patient' });
    expect(JSON.stringify(event)).not.toContain(PATIENT);
  });

  it('records a denial with its reason code and no basis', () => {
    const event = buildAccessEvent(
      access({ decision: { allowed: false, reasonCode: 'NO_CARE_RELATION', flagged: false } }),
      AT,
      'event-2',
    );
    expect(event.data).toMatchObject({ outcome: 'denied', reasonCode: 'NO_CARE_RELATION', callerRole: 'prescriber' });
    expect(event.data).not.toHaveProperty('basis');
  });

  it('flags emergency access with its reason and basis code, masking an id number typed into the reason', () => {
    const event = buildAccessEvent(
      access({
        decision: { allowed: true, basis: 'emergency', flagged: true },
        emergency: { reason: `  unconscious, brought in as ${PATIENT}  `, basisCode: 'HPAKUTT' },
      }),
      AT,
      'event-3',
    );
    expect(event.data).toMatchObject({
      basis: 'emergency',
      flagged: true,
      emergencyReason: 'unconscious, brought in as [REDACTED]',
      emergencyBasisCode: 'HPAKUTT',
    });
  });

  it.each([
    ['a prescriber', access()],
    ['the patient', access({ caller: patient, decision: { allowed: true, basis: 'own-data', flagged: false } })],
  ])('never contains a pid or patient id (%s)', (_name, record) => {
    const text = JSON.stringify(buildAccessEvent(record, AT, 'event-4'));
    expect(text).not.toContain(PATIENT);
    expect(text).not.toContain(OTHER_PATIENT);
  });

  it('records a patient looking at their own data as role patient without identifiers', () => {
    const event = buildAccessEvent(
      access({ caller: patient, decision: { allowed: true, basis: 'own-data', flagged: false } }),
      AT,
      'e',
    );
    expect(event.data).toMatchObject({ callerRole: 'patient', basis: 'own-data' });
    expect(event.metadata.actor).toEqual({ role: 'patient' });
  });
});

const fixture = () => {
  const store = new InMemoryEventStore();
  const clock = fixedClock(AT);
  let next = 0;
  const service = new AuditService(store, clock, () => `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}`);
  return { store, clock, service };
};

describe('AuditService.record', () => {
  it('appends to the patient access-log stream, named without the patient id', async () => {
    const { store, service } = fixture();
    await service.record(access());
    await service.record(access({ operation: 'medicationHistory' }));
    const stream = accessLogStreamName(PATIENT, SECRET);
    expect(stream).toMatch(/^accessLog-[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stream).not.toContain(PATIENT);
    const events = await store.readStream(stream);
    expect(events.map((event) => [event.type, (event.data as { operation: string }).operation])).toEqual([
      ['PatientDataAccessed', 'medicationList'],
      ['PatientDataAccessed', 'medicationHistory'],
    ]);
  });

  it('appends one event per patient an operation touches, and to the general stream when none', async () => {
    const { store, service } = fixture();
    await service.record(
      access({ operation: 'careUnit', listIds: [PATIENT_KEY.streamId, OTHER_PATIENT_KEY.streamId] }),
    );
    // Records name patients by list id only (keyed once by their caller), never by raw patient id.
    const { listIds: _none, ...noPatient } = access({ operation: 'gpWorklist' });
    await service.record(noPatient);
    expect(await store.readStream(accessLogStreamName(PATIENT, SECRET))).toHaveLength(1);
    expect(await store.readStream(accessLogStreamName(OTHER_PATIENT, SECRET))).toHaveLength(1);
    expect((await store.readStream(GENERAL_AUDIT_STREAM)).map((event) => event.data)).toEqual([
      expect.objectContaining({ operation: 'gpWorklist' }),
    ]);
  });

  it('fails closed: a failed append rejects with AUDIT_UNAVAILABLE (the request must fail)', async () => {
    class BrokenStore extends InMemoryEventStore {
      override appendToStream(): Promise<AppendResult> {
        return Promise.reject(new EventStoreUnavailableError('disk full'));
      }
    }
    const service = new AuditService(new BrokenStore(), fixedClock(AT));
    const recording = service.record(access());
    await expect(recording).rejects.toBeInstanceOf(AuditUnavailableError);
    await expect(recording).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE', kind: 'unavailable' });
    await expect(recording).rejects.toMatchObject({ details: { reason: 'EVENT_STORE_UNAVAILABLE' } });
  });

  it('given a store locked by another process past its wait, then AUDIT_UNAVAILABLE says so in its details', async () => {
    class LockedStore extends InMemoryEventStore {
      override appendToStream(): Promise<AppendResult> {
        return Promise.reject(new EventStoreLockedError(2000));
      }
    }
    const recording = new AuditService(new LockedStore(), fixedClock(AT)).record(access());
    await expect(recording).rejects.toMatchObject({
      code: 'AUDIT_UNAVAILABLE',
      details: { reason: 'EVENT_STORE_LOCKED', waitedMs: 2000 },
    });
  });
});

describe('AuditService.recordFeedImport', () => {
  const feedCaller: Caller = { clientId: 'command-line:kari@host', organisation: {}, scopes: [], roles: ['feed'] };
  const listIds = Array.from({ length: FEED_AUDIT_BATCH * 2 + 3 }, (_, i) => `feed-list-${i}`);
  const streamOf = (listId: string): string => `${ACCESS_LOG_STREAM_PREFIX}${listId}`;
  const feed = { caller: feedCaller, listIds, feedSource: 'core-record', correlationId: 'run-1' };

  /** Counts the appends in flight at once; fails the access-log append of one patient when told to. */
  class CountingStore extends InMemoryEventStore {
    inFlight = 0;
    maxInFlight = 0;
    constructor(private readonly failing?: string) {
      super();
    }
    override async appendToStream(...args: Parameters<InMemoryEventStore['appendToStream']>): Promise<AppendResult> {
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      try {
        await new Promise((resolve) => setImmediate(resolve));
        if (this.failing !== undefined && args[0] === this.failing) {
          throw new EventStoreUnavailableError('disk full');
        }
        return await super.appendToStream(...args);
      } finally {
        this.inFlight -= 1;
      }
    }
  }

  it('appends one importFeed entry per patient, FEED_AUDIT_BATCH streams at a time, naming the feed and the run', async () => {
    const store = new CountingStore();
    await new AuditService(store, fixedClock(AT)).recordFeedImport({ ...feed, childOrganisationTrusted: true });

    const events = await store.readAll();
    expect(new Set(events.map((event) => event.streamName))).toEqual(new Set(listIds.map(streamOf)));
    expect(events).toHaveLength(listIds.length);
    expect(events[0]?.data).toMatchObject({
      operation: 'importFeed',
      basis: 'feed',
      feedSource: 'core-record',
      clientId: 'command-line:kari@host',
    });
    expect(events.every((event) => event.metadata.correlationId === 'run-1')).toBe(true);
    expect(store.maxInFlight).toBe(FEED_AUDIT_BATCH);
  });

  it('writes nothing for no patient, and stops at the first batch that fails (AUDIT_UNAVAILABLE)', async () => {
    const empty = new CountingStore();
    await new AuditService(empty, fixedClock(AT)).recordFeedImport({
      ...feed,
      listIds: [],
      childOrganisationTrusted: true,
    });
    expect(await empty.readAll()).toEqual([]);

    const store = new CountingStore(streamOf(listIds[0] ?? ''));
    await expect(
      new AuditService(store, fixedClock(AT)).recordFeedImport({ ...feed, childOrganisationTrusted: true }),
    ).rejects.toBeInstanceOf(AuditUnavailableError);
    expect((await store.readAll()).length).toBeLessThanOrEqual(FEED_AUDIT_BATCH);
  });
});

describe('AuditService.readAccessLog', () => {
  const withFiveLooks = async () => {
    const f = fixture();
    for (const operation of [
      'medicationList',
      'medicationHistory',
      'startMedication',
      'discrepancies',
      'accessLog',
    ] as const) {
      await f.service.record(access({ operation }));
      f.clock.advance(60_000);
    }
    await f.service.record(access({ listIds: [OTHER_PATIENT_KEY.streamId], operation: 'changeDosage' }));
    return f;
  };

  it('pages newest first with the revision as cursor', async () => {
    const { service } = await withFiveLooks();
    const first = await service.readAccessLog(PATIENT_KEY, { first: 2 });
    expect(first.entries.map((entry) => [entry.cursor, entry.event.operation])).toEqual([
      ['4', 'accessLog'],
      ['3', 'discrepancies'],
    ]);
    expect(first).toMatchObject({ hasNextPage: true, endCursor: '3' });
    const second = await service.readAccessLog(PATIENT_KEY, { first: 2, after: '3' });
    expect(second.entries.map((entry) => entry.event.operation)).toEqual(['startMedication', 'medicationHistory']);
    const last = await service.readAccessLog(PATIENT_KEY, { first: 2, after: second.endCursor ?? '' });
    expect(last).toEqual({
      entries: [
        {
          cursor: '0',
          event: expect.objectContaining({ operation: 'medicationList', at: '2025-06-01T10:00:00.000Z' }),
        },
      ],
      hasNextPage: false,
      endCursor: '0',
    });
  });

  it('returns an empty page for a patient nobody looked at', async () => {
    const { service } = fixture();
    expect(await service.readAccessLog(PATIENT_KEY)).toEqual({ entries: [], hasNextPage: false, endCursor: null });
  });

  it.each([
    [{ first: 0 }, 'first'],
    [{ first: 101 }, 'first'],
    [{ first: 1.5 }, 'first'],
    [{ after: '-1' }, 'after'],
    [{ after: 'abc' }, 'after'],
    [{ after: '01' }, 'after'],
  ])('rejects page arguments %j', async (options, field) => {
    const { service } = fixture();
    const reading = service.readAccessLog(PATIENT_KEY, options);
    await expect(reading).rejects.toBeInstanceOf(InvalidAccessLogPageError);
    await expect(reading).rejects.toMatchObject({
      code: 'INVALID_ACCESS_LOG_PAGE',
      kind: 'invalid',
      details: { field },
    });
  });
});

describe('parseAccessData', () => {
  it.each([
    ['not an object', 'x'],
    [
      'an unknown operation',
      { operation: 'dropTables', outcome: 'allowed', flagged: false, at: 'x', callerRole: 'none' },
    ],
    ['a wrong outcome', { operation: 'medicationList', outcome: 'maybe', flagged: false, at: 'x', callerRole: 'none' }],
    [
      'a numeric HPR',
      { operation: 'medicationList', outcome: 'allowed', flagged: false, at: 'x', callerRole: 'none', callerHpr: 1 },
    ],
  ])('skips %s', (_name, data) => {
    expect(parseAccessData(data)).toBeUndefined();
  });
});
