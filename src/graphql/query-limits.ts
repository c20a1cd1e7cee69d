import {
  type FieldNode,
  type FragmentSpreadNode,
  GraphQLError,
  type InlineFragmentNode,
  Kind,
  type ValidationRule,
} from 'graphql';

/**
 * Cheap guards against hostile documents, run as GraphQL validation rules before execution (Mercurius's
 * `queryDepth` covers nesting). They count syntax, not cost: fragments are counted once however often they are
 * spread. With them: one operation per request (no batching), a bounded body (REQUEST_LIMITS), introspection off
 * in production and a per-caller rate limit (graphql.module.ts, edge-auth.ts).
 */

/** HTTP limits of /graphql. `importFeed` takes its feed inside the body, so its own cap stays below this. */
export const REQUEST_LIMITS = {
  /** request body: 1 MiB; larger bodies are refused with 413 before they are parsed */
  bodyBytes: 1024 * 1024,
} as const;

export const QUERY_LIMITS = {
  /** deepest selection nesting */
  depth: 10,
  /** aliased fields per document: 1,000 aliases of one expensive field is the classic amplification */
  aliases: 30,
  /** field selections per document */
  fields: 500,
} as const;

const countingRule =
  (what: 'aliases' | 'fields', limit: number, counts: (node: { alias?: unknown }) => boolean): ValidationRule =>
  (context) => {
    let count = 0;
    return {
      Field(node) {
        if (!counts(node)) {
          return;
        }
        count += 1;
        // Report once, at the first field over the limit, rather than once per excess field.
        if (count === limit + 1) {
          context.reportError(
            new GraphQLError(`The document has too many ${what}: at most ${limit} are allowed`, { nodes: node }),
          );
        }
      },
    };
  };

/** At most `limit` aliased fields in one document. */
export const maxAliasesRule = (limit: number): ValidationRule =>
  countingRule('aliases', limit, (node) => node.alias !== undefined);

/** At most `limit` field selections in one document. */
export const maxFieldsRule = (limit: number): ValidationRule => countingRule('fields', limit, () => true);

type SelectionNode = FieldNode | FragmentSpreadNode | InlineFragmentNode;

/**
 * At most `limit` levels of field nesting, fragments followed (a cycle counts as nothing more: NoFragmentCycles
 * reports it). Mercurius's `queryDepth` option covers HTTP queries; subscriptions over WebSocket are validated with
 * graphql-js rules only (subscription-gate.ts), so the same limit is a rule there.
 */
export const maxDepthRule =
  (limit: number): ValidationRule =>
  (context) => {
    const depthOf = (selections: readonly SelectionNode[], visiting: ReadonlySet<string>): number =>
      Math.max(
        0,
        ...selections.map((selection): number => {
          if (selection.kind === Kind.FIELD) {
            return selection.selectionSet === undefined ? 1 : 1 + depthOf(selection.selectionSet.selections, visiting);
          }
          if (selection.kind === Kind.INLINE_FRAGMENT) {
            return depthOf(selection.selectionSet.selections, visiting);
          }
          const name = selection.name.value;
          const fragment = context.getFragment(name);
          return fragment === null || fragment === undefined || visiting.has(name)
            ? 0
            : depthOf(fragment.selectionSet.selections, new Set([...visiting, name]));
        }),
      );
    return {
      OperationDefinition(node) {
        if (depthOf(node.selectionSet.selections, new Set()) > limit) {
          context.reportError(
            new GraphQLError(`The document is nested too deeply: at most ${limit} levels are allowed`, { nodes: node }),
          );
        }
      },
    };
  };
