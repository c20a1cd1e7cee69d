import { describeDosage, dosagesEqual } from '../../medication-list/domain/dosage';
import type { Dosage, DosagePeriod, FixedDose, IsoDate } from '../../medication-list/domain/medication-list.events';
import type { ExternalDispensing, ExternalPrescription, PrescriptionStatusCode } from './external-record';
import type { Discrepancy, DiscrepancyCode, ReconciliationEntry, ReconciliationPrescription } from './reconcile.types';
import { compareDispensed } from './substitution';

/**
 * The rules D1–D8 of domain.md's reconciliation table, one function each, over a context `reconcile` prepares.
 * "Ongoing" is active or paused: a paused treatment still needs a valid prescription and a matching dose.
 */

export interface Link {
  readonly entry: ReconciliationEntry;
  readonly prescription: ReconciliationPrescription;
}

export interface ReconcileContext {
  readonly entries: readonly ReconciliationEntry[];
  readonly today: IsoDate;
  /** D5 warns for prescriptions expiring on or before this date */
  readonly warnUntil: IsoDate;
  /** whether the e-prescription registry feed covered the patient (D8) */
  readonly covered: boolean;
  /** this patient's registry prescriptions by prescription id (the later line wins) */
  readonly feedPrescriptions: ReadonlyMap<string, ExternalPrescription>;
  /** this patient's dispensings, annulled ones removed */
  readonly dispensed: readonly ExternalDispensing[];
  /** every prescription id the list links, with its entry */
  readonly linked: ReadonlyMap<string, Link>;
}

type Rule = (context: ReconcileContext) => Discrepancy[];

const isOngoing = (entry: ReconciliationEntry): boolean => entry.status !== 'discontinued';

/** The registry status as it stands today: E/U past its expiry date is expired (F), as the core record says. */
const effectiveStatus = (p: ExternalPrescription, today: IsoDate): PrescriptionStatusCode =>
  (p.status === 'E' || p.status === 'U') && p.expiresOn !== undefined && p.expiresOn < today ? 'F' : p.status;
const isDispensable = (status: PrescriptionStatusCode): boolean => status === 'E' || status === 'U';

/** True when instant `a` is strictly after `b`; a date-only value is the start of that day (UTC). */
const isAfter = (a: string, b: string): boolean => Date.parse(a) > Date.parse(b);

const key = (...parts: string[]): string => parts.join('|');

/** A warning about one entry's prescription (D2, D4, D5, D8): keyed by both ids, which lead its evidence too. */
const prescriptionWarning = (
  code: DiscrepancyCode,
  entryId: string,
  prescriptionId: string,
  evidence: Readonly<Record<string, string>>,
): Discrepancy => ({
  code,
  key: key(code, entryId, prescriptionId),
  entryId,
  prescriptionId,
  evidence: { entryId, prescriptionId, ...evidence },
  severity: 'warning',
});

const optional = (name: string, value: string | undefined): Record<string, string> =>
  value === undefined ? {} : { [name]: value };

/** Each ongoing entry's prescriptions that the list holds active. */
const activeLinks = (context: ReconcileContext): Link[] =>
  context.entries
    .filter(isOngoing)
    .flatMap((entry) =>
      entry.prescriptions.filter((p) => p.status === 'active').map((prescription) => ({ entry, prescription })),
    );

/** D1: a dispensable registry prescription no entry links. A same-drug entry is only a candidate for the doctor. */
export const unknownToList: Rule = ({ entries, today, feedPrescriptions, linked }) =>
  [...feedPrescriptions.values()].flatMap((p): Discrepancy[] => {
    const status = effectiveStatus(p, today);
    if (!isDispensable(status) || linked.has(p.prescriptionId)) {
      return [];
    }
    const { festId, atcCode } = p.medication;
    const ongoing = entries.filter(isOngoing);
    const byFest = festId === undefined ? [] : ongoing.filter((e) => e.medication.festId === festId);
    const byAtc = atcCode === undefined ? [] : ongoing.filter((e) => e.medication.atcCode === atcCode);
    const [candidates, match] = byFest.length > 0 ? [byFest, 'fest'] : [byAtc, 'atc'];
    const candidate: Record<string, string> =
      candidates.length === 0
        ? {}
        : {
            candidateEntryIds: candidates
              .map((e) => e.entryId)
              .sort()
              .join(','),
            candidateMatch: match,
          };
    const evidence = {
      prescriptionId: p.prescriptionId,
      feedStatus: status,
      issuedAt: p.issuedAt,
      ...optional('expiresOn', p.expiresOn),
      ...optional('festId', festId),
      ...optional('atcCode', atcCode),
      ...candidate,
    };
    return [
      { code: 'D1', key: key('D1', p.prescriptionId), prescriptionId: p.prescriptionId, evidence, severity: 'warning' },
    ];
  });

/** D2: discontinued on the list, still dispensable in the registry. */
export const discontinuedButDispensable: Rule = ({ entries, today, feedPrescriptions }) =>
  entries
    .filter((entry) => entry.status === 'discontinued')
    .flatMap((entry) =>
      entry.prescriptions.flatMap(({ prescriptionId }): Discrepancy[] => {
        const p = feedPrescriptions.get(prescriptionId);
        const status = p === undefined ? undefined : effectiveStatus(p, today);
        if (status === undefined || !isDispensable(status)) {
          return [];
        }
        return [
          prescriptionWarning('D2', entry.entryId, prescriptionId, {
            feedStatus: status,
            ...optional('discontinuedAt', entry.discontinuedAt),
          }),
        ];
      }),
    );

/** The dispensings on prescriptions the list links, with their ids for keys and evidence. */
const linkedDispensings = ({ dispensed, linked }: ReconcileContext) =>
  dispensed.flatMap((d) => {
    const link = d.prescriptionId === undefined ? undefined : linked.get(d.prescriptionId);
    if (!link) {
      return [];
    }
    const { entry, prescription } = link;
    const ids = { dispensingId: d.dispensingId, prescriptionId: prescription.prescriptionId, entryId: entry.entryId };
    return [{ d, ...link, ids }];
  });

/** D3: dispensed after the treatment was discontinued or the prescription recalled. */
export const dispensedAfterStop: Rule = (context) =>
  linkedDispensings(context).flatMap(({ d, entry, prescription, ids }): Discrepancy[] => {
    const { discontinuedAt } = entry;
    const { recalledAt } = prescription;
    const afterDiscontinuation =
      entry.status === 'discontinued' && discontinuedAt !== undefined && isAfter(d.dispensedAt, discontinuedAt);
    const afterRecall = recalledAt !== undefined && isAfter(d.dispensedAt, recalledAt);
    if (!afterDiscontinuation && !afterRecall) {
      return [];
    }
    const evidence = {
      ...ids,
      dispensedAt: d.dispensedAt,
      ...optional('discontinuedAt', afterDiscontinuation ? discontinuedAt : undefined),
      ...optional('recalledAt', afterRecall ? recalledAt : undefined),
    };
    return [{ code: 'D3', key: key('D3', d.dispensingId), ...ids, evidence, severity: 'warning' }];
  });

/**
 * D7: substitution, judged at the level the prescription names (substitution.ts): informational. Compared with
 * what the registry says was prescribed, else with the entry's drug.
 */
const substitutionVerdicts = (context: ReconcileContext) =>
  linkedDispensings(context).map((linked) => {
    const prescribed =
      context.feedPrescriptions.get(linked.prescription.prescriptionId)?.medication ?? linked.entry.medication;
    return { ...linked, verdict: compareDispensed(prescribed, linked.d.product) };
  });

export const substituted: Rule = (context) =>
  substitutionVerdicts(context).flatMap(({ d, ids, verdict }): Discrepancy[] => {
    if (verdict.kind !== 'substitution') {
      return [];
    }
    const evidence = {
      ...ids,
      prescribedFestId: verdict.prescribed,
      dispensedFestId: verdict.dispensed,
      atcCode: d.product.atcCode ?? '',
      dispensedAt: d.dispensedAt,
    };
    return [{ code: 'D7', key: key('D7', d.dispensingId), ...ids, evidence, severity: 'info' }];
  });

/** The dispensings on a linked prescription that D7 could not judge: one side lacks the id the level needs. */
export const substitutionNotComparable = (context: ReconcileContext): number =>
  substitutionVerdicts(context).filter(({ verdict }) => verdict.kind === 'not-comparable').length;

/** D4: the dose on the list differs from a dispensable prescription whose dosage the feed gave in structured form. */
export const doseDiffers: Rule = (context) =>
  activeLinks(context).flatMap(({ entry, prescription }): Discrepancy[] => {
    const p = context.feedPrescriptions.get(prescription.prescriptionId);
    if (!p?.dosage || !isDispensable(effectiveStatus(p, context.today))) {
      return [];
    }
    const listDose = currentDose(entry.dosage, context.today);
    const feedDose = currentDose(p.dosage, context.today);
    if (!listDose || !feedDose || dosagesEqual(listDose, feedDose)) {
      return [];
    }
    return [
      prescriptionWarning('D4', entry.entryId, p.prescriptionId, {
        listDosage: describeDosage(listDose),
        feedDosage: describeDosage(feedDose),
      }),
    ];
  });

/**
 * D8: the registry does not know the entry's active prescription, or ended/recalled it; only when the registry
 * feed covered the patient. The registry deletes expired prescriptions, so an expired one being absent is
 * expected (D5 reports the expiry).
 */
export const unknownToRegistry: Rule = (context) =>
  !context.covered
    ? []
    : activeLinks(context).flatMap(({ entry, prescription }): Discrepancy[] => {
        const p = context.feedPrescriptions.get(prescription.prescriptionId);
        const gone = p === undefined ? prescription.expiresOn >= context.today : p.status === 'T' || p.status === 'R';
        if (!gone) {
          return [];
        }
        return [
          prescriptionWarning('D8', entry.entryId, prescription.prescriptionId, {
            feedStatus: p === undefined ? 'absent' : p.status,
          }),
        ];
      });

/** D5: an ongoing treatment whose best (latest-expiring) active prescription has expired or expires soon. */
export const expiring: Rule = ({ entries, today, warnUntil }) =>
  entries.filter(isOngoing).flatMap((entry): Discrepancy[] => {
    const latest = entry.prescriptions
      .filter((p) => p.status === 'active')
      .reduce<ReconciliationPrescription | undefined>(
        (best, p) => (best === undefined || p.expiresOn > best.expiresOn ? p : best),
        undefined,
      );
    if (!latest || latest.expiresOn > warnUntil) {
      return [];
    }
    const state = latest.expiresOn < today ? 'expired' : 'expires-soon';
    return [prescriptionWarning('D5', entry.entryId, latest.prescriptionId, { expiresOn: latest.expiresOn, state })];
  });

/** D6: duplicate therapy, two or more active entries with the same ATC code (one discrepancy per group). */
export const duplicateTherapy: Rule = ({ entries }) => {
  const byAtc = new Map<string, string[]>();
  for (const entry of entries.filter((e) => e.status === 'active')) {
    const atc = entry.medication.atcCode;
    if (atc !== undefined) {
      byAtc.set(atc, [...(byAtc.get(atc) ?? []), entry.entryId]);
    }
  }
  return [...byAtc].flatMap(([atcCode, entryIds]): Discrepancy[] => {
    if (entryIds.length < 2) {
      return [];
    }
    const ids = [...entryIds].sort().join(',');
    return [{ code: 'D6', key: key('D6', atcCode, ids), evidence: { atcCode, entryIds: ids }, severity: 'warning' }];
  });
};

/**
 * The dose in effect `today` as a one-period dosage without dates or texts: the list's entry started long before
 * the current prescription was authored, so comparing whole dosages would flag every renewal. The period in effect
 * is taken, else the next one to start, else the last one; dose order within a period does not matter.
 */
const currentDose = (dosage: Dosage, today: IsoDate): Dosage | undefined => {
  const periods = dosage.periods;
  const period =
    periods.filter((p) => p.start <= today && (p.end === undefined || p.end >= today)).at(-1) ??
    periods.find((p) => p.start > today) ??
    periods.at(-1);
  if (!period || (period.fixedDoses.length === 0 && period.asNeeded === undefined)) {
    return undefined;
  }
  const normalised: DosagePeriod = {
    start: '0001-01-01',
    fixedDoses: [...period.fixedDoses].sort((a, b) => momentKey(a).localeCompare(momentKey(b))),
    ...(period.asNeeded === undefined ? {} : { asNeeded: period.asNeeded }),
    ...(period.weekdays === undefined ? {} : { weekdays: period.weekdays }),
    ...(period.cycle === undefined ? {} : { cycle: period.cycle }),
  };
  return { periods: [normalised] };
};

const momentKey = (dose: FixedDose): string => (dose.time !== undefined ? `t${dose.time}` : `p${dose.partOfDay ?? ''}`);
