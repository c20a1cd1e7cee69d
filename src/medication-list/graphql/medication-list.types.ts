/*
 * The read shape of a patient's list in one import: the GraphQL object types (medication-list.output-types.ts) and
 * the pure document → GraphQL mapper (medication-list.mapper.ts). The fold of a stream into the document is
 * ../current-list.fold.ts.
 */

export * from './medication-list.output-types';
export { toActorGql, toCareUnitGql, toListChangeGql, toMedicationListGql } from './medication-list.mapper';
