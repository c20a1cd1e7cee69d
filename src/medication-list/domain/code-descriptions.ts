import type { CodeList } from './medication-list.codes';

/**
 * The description of an input field that takes a code of a closed list: every accepted code with its English
 * label, generated from the code list itself so docs/schema.graphql and introspection can never drift from what
 * the service accepts (issue 22). Codes stay strings on the wire (not GraphQL enums): national code lists have
 * codes like `1` that an enum cannot spell, and existing clients send strings.
 */
export const acceptedCodes = (list: CodeList, lead?: string): string =>
  `${lead ?? (/^[0-9]+$/.test(list.id) ? `code list ${list.id}` : list.id)}; one of: ` +
  list.entries.map((entry) => `${entry.code} (${entry.en})`).join(', ');
