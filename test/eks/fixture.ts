/** The helpers of the SupabaseCluster tests: a stack in eu-west-1 with the network, and readers of its template. */

import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SupabaseNetwork } from '../../src';
import { SupabaseCluster, SupabaseClusterProps } from '../../src/eks';

export const ACCOUNT = '111122223333';
const AZS = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
export const EKS_SUBNETS = [
  { Ref: Match.stringLikeRegexp('^NetworkVpcEksSubnet1Subnet') },
  { Ref: Match.stringLikeRegexp('^NetworkVpcEksSubnet2Subnet') },
  { Ref: Match.stringLikeRegexp('^NetworkVpcEksSubnet3Subnet') },
];

export type Resources = Record<string, { Type: string; Properties: any; DependsOn?: string[]; DeletionPolicy?: string }>;

export function irelandStack(): Stack {
  const app = new App({ context: { [`availability-zones:account=${ACCOUNT}:region=eu-west-1`]: AZS } });
  return new Stack(app, 'Supa', { env: { account: ACCOUNT, region: 'eu-west-1' } });
}

export function synth(props: Partial<SupabaseClusterProps> = {}) {
  const stack = irelandStack();
  const network = new SupabaseNetwork(stack, 'Network');
  const cluster = new SupabaseCluster(stack, 'Cluster', { vpc: network.vpc, vpcSubnets: network.eksSubnets, ...props });
  return { stack, network, cluster };
}

/** Builds the cluster and expects its constructor to throw. */
export function build(props: Partial<SupabaseClusterProps>) {
  return () => synth(props);
}

export function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

export function logicalIdOf(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

/** The single resource of a type whose properties match. */
export function onlyResource(template: Template, type: string, props: any): { id: string; resource: Resources[string] } {
  const found = Object.entries(template.findResources(type, { Properties: props }) as Resources);
  expect(found).toHaveLength(1);
  return { id: found[0][0], resource: found[0][1] };
}

/** The Helm chart custom resource of a chart, with its values parsed (Fn::Join with tokens flattened). */
export function helmChart(stack: Stack, template: Template, chart: string): { props: any; values: any; dependsOn: string[] } {
  const { resource } = onlyResource(template, 'Custom::AWSCDK-EKS-HelmChart', { Chart: chart });
  const raw = resource.Properties.Values;
  const text = typeof raw === 'string' ? raw : raw['Fn::Join'][1].map((p: any) => typeof p === 'string' ? p : `<${JSON.stringify(p).replace(/"/g, '\'')}>`).join('');
  return { props: resource.Properties, values: JSON.parse(text), dependsOn: resource.DependsOn ?? [] };
  void stack;
}

/** The trust policy and inline/attached policies of a role, by the role's logical id. */
function trustOf(template: Template, roleId: string): any {
  return (template.toJSON().Resources[roleId]).Properties.AssumeRolePolicyDocument;
}

/** Resolves the CfnJson condition behind a service-account role's trust: the custom resource's Value. */
function irsaConditionOf(template: Template, roleId: string): any {
  const trust = trustOf(template, roleId);
  expect(trust.Statement).toHaveLength(1);
  const statement = trust.Statement[0];
  expect(statement.Action).toBe('sts:AssumeRoleWithWebIdentity');
  expect(statement.Principal).toEqual({ Federated: { Ref: expect.stringMatching(/^ClusterOidcProviderNative/) } });
  const jsonId = statement.Condition.StringEquals['Fn::GetAtt'][0];
  return template.toJSON().Resources[jsonId].Properties.Value;
}

export function expectIrsaTrust(template: Template, roleId: string, namespace: string, name: string) {
  const value = irsaConditionOf(template, roleId);
  // {"Fn::Join": ["", ["{\"", {GetAtt issuer}, ":aud\":\"sts.amazonaws.com\",\"", {issuer}, ":sub\":\"system:serviceaccount:ns:name\"}"]]}
  const parts: any[] = value['Fn::Join'][1];
  const text = parts.map((p) => typeof p === 'string' ? p : 'ISSUER').join('');
  expect(JSON.parse(text)).toEqual({
    'ISSUER:aud': 'sts.amazonaws.com',
    'ISSUER:sub': `system:serviceaccount:${namespace}:${name}`,
  });
  // The issuer is the OIDC provider's, taken from its ARN (what follows ':oidc-provider/').
  for (const part of parts.filter((p) => typeof p !== 'string')) {
    expect(part).toEqual({ 'Fn::Select': [1, { 'Fn::Split': [':oidc-provider/', { Ref: expect.stringMatching(/^ClusterOidcProviderNative/) }] }] });
  }
}

/** All statements of the AWS::IAM::Policy resources attached to a role. */
export function statementsOfRole(template: Template, roleId: string): any[] {
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

export function managedPolicyArn(name: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::aws:policy/${name}`]] };
}
