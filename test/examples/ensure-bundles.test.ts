/**
 * scripts/ensure-bundles.mjs, the example apps' first step: in a checkout that has not bundled the Lambda handlers
 * yet, `cdk synth` or `cdk deploy` in an example folder bundles them instead of stopping at CannotFindAsset.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const SCRIPT = join(ROOT, 'scripts/ensure-bundles.mjs');

/** Calls an export of the script (ESM) in a Node.js of its own. */
function call(fn: 'expectedBundles' | 'missingBundles', root: string): string[] {
  return JSON.parse(execFileSync('node', ['--input-type=module', '-e',
    `const m = await import(${JSON.stringify(SCRIPT)}); console.log(JSON.stringify(m.${fn}(${JSON.stringify(root)})));`], { encoding: 'utf8' }));
}

test('one bundle per handler and the --full check, and this checkout has them all (the build bundles first)', () => {
  const expected = call('expectedBundles', ROOT);
  expect(expected).toContain('assets/secrets/signing-keys.lambda/index.js');
  expect(expected).toContain('assets/supabase/smoke-test/full/bundle/index.js');
  const handlers = execFileSync('git', ['ls-files', 'src'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.lambda.ts'));
  expect(expected).toHaveLength(handlers.length + 1);
  expect(call('missingBundles', ROOT)).toEqual([]);
});

test('a checkout without assets/ lists every bundle as missing', () => {
  const root = mkdtempSync(join(tmpdir(), 'bundles-'));
  mkdirSync(join(root, 'src/rds'), { recursive: true });
  writeFileSync(join(root, 'src/rds/bootstrap.lambda.ts'), '');
  writeFileSync(join(root, 'src/rds/bootstrap.ts'), '');
  expect(call('missingBundles', root)).toEqual([
    'assets/rds/bootstrap.lambda/index.js',
    'assets/supabase/smoke-test/full/bundle/index.js',
  ]);
});

test("every example app's command ensures the bundles before it runs main.ts", () => {
  const examples = join(ROOT, 'examples');
  const apps = readdirSync(examples).filter((name) => {
    try {
      return readFileSync(join(examples, name, 'cdk.json'), 'utf8').length > 0;
    } catch {
      return false;
    }
  });
  expect(apps.length).toBeGreaterThan(0);
  for (const name of apps) {
    expect(JSON.parse(readFileSync(join(examples, name, 'cdk.json'), 'utf8')).app).toBe('node ../../scripts/ensure-bundles.mjs && node --import tsx main.ts');
  }
});
