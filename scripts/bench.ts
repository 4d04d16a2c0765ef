/**
 * The synthesis benchmark: for each app under examples/ (and a baseline app that only creates an empty stack with
 * aws-cdk-lib, measured in the same run), one warm-up synth, then `--runs` timed synths (default 5), each a fresh
 * run of the app command of its cdk.json through the shell with its context, exactly as `cdk synth` runs it. Every
 * app is measured twice: as `cdk synth` runs it by default, and with aws-cdk-lib's built-in CloudFormation
 * validation switched off (`CDK_VALIDATION=false`), which shows the cost of the app itself. Reports the median and
 * spread (min-max) of wall time and peak memory (the largest max RSS of the Node.js processes the command starts),
 * the ratio to the baseline, and per stack the resources, template bytes, the largest kubectl manifest and the asset
 * bytes in cdk.out, with the headroom to CloudFormation's limits. Writes .bench/results.json and .bench/results.md
 * and prints the Markdown.
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

/** Appends each Node.js process's peak resident set (kB) to the file in BENCH_RSS_FILE when it exits. */
const RSS_PRELOAD = 'process.on(\'exit\', () => require(\'fs\').appendFileSync(process.env.BENCH_RSS_FILE, `${process.resourceUsage().maxRSS}\\n`));';

/** The baseline runs the way the examples do (their cdk.json's `app` command), with this file as main.ts. */
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
/** An app to synthesize: its folder, the app command of its cdk.json and the context. */
interface BenchTarget {
  readonly app: string;
  readonly dir: string;
  readonly command: string;
  readonly context: object;
}
/** A way to run every app: a title and the environment variables it sets. */
interface Mode {
  readonly key: string;
  readonly title: string;
  readonly env: Record<string, string>;
}
interface ModeFigures {
  readonly mode: Mode;
  readonly baseline: AppFigures;
  readonly results: AppFigures[];
}
const MODES: Mode[] = [
  { key: 'default', title: 'as `cdk synth` runs it (with aws-cdk-lib\'s built-in CloudFormation validation)', env: {} },
  { key: 'noValidation', title: 'with `CDK_VALIDATION=false` (the cost of the app itself)', env: { CDK_VALIDATION: 'false' } },
];

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

/** One synth by the app command `command` in `dir` into `outdir`, in fresh processes; wall time and peak memory. */
function synthOnce(target: BenchTarget, mode: Mode, outdir: string, preload: string): Run {
  rmSync(outdir, { recursive: true, force: true });
  const rssFile = join(outdir + '.rss');
  rmSync(rssFile, { force: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${preload}`.trim(),
    CDK_OUTDIR: outdir,
    CDK_CONTEXT_JSON: JSON.stringify(target.context),
    BENCH_RSS_FILE: rssFile,
  };
  delete env.CDK_VALIDATION;
  Object.assign(env, mode.env);
  const started = process.hrtime.bigint();
  const result = spawnSync(target.command, { cwd: target.dir, shell: true, encoding: 'utf8', env });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    throw new Error(`synth of ${target.dir} (${target.command}) failed (exit ${result.status}):\n${result.stderr}`);
  }
  const rssMb = Math.max(...readFileSync(rssFile, 'utf8').trim().split('\n').map(Number)) / 1024;
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

function benchApp(target: BenchTarget, mode: Mode, runs: number, work: string, preload: string): AppFigures {
  const { app } = target;
  const outdir = join(work, app.replace(/[^a-z0-9-]/gi, '-'));
  synthOnce(target, mode, outdir, preload); // warm-up: disk cache, tsx's transform cache
  const measured: Run[] = [];
  for (let i = 0; i < runs; i++) {
    measured.push(synthOnce(target, mode, outdir, preload));
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

function markdown(modes: ModeFigures[], machine: string, runs: number): string {
  const n = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const pct = (used: number, limit: number) => `${n(100 - (100 * used) / limit)} %`;
  const lines = [`Synthesis, ${runs} runs after a warm-up, each a fresh run of the app command of its cdk.json; ${machine}.`];
  for (const { mode, baseline, results } of modes) {
    lines.push(
      '',
      `Each app ${mode.title}:`,
      '',
      '| app | wall time, median (min-max) | × baseline | peak memory, median (min-max) | × baseline | assets in cdk.out |',
      '|---|---:|---:|---:|---:|---:|',
      ...[baseline, ...results].map((r) => `| ${r.app} | ${n(r.medianSeconds, 2)} s (${n(r.minSeconds, 2)}-${n(r.maxSeconds, 2)}) `
        + `| ${n(r.medianSeconds / baseline.medianSeconds, 1)} | ${n(r.medianRssMb)} MB (${n(r.minRssMb)}-${n(r.maxRssMb)}) `
        + `| ${n(r.medianRssMb / baseline.medianRssMb, 1)} | ${n(r.assetBytes / 1024 / 1024, 1)} MB |`),
    );
  }
  lines.push(
    '',
    '| stack | resources (headroom to 500) | template bytes (headroom to 1 MB) | largest kubectl manifest (headroom to 256 KB) |',
    '|---|---:|---:|---:|',
    ...modes[0].results.flatMap((r) => r.stacks.map((s) => `| ${s.stack} | ${s.resources} (${pct(s.resources, MAX_RESOURCES)}) `
      + `| ${n(s.templateBytes)} (${pct(s.templateBytes, MAX_TEMPLATE_BYTES)}) | `
      + `${s.largestManifestBytes ? `${n(s.largestManifestBytes)} (${pct(s.largestManifestBytes, MAX_MANIFEST_BYTES)})` : '-'} |`)),
  );
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
    const targets = readdirSync(examplesDir)
      .filter((name) => existsSync(join(examplesDir, name, 'cdk.json')))
      .sort()
      .map((name): BenchTarget => {
        const dir = join(examplesDir, name);
        const cdkJson = JSON.parse(readFileSync(join(dir, 'cdk.json'), 'utf8'));
        return { app: name, dir, command: cdkJson.app, context: cdkJson.context ?? {} };
      });
    // Inside the repository (in the git-ignored .bench/) so that it resolves tsx and aws-cdk-lib as the examples do.
    const baselineDir = join(benchDir, 'baseline-app');
    mkdirSync(baselineDir, { recursive: true });
    writeFileSync(join(baselineDir, 'main.ts'), BASELINE_APP);
    // For an app command that names `../tsconfig.json`, as the examples' may.
    writeFileSync(join(benchDir, 'tsconfig.json'), JSON.stringify({ extends: '../examples/tsconfig.json', include: ['baseline-app/*.ts'] }));
    const baselineTarget: BenchTarget = { app: 'baseline (empty Stack)', dir: baselineDir, command: targets[0].command, context: {} };
    const modes = MODES.map((mode): ModeFigures => {
      console.error(`bench: baseline, ${mode.key} (${runs} runs)`);
      const baseline = benchApp(baselineTarget, mode, runs, work, preload);
      const results = targets.map((target) => {
        console.error(`bench: ${target.app}, ${mode.key} (${runs} runs)`);
        return benchApp(target, mode, runs, work, preload);
      });
      return { mode, baseline, results };
    });
    const cpus = os.cpus();
    const machine = `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${n0(os.totalmem() / 1024 ** 3)} GiB, ${os.platform()} ${os.release()}, Node.js ${process.version}`;
    const table = markdown(modes, machine, runs);
    mkdirSync(benchDir, { recursive: true });
    writeFileSync(join(benchDir, 'results.json'), JSON.stringify({ machine, runs, modes }, undefined, 2));
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
