// Jest global setup and teardown. Every `new App()` in the tests synthesizes into its own `cdk.out*` folder under the
// system's temporary directory (with a copy of the kubectl layer, about 10 MB), and nothing removes them; each run
// left some 700 folders, several GB, until the disk filled. Setup points this run's temporary directory (TMPDIR,
// which the workers inherit) at a folder of its own; teardown removes that folder. Concurrent runs never touch each
// other's folders.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-supabase-on-aws-jest-'));
  // Like /tmp itself: the PostgreSQL test servers run as an unprivileged user and must reach their folders inside.
  fs.chmodSync(dir, 0o1777);
  process.env.CDK_SUPABASE_JEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
  // aws-cdk-lib's built-in CloudFormation validation takes about half of every synth (a WebAssembly engine) and only
  // prints warnings; the unit tests assert on templates, not on it. The example gate turns it back on for its own
  // check (test/examples/examples.test.ts), where a finding fails the test.
  process.env.CDK_VALIDATION = 'false';
}

async function teardown() {
  const dir = process.env.CDK_SUPABASE_JEST_TMPDIR;
  if (dir && path.basename(dir).startsWith('cdk-supabase-on-aws-jest-')) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = setup;
module.exports.teardown = teardown;
