/**
 * The synthesis benchmark: for each app under examples/ (and a baseline app that only creates an empty stack with
 * aws-cdk-lib, measured in the same run), one warm-up synth, then `--runs` timed synths (default 5), each in a fresh
 * Node.js process exactly like `cdk synth` runs the app (tsx, the app's cdk.json context). Reports the median and
 * spread (min-max) of wall time and peak memory (the process's max RSS), the ratio to the baseline, and per stack the
 * resources, template bytes, the largest kubectl manifest and the asset bytes in cdk.out, with the headroom to
 * CloudFormation's limits. Writes .bench/results.json and .bench/results.md and prints the Markdown.
 *
 * Usage: npm run bench [-- --runs 5]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const examplesDir = join(root, 'examples');
const benchDir = join(root, '.bench');
const MAX_RESOURCES = 500;
const MAX_TEMPLATE_BYTES = 1024 * 1024;
const MAX_MANIFEST_BYTES = 256 * 1024;

/** Writes the process's peak resident set (kB) to the file in BENCH_RSS_FILE when the synth process exits. */
const RSS_PRELOAD = 'process.on(\'exit\', () => require(\'fs\').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));';

const BASELINE_APP = `import { App, Stack } from 'aws-cdk-lib';
const app = new App();
new Stack(app, 'Baseline');
app.synth();
`;

interface Run { readonly seconds: number; readonly rssMb: number }
interface StackFigures {
  readonly stack: string;
  readonly resources: number;
  readonly templateBytes: number;
  readonly largestManifestBytes: number;
}
interface AppFigures {
  readonly app: string;
  readonly runs: Run[];
  readonly medianSeconds: number;
  readonly minSeconds: number;
  readonly maxSeconds: number;
  readonly medianRssMb: number;
  readonly minRssMb: number;
  readonly maxRssMb: number;
  readonly assetBytes: number;
  readonly stacks: StackFigures[];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function duSync(path: string): number {
  const stat = statSync(path);
  return stat.isDirectory() ? readdirSync(path).reduce((sum, name) => sum + duSync(join(path, name)), 0) : stat.size;
}

/** One synth of the app in `dir` (its file `entry`) into `outdir`, in a fresh process; wall time and peak memory. */
function synthOnce(dir: string, entry: string, tsconfig: string, context: object, outdir: string, preload: string): Run {
  rmSync(outdir, { recursive: true, force: true });
  const rssFile = join(outdir + '.rss');
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--require', preload, '--import', 'tsx', entry], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: tsconfig,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify(context),
      BENCH_RSS_FILE: rssFile,
    },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    throw new Error(`synth of ${dir} failed (exit ${result.status}):\n${result.stderr}`);
  }
  const rssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
  rmSync(rssFile, { force: true });
  return { seconds, rssMb };
}

function stackFigures(outdir: string): StackFigures[] {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
  return Object.entries<any>(manifest.artifacts)
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([stack, artifact]) => {
      const path = join(outdir, artifact.properties.templateFile);
      const template = JSON.parse(readFileSync(path, 'utf8'));
      const manifests = Object.values<any>(template.Resources ?? {})
        .filter((r) => r.Type === 'Custom::AWSCDK-EKS-KubernetesResource')
        .map((r) => Buffer.byteLength(JSON.stringify(r.Properties.Manifest)));
      return {
        stack,
        resources: Object.keys(template.Resources ?? {}).length,
        templateBytes: statSync(path).size,
        largestManifestBytes: manifests.length ? Math.max(...manifests) : 0,
      };
    });
}

interface BenchTarget {
  readonly app: string;
  readonly dir: string;
  readonly entry: string;
  readonly context: object;
}

function benchApp(target: BenchTarget, tsconfig: string, runs: number, work: string, preload: string): AppFigures {
  const { app, dir, entry, context } = target;
  const outdir = join(work, app.replace(/[^a-z0-9-]/gi, '-'));
  synthOnce(dir, entry, tsconfig, context, outdir, preload); // warm-up: disk cache, tsx's transform cache
  const measured: Run[] = [];
  for (let i = 0; i < runs; i++) {
    measured.push(synthOnce(dir, entry, tsconfig, context, outdir, preload));
  }
  const assetBytes = readdirSync(outdir).filter((name) => name.startsWith('asset.')).reduce((sum, name) => sum + duSync(join(outdir, name)), 0);
  const seconds = measured.map((r) => r.seconds);
  const rss = measured.map((r) => r.rssMb);
  return {
    app,
    runs: measured,
    medianSeconds: median(seconds),
    minSeconds: Math.min(...seconds),
    maxSeconds: Math.max(...seconds),
    medianRssMb: median(rss),
    minRssMb: Math.min(...rss),
    maxRssMb: Math.max(...rss),
    assetBytes,
    stacks: stackFigures(outdir),
  };
}

function markdown(results: AppFigures[], baseline: AppFigures, machine: string, runs: number): string {
  const n = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const pct = (used: number, limit: number) => `${n(100 - (100 * used) / limit)} %`;
  const lines = [
    `Synthesis, ${runs} runs after a warm-up, each a fresh process; ${machine}.`,
    '',
    '| app | wall time, median (min-max) | × baseline | peak memory, median (min-max) | × baseline | assets in cdk.out |',
    '|---|---:|---:|---:|---:|---:|',
    ...[baseline, ...results].map((r) => `| ${r.app} | ${n(r.medianSeconds, 2)} s (${n(r.minSeconds, 2)}-${n(r.maxSeconds, 2)}) | ${n(r.medianSeconds / baseline.medianSeconds, 1)} `
      + `| ${n(r.medianRssMb)} MB (${n(r.minRssMb)}-${n(r.maxRssMb)}) | ${n(r.medianRssMb / baseline.medianRssMb, 1)} | ${n(r.assetBytes / 1024 / 1024, 1)} MB |`),
    '',
    '| stack | resources (headroom to 500) | template bytes (headroom to 1 MB) | largest kubectl manifest (headroom to 256 KB) |',
    '|---|---:|---:|---:|',
    ...results.flatMap((r) => r.stacks.map((s) => `| ${s.stack} | ${s.resources} (${pct(s.resources, MAX_RESOURCES)}) | ${n(s.templateBytes)} (${pct(s.templateBytes, MAX_TEMPLATE_BYTES)}) | `
      + `${s.largestManifestBytes ? `${n(s.largestManifestBytes)} (${pct(s.largestManifestBytes, MAX_MANIFEST_BYTES)})` : '-'} |`)),
  ];
  return lines.join('\n');
}

function main() {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 5;
  if (!(Number.isInteger(runs) && runs >= 1)) {
    throw new Error(`--runs must be a whole number of at least 1, got ${process.argv[runsArg + 1]}`);
  }
  const work = mkdtempSync(join(os.tmpdir(), 'cdk-supabase-bench-'));
  try {
    const preload = join(work, 'rss.cjs');
    writeFileSync(preload, RSS_PRELOAD);
    // Inside the repository (in the git-ignored .bench/) so that it resolves tsx and aws-cdk-lib as the examples do.
    const baselineDir = join(benchDir, 'baseline-app');
    mkdirSync(baselineDir, { recursive: true });
    writeFileSync(join(baselineDir, 'main.ts'), BASELINE_APP);
    const tsconfig = join(examplesDir, 'tsconfig.json');
    const baseline = benchApp({ app: 'baseline (empty Stack)', dir: baselineDir, entry: join(baselineDir, 'main.ts'), context: {} }, tsconfig, runs, work, preload);
    const results = readdirSync(examplesDir)
      .filter((name) => existsSync(join(examplesDir, name, 'cdk.json')))
      .sort()
      .map((name) => {
        const dir = join(examplesDir, name);
        const context = JSON.parse(readFileSync(join(dir, 'cdk.json'), 'utf8')).context ?? {};
        console.error(`bench: ${name} (${runs} runs)`);
        return benchApp({ app: name, dir, entry: join(dir, 'main.ts'), context }, tsconfig, runs, work, preload);
      });
    const cpus = os.cpus();
    const machine = `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${n0(os.totalmem() / 1024 ** 3)} GiB, ${os.platform()} ${os.release()}, Node.js ${process.version}`;
    const table = markdown(results, baseline, machine, runs);
    mkdirSync(benchDir, { recursive: true });
    writeFileSync(join(benchDir, 'results.json'), JSON.stringify({ machine, runs, baseline, results }, undefined, 2));
    writeFileSync(join(benchDir, 'results.md'), `${table}\n`);
    console.log(table);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function n0(value: number): string {
  return value.toFixed(0);
}

main();
