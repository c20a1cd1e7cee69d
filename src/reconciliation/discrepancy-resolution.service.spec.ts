import { medicationListDecider } from '../medication-list/domain/medication-list.decider';
import { isMedicationListEvent } from '../medication-list/domain/medication-list.events';
import { patientStreamName } from '../medication-list/patient-stream';
import type { RequestContext } from '../graphql/request-context';
import { fixedClock } from '../shared/clock';
import { IdempotencyKeyReusedError } from '../shared/event-sourcing/command-fingerprint';
import { handleCommand } from '../shared/event-sourcing/handle-command';
import { InMemoryEventStore } from '../shared/event-sourcing/in-memory.event-store';
import { DiscrepancyResolutionService } from './discrepancy-resolution.service';
import { foldDiscrepancies } from './domain/discrepancy-view';
import {
  generateSyntheticPatients,
  SYNTHETIC_NOW,
  syntheticFeedLines,
  type SyntheticPatient,
} from './synthetic/feed-generator';
import { foldListFacts, toListView } from './domain/list-view';
import { DoctorRequiredError, ResolutionReasonRequiredError } from './domain/reconciliation.errors';
import { ReconciliationService } from './reconciliation.service';
import { keyOf, listEventsOf, reconciliationEventsOf, SECRET, seedList } from './reconciliation.spec-helpers';
import { resolutionMeta, resolutionPlan } from './domain/resolution-commands';

const doctor: RequestContext = { actor: { role: 'prescriber', hprNumber: '7654321' }, correlationId: 'corr-1' };
const nurse: RequestContext = { actor: { role: 'nurse', herId: '55501' }, correlationId: 'corr-2' };

/** One patient with a planted discrepancy of `code`, seeded and imported from both feeds. */
const withDiscrepancy = async (code: string) => {
  const store = new InMemoryEventStore();
  const clock = fixedClock(SYNTHETIC_NOW);
  const imports = new ReconciliationService(store, clock, { patientIdSecret: SECRET });
  const resolutions = new DiscrepancyResolutionService(store, clock);
  const patient = [...generateSyntheticPatients({ patients: 30, seed: 21 })].find((p) =>
    p.planted.some((d) => d.code === code),
  );
  const key = patient?.planted.find((d) => d.code === code)?.key;
  if (patient === undefined || key === undefined) {
    throw new Error(`no patient with ${code}`);
  }
  await seedList(store, patient.list);
  const feeds = async (p: SyntheticPatient) => {
    await imports.importFeed('eprescription', { kind: 'ndjson', lines: syntheticFeedLines([p], 'eprescription') });
    return imports.importFeed('core-record', { kind: 'ndjson', lines: syntheticFeedLines([p], 'core-record') });
  };
  await feeds(patient);
  const listView = async () =>
    toListView(patient.patientId, foldListFacts(await listEventsOf(store, patient.patientId)));
  const discrepancy = async () =>
    foldDiscrepancies(await reconciliationEventsOf(store, patient.patientId)).views.find((d) => d.detected.key === key);
  return { store, imports, resolutions, patient, key, feeds, listView, discrepancy };
};

describe('DiscrepancyResolutionService.resolve', () => {
  it('include (D1): starts the treatment linked to the registry prescription, then records the resolution', async () => {
    const { store, resolutions, patient, key, feeds, listView, discrepancy } = await withDiscrepancy('D1');
    const prescriptionId = key.split('|')[1];

    const outcome = await resolutions.resolve(keyOf(patient.patientId), key, 'include', 'står på resepten', doctor);

    const entry = (await listView()).entries.find((e) =>
      e.prescriptions.some((p) => p.prescriptionId === prescriptionId),
    );
    expect(entry).toMatchObject({ status: 'active', entryId: outcome.discrepancy.resolved?.entryId });
    expect(outcome).toMatchObject({
      alreadyApplied: false,
      discrepancy: { status: 'resolved', resolvedByHpr: '7654321' },
    });
    expect(outcome.listPosition).toBeDefined();
    expect((await discrepancy())?.resolved).toMatchObject({ resolution: 'include', reason: 'står på resepten' });

    // the next feeds see the prescription on the list: nothing about it is raised again
    const before = (await store.readAll()).length;
    const again = await resolutions.resolve(keyOf(patient.patientId), key, 'include', 'står på resepten', doctor);
    expect(again.alreadyApplied).toBe(true);
    expect((await store.readAll()).length).toBe(before);
    await feeds(patient);
    const open = foldDiscrepancies(await reconciliationEventsOf(store, patient.patientId)).views.filter(
      (d) => d.status === 'open',
    );
    expect(open.filter((d) => d.detected.key.includes(prescriptionId ?? '?'))).toEqual([]);
  });

  it('completes after a crash between the list append and the resolution: the list commands are not repeated', async () => {
    const { store, resolutions, patient, key, discrepancy } = await withDiscrepancy('D1');
    const detected = (await discrepancy())?.detected;
    if (detected === undefined) {
      throw new Error('not detected');
    }
    // what the first attempt appended before the crash: the same plan, the same deterministic command ids
    const plan = resolutionPlan({
      detected,
      resolution: 'include',
      resolvedAt: '2026-03-01T13:00:00.000+01:00',
      meta: resolutionMeta(
        { key, resolution: 'include' },
        { correlationId: 'x', causationId: 'x', actor: doctor.actor, recordedAt: SYNTHETIC_NOW },
      ),
    });
    for (const command of plan.commands) {
      await handleCommand(store, medicationListDecider, patientStreamName(patient.patientId, SECRET), command, {
        isEvent: isMedicationListEvent,
      });
    }
    const listEvents = (await listEventsOf(store, patient.patientId)).length;

    const outcome = await resolutions.resolve(keyOf(patient.patientId), key, 'include', undefined, doctor);

    expect(outcome.discrepancy.status).toBe('resolved');
    expect((await listEventsOf(store, patient.patientId)).length).toBe(listEvents);
  });

  it('discontinue (D8): discontinues the entry', async () => {
    const { resolutions, patient, key, listView } = await withDiscrepancy('D8');
    const entryId = key.split('|')[1];
    await resolutions.resolve(keyOf(patient.patientId), key, 'discontinue', 'ikke lenger i bruk', doctor);
    expect((await listView()).entries.find((e) => e.entryId === entryId)?.status).toBe('discontinued');
  });

  it('recall (D5): recalls the list prescription', async () => {
    const { resolutions, patient, key, listView } = await withDiscrepancy('D5');
    const prescriptionId = key.split('|')[2];
    await resolutions.resolve(keyOf(patient.patientId), key, 'recall', undefined, doctor);
    const prescriptions = (await listView()).entries.flatMap((e) => e.prescriptions);
    expect(prescriptions.find((p) => p.prescriptionId === prescriptionId)?.status).toBe('recalled');
  });

  it('accept and dismiss leave the list as it is', async () => {
    const { store, resolutions, patient, key } = await withDiscrepancy('D6');
    const listEvents = (await listEventsOf(store, patient.patientId)).length;
    await resolutions.resolve(keyOf(patient.patientId), key, 'dismiss', 'bevisst', doctor);
    expect((await listEventsOf(store, patient.patientId)).length).toBe(listEvents);
  });

  it('refuses before touching the list: a nurse, or a dismissal without reason', async () => {
    const { store, resolutions, patient, key } = await withDiscrepancy('D1');
    const before = (await store.readAll()).length;
    await expect(
      resolutions.resolve(keyOf(patient.patientId), key, 'include', undefined, nurse),
    ).rejects.toBeInstanceOf(DoctorRequiredError);
    await expect(resolutions.resolve(keyOf(patient.patientId), key, 'dismiss', ' ', doctor)).rejects.toBeInstanceOf(
      ResolutionReasonRequiredError,
    );
    expect((await store.readAll()).length).toBe(before);
  });

  it('given a resolution recorded, when the same resolution comes with another reason, then IDEMPOTENCY_KEY_REUSED and nothing is appended', async () => {
    const { store, resolutions, patient, key } = await withDiscrepancy('D8');
    await resolutions.resolve(keyOf(patient.patientId), key, 'discontinue', 'ikke lenger i bruk', doctor);
    const before = (await store.readAll()).length;
    await expect(
      resolutions.resolve(keyOf(patient.patientId), key, 'discontinue', 'en annen grunn', doctor),
    ).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect((await store.readAll()).length).toBe(before);
  });
});
