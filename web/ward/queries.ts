import type { CareUnitAttention } from '../../src/medication-list/domain/care-unit-attention';

/*
 * The page's GraphQL: the same public schema as every client (docs/schema.graphql). Code-list values are compared
 * case-insensitively (normal()) so the page keeps working if a string field becomes an enum. `asOf` goes in as a
 * literal: an ISO instant the page itself made (toISOString), so no scalar type is named here.
 */

export interface Actor {
  readonly role: string;
  readonly name: string | null;
  readonly hprNumber: string | null;
  readonly organisationNumber: string | null;
}

export interface FixedDose {
  readonly quantity: number;
  readonly unit: string;
  readonly partOfDay: string | null;
  readonly time: string | null;
}

export interface DosagePeriod {
  readonly start: string;
  readonly end: string | null;
  readonly weekdays: readonly string[] | null;
  readonly fixedDoses: readonly FixedDose[];
  readonly asNeeded: { readonly quantity: number; readonly unit: string; readonly maxPer24h: number } | null;
}

export interface Entry {
  readonly entryId: string;
  readonly status: string;
  readonly use: string;
  readonly useLabel: string;
  readonly indication: string | null;
  readonly dosageText: string;
  readonly asNeeded: {
    readonly quantity: number;
    readonly unit: string;
    readonly maxPer24h: number;
    readonly minIntervalHours: number | null;
  } | null;
  readonly dosage: { readonly periods: readonly DosagePeriod[] };
  readonly medication: { readonly displayName: string };
  readonly multidose: string;
  readonly pausedAt: string | null;
  readonly pauseReason: string | null;
  readonly changedAt: string;
  readonly changedBy: Actor;
  readonly prescription: { readonly expiresOn: string } | null;
}

export interface Discontinued {
  readonly entryId: string;
  readonly medication: { readonly displayName: string };
  readonly discontinuedAt: string;
  readonly reasonLabel: string;
  readonly note: string | null;
  readonly discontinuedBy: Actor;
}

export interface Change {
  readonly at: string;
  readonly summary: string;
  readonly entryId: string | null;
  readonly by: Actor;
}

export interface MedicationList {
  readonly version: number;
  readonly entries: readonly Entry[];
  readonly discontinued: readonly Discontinued[];
  readonly multidose: {
    readonly from: string;
    readonly lastPacking: { readonly firstDoseOn: string; readonly lastDoseOn: string } | null;
  } | null;
  readonly review: { readonly status: string; readonly reviewedAt: string | null; readonly reviewedBy: Actor | null };
  readonly changesSinceReview: readonly Change[];
}

const ACTOR = 'role name hprNumber organisationNumber';

const LIST_FIELDS = `
  version
  entries {
    entryId status use useLabel indication dosageText
    asNeeded { quantity unit maxPer24h minIntervalHours }
    dosage { periods { start end weekdays fixedDoses { quantity unit partOfDay time } asNeeded { quantity unit maxPer24h } } }
    medication { displayName } multidose pausedAt pauseReason changedAt changedBy { ${ACTOR} } prescription { expiresOn }
  }
  discontinued { entryId medication { displayName } discontinuedAt reasonLabel note discontinuedBy { ${ACTOR} } }
  multidose { from lastPacking { firstDoseOn lastDoseOn } }
  review { status reviewedAt reviewedBy { ${ACTOR} } }
  changesSinceReview { at summary entryId by { ${ACTOR} } }
`;

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The chart now, or as shown at `asOf` (an instant from Date.toISOString()). */
export const chartQuery = (asOf?: string): string => {
  if (asOf !== undefined && !INSTANT.test(asOf)) {
    throw new Error('asOf must come from Date.toISOString()');
  }
  const args = asOf === undefined ? 'patientId: $p' : `patientId: $p, asOf: "${asOf}"`;
  return `query Chart($p: String!) { medicationList(${args}) { ${LIST_FIELDS} } }`;
};

export const CHART_LIVE = `subscription ChartLive($p: String!) { medicationListChanged(patientId: $p) { ${LIST_FIELDS} } }`;

/** The badges as careUnit returns them: the server's own type (type-only import: nothing of src is bundled). */
export type Attention = CareUnitAttention;

export interface Resident {
  readonly patientId: string;
  readonly residentName: string | null;
  readonly room: string | null;
  readonly listVersion: number;
  readonly attention: Attention;
}

export interface CareUnit {
  readonly organisationNumber: string;
  readonly unit: string | null;
  readonly patients: readonly Resident[];
}

const UNIT_FIELDS = `organisationNumber unit patients { patientId residentName room listVersion
  attention { changesSinceReview outsideMultidose paused openDiscrepancies prescriptionsExpired prescriptionsExpiringSoon score } }`;

export const UNIT_QUERY = `query Unit($org: String!, $unit: String) { careUnit(organisationNumber: $org, unit: $unit) { ${UNIT_FIELDS} } }`;
export const UNIT_LIVE = `subscription UnitLive($org: String!, $unit: String) { careUnitChanged(organisationNumber: $org, unit: $unit) { ${UNIT_FIELDS} } }`;

/** Lower case, for comparing code-list values that may be strings or enum names. */
export const normal = (value: string): string => value.toLowerCase().replace(/_/g, '-');
