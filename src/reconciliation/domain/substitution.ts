import type { Medication } from '../../medication-list/domain/medication-list.events';

/**
 * D7 at the right level (issue 16). Since 2024 prescribing on substance level (LegemiddelVirkestoff) is preferred:
 * any brand of that substance may then be dispensed, which is not a substitution. A substitution is a dispensing of
 * another brand (LegemiddelMerkevare) with the same ATC code as a prescription that named a brand or a package;
 * another package of the same brand is not one. The service has no FEST catalogue, so it never guesses a level it
 * was not told: when either side lacks the id the comparison needs, the pair is "not comparable" (counted in the
 * run's summary, never a D7). Codings in unknown systems (`otherCodings`) are never looked at.
 */
export type SubstitutionVerdict =
  | { readonly kind: 'substitution'; readonly prescribed: string; readonly dispensed: string }
  | { readonly kind: 'no-substitution' }
  | { readonly kind: 'not-comparable' };

const NONE: SubstitutionVerdict = { kind: 'no-substitution' };
const UNKNOWN: SubstitutionVerdict = { kind: 'not-comparable' };

const packageOf = (m: Medication): string | undefined =>
  m.festPackageId ?? (m.packageNumber === undefined ? undefined : `varenummer:${m.packageNumber}`);
const doseOf = (m: Medication): string | undefined =>
  m.festDoseId ?? (m.lmrNumber === undefined ? undefined : `lmr:${m.lmrNumber}`);

export const compareDispensed = (prescribed: Medication, dispensed: Medication): SubstitutionVerdict => {
  // Another ATC code is another drug, not a substitution (and D7 is defined within one ATC code).
  if (prescribed.atcCode !== undefined && dispensed.atcCode !== undefined && prescribed.atcCode !== dispensed.atcCode) {
    return NONE;
  }
  if (prescribed.festId !== undefined) {
    return brandVerdict(prescribed, dispensed, prescribed.festId);
  }
  if (prescribed.festSubstanceId !== undefined) {
    // Substance-level prescription: any brand of the substance is normal. Another substance has another ATC code,
    // handled above; without the dispensing's ATC code, its substance id must say it is the same substance.
    return dispensed.atcCode !== undefined || dispensed.festSubstanceId === prescribed.festSubstanceId ? NONE : UNKNOWN;
  }
  // A package- or dose-level prescription without its brand: the same package (dose) is no substitution; another
  // one may or may not be of the same brand, which only a catalogue could say.
  const prescribedUnit = packageOf(prescribed) ?? doseOf(prescribed);
  if (prescribedUnit === undefined) {
    return UNKNOWN;
  }
  return prescribedUnit === packageOf(dispensed) || prescribedUnit === doseOf(dispensed) ? NONE : UNKNOWN;
};

/** The prescription names a brand (perhaps with its package): compare brands. */
const brandVerdict = (prescribed: Medication, dispensed: Medication, brand: string): SubstitutionVerdict => {
  if (dispensed.festId === undefined) {
    const samePackage = packageOf(prescribed) !== undefined && packageOf(prescribed) === packageOf(dispensed);
    return samePackage ? NONE : UNKNOWN;
  }
  if (dispensed.festId === brand) {
    return NONE; // the same brand, whichever package
  }
  // Another brand: a substitution when both say the same ATC code; without both codes nothing exact can be said.
  return prescribed.atcCode !== undefined && dispensed.atcCode !== undefined
    ? { kind: 'substitution', prescribed: brand, dispensed: dispensed.festId }
    : UNKNOWN;
};
