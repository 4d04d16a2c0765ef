import { App, Lazy, Stack, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SupabaseKubernetesVersion } from '../../src';
import { validateClusterZones, validateInstanceTypes } from '../../src/eks/private/node-group-validation';
import { resolveAutoscalerImageTag } from '../../src/eks/private/validation';

function scope(): Construct {
  return new Construct(new Stack(new App(), 'S', { env: { account: '111122223333', region: 'eu-west-1' } }), 'Cluster');
}

describe('validateInstanceTypes', () => {
  test.each(['m7g.large', 't4g.medium', 'r7gd.2xlarge', 'c7i-flex.large', 'm8i.metal-48xl', 'x2iedn.xlarge'])('accepts %s', (type) => {
    expect(() => validateInstanceTypes(scope(), 'general', [new ec2.InstanceType(type)])).not.toThrow();
  });

  test('names the entry among several, and skips tokens', () => {
    const token = new ec2.InstanceType(Lazy.string({ produce: () => 'm7g.large' }));
    expect(() => validateInstanceTypes(scope(), 'general', [token, new ec2.InstanceType('m7g.large')])).not.toThrow();
    expect(() => validateInstanceTypes(scope(), 'spot', [new ec2.InstanceType('m7g.large'), new ec2.InstanceType('cache.r7g.large')]))
      .toThrow("`nodeGroups` entry 'spot' has `instanceTypes[1]` 'cache.r7g.large', an ElastiCache instance class; nodes are EC2 instances, named without the 'cache.' prefix. Use `new ec2.InstanceType('r7g.large')`.");
  });

  test('rejects what is no instance type at all', () => {
    expect(() => validateInstanceTypes(scope(), 'general', [new ec2.InstanceType('m7g/large')]))
      .toThrow("'m7g/large', which is not an EC2 instance type of the form <family>.<size>");
  });
});

describe('resolveAutoscalerImageTag', () => {
  test("takes a release of the cluster's minor version, and a token", () => {
    expect(resolveAutoscalerImageTag(scope(), SupabaseKubernetesVersion.V1_36, 'v1.36.0')).toBe('v1.36.0');
    const token = Lazy.string({ produce: () => 'v1.30.0' });
    expect(resolveAutoscalerImageTag(scope(), SupabaseKubernetesVersion.V1_36, token)).toBe(token);
    expect(resolveAutoscalerImageTag(scope(), SupabaseKubernetesVersion.V1_36, undefined)).toMatch(/^v1\.36\.\d+$/);
  });

  test('rejects a tag without its patch number, or of another major version', () => {
    expect(() => resolveAutoscalerImageTag(scope(), SupabaseKubernetesVersion.V1_36, 'v1.36'))
      .toThrow("`clusterAutoscalerImageTag` 'v1.36' is not a Cluster Autoscaler release tag");
    expect(() => resolveAutoscalerImageTag(scope(), SupabaseKubernetesVersion.V1_36, 'v2.36.0'))
      .toThrow("'v2.36.0' is a release for Kubernetes 2.36 but `version` is 1.36");
  });
});

describe('validateClusterZones', () => {
  test('takes subnets in two zones, and skips zones that are tokens', () => {
    const s = scope();
    const stack = Stack.of(s);
    const twoZones = ec2.Vpc.fromVpcAttributes(stack, 'Two', {
      vpcId: 'vpc-1', availabilityZones: ['eu-west-1a', 'eu-west-1b'], privateSubnetIds: ['subnet-1', 'subnet-2'],
    });
    expect(() => validateClusterZones(s, twoZones, { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS })).not.toThrow();
    const tokenZone = ec2.Vpc.fromVpcAttributes(stack, 'Token', {
      vpcId: 'vpc-2', availabilityZones: [Lazy.string({ produce: () => 'eu-west-1a' })], privateSubnetIds: ['subnet-3'],
    });
    expect(() => validateClusterZones(s, tokenZone, { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS })).not.toThrow();
  });
});
