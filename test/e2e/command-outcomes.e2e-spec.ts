import {
  AT,
  STARTED_ON,
  sampleDosage,
  sampleMedication,
} from '../../src/medication-list/domain/medication-list.fixtures';
import {
  type E2eApp,
  type GraphqlResponse,
  type Payload,
  mutate,
  startApp,
  syntheticPatientId,
} from './mutations.e2e-helpers';

/**
 * Issue 14, parts 1 and 2, over real HTTP against the AppModule: a client can always tell from the answer what
 * happened to its command. A command id is an idempotency key (the same id with another command is
 * CONFLICT/IDEMPOTENCY_KEY_REUSED and appends nothing); a command the list's state forbids is a typed error; an
 * exact repeat of a fact under a new id answers `changed: false` and appends nothing.
 */

const PATIENT = syntheticPatientId(21);
const ENTRY = 'entry-metformin';

const start = (entryId: string, commandId: string): Record<string, unknown> => ({
  patientId: PATIENT,
  commandId,
  entryId,
  medication: sampleMedication,
  use: '1',
  dosage: sampleDosage,
  startedOn: STARTED_ON,
  prescriptionType: 'E',
});

const dispensing = (dispensingId: string, commandId: string): Record<string, unknown> => ({
  patientId: PATIENT,
  commandId,
  dispensingId,
  prescriptionId: 'rx-0001',
  dispensedAt: '2026-03-03T12:00:00.000+01:00',
  product: sampleMedication,
  quantity: { value: 100, unit: 'tablett' },
  prescriptionUsedUp: false,
});

const DISCONTINUE = { patientId: PATIENT, entryId: ENTRY, discontinuedAt: AT, reasonCode: 'L', note: 'Kvalme' };

describe('what happened to a command, from its answer (issue 14 parts 1 and 2; AppModule, real HTTP)', () => {
  let app: E2eApp;

  const ok = async (mutation: string, input: Record<string, unknown>): Promise<Payload> => {
    const { response, payload } = await mutate(app, mutation, input);
    expect(response.body.errors).toBeUndefined();
    expect(payload).toBeDefined();
    return payload!;
  };

  const list = async (): Promise<{
    version: number;
    entries: { entryId: string; status: string }[];
    dispensings: string[];
  }> => {
    const read = await app.graphql(
      `query L($patientId: String!) { medicationList(patientId: $patientId) {
        version entries { entryId status lastDispensing { dispensingId } } } }`,
      { patientId: PATIENT },
    );
    expect(read.body.errors).toBeUndefined();
    const data = read.body.data?.medicationList as {
      version: number;
      entries: { entryId: string; status: string; lastDispensing: { dispensingId: string } | null }[];
    };
    return {
      version: data.version,
      entries: data.entries.map(({ entryId, status }) => ({ entryId, status })),
      dispensings: data.entries.flatMap((entry) =>
        entry.lastDispensing === null ? [] : [entry.lastDispensing.dispensingId],
      ),
    };
  };

  /** The refusal carries the typed code and nothing that reads as success: no payload, no position, no version. */
  const expectRefused = (response: GraphqlResponse, mutation: string, code: string, errorCode: string): void => {
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors?.[0]?.extensions).toMatchObject({ code, errorCode });
    expect(response.body.data?.[mutation] ?? null).toBeNull();
    expect(response.text).not.toMatch(/"alreadyApplied"|"position"/);
  };

  beforeAll(async () => {
    app = await startApp();
    await ok('startMedication', start(ENTRY, 'cmd-start-1'));
    await ok('issuePrescription', { patientId: PATIENT, prescriptionId: 'rx-0001', entryId: ENTRY, issuedAt: AT });
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers a retried command (same id, same command) with its first result', async () => {
    const retried = await ok('startMedication', start(ENTRY, 'cmd-start-1'));

    expect(retried).toMatchObject({ alreadyApplied: true, entryId: ENTRY });
  });

  it('refuses another startMedication under a used id: no new entry, no entry id that does not exist', async () => {
    const before = await list();
    const { response } = await mutate(app, 'startMedication', start('entry-other', 'cmd-start-1'));

    expectRefused(response, 'startMedication', 'CONFLICT', 'IDEMPOTENCY_KEY_REUSED');
    expect(response.text).not.toContain('entry-other');
    expect(await list()).toEqual(before);
  });

  it("refuses a second dispensing under the first one's id, and the first one stays the only one", async () => {
    const first = await ok('recordDispensing', dispensing('d1', 'cmd-dispense-1'));
    const { response } = await mutate(app, 'recordDispensing', dispensing('d2', 'cmd-dispense-1'));
    // the clinical time is data: the same dispensing at another time is another command
    const { response: otherTime } = await mutate(app, 'recordDispensing', {
      ...dispensing('d1', 'cmd-dispense-1'),
      dispensedAt: '2026-03-04T12:00:00.000+01:00',
    });

    expect(first.alreadyApplied).toBe(false);
    expectRefused(response, 'recordDispensing', 'CONFLICT', 'IDEMPOTENCY_KEY_REUSED');
    expectRefused(otherTime, 'recordDispensing', 'CONFLICT', 'IDEMPOTENCY_KEY_REUSED');
    const after = await list();
    expect(after.version).toBe(first.version);
    expect(after.dispensings).toEqual(['d1']);
  });

  it("refuses a discontinuation sent with a dispensing's command id, and the entry stays active", async () => {
    const { response } = await mutate(app, 'discontinueMedication', { ...DISCONTINUE, commandId: 'cmd-dispense-1' });

    expectRefused(response, 'discontinueMedication', 'CONFLICT', 'IDEMPOTENCY_KEY_REUSED');
    expect((await list()).entries).toEqual([{ entryId: ENTRY, status: 'active' }]);
  });

  it('answers an exact repeat of a fact under a new id with changed: false, appending nothing', async () => {
    const before = await list();
    const repeat = await ok('issuePrescription', {
      patientId: PATIENT,
      commandId: 'cmd-issue-again',
      prescriptionId: 'rx-0001',
      entryId: ENTRY,
      issuedAt: AT,
    });
    const changed = await app.graphql(
      `mutation R($input: IssuePrescriptionInput!) { issuePrescription(input: $input) { changed alreadyApplied version } }`,
      {
        input: {
          patientId: PATIENT,
          commandId: 'cmd-issue-again',
          prescriptionId: 'rx-0001',
          entryId: ENTRY,
          issuedAt: AT,
        },
      },
    );

    expect(repeat).toMatchObject({ alreadyApplied: false, version: before.version });
    expect(changed.body.data?.issuePrescription).toEqual({
      changed: false,
      alreadyApplied: false,
      version: before.version,
    });
    expect((await list()).version).toBe(before.version);
  });

  it('refuses discontinuing an entry that is already discontinued (ENTRY_NOT_ACTIVE); the first time and reason stand', async () => {
    const first = await ok('discontinueMedication', { ...DISCONTINUE, commandId: 'cmd-stop-1' });
    const { response } = await mutate(app, 'discontinueMedication', {
      ...DISCONTINUE,
      commandId: 'cmd-stop-2',
      discontinuedAt: '2026-04-02T09:00:00Z',
    });

    expect(first.alreadyApplied).toBe(false);
    expectRefused(response, 'discontinueMedication', 'CONFLICT', 'ENTRY_NOT_ACTIVE');
    expect((await list()).version).toBe(first.version);
    const discontinued = first.list['discontinued'] as { entryId: string; reasonCode: string }[];
    expect(discontinued).toEqual([expect.objectContaining({ entryId: ENTRY, reasonCode: 'L' })]);
  });
});
