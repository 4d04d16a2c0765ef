/**
 * The security gate over every app under examples/: each stack synthesizes with no unacknowledged cdk-nag
 * AwsSolutions finding, cfn-lint reports no error, CloudFormation's limits hold with room to spare, and a
 * snapshot (asset hashes masked) catches unintended changes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EXAMPLES, buildExample } from './example-app';
import { TemplatePassResult, acknowledgmentKey, inAppUsed, nagAcknowledgments, templatePass } from './template-nag';
import { secretLeaks } from '../supabase/secret-leaks';

const MAX_RESOURCES = 500;
const MAX_TEMPLATE_BYTES = 1024 * 1024;
/** What the kubectl handler's payload may weigh (the Lambda invocation limit): half of it is the gate. */
const MAX_MANIFEST_BYTES = 256 * 1024;

const apps = readdirSync(EXAMPLES).filter((name) => existsSync(join(EXAMPLES, name, 'cdk.json'))).sort();

/** Every stack of the example, built the way `cdk synth` would. */
function exampleStacks(name: string): Stack[] {
  return buildExample(name).app.node.children.filter((c): c is Stack => c instanceof Stack);
}

/** The template with asset hashes (64 hex digits) masked, so that a rebuilt Lambda bundle is not a change. */
function maskedTemplate(stack: Stack): unknown {
  const json = JSON.stringify(Template.fromStack(stack).toJSON());
  return JSON.parse(json.replace(/[0-9a-f]{64}/g, '<asset-hash>'));
}

test('there is at least one example app', () => {
  expect(apps.length).toBeGreaterThan(0);
});

describe.each(apps)('example %s', (name) => {
  const stacks = exampleStacks(name);

  test('has stacks', () => {
    expect(stacks.length).toBeGreaterThan(0);
  });

  test('aws-cdk-lib\'s built-in CloudFormation validation finds nothing', () => {
    // The test run turns the validation off for speed (test/global-setup.js); this check needs it on. Synth writes the
    // validation report only when a plugin found something.
    const saved = process.env.CDK_VALIDATION;
    process.env.CDK_VALIDATION = 'true';
    let assembly;
    try {
      assembly = buildExample(name).app.synth();
    } finally {
      process.env.CDK_VALIDATION = saved;
    }
    const report = join(assembly.directory, 'validation-report.json');
    const violations = existsSync(report)
      ? JSON.parse(readFileSync(report, 'utf8')).pluginReports.flatMap((r: any) => r.violations.map((v: any) => `${r.pluginName} ${v.ruleName}: ${v.description}`))
      : [];
    expect(violations).toEqual([]);
  });

  test('the app command of its cdk.json synthesizes every stack, and does not go through npx', () => {
    // What `cdk synth` runs. Through `npx tsx`, npm's start-up alone added about 0.35 s to every synth (npm run bench).
    const cdkJson = JSON.parse(readFileSync(join(EXAMPLES, name, 'cdk.json'), 'utf8'));
    expect(cdkJson.app).not.toMatch(/\bnpx\b/);
    const outdir = mkdtempSync(join(tmpdir(), `app-${name}-`));
    const result = spawnSync(cdkJson.app, {
      cwd: join(EXAMPLES, name),
      shell: true,
      encoding: 'utf8',
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(cdkJson.context ?? {}) },
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    const artifacts = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')).artifacts;
    const synthesized = Object.keys(artifacts).filter((id) => artifacts[id].type === 'aws:cloudformation:stack');
    expect(synthesized.sort()).toEqual(stacks.map((s) => s.artifactId).sort());
  });

  test.each(stacks.map((s) => [s.stackName, s] as const))('%s: cdk-nag AwsSolutions finds nothing unacknowledged', (_id, stack) => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  // The template pass (test/examples/template-nag.ts): what is deployed, including the resources aws-cdk-lib writes as
  // plain CfnResources, which the in-app pass above never judges.
  const templatePasses = new Map<Stack, TemplatePassResult>();
  const templatePassOf = (stack: Stack) => templatePasses.get(stack) ?? templatePasses.set(stack, templatePass(stack)).get(stack)!;

  test.each(stacks.map((s) => [s.stackName, s] as const))('%s: cdk-nag AwsSolutions on the synthesized template finds nothing unacknowledged', (_id, stack) => {
    const result = templatePassOf(stack);
    expect(result.unacknowledged).toEqual([]);
    // The same, by cdk-nag itself, with the app's acknowledgments re-applied to the included resources by logical id.
    expect(result.violations).toEqual([]);
  });

  test('every cdk-nag acknowledgment covers a finding of a resource under it', () => {
    const used = new Set<string>();
    for (const stack of stacks) {
      templatePassOf(stack).used.forEach((key) => used.add(key));
      inAppUsed(stack).forEach((key) => used.add(key));
    }
    const acknowledgments = nagAcknowledgments(stacks[0].node.root);
    expect(acknowledgments.length).toBeGreaterThan(0);
    expect(acknowledgments.map(acknowledgmentKey).filter((key) => !used.has(key))).toEqual([]);
  });

  test.each(stacks.map((s) => [s.stackName, s] as const))('%s: no warning from the library or the CDK', (_id, stack) => {
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue());
    expect(warnings.map((w) => `${w.id}: ${String(w.entry.data).slice(0, 120)}`)).toEqual([]);
  });

  test.each(stacks.map((s) => [s.stackName, s] as const))('%s: within CloudFormation limits', (_id, stack) => {
    const template = Template.fromStack(stack).toJSON();
    const resources = Object.keys(template.Resources ?? {}).length;
    const bytes = Buffer.byteLength(JSON.stringify(template));
    console.log(`${name}/${stack.stackName}: ${resources} resources, ${bytes} bytes`);
    expect(resources).toBeLessThan(MAX_RESOURCES);
    expect(bytes).toBeLessThan(MAX_TEMPLATE_BYTES);
  });

  test.each(stacks.map((s) => [s.stackName, s] as const))('%s: each kubectl manifest payload well under 256 KB', (_id, stack) => {
    const resources = Object.values(Template.fromStack(stack).toJSON().Resources ?? {}) as any[];
    const payloads = resources.filter((r) => r.Type === 'Custom::AWSCDK-EKS-KubernetesResource')
      .map((r) => Buffer.byteLength(JSON.stringify(r.Properties.Manifest)));
    if (payloads.length > 0) {
      console.log(`${name}/${stack.stackName}: ${payloads.length} manifests, largest ${Math.max(...payloads)} bytes`);
    }
    for (const bytes of payloads) {
      expect(bytes).toBeLessThan(MAX_MANIFEST_BYTES / 2);
    }
  });

  test.each(stacks.map((s) => [s.stackName, s] as const))('%s: no JWT, API key, key material or password in the template', (_id, stack) => {
    expect(secretLeaks(JSON.stringify(Template.fromStack(stack).toJSON()))).toEqual([]);
  });

  test.each(stacks.map((s) => [s.stackName, s] as const))('%s: snapshot', (_id, stack) => {
    expect(maskedTemplate(stack)).toMatchSnapshot();
  });

  test('cfn-lint reports no error on any template', () => {
    const dir = mkdtempSync(join(tmpdir(), `cfn-lint-${name}-`));
    const files = stacks.map((stack) => {
      const file = join(dir, `${stack.stackName}.template.json`);
      writeFileSync(file, JSON.stringify(Template.fromStack(stack).toJSON(), undefined, 1));
      return file;
    });
    const result = spawnSync('cfn-lint', ['--format', 'parseable', ...files], { encoding: 'utf8' });
    if (result.error) {
      throw new Error(`cfn-lint could not run (${result.error.message}); install it (pip install cfn-lint) - the gate never skips it.`);
    }
    // cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational; anything else is a failure to run.
    const errors = result.stdout.split('\n').filter((line) => /:E\d{4}:/.test(line));
    expect({ errors, stderr: result.stderr.trim() }).toEqual({ errors: [], stderr: '' });
    expect([0, 4, 8, 12]).toContain(result.status);
  });
});
