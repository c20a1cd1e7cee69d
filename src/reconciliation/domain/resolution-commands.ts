import { createHash } from 'node:crypto';
import type { MedicationListCommand } from '../../medication-list/domain/medication-list.commands';
import type { Dosage, IsoDateTime, UseCode } from '../../medication-list/domain/medication-list.events';
import { datePart } from '../../medication-list/domain/medication-list.validation';
import type { CommandMeta } from '../../shared/event-sourcing/decider';
import { asDateTime } from './feed-commands';
import { IncludeNeedsDosageError } from './reconciliation.errors';
import type { DiscrepancyDetected, FeedPrescriptionSnapshot, Resolution } from './reconciliation.events';

/**
 * The list commands a resolution implies (issue 4: "resolveDiscrepancy applies the list command the resolution
 * implies in the same decision"). Pure and deterministic: the entry id and every command id derive from the
 * discrepancy key, so retrying a resolution after a crash between the list append and the DiscrepancyResolved
 * append re-sends the same commands, which the command handler recognises by id and does not append twice.
 *
 *  include     (D1)  StartMedication + IssuePrescription linked to the registry's prescription
 *  discontinue       DiscontinueMedication (7494 reason X "other", the doctor's reason as the note), which also
 *                    recalls the entry's active prescriptions
 *  recall            RecallPrescription (7500 reason 4 "other")
 *  accept, dismiss   nothing on the list
 */

export interface ResolutionPlan {
  /** the entry the resolution starts or changes */
  readonly entryId?: string;
  readonly commands: readonly MedicationListCommand[];
}

/** `reconciled-` + 32 hex digits of SHA-256(key): an entry id that is the same for every retry of the include. */
export const includedEntryId = (key: string): string =>
  `reconciled-${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 32)}`;

export const resolutionCommandId = (key: string, resolution: Resolution, step: number): string =>
  `resolve:${key}:${resolution}:${step}`;

/** Structured dosage when the registry's could be mapped, else its free text as the instruction. */
const dosageOf = (p: FeedPrescriptionSnapshot): Dosage => {
  if (p.dosage !== undefined) {
    return p.dosage;
  }
  if (p.dosageText === undefined) {
    throw new IncludeNeedsDosageError(p.prescriptionId);
  }
  return { periods: [], instruction: p.dosageText };
};

/** 9101: as needed (3) when every period gives only as-needed doses, else regular (1); a course is not inferable. */
const useOf = (dosage: Dosage): UseCode =>
  dosage.periods.length > 0 && dosage.periods.every((p) => p.fixedDoses.length === 0 && p.asNeeded !== undefined)
    ? '3'
    : '1';

/**
 * The meta of every command of one resolution. Their ids derive from the key and the resolution and their data
 * carry a time from the clock, so what an id stands for is the doctor's decision (key, resolution, reason): a retry
 * later is the same command, another reason under the same id is IDEMPOTENCY_KEY_REUSED.
 */
export const resolutionMeta =
  (
    decision: { readonly key: string; readonly resolution: Resolution; readonly reason?: string },
    base: Omit<CommandMeta, 'commandId'>,
  ) =>
  (commandId: string): CommandMeta => ({
    ...base,
    commandId,
    fingerprintData: {
      key: decision.key,
      resolution: decision.resolution,
      ...(decision.reason === undefined ? {} : { reason: decision.reason }),
    },
  });

export interface ResolutionInput {
  readonly detected: DiscrepancyDetected['data'];
  readonly resolution: Resolution;
  readonly reason?: string;
  readonly resolvedAt: IsoDateTime;
  /** builds the meta of one list command from its (deterministic) id */
  readonly meta: (commandId: string) => CommandMeta;
}

/** Assumes assertResolutionApplies passed (the reconciliation decider checks it first). */
export const resolutionPlan = ({ detected, resolution, reason, resolvedAt, meta }: ResolutionInput): ResolutionPlan => {
  const id = (step: number): CommandMeta => meta(resolutionCommandId(detected.key, resolution, step));
  switch (resolution) {
    case 'include': {
      const p = detected.prescription;
      if (p === undefined) {
        return { commands: [] };
      }
      const entryId = includedEntryId(detected.key);
      const dosage = dosageOf(p);
      const issuedAt = asDateTime(p.issuedAt);
      return {
        entryId,
        commands: [
          {
            type: 'StartMedication',
            data: {
              entryId,
              medication: p.medication,
              use: useOf(dosage),
              dosage,
              startedOn: datePart(issuedAt),
              prescriptionType: 'E',
            },
            meta: id(1),
          },
          {
            type: 'IssuePrescription',
            data: {
              prescriptionId: p.prescriptionId,
              entryId,
              issuedAt,
              ...(p.expiresOn === undefined ? {} : { expiresOn: p.expiresOn }),
              ...(p.dispensingsAllowed === undefined ? {} : { dispensingsAllowed: p.dispensingsAllowed }),
            },
            meta: id(2),
          },
        ],
      };
    }
    case 'discontinue': {
      const entryId = detected.entryId;
      if (entryId === undefined) {
        return { commands: [] };
      }
      const note = reason === undefined ? {} : { note: reason };
      return {
        entryId,
        commands: [
          {
            type: 'DiscontinueMedication',
            data: { entryId, discontinuedAt: resolvedAt, reasonCode: 'X', ...note },
            meta: id(1),
          },
        ],
      };
    }
    case 'recall': {
      const prescriptionId = detected.prescriptionId;
      return prescriptionId === undefined
        ? { commands: [] }
        : {
            ...(detected.entryId === undefined ? {} : { entryId: detected.entryId }),
            commands: [
              {
                type: 'RecallPrescription',
                data: { prescriptionId, recalledAt: resolvedAt, reasonCode: '4' },
                meta: id(1),
              },
            ],
          };
    }
    case 'accept':
    case 'dismiss':
      return { commands: [] };
  }
};
