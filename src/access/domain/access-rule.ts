import type { Operation } from './policy';

/*
 * What an edge tells the access step about one operation: which policy operation it is and where, among the
 * operation's arguments, its patient, care unit, GP or care relation is named. The GraphQL edge declares it with
 * @Access (graphql/access.decorator.ts); the other edges pass it to AccessStep.authorize directly.
 */

/** Where the guard finds the facts of an operation among its arguments (GraphQL arguments, or what another edge passes) (dotted paths). */
export interface AccessTarget {
  /** the patient id: `patientId` or `input.patientId` */
  readonly patient?: string;
  /** the care unit of careUnit / careUnitChanged: organisation number and optional unit */
  readonly careUnit?: { readonly organisation: string; readonly unit?: string };
  /** the HPR number whose GP worklist is asked for (gpWorklist): `hprNumber` */
  readonly hpr?: string;
  /**
   * The operation records the caller's HER-id (recordDispensing, issue 15): the path of the HER-id the input may
   * name (`input.pharmacyHerId`). The register gives the caller's; an input naming another is refused. The grant's
   * actor carries the caller's (`actor.herId`), which the resolver records.
   */
  readonly attributedHerId?: string;
  /**
   * startCareRelation / endCareRelation (issue 15): where the relation's organisation and unit are named, or its
   * relation id (an end: the organisation and unit are the relation's as the patient's list holds them).
   */
  readonly careRelation?: { readonly organisation: string; readonly unit?: string } | { readonly relationId: string };
}

export interface AccessRule extends AccessTarget {
  readonly operation: Operation;
}
