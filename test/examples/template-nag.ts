/**
 * cdk-nag over what is deployed: the synthesized template of a stack, included into a fresh stack.
 *
 * The in-app pass (`AwsSolutionsChecks.validateScope(stack)`) runs each rule on the L1 construct it finds, and the
 * rules test the L1 class (`node instanceof CfnRole`); resources that aws-cdk-lib writes as plain `CfnResource`s (the
 * roles and handlers of its singleton custom-resource providers) are never judged. `CfnInclude` turns every resource
 * of the template into its L1 class, so here each rule sees each resource of the template.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnResource, Stack, Validations, cloudformation_include as cfn_inc } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** One cdk-nag acknowledgment: the rule (finding) id and the path of the construct it was recorded on. */
export interface NagAcknowledgment {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** The key of an acknowledgment in reports and sets. */
export function acknowledgmentKey(ack: NagAcknowledgment): string {
  return `${ack.id} at ${ack.path}`;
}

/**
 * The cdk-nag acknowledgments recorded on `construct` itself (not its ancestors). Validations.acknowledge() stores
 * an id without a known prefix as `Annotation::<id>` (older aws-cdk-lib: `annotation::`); cdk-nag strips it. Only
 * cdk-nag's AwsSolutions ids count here; the CloudFormation-Validate ones belong to aws-cdk-lib's built-in check.
 */
function acknowledgmentsOn(construct: IConstruct): NagAcknowledgment[] {
  return construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && entry.data)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
    .map(([key, reason]) => ({ path: construct.node.path, id: key.replace(/^annotation::/i, ''), reason }))
    .filter((ack) => ack.id.startsWith('AwsSolutions-'));
}

/** Every cdk-nag acknowledgment recorded on `scope` and the constructs under it. */
export function nagAcknowledgments(scope: IConstruct): NagAcknowledgment[] {
  return scope.node.findAll().flatMap(acknowledgmentsOn);
}

/** The acknowledgments that apply to `resource`: those on itself and on every ancestor (as cdk-nag reads them). */
function acknowledgmentsFor(resource: IConstruct): NagAcknowledgment[] {
  return resource.node.scopes.flatMap(acknowledgmentsOn);
}

/** What the template pass found in one stack. */
export interface TemplatePassResult {
  /** Each finding no acknowledgment covers: `<finding id> on <construct path in the app>`. */
  readonly unacknowledged: string[];
  /** Each finding of the template, acknowledged or not (`<finding id> on <path>`), for the report. */
  readonly findings: string[];
  /** The keys (acknowledgmentKey) of the acknowledgments that covered a finding. */
  readonly used: Set<string>;
  /** The violations cdk-nag reports on the included template with the app's acknowledgments re-applied. */
  readonly violations: string[];
}

/**
 * Includes the synthesized template of `stack` into a fresh stack, runs AwsSolutionsChecks on it once bare (every
 * finding, to learn which acknowledgment each one uses) and once with the app's acknowledgments re-applied to the
 * included resources by logical id (what cdk-nag itself then still reports).
 */
export function templatePass(stack: Stack): TemplatePassResult {
  const template = Template.fromStack(stack).toJSON();
  const file = join(mkdtempSync(join(tmpdir(), 'template-nag-')), `${stack.artifactId}.template.json`);
  writeFileSync(file, JSON.stringify(template));

  const originals = new Map<string, CfnResource>();
  for (const construct of stack.node.findAll()) {
    if (CfnResource.isCfnResource(construct) && Stack.of(construct) === stack) {
      originals.set(stack.resolve(construct.logicalId), construct);
    }
  }

  const fresh = new Stack(new App(), 'Included');
  const included = new cfn_inc.CfnInclude(fresh, 'Template', { templateFile: file });
  const logicalIdOf = new Map<string, string>();
  for (const logicalId of Object.keys(template.Resources ?? {})) {
    logicalIdOf.set(included.getResource(logicalId).node.path, logicalId);
  }

  const unacknowledged: string[] = [];
  const findings: string[] = [];
  const used = new Set<string>();
  for (const violation of new AwsSolutionsChecks().validateScope(fresh).violations) {
    for (const { constructPath } of violation.violatingResources) {
      const logicalId = logicalIdOf.get(constructPath);
      const original = logicalId === undefined ? undefined : originals.get(logicalId);
      const where = original?.node.path ?? `${logicalId ?? constructPath} (no construct in the app)`;
      findings.push(`${violation.ruleName} on ${where}`);
      const covering = original ? acknowledgmentsFor(original).filter((ack) => ack.id === violation.ruleName) : [];
      if (covering.length === 0) {
        unacknowledged.push(`${violation.ruleName} on ${where}`);
      }
      covering.forEach((ack) => used.add(acknowledgmentKey(ack)));
    }
  }

  for (const [logicalId, original] of originals) {
    const acks = acknowledgmentsFor(original);
    if (acks.length > 0 && template.Resources?.[logicalId]) {
      Validations.of(included.getResource(logicalId)).acknowledge(...acks.map(({ id, reason }) => ({ id, reason })));
    }
  }
  const violations = new AwsSolutionsChecks().validateScope(fresh).violations
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} on ${logicalIdOf.get(r.constructPath) ?? r.constructPath}`));

  return { unacknowledged, findings, used, violations };
}

/**
 * The acknowledgments the in-app pass uses: its findings on `stack` with every acknowledgment ignored, each matched
 * to the acknowledgments on the resource and its ancestors, as cdk-nag matches them. cdk-nag has no option to report
 * acknowledged findings, so this one instance's (private) acknowledgment check is replaced; if a cdk-nag release
 * renames it, this throws rather than pass silently.
 */
export function inAppUsed(stack: Stack): Set<string> {
  const checks = new AwsSolutionsChecks();
  const internals = checks as unknown as { isAcknowledged?: unknown };
  if (typeof internals.isAcknowledged !== 'function') {
    throw new Error('cdk-nag\'s NagPack no longer has isAcknowledged(resource, ruleId): update inAppUsed() to the new release.');
  }
  const used = new Set<string>();
  internals.isAcknowledged = (resource: IConstruct, ruleId: string) => {
    acknowledgmentsFor(resource).filter((ack) => ack.id === ruleId).forEach((ack) => used.add(acknowledgmentKey(ack)));
    return false;
  };
  checks.validateScope(stack);
  return used;
}
