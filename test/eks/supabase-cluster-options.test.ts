import { Stack, aws_ec2 as ec2, aws_eks_v2 as eks, aws_iam as iam, aws_kms as kms, aws_lambda as lambda, aws_route53 as route53 } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ACCOUNT, irelandStack, synth, build, logicalIdOf, helmChart, expectIrsaTrust, statementsOfRole } from './fixture';
import { SupabaseNetwork } from '../../src';
import { SupabaseCluster, SupabaseKubernetesVersion, SupabaseNodeGroupOptions } from '../../src/eks';

describe('SupabaseCluster options', () => {
  test('public and private endpoint restricted to an allow-list, without a warning', () => {
    const { stack } = synth({ publicEndpoint: true, publicAccessCidrs: ['203.0.113.0/24'] });
    Template.fromStack(stack).hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({
        EndpointPrivateAccess: true,
        EndpointPublicAccess: true,
        PublicAccessCidrs: ['203.0.113.0/24'],
      }),
    });
    Annotations.fromStack(stack).hasNoWarning('/Supa/Cluster', Match.stringLikeRegexp('cluster-public-endpoint-open'));
  });

  test.each([
    ['no allow-list', undefined],
    ['an allow-list with 0.0.0.0/0', ['0.0.0.0/0']],
  ])('a public endpoint with %s warns', (_case, cidrs) => {
    const { stack } = synth({ publicEndpoint: true, publicAccessCidrs: cidrs });
    Annotations.fromStack(stack).hasWarning('/Supa/Cluster', Match.stringLikeRegexp(
      'API endpoint is public and open to any address.*publicAccessCidrs.*cdk-supabase-on-aws:cluster-public-endpoint-open',
    ));
    Template.fromStack(stack).hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({ EndpointPublicAccess: true }),
    });
  });

  test('admin roles get cluster-admin access entries', () => {
    const stack = irelandStack();
    const network = new SupabaseNetwork(stack, 'Network');
    const admin = iam.Role.fromRoleArn(stack, 'Admin', `arn:aws:iam::${ACCOUNT}:role/platform-admin`);
    new SupabaseCluster(stack, 'Cluster', { vpc: network.vpc, vpcSubnets: network.eksSubnets, adminRoles: [admin] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EKS::AccessEntry', 2);
    template.hasResourceProperties('AWS::EKS::AccessEntry', {
      PrincipalArn: `arn:aws:iam::${ACCOUNT}:role/platform-admin`,
      AccessPolicies: [{
        AccessScope: { Type: 'cluster' },
        PolicyArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy']] },
      }],
    });
  });

  test('a key of your own encrypts secrets and logs', () => {
    const stack = irelandStack();
    const network = new SupabaseNetwork(stack, 'Network');
    const key = new kms.Key(stack, 'MyKey');
    const cluster = new SupabaseCluster(stack, 'Cluster', { vpc: network.vpc, vpcSubnets: network.eksSubnets, secretsEncryptionKey: key, logRetention: 30 });
    const template = Template.fromStack(stack);
    expect(cluster.secretsEncryptionKey).toBe(key);
    template.resourceCountIs('AWS::KMS::Key', 2); // the network's flow-log key and this one
    template.hasResourceProperties('AWS::EKS::Cluster', {
      EncryptionConfig: [{ Provider: { KeyArn: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } }, Resources: ['secrets'] }],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('^/aws/eks/'), RetentionInDays: 30 });
  });

  test('custom node groups: a spot group with one instance type warns, an ARM group gets the ARM AMI, disk size in the launch template', () => {
    const groups: SupabaseNodeGroupOptions[] = [
      { name: 'arm', instanceTypes: [new ec2.InstanceType('m7g.large')], capacityType: eks.CapacityType.ON_DEMAND, minSize: 2, desiredSize: 2, maxSize: 2, diskSize: { toGibibytes: () => 80 } as any },
      { name: 'cheap', instanceTypes: [new ec2.InstanceType('t3.large')], capacityType: eks.CapacityType.SPOT, minSize: 0, desiredSize: 0, maxSize: 2 },
    ];
    const { stack } = synth({ nodeGroups: groups });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EKS::Nodegroup', 2);
    template.hasResourceProperties('AWS::EKS::Nodegroup', { AmiType: 'AL2023_ARM_64_STANDARD', ScalingConfig: { MinSize: 2, DesiredSize: 2, MaxSize: 2 } });
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ VolumeSize: 80 }) })] }),
    });
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/Supa/Cluster', Match.stringLikeRegexp("spot node group 'cheap' has a single instance type \\(t3.large\\).*Spot needs diversity.*cluster-spot-single-instance-type"));
    // 2 x 110 (unknown m7g.large) + 2 x 36 fit in 753 addresses.
    annotations.hasNoWarning('/Supa/Cluster', Match.stringLikeRegexp('cluster-pod-ip-capacity'));
  });

  test('ExternalDNS, scoped to one hosted zone', () => {
    const stack = irelandStack();
    const network = new SupabaseNetwork(stack, 'Network');
    const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
    const cluster = new SupabaseCluster(stack, 'Cluster', { vpc: network.vpc, vpcSubnets: network.eksSubnets, externalDnsHostedZone: zone });
    const template = Template.fromStack(stack);
    const { props, values } = helmChart(stack, template, 'external-dns');
    expect(props).toMatchObject({ Version: '1.21.1', Repository: 'https://kubernetes-sigs.github.io/external-dns/', Namespace: 'external-dns' });
    expect(values).toEqual({
      provider: { name: 'aws' },
      policy: 'upsert-only',
      registry: 'txt',
      txtOwnerId: cluster.clusterName,
      sources: ['ingress', 'service'],
      extraArgs: ['--zone-id-filter=Z0123456789ABC'],
      serviceAccount: { create: false, name: 'external-dns' },
    });
    const roleId = logicalIdOf(stack, cluster.externalDnsRole as iam.Role);
    expectIrsaTrust(template, roleId, 'external-dns', 'external-dns');
    expect(statementsOfRole(template, roleId)).toEqual([
      {
        Sid: 'ChangeRecordsOfOneZone',
        Effect: 'Allow',
        Action: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets', 'route53:ListTagsForResources'],
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':route53:::hostedzone/Z0123456789ABC']] },
      },
      { Sid: 'ListZones', Effect: 'Allow', Action: 'route53:ListHostedZones', Resource: '*' },
    ]);
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  test('another Kubernetes version with the layer you bring', () => {
    const stack = irelandStack();
    const network = new SupabaseNetwork(stack, 'Network');
    const layer = lambda.LayerVersion.fromLayerVersionArn(stack, 'Layer', `arn:aws:lambda:eu-west-1:${ACCOUNT}:layer:kubectl-v35:1`);
    new SupabaseCluster(stack, 'Cluster', { vpc: network.vpc, vpcSubnets: network.eksSubnets, version: SupabaseKubernetesVersion.of('1.35', layer) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EKS::Cluster', { Version: '1.35' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'onEvent handler for EKS kubectl resource provider',
      Layers: Match.arrayWith([`arn:aws:lambda:eu-west-1:${ACCOUNT}:layer:kubectl-v35:1`]),
    });
    template.resourceCountIs('AWS::Lambda::LayerVersion', 1); // the AWS CLI layer only; no kubectl 1.36 layer
    expect(helmChart(stack, template, 'cluster-autoscaler').values.image.tag).toBe('v1.35.2');
  });
});

describe('SupabaseCluster validation', () => {
  const layer = () => lambda.LayerVersion.fromLayerVersionArn(new Stack(), 'L', 'arn:aws:lambda:eu-west-1:111122223333:layer:kubectl:1');
  const group = (overrides: Partial<SupabaseNodeGroupOptions>): SupabaseNodeGroupOptions => ({
    name: 'general', instanceTypes: [new ec2.InstanceType('t3.large')], capacityType: eks.CapacityType.ON_DEMAND, minSize: 1, desiredSize: 2, maxSize: 3, ...overrides,
  });

  test('a Kubernetes version below 1.30', () => {
    expect(build({ version: SupabaseKubernetesVersion.of('1.29', layer()) })).toThrow(/SupabaseCluster Supa\/Cluster: `version` is 1.29, below 1.30/);
  });

  test('a version string that is not a minor version', () => {
    expect(() => SupabaseKubernetesVersion.of('1.36.2', layer())).toThrow(/version '1.36.2' is not a Kubernetes minor version/);
  });

  test('a version without a known Cluster Autoscaler release needs the image tag', () => {
    expect(build({ version: SupabaseKubernetesVersion.of('1.37', layer()) })).toThrow(/no Cluster Autoscaler release is known for Kubernetes 1.37.*`clusterAutoscalerImageTag`/);
    expect(build({ version: SupabaseKubernetesVersion.of('1.37', layer()), clusterAutoscalerImageTag: 'v1.37.0' })).not.toThrow();
  });

  test.each<[string, Partial<SupabaseNodeGroupOptions>, RegExp]>([
    ['min > desired', { minSize: 3, desiredSize: 2 }, /`nodeGroups` entry 'general' has `minSize` 3 > `desiredSize` 2\. Use minSize <= desiredSize <= maxSize/],
    ['desired > max', { desiredSize: 4, maxSize: 3 }, /`nodeGroups` entry 'general' has `desiredSize` 4 > `maxSize` 3/],
    ['an empty instance type list', { instanceTypes: [] }, /`nodeGroups` entry 'general' has an empty `instanceTypes` list/],
    ['a negative size', { minSize: -1 }, /has `minSize` -1; it must be a whole number, 0 or more/],
    ['a maximum of 0', { minSize: 0, desiredSize: 0, maxSize: 0 }, /has `maxSize` 0/],
    ['a bad name', { name: 'no spaces' }, /`nodeGroups` name 'no spaces' is not valid/],
    ['a tiny disk', { diskSize: { toGibibytes: () => 8 } as any }, /has `diskSize` 8 GiB; nodes need at least 20 GiB/],
  ])('node group with %s', (_case, overrides, message) => {
    expect(build({ nodeGroups: [group(overrides)] })).toThrow(message);
  });

  test('no node groups, or two with one name', () => {
    expect(build({ nodeGroups: [] })).toThrow(/`nodeGroups` is empty/);
    expect(build({ nodeGroups: [group({}), group({})] })).toThrow(/two groups named 'general'/);
  });

  test('an allow-list without a public endpoint, or a malformed one', () => {
    expect(build({ publicAccessCidrs: ['203.0.113.0/24'] })).toThrow(/`publicAccessCidrs` is set but `publicEndpoint` is not true/);
    expect(build({ publicEndpoint: true, publicAccessCidrs: ['203.0.113.0'] })).toThrow(/`publicAccessCidrs` entry '203.0.113.0'/);
  });

  test('an invalid cluster name', () => {
    expect(build({ clusterName: '-bad' })).toThrow(/`clusterName` '-bad' is not a valid EKS cluster name/);
  });
});
