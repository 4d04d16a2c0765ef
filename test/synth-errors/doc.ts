/** docs/synth-errors.md, written from the bad-input table. */
import { BadInput, CONSTRUCTS, MISTAKE_CLASSES, MistakeClass } from './bad-input';

export function synthErrorsDoc(rows: readonly BadInput[]): string {
  const lines = [
    '# Errors at synth time',
    '',
    '<!-- Generated from test/synth-errors/cases by `npx tsx scripts/synth-errors-doc.ts`; do not edit by hand. -->',
    '',
    'Each mistake below stops `cdk synth` with an error, or adds a warning, before anything is deployed. The list is',
    'the table the test suite runs (test/synth-errors), so every line here is checked on every build. Messages begin',
    'with the construct\'s class and path, then name the prop, the value received and what to use instead; values that',
    'are CloudFormation tokens (known only at deploy time) are not checked. A warning carries an id that',
    '`Annotations.of(scope).acknowledgeWarning(id)` accepts.',
    '',
  ];
  for (const construct of CONSTRUCTS) {
    const ofConstruct = rows.filter((row) => row.construct === construct);
    if (ofConstruct.length === 0) {
      continue;
    }
    lines.push(`## ${construct}`, '');
    for (const cls of Object.keys(MISTAKE_CLASSES) as MistakeClass[]) {
      const ofClass = ofConstruct.filter((row) => row.class === cls);
      if (ofClass.length === 0) {
        continue;
      }
      lines.push(`### ${MISTAKE_CLASSES[cls]}`, '', '| Prop | Value | Answer |', '| --- | --- | --- |');
      for (const row of ofClass) {
        const answer = row.error !== undefined ? `error: ${row.error}` : `warning \`${row.warning!.id}\`: ${row.warning!.text}`;
        lines.push(`| \`${cell(row.prop)}\` | \`${cell(row.value)}\` | ${cell(answer)} |`);
      }
      lines.push('');
    }
  }
  return lines.join('\n');
}

/** A table cell: pipes escaped, one line. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}
