import type { MedicationListCommand } from '../../medication-list/domain/medication-list.commands';
import type { CommandMeta } from '../../shared/event-sourcing/decider';
import type { ReconciliationListView } from '../domain/reconcile';

/**
 * The list commands that rebuild a generator's list view (feed-generator.ts yields views, not commands): the
 * tests seed their stores with them and the benchmark (B7) builds its event file from them, so both go through
 * the real medication-list decider. Pure.
 */

/** The GP of the tests' seeded lists (a synthetic HPR number). */
export const GP_HPR = '9144889';

const DAY_MS = 86_400_000;
const yearBefore = (date: string): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) - 365 * DAY_MS).toISOString().slice(0, 10);

/**
 * Start every entry, issue its prescriptions (issued a year before they expire, as the generator does), recall the
 * ones recalled on their own (renewals), then pause or discontinue (which recalls the active prescriptions at the
 * same time, as the generator's discontinued entries have them). Command ids `seed-<n>` are unique per list.
 */
export const listCommandsOf = (view: ReconciliationListView, hprNumber = GP_HPR): MedicationListCommand[] => {
  let n = 0;
  const meta = (): CommandMeta => {
    n += 1;
    return {
      commandId: `seed-${n}`,
      correlationId: 'seed',
      causationId: 'seed',
      actor: { role: 'prescriber', hprNumber },
      recordedAt: '2026-01-01T00:00:00.000Z',
    };
  };
  return view.entries.flatMap((entry): MedicationListCommand[] => {
    const { entryId } = entry;
    const commands: MedicationListCommand[] = [
      {
        type: 'StartMedication',
        data: {
          entryId,
          medication: entry.medication,
          use: '1',
          dosage: entry.dosage,
          startedOn: entry.startedOn,
          prescriptionType: 'E',
        },
        meta: meta(),
      },
    ];
    for (const p of entry.prescriptions) {
      commands.push({
        type: 'IssuePrescription',
        data: {
          prescriptionId: p.prescriptionId,
          entryId,
          issuedAt: `${yearBefore(p.expiresOn)}T08:15:00.000Z`,
          expiresOn: p.expiresOn,
        },
        meta: meta(),
      });
    }
    for (const p of entry.prescriptions) {
      if (p.status === 'recalled' && p.recalledAt !== undefined && p.recalledAt !== entry.discontinuedAt) {
        commands.push({
          type: 'RecallPrescription',
          data: { prescriptionId: p.prescriptionId, recalledAt: p.recalledAt, reasonCode: '1' },
          meta: meta(),
        });
      }
    }
    if (entry.status === 'paused') {
      commands.push({
        type: 'PauseMedication',
        data: { entryId, pausedAt: `${entry.startedOn}T12:00:00.000Z` },
        meta: meta(),
      });
    }
    if (entry.status === 'discontinued' && entry.discontinuedAt !== undefined) {
      commands.push({
        type: 'DiscontinueMedication',
        data: { entryId, discontinuedAt: entry.discontinuedAt, reasonCode: 'A' },
        meta: meta(),
      });
    }
    return commands;
  });
};
