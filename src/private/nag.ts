import { Stack, Validations, aws_iam as iam } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * cdk-nag names each finding of a rule that can fire several times on one resource (IAM4 per managed policy, IAM5
 * per wildcard) `<rule>[<finding>]`, with CloudFormation references written as `<LogicalId.Attribute>` and
 * `<AWS::Partition>`. An acknowledgment must use that exact name, so it names the policy or the wildcard it
 * accepts, and nothing else.
 */
export function findingText(value: unknown): string {
  if (typeof value === 'string') {
    return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  }
  if (!value || typeof value !== 'object') {
    return JSON.stringify(value);
  }
  const node = value as Record<string, any>;
  if (node['Fn::Join']) {
    const [delimiter, parts] = node['Fn::Join'];
    return (parts as unknown[]).map(findingText).join(delimiter);
  }
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'];
    return `<${findingText(resource)}.${findingText(attribute)}>`;
  }
  if (node['Fn::Sub']) {
    return findingText(node['Fn::Sub']);
  }
  if (node['Fn::ImportValue']) {
    return findingText(node['Fn::ImportValue']);
  }
  if (node.Ref) {
    return `<${node.Ref}>`;
  }
  return JSON.stringify(value);
}

/** The text of an AWS managed policy's ARN in cdk-nag's findings. */
export function managedPolicyFinding(policyName: string): string {
  return `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policyName}]`;
}

/** Acknowledges AwsSolutions-IAM4 for each named AWS managed policy, on `scope` and everything under it. */
export function acknowledgeManagedPolicies(scope: IConstruct, reasons: Record<string, string>): void {
  Validations.of(scope).acknowledge(...Object.entries(reasons).map(([policyName, reason]) => ({
    id: managedPolicyFinding(policyName),
    reason,
  })));
}

/** Acknowledges AwsSolutions-IAM4 for every AWS managed policy that `role` has now. */
export function acknowledgeAllManagedPolicies(role: iam.IRole, reason: string): void {
  const cfnRole = role.node.defaultChild as iam.CfnRole | undefined;
  const arns = cfnRole ? Stack.of(role).resolve(cfnRole.managedPolicyArns) as unknown[] | undefined : undefined;
  const ids = (arns ?? []).map(findingText).filter((arn) => arn.includes(':iam::aws:'));
  if (ids.length > 0) {
    Validations.of(role).acknowledge(...ids.map((arn) => ({ id: `AwsSolutions-IAM4[Policy::${arn}]`, reason })));
  }
}

/** Acknowledges AwsSolutions-IAM5 for every wildcard action and resource of `document`, on `scope`. */
export function acknowledgeWildcards(scope: IConstruct, document: iam.PolicyDocument, reason: string): void {
  const resolved = Stack.of(scope).resolve(document.toJSON()) as { Statement?: any[] } | undefined;
  const ids = new Set<string>();
  for (const statement of resolved?.Statement ?? []) {
    for (const [key, prefix] of [['Action', 'Action'], ['Resource', 'Resource']] as const) {
      const values = statement[key] === undefined ? [] : [statement[key]].flat();
      for (const value of values) {
        const text = findingText(value);
        if (text.includes('*')) {
          ids.add(`AwsSolutions-IAM5[${prefix}::${text}]`);
        }
      }
    }
  }
  if (ids.size > 0) {
    Validations.of(scope).acknowledge(...[...ids].map((id) => ({ id, reason })));
  }
}

/** Acknowledges AwsSolutions-IAM5 for exactly these wildcard resources (e.g. a bucket's `arn/*`) on `scope`, and nothing else. */
export function acknowledgeWildcardResources(scope: IConstruct, resources: string[], reason: string): void {
  const stack = Stack.of(scope);
  Validations.of(scope).acknowledge(...resources.map((resource) => ({
    id: `AwsSolutions-IAM5[Resource::${findingText(stack.resolve(resource))}]`,
    reason,
  })));
}

/**
 * The construct ids, under their stack, of the aws-cdk-lib singleton custom-resource providers the library causes:
 * `CustomResourceProvider.getOrCreateProvider(stack, uniqueid)` names each `<uniqueid>CustomResourceProvider`.
 */
export const CDK_PROVIDERS = {
  /** The provider of `ec2.Vpc`'s `restrictDefaultSecurityGroup` (removes the default security group's rules). */
  restrictDefaultSecurityGroup: 'Custom::VpcRestrictDefaultSGCustomResourceProvider',
  /** The provider of every `CfnJson` (a JSON value whose keys are tokens, e.g. IRSA trust conditions). */
  cfnUtils: 'AWSCDKCfnUtilsProviderCustomResourceProvider',
};

/**
 * Acknowledges AwsSolutions-IAM4 for AWSLambdaBasicExecutionRole on the role of an aws-cdk-lib singleton
 * custom-resource provider in the stack of `scope`, if the stack has that provider now (call it right after the
 * construct that creates the provider). aws-cdk-lib writes the role as a plain CfnResource, which cdk-nag's in-app
 * pass does not judge; the template pass of the gate (test/examples/template-nag.ts) does. The role, its policy and
 * the managed policy are aws-cdk-lib's, not a prop of ours.
 */
export function acknowledgeProviderRole(scope: IConstruct, providerId: string, reason: string): void {
  const role = Stack.of(scope).node.tryFindChild(providerId)?.node.tryFindChild('Role');
  const id = managedPolicyFinding('service-role/AWSLambdaBasicExecutionRole');
  const already = role?.node.metadata.some((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    && Object.keys(entry.data ?? {}).some((key) => key.replace(/^annotation::/i, '') === id));
  if (role && !already) {
    Validations.of(role).acknowledge({ id, reason });
  }
}
