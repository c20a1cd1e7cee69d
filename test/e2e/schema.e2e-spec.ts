import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateSchemaSdl, schemaFilePath } from '../../src/cli/schema';

/**
 * The committed docs/schema.graphql must be the schema the code generates: API changes show up in review as a
 * diff of that file. The schema is generated from the real AppModule, booted so that it does not write the file.
 */

const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');
const CONTEXT_LINES = 3;

/** The first differing line with a little context: enough to see what changed without a diff library. */
const firstDifference = (committed: string, generated: string): string => {
  const before = committed.split('\n');
  const after = generated.split('\n');
  const index = before.findIndex((line, i) => line !== after[i]);
  const at = index === -1 ? Math.min(before.length, after.length) : index;
  const from = Math.max(0, at - CONTEXT_LINES);
  const show = (lines: string[], sign: string): string =>
    lines
      .slice(from, at + CONTEXT_LINES + 1)
      .map((line) => `${sign} ${line}`)
      .join('\n');
  return `first difference at line ${at + 1}:\n--- committed\n${show(before, '-')}\n+++ generated\n${show(after, '+')}`;
};

describe('docs/schema.graphql', () => {
  let generated: string;

  beforeAll(async () => {
    generated = await generateSchemaSdl();
  });

  it('is the schema the code generates (run `npm run schema` to update)', () => {
    const committed = readFileSync(schemaFilePath(REPOSITORY_ROOT), 'utf8');

    if (committed !== generated) {
      throw new Error(
        `docs/schema.graphql is out of date: run \`npm run schema\` to update it.\n${firstDifference(committed, generated)}`,
      );
    }
  });

  it('is generated deterministically: types and fields sorted, the same text every time', async () => {
    const again = await generateSchemaSdl();
    const typeNames = [...generated.matchAll(/^(?:type|input|enum|scalar) (\w+)/gm)].map((match) => match[1]!); // group 1 is not optional

    expect(again).toBe(generated);
    expect(typeNames).toEqual([...typeNames].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(generated).toMatch(/^type Query \{$/m);
    expect(generated).toMatch(/^type Subscription \{$/m);
  });
});
