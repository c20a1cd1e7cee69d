import { PARTS_OF_DAY } from './format';
import { type DosagePeriod, type Entry, type MedicationList, normal } from './queries';

/*
 * The chart's arrangement (legemiddelkort), pure: which entries go in the grid of administration times, which are
 * as needed, tapering, outside the multidose bags or paused, and what changed since the last review.
 */

/** The dosage period in effect on `day` (YYYY-MM-DD); else the latest that has started; else the first. */
export const periodOn = (entry: Entry, day: string): DosagePeriod | undefined => {
  const periods = entry.dosage.periods;
  const current = periods.find((p) => p.start <= day && (p.end === null || p.end >= day));
  return current ?? [...periods].reverse().find((p) => p.start <= day) ?? periods[0];
};

export interface Column {
  readonly key: string;
  readonly label: string;
}

/** Grid columns: the parts of day used (in 8325 order), then the clock times used (sorted). */
export const columnsOf = (entries: readonly Entry[], day: string): Column[] => {
  const doses = entries.flatMap((entry) => periodOn(entry, day)?.fixedDoses ?? []);
  const parts = PARTS_OF_DAY.filter(([code]) => doses.some((dose) => dose.partOfDay === code)).map(([code, label]) => ({
    key: `p${code}`,
    label,
  }));
  const times = [...new Set(doses.flatMap((dose) => (dose.time === null ? [] : [dose.time])))]
    .sort()
    .map((time) => ({ key: `t${time}`, label: `Kl. ${time}` }));
  return [...parts, ...times];
};

/** "1 tablett" in a grid cell, or '' when nothing is given then. */
export const doseAt = (entry: Entry, column: Column, day: string): { quantity: number; unit: string } | undefined => {
  const dose = periodOn(entry, day)?.fixedDoses.find((d) =>
    column.key.startsWith('p') ? d.partOfDay === column.key.slice(1) : d.time === column.key.slice(1),
  );
  return dose === undefined ? undefined : { quantity: dose.quantity, unit: dose.unit };
};

export interface ChartModel {
  readonly regular: Entry[];
  readonly asNeeded: Entry[];
  readonly tapering: Entry[];
  readonly outsideMultidose: Entry[];
  readonly paused: Entry[];
  readonly other: Entry[];
  readonly columns: Column[];
  /** entry id → the latest change since the last review */
  readonly changedSinceReview: ReadonlyMap<string, MedicationList['changesSinceReview'][number]>;
}

export const chartModel = (list: MedicationList, day: string): ChartModel => {
  const active = list.entries.filter((entry) => normal(entry.status) === 'active');
  const regular = active.filter((entry) => (periodOn(entry, day)?.fixedDoses.length ?? 0) > 0);
  const asNeeded = active.filter((entry) => entry.asNeeded !== null);
  return {
    regular,
    asNeeded,
    tapering: list.entries.filter((entry) => entry.dosage.periods.length > 1),
    outsideMultidose: list.entries.filter((entry) => normal(entry.multidose) === 'outside-multidose'),
    paused: list.entries.filter((entry) => normal(entry.status) === 'paused'),
    other: active.filter((entry) => !regular.includes(entry) && !asNeeded.includes(entry)),
    columns: columnsOf(regular, day),
    changedSinceReview: new Map(
      list.changesSinceReview.flatMap((change) => (change.entryId === null ? [] : [[change.entryId, change] as const])),
    ),
  };
};

/** Entry ids that differ between two snapshots of one list (new, changed, discontinued): "new until seen". */
export const changedEntryIds = (before: MedicationList, after: MedicationList): string[] => {
  const previous = new Map(
    [...before.entries, ...before.discontinued].map((item) => [item.entryId, JSON.stringify(item)]),
  );
  return [...after.entries, ...after.discontinued]
    .filter((item) => previous.get(item.entryId) !== JSON.stringify(item))
    .map((item) => item.entryId);
};
