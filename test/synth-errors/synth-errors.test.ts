/**
 * Every row of the bad-input table gets its error or warning, and docs/synth-errors.md lists exactly these rows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { BadInput, MISTAKE_CLASSES, MistakeClass } from './bad-input';
import { ALL_CASES } from './cases';
import { synthErrorsDoc } from './doc';
import { freshStack } from './stacks';

/** What synth answers to the row's mistake: the error's message, or the warnings' ids and messages. */
/** Every message begins with the construct's class and path, as src/private/errors.ts's configError writes it. */
const NAMED = /^[A-Z][A-Za-z0-9]* Bad\/[^ ]*: /;

function answer(row: BadInput): { error?: string; warnings: Array<{ id: string; message: string }> } {
  const stack = freshStack();
  try {
    row.build(stack);
  } catch (e) {
    return { error: (e as Error).message, warnings: [] };
  }
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => ({
    id: String((w.entry as any).data).match(/\[ack: ([^\]]+)\]$/)?.[1] ?? '',
    message: String(w.entry.data),
  }));
  return { warnings };
}

test('the table holds at least 80 mistakes, with every class of issue #24 among them', () => {
  expect(ALL_CASES.length).toBeGreaterThanOrEqual(80);
  const classes = new Set(ALL_CASES.map((row) => row.class));
  expect((Object.keys(MISTAKE_CLASSES) as MistakeClass[]).filter((c) => !classes.has(c))).toEqual([]);
});

test('each row sets exactly one of error and warning, and no two rows are the same mistake', () => {
  expect(ALL_CASES.filter((row) => (row.error === undefined) === (row.warning === undefined)).map(label)).toEqual([]);
  const keys = ALL_CASES.map((row) => `${row.construct} ${row.prop} ${row.value}`);
  expect(keys.filter((key, i) => keys.indexOf(key) !== i)).toEqual([]);
});

describe.each(ALL_CASES.map((row) => [label(row), row] as const))('%s', (_label, row) => {
  test(row.error !== undefined ? 'is an error naming the construct and the rule' : 'is a warning with its id', () => {
    const result = answer(row);
    if (row.error !== undefined) {
      expect(result.error).toBeDefined();
      expect(result.error).toMatch(NAMED);
      expect(result.error).toContain(row.error);
    } else {
      expect(result.error).toBeUndefined();
      const matching = result.warnings.filter((w) => w.id === row.warning!.id);
      expect(matching.map((w) => w.message)).toEqual([expect.stringContaining(row.warning!.text)]);
      expect(matching[0].message).toMatch(NAMED);
    }
  });
});

test('docs/synth-errors.md is generated from this table (npx tsx scripts/synth-errors-doc.ts)', () => {
  expect(readFileSync(join(__dirname, '../../docs/synth-errors.md'), 'utf8')).toEqual(synthErrorsDoc(ALL_CASES));
});

function label(row: BadInput): string {
  return `${row.construct} ${row.prop} = ${row.value}`;
}
