/**
 * The README's quick start, run as written (with the library's source in place of the npm package): it synthesizes,
 * with no warning from the library or the CDK.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/** The first TypeScript block under the README's `## Quick start`. */
function quickStartCode(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) {
    throw new Error('README.md has no ```ts block under "## Quick start"');
  }
  return block[1];
}

test('the README quick start synthesizes with no warning', () => {
  const code = quickStartCode();
  expect(code).toContain("from 'cdk-supabase-on-aws'");
  // Within the repository (so that its node_modules resolve), reading the warnings after the README's own synth.
  const dir = mkdtempSync(join(ROOT, 'test', '.quick-start-'));
  try {
    const file = join(dir, 'app.ts');
    writeFileSync(file, [
      code.replace("from 'cdk-supabase-on-aws'", `from ${JSON.stringify(join(ROOT, 'src'))}`),
      "import { Annotations as Found, Match } from 'aws-cdk-lib/assertions';",
      'const warnings = Found.fromStack(stack).findWarning(\'*\', Match.anyValue());',
      'console.log(JSON.stringify(warnings.map((w) => `${w.id}: ${String(w.entry.data)}`)));',
    ].join('\n'));
    const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [file], {
      cwd: dir, encoding: 'utf8', env: { ...process.env, CDK_OUTDIR: join(dir, 'cdk.out') },
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(result.stdout.trim().split('\n').pop()!)).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
