import type { Caller } from './domain/caller';
import type { OrganisationRegister } from './organisation-register';

/**
 * What the organisation register says about a caller (issue 15), the same for every edge (the GraphQL AccessStep,
 * the FHIR AccessGate): whether its `orgnr_child` is a sub-unit the register places under its `orgnr_parent`, and
 * the HER-id of the organisation it acts for (the trusted child, else the parent; no fallback from a child without
 * one to its parent, so a chain is never recorded for its branch).
 */
export interface CallerOrganisationFacts {
  readonly untrustedChild: boolean;
  readonly callerHerId?: string;
}

export const callerOrganisationFacts = (register: OrganisationRegister, caller: Caller): CallerOrganisationFacts => {
  const { child, parent } = caller.organisation;
  const untrustedChild = child !== undefined && !register.isSubUnitOf(child, parent);
  const actingFor = untrustedChild ? undefined : (child ?? parent);
  const callerHerId = actingFor === undefined ? undefined : register.find(actingFor)?.herId;
  return { untrustedChild, ...(callerHerId === undefined ? {} : { callerHerId }) };
};

/**
 * The policy's attribution facts of a write that records who acted by HER-id: the caller's HER-id and the one the
 * input names (trimmed; blank is none), compared by the policy, never recorded.
 */
export const attributionOf = (
  facts: CallerOrganisationFacts,
  claimed: string | undefined,
): { readonly callerHerId?: string; readonly claimedHerId?: string } => {
  const claimedHerId = claimed?.trim();
  return {
    ...(facts.callerHerId === undefined ? {} : { callerHerId: facts.callerHerId }),
    ...(claimedHerId === undefined || claimedHerId === '' ? {} : { claimedHerId }),
  };
};
