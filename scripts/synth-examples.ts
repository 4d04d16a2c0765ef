/**
 * Synthesizes every CDK app under examples/ (each folder with a cdk.json) into cdk.out/<app>/, the way
 * `cdk synth` would (the app command and context of its cdk.json), but without the CDK CLI, so nothing
 * reaches for AWS credentials, telemetry or notices. cdk-nag's AwsSolutions pack runs inside each app as a
 * validation plugin: an unacknowledged error fails that app's synth.
 *
 * Usage: npx projen synth:examples [app ...]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const examplesDir = join(root, 'examples');
const outRoot = join(root, 'cdk.out');

interface StackSummary {
  readonly app: string;
  readonly stack: string;
  readonly template: string;
  readonly resources: number;
  readonly bytes: number;
  readonly findings: string;
  readonly warnings: string;
}

function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Unacknowledged findings per plugin and severity, from the validation report the synth wrote (if any). */
function findingsOf(outdir: string): Map<string, string> {
  const perTemplate = new Map<string, string[]>();
  const reportPath = join(outdir, 'validation-report.json');
  if (existsSync(reportPath)) {
    for (const report of readJson(reportPath).pluginReports ?? []) {
      for (const violation of report.violations ?? []) {
        for (const construct of violation.violatingConstructs ?? []) {
          const template = construct.cloudFormationResource?.templatePath ?? '';
          const list = perTemplate.get(template) ?? [];
          list.push(`${violation.severity} ${violation.ruleName}`);
          perTemplate.set(template, list);
        }
      }
    }
  }
  const result = new Map<string, string>();
  for (const [template, list] of perTemplate) {
    result.set(template, list.join(', '));
  }
  return result;
}

/** The warnings annotated on a stack's constructs, by their acknowledgement id (`[ack: id]`). */
function warningsOf(outdir: string, artifact: any): string {
  const entries: Record<string, any[]> = {
    ...(artifact.metadata ?? {}),
    ...(artifact.additionalMetadataFile ? readJson(join(outdir, artifact.additionalMetadataFile)) : {}),
  };
  const ids = Object.values(entries).flat()
    .filter((entry) => entry.type === 'aws:cdk:warning')
    .map((entry) => /\[ack: ([^\]]+)\]$/.exec(String(entry.data))?.[1] ?? String(entry.data).slice(0, 60));
  return ids.length === 0 ? 'none' : ids.join(', ');
}

function synthApp(app: string): StackSummary[] {
  const dir = join(examplesDir, app);
  const cdkJson = readJson(join(dir, 'cdk.json'));
  const contextFile = join(dir, 'cdk.context.json');
  const context = { ...(cdkJson.context ?? {}), ...(existsSync(contextFile) ? readJson(contextFile) : {}) };
  const outdir = join(outRoot, app);
  rmSync(outdir, { recursive: true, force: true });

  console.log(`\n=== ${app}: ${cdkJson.app}`);
  const started = Date.now();
  const result = spawnSync(cdkJson.app, {
    cwd: dir,
    shell: true,
    stdio: 'inherit',
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
  });
  if (result.status !== 0) {
    throw new Error(`${app}: synth failed (exit ${result.status}); its output is above.`);
  }
  console.log(`${app}: synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s into ${relative(root, outdir)}/`);

  const findings = findingsOf(outdir);
  const manifest = readJson(join(outdir, 'manifest.json'));
  return Object.entries<any>(manifest.artifacts)
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([stack, artifact]) => {
      const templateFile = artifact.properties.templateFile;
      const templatePath = join(outdir, templateFile);
      return {
        app,
        stack,
        template: relative(root, templatePath),
        resources: Object.keys(readJson(templatePath).Resources ?? {}).length,
        bytes: statSync(templatePath).size,
        findings: findings.get(templateFile) ?? 'none',
        warnings: warningsOf(outdir, artifact),
      };
    });
}

function main() {
  const requested = process.argv.slice(2);
  const apps = readdirSync(examplesDir)
    .filter((name) => existsSync(join(examplesDir, name, 'cdk.json')))
    .filter((name) => requested.length === 0 || requested.includes(name))
    .sort();
  if (apps.length === 0) {
    throw new Error(`No example app matches ${requested.join(', ') || 'examples/*/cdk.json'}`);
  }

  const summaries: StackSummary[] = [];
  const failures: string[] = [];
  for (const app of apps) {
    try {
      summaries.push(...synthApp(app));
    } catch (e) {
      failures.push((e as Error).message);
    }
  }

  console.log('\nTemplates (limits: 500 resources and 1,048,576 bytes per template):');
  console.log('| app | stack | resources | template bytes | unacknowledged findings | warnings | template |');
  console.log('|---|---|---:|---:|---|---|---|');
  for (const s of summaries) {
    console.log(`| ${s.app} | ${s.stack} | ${s.resources} | ${s.bytes.toLocaleString('en-US')} | ${s.findings} | ${s.warnings} | ${s.template} |`);
  }
  if (failures.length > 0) {
    console.error(`\n${failures.length} app(s) failed:\n- ${failures.join('\n- ')}`);
    process.exit(1);
  }
}

main();
