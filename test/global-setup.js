// Jest global setup and teardown: every `new App()` in the tests synthesizes into its own `cdk.out*` folder under the
// system's temporary directory (with a copy of the kubectl layer, about 10 MB), and nothing removes them. Each run
// left some 700 folders, several GB, until the disk filled. Setup notes when the run starts; teardown removes the
// folders this run created (those made since then), and only those.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const MARKER = path.join(os.tmpdir(), `cdk-supabase-on-aws-jest-${process.ppid}-${process.pid}.started`);

async function setup() {
  fs.writeFileSync(MARKER, String(Date.now()));
  process.env.CDK_SUPABASE_JEST_MARKER = MARKER;
}

async function teardown() {
  const marker = process.env.CDK_SUPABASE_JEST_MARKER;
  if (!marker || !fs.existsSync(marker)) {
    return;
  }
  const started = Number(fs.readFileSync(marker, 'utf8'));
  const tmp = os.tmpdir();
  for (const name of fs.readdirSync(tmp)) {
    if (!/^(cdk\.out|cdk8s\.outdir\.)/.test(name)) {
      continue;
    }
    const dir = path.join(tmp, name);
    try {
      if (fs.statSync(dir).birthtimeMs >= started || fs.statSync(dir).ctimeMs >= started) {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    } catch {
      // Removed concurrently, or not ours to remove: leave it.
    }
  }
  fs.rmSync(marker, { force: true });
}

module.exports = setup;
module.exports.teardown = teardown;
