import type { CurrentMedicationListDocument } from '../../../projections/current-medication-list/current-medication-list.document';

/**
 * What a nurse must notice about one resident on the unit view (issue 20), from the resident's current list and the
 * open reconciliation discrepancies. Pure: `today` (YYYY-MM-DD, the clock's date at the edge) comes in.
 *
 * Prescriptions "expiring" are those of active or paused entries that are still dispensable or being dispensed
 * (7408 E/U) and expire within EXPIRY_WARNING_DAYS; recalled or used-up ones are not a nurse's concern.
 */
export interface CareUnitAttention {
  readonly changesSinceReview: number;
  /** multidose patients: entries given from their own package, not from the bags */
  readonly outsideMultidose: number;
  readonly paused: number;
  readonly openDiscrepancies: number;
  readonly prescriptionsExpired: number;
  /** not yet expired, but within EXPIRY_WARNING_DAYS */
  readonly prescriptionsExpiringSoon: number;
  /** higher first on the unit view; 0 when nothing needs attention */
  readonly score: number;
}

/** The window of "expiring soon" (issue 20: within 14 days). */
export const EXPIRY_WARNING_DAYS = 14;

const DAY_MS = 86_400_000;

const addDays = (isoDate: string, days: number): string =>
  new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/**
 * The attention score orders residents: an expired prescription or an open discrepancy (the resident may run out
 * of, or get, the wrong medicine) before unreviewed changes, before an expiring prescription, before the standing
 * facts (outside the bags, paused) that a nurse already knows about.
 */
const WEIGHTS = {
  prescriptionsExpired: 1000,
  openDiscrepancies: 1000,
  changesSinceReview: 100,
  prescriptionsExpiringSoon: 100,
  outsideMultidose: 1,
  paused: 1,
} as const;

export const attentionOf = (
  list: CurrentMedicationListDocument,
  openDiscrepancies: number,
  today: string,
): CareUnitAttention => {
  const soon = addDays(today, EXPIRY_WARNING_DAYS);
  const live = list.entries
    .map((entry) => entry.prescription)
    .filter((prescription) => prescription !== null && (prescription.status === 'E' || prescription.status === 'U'));
  const counts = {
    changesSinceReview: list.changesSinceReview.length + list.changesSinceReviewDropped,
    outsideMultidose: list.entries.filter((entry) => entry.multidose === 'outside-multidose').length,
    paused: list.entries.filter((entry) => entry.status === 'paused').length,
    openDiscrepancies,
    prescriptionsExpired: live.filter((prescription) => prescription !== null && prescription.expiresOn < today).length,
    prescriptionsExpiringSoon: live.filter(
      (prescription) => prescription !== null && prescription.expiresOn >= today && prescription.expiresOn <= soon,
    ).length,
  };
  const score = (Object.keys(WEIGHTS) as (keyof typeof WEIGHTS)[]).reduce(
    (sum, key) => sum + WEIGHTS[key] * Math.min(counts[key], 9),
    0,
  );
  return { ...counts, score };
};
