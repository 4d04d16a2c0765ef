import { App, Stack, Validations, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CDK_PROVIDERS, acknowledgeProviderRole, managedPolicyFinding } from '../../src/private/nag';
import { acknowledgmentKey, inAppUsed, nagAcknowledgments, templatePass } from '../examples/template-nag';

const BASIC_EXECUTION = managedPolicyFinding('service-role/AWSLambdaBasicExecutionRole');

/** A stack whose Vpc makes aws-cdk-lib's default-security-group provider (a plain CfnResource role). */
function vpcStack(): { stack: Stack; vpc: ec2.Vpc } {
  const stack = new Stack(new App(), 'Net', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: true, natGateways: 0, maxAzs: 2, subnetConfiguration: [] });
  return { stack, vpc };
}

const providerRolePath = `Net/${CDK_PROVIDERS.restrictDefaultSecurityGroup}/Role`;

describe('acknowledgeProviderRole', () => {
  test('acknowledges AWSLambdaBasicExecutionRole on the provider\'s role, once however often it is called', () => {
    const { stack, vpc } = vpcStack();
    acknowledgeProviderRole(vpc, CDK_PROVIDERS.restrictDefaultSecurityGroup, 'first');
    acknowledgeProviderRole(vpc, CDK_PROVIDERS.restrictDefaultSecurityGroup, 'second');
    expect(nagAcknowledgments(stack)).toEqual([{ path: providerRolePath, id: BASIC_EXECUTION, reason: 'first' }]);
  });

  test('does nothing, and creates nothing, where the stack has no such provider', () => {
    const stack = new Stack(new App(), 'Empty');
    acknowledgeProviderRole(stack, CDK_PROVIDERS.cfnUtils, 'reason');
    expect(stack.node.children).toEqual([]);
    expect(nagAcknowledgments(stack)).toEqual([]);
  });
});

describe('the gate\'s template pass (test/examples/template-nag.ts)', () => {
  test('finds what the in-app pass cannot see: the managed policy of aws-cdk-lib\'s provider role', () => {
    const { stack } = vpcStack();
    const inApp = new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName);
    expect(inApp).not.toContain(BASIC_EXECUTION);
    const result = templatePass(stack);
    expect(result.unacknowledged).toContain(`${BASIC_EXECUTION} on ${providerRolePath}`);
    expect(result.violations).toContain(`${BASIC_EXECUTION} on CustomVpcRestrictDefaultSGCustomResourceProviderRole26592FE0`);
  });

  test('re-applies the acknowledgment by logical id, and counts it as used', () => {
    const { stack, vpc } = vpcStack();
    acknowledgeProviderRole(vpc, CDK_PROVIDERS.restrictDefaultSecurityGroup, 'reason');
    const result = templatePass(stack);
    expect(result.unacknowledged).not.toContain(`${BASIC_EXECUTION} on ${providerRolePath}`);
    expect(result.violations.filter((v) => v.startsWith(BASIC_EXECUTION))).toEqual([]);
    expect([...result.used]).toEqual([`${BASIC_EXECUTION} at ${providerRolePath}`]);
  });

  test('an acknowledgment of a finding no resource under it has is used by neither pass', () => {
    const { stack, vpc } = vpcStack();
    Validations.of(vpc).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'no secret here' });
    const [ack] = nagAcknowledgments(stack);
    expect(acknowledgmentKey(ack)).toBe('AwsSolutions-SMG4 at Net/Vpc');
    expect(templatePass(stack).used.has(acknowledgmentKey(ack))).toBe(false);
    expect(inAppUsed(stack).has(acknowledgmentKey(ack))).toBe(false);
  });

  test('the in-app pass counts the acknowledgments it uses', () => {
    const { stack, vpc } = vpcStack();
    // A VPC without flow logs: AwsSolutions-VPC7 on the Vpc's CfnVPC, acknowledged on the Vpc construct.
    Validations.of(vpc).acknowledge({ id: 'AwsSolutions-VPC7', reason: 'test' });
    expect([...inAppUsed(stack)]).toEqual(['AwsSolutions-VPC7 at Net/Vpc']);
  });
});
