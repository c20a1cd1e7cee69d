import { buildSchema, parse, validate } from 'graphql';
import { knownOperationLabel, operationLabel } from './graphql.module';
import { maxAliasesRule, maxDepthRule, maxFieldsRule } from './query-limits';

const schema = buildSchema('type Query { list(id: String): Item } type Item { name: String, version: Int }');

const errorsOf = (document: string, limit: number): string[] =>
  validate(schema, parse(document), [maxAliasesRule(limit), maxFieldsRule(limit * 2)]).map((error) => error.message);

describe('query limits', () => {
  it('accepts a document at the alias limit', () => {
    expect(errorsOf('{ a: list { name } b: list { name } }', 2)).toEqual([]);
  });

  it('rejects the alias amplification attack with one error', () => {
    const aliases = Array.from({ length: 1000 }, (_, i) => `a${i}: list(id: "x") { name }`).join(' ');

    expect(errorsOf(`{ ${aliases} }`, 30)).toEqual([
      'The document has too many aliases: at most 30 are allowed',
      'The document has too many fields: at most 60 are allowed',
    ]);
  });

  it('counts fields', () => {
    expect(errorsOf('{ list { name version } }', 1)).toEqual([
      'The document has too many fields: at most 2 are allowed',
    ]);
  });
});

describe('operationLabel', () => {
  it.each([
    ['query Q { list { name } }', 'query:list'],
    ['mutation { startMedication }', 'mutation:startMedication'],
    ['{ a: list { name } b: list { name } }', 'query:multiple'],
    ['query A { list { name } } query B { list { version } }', 'multiple'],
  ])('%s → %s', (document, label) => {
    expect(operationLabel(parse(document))).toBe(label);
  });
});

describe('knownOperationLabel (before validation: the log names only fields the schema has)', () => {
  it.each([
    ['query Q { list { name } }', 'query:list'],
    ['{ pid31129956715 }', 'query:unknown'],
    ['mutation { startMedication }', 'mutation:unknown'],
    ['{ a: list { name } b: list { name } }', 'query:multiple'],
    ['query A { list { name } } query B { list { version } }', 'multiple'],
  ])('%s → %s', (document, label) => {
    expect(knownOperationLabel(schema, parse(document))).toBe(label);
  });
});

describe('maxDepthRule', () => {
  const nested = buildSchema('type Query { node: Node } type Node { name: String, child: Node }');
  const depthErrors = (document: string): string[] =>
    validate(nested, parse(document), [maxDepthRule(3)]).map((error) => error.message);

  it('accepts a document at the limit and refuses one level more, through fragments too', () => {
    expect(depthErrors('{ node { child { name } } }')).toEqual([]);
    expect(depthErrors('{ node { child { child { name } } } }')).toEqual([
      'The document is nested too deeply: at most 3 levels are allowed',
    ]);
    expect(
      depthErrors('{ node { ...F } } fragment F on Node { child { ... on Node { child { name } } } }'),
    ).toHaveLength(1);
  });

  it('does not loop on a fragment cycle (NoFragmentCyclesRule reports it)', () => {
    expect(depthErrors('{ node { ...A } } fragment A on Node { child { ...A } }')).toEqual([]);
  });
});
