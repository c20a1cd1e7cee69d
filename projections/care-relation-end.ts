import type { IsoDate } from '../src/medication-list/domain/medication-list.events';
import { osloDateOf } from '../src/shared/oslo-date';

/*
 * A care relation ended with a date ends AT that date, inclusive (issue 15): through its last day it still grants
 * access and still lists the resident. A projection cannot read a clock, so an ended relation is kept with `to`
 * set to its end, and readers compare `to` with their own today (the policy's relationCovers, careUnitOverviewOf).
 * One whose end was already before the day the end was recorded (a discharge registered late) can never count
 * again and is dropped at once, as before, so documents do not keep every relation ever ended.
 */

/** The relation's new last day: the end date, or an earlier planned `to` if it had one. */
export const endedTo = (to: IsoDate | null, endedOn: IsoDate): IsoDate => (to !== null && to < endedOn ? to : endedOn);

/** False when the end was before the (Norwegian) day it was recorded on: nobody's today can fall in it again. */
export const keptAfterEnd = (endedOn: IsoDate, recordedAt: string): boolean => {
  const recordedOn = osloDateOf(recordedAt);
  return recordedOn === undefined || endedOn >= recordedOn;
};

/** Whether a relation still counts on `today` (YYYY-MM-DD): not yet past its last day. */
export const notEndedBy = (relation: { readonly to: IsoDate | null }, today: IsoDate): boolean =>
  relation.to === null || today <= relation.to;
