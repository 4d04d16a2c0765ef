#!/usr/bin/env node
// The example apps' first step (their cdk.json runs it before main.ts): in a checkout of this repository the
// Lambda handlers and the smoke test's --full check are bundled into assets/ by `npx projen bundle`, which a fresh
// clone has not run yet, so `cdk synth` or `cdk deploy` in an example folder would stop at CannotFindAsset. This
// bundles them when one is missing, and otherwise costs a directory scan. Plain JavaScript, so that it adds no
// TypeScript start-up to every synth. An app that installs the package from npm has the bundles in the package.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The bundles a checkout needs: assets/<path of each src/**\/*.lambda.ts without .ts>/index.js, and the --full check. */
export function expectedBundles(repositoryRoot) {
  const bundles = [join('assets', 'supabase', 'smoke-test', 'full', 'bundle', 'index.js')];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
      } else if (entry.name.endsWith('.lambda.ts')) {
        bundles.push(join('assets', relative(join(repositoryRoot, 'src'), path).replace(/\.ts$/, ''), 'index.js'));
      }
    }
  };
  walk(join(repositoryRoot, 'src'));
  return bundles.sort();
}

/** The bundles that are not there. */
export function missingBundles(repositoryRoot) {
  return expectedBundles(repositoryRoot).filter((bundle) => !existsSync(join(repositoryRoot, bundle)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const missing = missingBundles(root);
  if (missing.length > 0) {
    process.stderr.write(`ensure-bundles: ${missing.length} bundle(s) missing (${missing[0]}${missing.length > 1 ? ', ...' : ''}); running npx projen bundle\n`);
    const result = spawnSync('npx', ['projen', 'bundle'], { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
    const still = missingBundles(root);
    if (result.status !== 0 || still.length > 0) {
      process.stderr.write(`ensure-bundles: npx projen bundle failed (exit ${result.status}); run it from ${root} and look at its output\n`);
      process.exit(1);
    }
  }
}
