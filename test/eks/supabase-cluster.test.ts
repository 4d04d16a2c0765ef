import { App, Stack, aws_ec2 as ec2, aws_eks_v2 as eks, aws_iam as iam, aws_kms as kms, aws_lambda as lambda, aws_route53 as route53, aws_s3 as s3 } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SupabaseNetwork, SupabaseSecrets, SupabaseStorage } from '../../src';
import { SupabaseCluster, SupabaseClusterProps, SupabaseKubernetesVersion, SupabaseNodeGroupOptions } from '../../src/eks';
import { ALB_CONTROLLER_IAM_POLICY } from '../../src/eks/private/alb-controller-iam-policy';

const ACCOUNT = '111122223333';
const AZS = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const EKS_SUBNETS = [
  { Ref: Match.stringLikeRegexp('^NetworkVpcEksSubnet1Subnet') },
  { Ref: Match.stringLikeRegexp('^NetworkVpcEksSubnet2Subnet') },
  { Ref: Match.stringLikeRegexp('^NetworkVpcEksSubnet3Subnet') },
];

type Resources = Record<string, { Type: string; Properties: any; DependsOn?: string[]; DeletionPolicy?: string }>;

function irelandStack(): Stack {
  const app = new App({ context: { [`availability-zones:account=${ACCOUNT}:region=eu-west-1`]: AZS } });
  return new Stack(app, 'Supa', { env: { account: ACCOUNT, region: 'eu-west-1' } });
}

function synth(props: Partial<SupabaseClusterProps> = {}) {
  const stack = irelandStack();
  const network = new SupabaseNetwork(stack, 'Network');
  const cluster = new SupabaseCluster(stack, 'Cluster', { vpc: network.vpc, vpcSubnets: network.eksSubnets, ...props });
  return { stack, network, cluster };
}

/** Builds the cluster and expects its constructor to throw. */
function build(props: Partial<SupabaseClusterProps>) {
  return () => synth(props);
}

function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

function logicalIdOf(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

/** The single resource of a type whose properties match. */
function onlyResource(template: Template, type: string, props: any): { id: string; resource: Resources[string] } {
  const found = Object.entries(template.findResources(type, { Properties: props }) as Resources);
  expect(found).toHaveLength(1);
  return { id: found[0][0], resource: found[0][1] };
}

/** The Helm chart custom resource of a chart, with its values parsed (Fn::Join with tokens flattened). */
function helmChart(stack: Stack, template: Template, chart: string): { props: any; values: any; dependsOn: string[] } {
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

function expectIrsaTrust(template: Template, roleId: string, namespace: string, name: string) {
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
function statementsOfRole(template: Template, roleId: string): any[] {
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

function managedPolicyArn(name: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::aws:policy/${name}`]] };
}

describe('SupabaseCluster with the network and the defaults', () => {
  const { stack, cluster } = synth();
  const template = Template.fromStack(stack);
  const json = template.toJSON();
  const clusterName = cluster.clusterName;

  test('template of network + cluster stays under 500 resources and 1 MB', () => {
    const resources = Object.keys(json.Resources).length;
    const bytes = Buffer.byteLength(JSON.stringify(json));
    // eslint-disable-next-line no-console
    console.log(`network + cluster: ${resources} resources, ${bytes} bytes`);
    expect(resources).toBeLessThan(500);
    expect(bytes).toBeLessThan(1_048_576);
  });

  test('the cluster name is derived from the path and valid for EKS', () => {
    expect(clusterName).toMatch(/^Supa-Cluster-[0-9A-F]{8}$/);
    template.hasResourceProperties('AWS::EKS::Cluster', { Name: clusterName });
  });

  test('Kubernetes 1.36 with the kubectl 1.36 layer, in the EKS tier', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      Version: '1.36',
      ResourcesVpcConfig: Match.objectLike({ SubnetIds: EKS_SUBNETS }),
    });
    template.hasResourceProperties('AWS::Lambda::LayerVersion', { Description: Match.stringLikeRegexp('kubectl') });
    expect(cluster.version).toBe(SupabaseKubernetesVersion.V1_36);
  });

  test('the API endpoint is private only', () => {
    const props = onlyResource(template, 'AWS::EKS::Cluster', {}).resource.Properties;
    expect(props.ResourcesVpcConfig.EndpointPrivateAccess).toBe(true);
    expect(props.ResourcesVpcConfig.EndpointPublicAccess).toBe(false);
    expect(props.ResourcesVpcConfig.PublicAccessCidrs).toBeUndefined();
  });

  test('access entries with the API mode; the stack deployer is not made admin', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      AccessConfig: { AuthenticationMode: 'API', BootstrapClusterCreatorAdminPermissions: false },
    });
    // Only the kubectl handler's role has an access entry.
    template.resourceCountIs('AWS::EKS::AccessEntry', 1);
    template.hasResourceProperties('AWS::EKS::AccessEntry', {
      PrincipalArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('KubectlProviderHandlerServiceRole'), 'Arn'] },
    });
  });

  test('secrets are envelope-encrypted with a new rotating, retained KMS key that the cluster role may use', () => {
    const keyId = logicalIdOf(stack, cluster.secretsEncryptionKey as kms.Key);
    template.hasResourceProperties('AWS::EKS::Cluster', {
      EncryptionConfig: [{ Provider: { KeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] } }, Resources: ['secrets'] }],
    });
    expect(json.Resources[keyId].Properties.EnableKeyRotation).toBe(true);
    expect(json.Resources[keyId].DeletionPolicy).toBe('Retain');
    const clusterRoleId = logicalIdOf(stack, cluster.cluster.role as iam.Role);
    expect(statementsOfRole(template, clusterRoleId)).toContainEqual(expect.objectContaining({
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:CreateGrant'],
      Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
    }));
  });

  test('all five control-plane log types, into a pre-created encrypted log group kept a year', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      Logging: {
        ClusterLogging: {
          EnabledTypes: [{ Type: 'api' }, { Type: 'audit' }, { Type: 'authenticator' }, { Type: 'controllerManager' }, { Type: 'scheduler' }],
        },
      },
    });
    const { id: logGroupId, resource } = onlyResource(template, 'AWS::Logs::LogGroup', { LogGroupName: `/aws/eks/${clusterName}/cluster` });
    expect(resource.Properties.RetentionInDays).toBe(365);
    expect(resource.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [logicalIdOf(stack, cluster.secretsEncryptionKey as kms.Key), 'Arn'] });
    expect(resource.DeletionPolicy).toBe('Retain');
    // EKS must find the group already there.
    const eksCluster = onlyResource(template, 'AWS::EKS::Cluster', {}).resource;
    expect(eksCluster.DependsOn).toContain(logGroupId);
  });

  test('managed node groups, not Auto Mode, and no self-managed networking add-ons', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      ComputeConfig: { Enabled: false },
      BootstrapSelfManagedAddons: false,
    });
    template.resourceCountIs('AWS::EKS::Nodegroup', 2);
  });

  test.each([
    ['general', 'ON_DEMAND', ['t3.large', 't3.xlarge'], { MinSize: 1, DesiredSize: 3, MaxSize: 10 }],
    ['spot', 'SPOT', ['t3.large', 'm5.large', 'm5a.large'], { MinSize: 0, DesiredSize: 2, MaxSize: 20 }],
  ])('node group %s: %s capacity, its instance types and scaling, on a launch template, in the EKS tier', (name, capacityType, instanceTypes, scaling) => {
    const { resource } = onlyResource(template, 'AWS::EKS::Nodegroup', { Labels: { 'cdk-supabase-on-aws/node-group': name } });
    const props = resource.Properties;
    expect(props.CapacityType).toBe(capacityType);
    expect(props.InstanceTypes).toEqual(instanceTypes);
    expect(props.ScalingConfig).toEqual(scaling);
    expect(props.AmiType).toBe('AL2023_x86_64_STANDARD');
    expect(props.Subnets).toHaveLength(3);
    expect(props.DiskSize).toBeUndefined(); // in the launch template
    expect(props.RemoteAccess).toBeUndefined(); // no SSH
    expect(props.NodeRole).toEqual({ 'Fn::GetAtt': [logicalIdOf(stack, cluster.nodeRole as iam.Role), 'Arn'] });
    expect(props.LaunchTemplate.Id.Ref).toMatch(new RegExp(`^Cluster${name}LaunchTemplate`));
    expect(props.LaunchTemplate.Version).toEqual({ 'Fn::GetAtt': [props.LaunchTemplate.Id.Ref, 'LatestVersionNumber'] });
    expect(props.Tags).toEqual({
      'k8s.io/cluster-autoscaler/enabled': 'true',
      [`k8s.io/cluster-autoscaler/${clusterName}`]: 'owned',
    });
  });

  test('launch templates: IMDSv2 only with hop limit 2, encrypted gp3 root volume, detailed monitoring, no key pair', () => {
    const templates = resourcesOf(template, 'AWS::EC2::LaunchTemplate');
    expect(Object.keys(templates)).toHaveLength(2);
    for (const lt of Object.values(templates)) {
      const data = lt.Properties.LaunchTemplateData;
      expect(data.MetadataOptions).toEqual({ HttpEndpoint: 'enabled', HttpTokens: 'required', HttpPutResponseHopLimit: 2 });
      expect(data.BlockDeviceMappings).toEqual([{
        DeviceName: '/dev/xvda',
        Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: 50, DeleteOnTermination: true },
      }]);
      expect(data.Monitoring).toEqual({ Enabled: true });
      expect(data.KeyName).toBeUndefined();
      expect(data.IamInstanceProfile).toBeUndefined();
    }
  });

  test('the node role has only the worker node and ECR pull policies, not the CNI policy', () => {
    const roleId = logicalIdOf(stack, cluster.nodeRole as iam.Role);
    const role = json.Resources[roleId].Properties;
    expect(role.ManagedPolicyArns).toEqual([managedPolicyArn('AmazonEKSWorkerNodePolicy'), managedPolicyArn('AmazonEC2ContainerRegistryPullOnly')]);
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Action: 'sts:AssumeRole', Principal: { Service: 'ec2.amazonaws.com' } }),
    ]);
    expect(statementsOfRole(template, roleId)).toEqual([]);
    for (const r of Object.values(resourcesOf(template, 'AWS::IAM::Role'))) {
      if (JSON.stringify(r.Properties.ManagedPolicyArns ?? []).includes('AmazonEKS_CNI_Policy')) {
        expect(r.Properties.AssumeRolePolicyDocument.Statement[0].Action).toBe('sts:AssumeRoleWithWebIdentity');
      }
    }
  });

  test('a native OIDC provider for IRSA', () => {
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      ClientIdList: ['sts.amazonaws.com'],
      Url: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Cluster'), 'OpenIdConnectIssuerUrl'] },
    });
  });

  test('vpc-cni add-on with network policy enforcement and its own IRSA role, before the nodes', () => {
    const roleId = logicalIdOf(stack, cluster.vpcCniRole as iam.Role);
    const { id } = onlyResource(template, 'AWS::EKS::Addon', {
      AddonName: 'vpc-cni',
      ConfigurationValues: '{"enableNetworkPolicy":"true"}',
      ServiceAccountRoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      ResolveConflicts: 'OVERWRITE',
    });
    expectIrsaTrust(template, roleId, 'kube-system', 'aws-node');
    expect(json.Resources[roleId].Properties.ManagedPolicyArns).toEqual([managedPolicyArn('AmazonEKS_CNI_Policy')]);
    for (const ng of Object.values(resourcesOf(template, 'AWS::EKS::Nodegroup'))) {
      expect(ng.DependsOn).toContain(id);
    }
  });

  test('kube-proxy before the nodes; coredns, EBS CSI driver and metrics-server after them', () => {
    const nodeGroupIds = Object.keys(resourcesOf(template, 'AWS::EKS::Nodegroup'));
    const kubeProxy = onlyResource(template, 'AWS::EKS::Addon', { AddonName: 'kube-proxy' });
    for (const ng of Object.values(resourcesOf(template, 'AWS::EKS::Nodegroup'))) {
      expect(ng.DependsOn).toContain(kubeProxy.id);
    }
    for (const name of ['coredns', 'aws-ebs-csi-driver', 'metrics-server']) {
      const { resource } = onlyResource(template, 'AWS::EKS::Addon', { AddonName: name });
      expect(resource.DependsOn).toEqual(expect.arrayContaining(nodeGroupIds));
    }
    template.resourceCountIs('AWS::EKS::Addon', 5);
  });

  test('aws-ebs-csi-driver add-on with its IRSA role and the AWS managed EBS CSI policy', () => {
    const roleId = logicalIdOf(stack, cluster.ebsCsiDriverRole as iam.Role);
    onlyResource(template, 'AWS::EKS::Addon', {
      AddonName: 'aws-ebs-csi-driver',
      ServiceAccountRoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
    });
    expectIrsaTrust(template, roleId, 'kube-system', 'ebs-csi-controller-sa');
    expect(json.Resources[roleId].Properties.ManagedPolicyArns).toEqual([managedPolicyArn('service-role/AmazonEBSCSIDriverPolicy')]);
  });

  test('a default, encrypted gp3 StorageClass after the EBS CSI driver', () => {
    const manifests = Object.values(resourcesOf(template, 'Custom::AWSCDK-EKS-KubernetesResource'))
      .filter((m) => String(m.Properties.Manifest).includes('StorageClass'));
    expect(manifests).toHaveLength(1);
    const [storageClass] = JSON.parse(manifests[0].Properties.Manifest);
    expect(storageClass).toMatchObject({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'gp3', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true' },
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      reclaimPolicy: 'Retain',
    });
    const ebsCsi = onlyResource(template, 'AWS::EKS::Addon', { AddonName: 'aws-ebs-csi-driver' });
    expect(manifests[0].DependsOn).toContain(ebsCsi.id);
  });

  test('the kubectl handler runs in the EKS tier, so it reaches the private endpoint', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'onEvent handler for EKS kubectl resource provider',
      VpcConfig: { SubnetIds: EKS_SUBNETS, SecurityGroupIds: [{ 'Fn::GetAtt': [Match.anyValue(), 'ClusterSecurityGroupId'] }] },
    });
  });

  test('AWS Load Balancer Controller: pinned chart, values, IRSA role with the published policy', () => {
    const { props, values, dependsOn } = helmChart(stack, template, 'aws-load-balancer-controller');
    expect(props).toMatchObject({
      Version: '3.5.0',
      Repository: 'https://aws.github.io/eks-charts',
      Namespace: 'kube-system',
      Release: 'aws-load-balancer-controller',
      Wait: true,
    });
    expect(values).toEqual({
      clusterName,
      region: 'eu-west-1',
      vpcId: expect.stringContaining('NetworkVpc'),
      serviceAccount: { create: false, name: 'aws-load-balancer-controller' },
      enableServiceMutatorWebhook: false,
    });
    const roleId = logicalIdOf(stack, cluster.albControllerRole as iam.Role);
    expectIrsaTrust(template, roleId, 'kube-system', 'aws-load-balancer-controller');
    const statements = statementsOfRole(template, roleId);
    expect(statements).toHaveLength(16);
    expect(statements).toContainEqual(expect.objectContaining({
      Action: 'iam:CreateServiceLinkedRole',
      Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
    }));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'ec2:DeleteSecurityGroup'],
      Resource: '*',
      Condition: { Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } },
    }));
    // Statement by statement, the published policy kept in the repository.
    expect(statements.map((st) => [st.Action].flat())).toEqual(ALB_CONTROLLER_IAM_POLICY.Statement.map((st) => [st.Action].flat()));
    expect(statements.map((st) => st.Condition)).toEqual(ALB_CONTROLLER_IAM_POLICY.Statement.map((st) => st.Condition));
    // The partition is the stack's, not a hard-coded 'aws'.
    expect(JSON.stringify(statements)).not.toContain('arn:aws:');
    expect(dependsOn).toEqual(expect.arrayContaining(Object.keys(resourcesOf(template, 'AWS::EKS::Nodegroup'))));
  });

  test('Cluster Autoscaler: pinned chart, image of Kubernetes 1.36, auto-discovery, IRSA role with tag-conditioned writes', () => {
    const { props, values } = helmChart(stack, template, 'cluster-autoscaler');
    expect(props).toMatchObject({
      Version: '9.59.0',
      Repository: 'https://kubernetes.github.io/autoscaler',
      Namespace: 'kube-system',
    });
    expect(values).toEqual({
      cloudProvider: 'aws',
      awsRegion: 'eu-west-1',
      autoDiscovery: { clusterName },
      image: { tag: 'v1.36.1' },
      rbac: { serviceAccount: { create: false, name: 'cluster-autoscaler' } },
      extraArgs: { 'balance-similar-node-groups': true, 'skip-nodes-with-system-pods': false, 'expander': 'least-waste' },
    });
    const roleId = logicalIdOf(stack, cluster.clusterAutoscalerRole as iam.Role);
    expectIrsaTrust(template, roleId, 'kube-system', 'cluster-autoscaler');
    const statements = statementsOfRole(template, roleId);
    expect(statements).toHaveLength(3);
    const writes = statements.find((s) => s.Sid === 'ScaleThisClustersNodeGroups');
    expect(writes).toEqual({
      Sid: 'ScaleThisClustersNodeGroups',
      Effect: 'Allow',
      Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
      Resource: '*',
      Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: 'owned' } },
    });
    const reads = statements.find((s) => s.Sid === 'DiscoverNodeGroups');
    expect(reads.Action.every((a: string) => /^(autoscaling|ec2):(Describe|Get)/.test(a))).toBe(true);
    expect(reads.Condition).toBeUndefined();
    expect(statements.find((s) => s.Sid === 'DescribeThisClustersNodeGroups')).toMatchObject({
      Action: 'eks:DescribeNodegroup',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:eks:eu-west-1:${ACCOUNT}:nodegroup/${clusterName}/*/*`]] },
    });
  });

  test('External Secrets Operator: pinned chart with CRDs in its own namespace, IRSA role without permissions of its own', () => {
    const { props, values, dependsOn } = helmChart(stack, template, 'external-secrets');
    expect(props).toMatchObject({
      Version: '2.9.0',
      Repository: 'https://charts.external-secrets.io',
      Namespace: 'external-secrets',
    });
    expect(values).toEqual({ installCRDs: true, serviceAccount: { create: false, name: 'external-secrets' } });
    const roleId = logicalIdOf(stack, cluster.externalSecretsRole as iam.Role);
    expectIrsaTrust(template, roleId, 'external-secrets', 'external-secrets');
    expect(statementsOfRole(template, roleId)).toEqual([]);
    // The chart waits for its service account, which waits for the namespace.
    const saManifest = dependsOn.find((d) => /ExternalSecretsServiceAccountmanifest/.test(d))!;
    expect(saManifest).toBeDefined();
    const namespace = Object.entries(resourcesOf(template, 'Custom::AWSCDK-EKS-KubernetesResource'))
      .find(([, m]) => String(m.Properties.Manifest).includes('"kind":"Namespace"'))!;
    expect(JSON.parse(namespace[1].Properties.Manifest)[0].metadata.name).toBe('external-secrets');
    expect(json.Resources[saManifest].DependsOn).toContain(namespace[0]);
    expect(cluster.externalSecretsChart).toBeInstanceOf(eks.HelmChart);
  });

  test('each controller\'s service account is annotated with its own role', () => {
    const accounts = Object.values(resourcesOf(template, 'Custom::AWSCDK-EKS-KubernetesResource'))
      .map((m) => m.Properties.Manifest)
      .filter((m) => JSON.stringify(m).includes('ServiceAccount'));
    expect(accounts).toHaveLength(3);
    for (const [role, name] of [
      [cluster.albControllerRole, 'aws-load-balancer-controller'],
      [cluster.clusterAutoscalerRole, 'cluster-autoscaler'],
      [cluster.externalSecretsRole, 'external-secrets'],
    ] as const) {
      const manifest = JSON.stringify(accounts.find((m) => JSON.stringify(m).includes(`\\"name\\":\\"${name}\\"`)));
      expect(manifest).toContain(logicalIdOf(stack, role as iam.Role));
      expect(manifest).toContain('eks.amazonaws.com/role-arn');
    }
  });

  test('no ExternalDNS without a hosted zone', () => {
    expect(cluster.externalDnsRole).toBeUndefined();
    expect(JSON.stringify(json)).not.toContain('external-dns');
  });

  test('exposes connections with the cluster security group', () => {
    expect(cluster.connections.securityGroups).toHaveLength(2);
    expect(cluster.nodeGroups).toHaveLength(2);
    expect(cluster.launchTemplates).toHaveLength(2);
  });

  test('warns that the node groups can exhaust the EKS tier\'s addresses, with the numbers and the fixes', () => {
    Annotations.fromStack(stack).hasWarning('/Supa/Cluster', Match.stringLikeRegexp(
      'node groups can take 1320 addresses \\(general: 10 nodes x 60 addresses, spot: 20 nodes x 36 addresses;.*have 753 usable addresses.*larger subnets.*prefix delegation.*cdk-supabase-on-aws:cluster-pod-ip-capacity',
    ));
    Annotations.fromStack(stack).hasNoWarning('/Supa/Cluster', Match.stringLikeRegexp('cluster-public-endpoint-open|spot-single-instance-type'));
  });

  test('cdk-nag AwsSolutions reports nothing unacknowledged for network + cluster', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  test('the acknowledgments of AWS managed policies name each policy', () => {
    const acknowledged = (construct: any) => construct.node.metadata
      .filter((m: any) => m.type === 'aws:cdk:acknowledged-rules')
      .flatMap((m: any) => Object.keys(m.data));
    expect(acknowledged(cluster.nodeRole)).toEqual(expect.arrayContaining([
      expect.stringMatching(/AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/AmazonEKSWorkerNodePolicy\]$/),
      expect.stringMatching(/AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/AmazonEC2ContainerRegistryPullOnly\]$/),
    ]));
    expect(acknowledged(cluster.cluster.role)).toEqual([expect.stringMatching(/AmazonEKSClusterPolicy\]$/)]);
    expect(acknowledged(cluster.vpcCniRole)).toEqual([expect.stringMatching(/AmazonEKS_CNI_Policy\]$/)]);
    expect(acknowledged(cluster.ebsCsiDriverRole)).toEqual([expect.stringMatching(/AmazonEBSCSIDriverPolicy\]$/)]);
  });
});

describe('SupabaseCluster IRSA helper and secrets', () => {
  const { stack, cluster } = synth({ clusterName: 'supabase-prod' });
  const storageApi = cluster.addServiceAccount('StorageApi', { name: 'storage', namespace: 'supabase' });
  const storage = new SupabaseStorage(stack, 'Storage');
  storage.grantReadWrite(storageApi);
  cluster.addNamespace('supabase');
  const auth = cluster.addServiceAccount('Auth', { name: 'auth', namespace: 'supabase' });
  const secrets = new SupabaseSecrets(stack, 'Secrets');
  secrets.grantRead(cluster.externalSecretsRole);
  const template = Template.fromStack(stack);

  test('addServiceAccount binds a new role to exactly that service account', () => {
    expectIrsaTrust(template, logicalIdOf(stack, storageApi.role as iam.Role), 'supabase', 'storage');
    expect(storageApi.serviceAccountName).toBe('storage');
    expect(storageApi.serviceAccountNamespace).toBe('supabase');
  });

  test('the Storage API\'s role receives SupabaseStorage.grantReadWrite, and the bucket policy lets exactly it in', () => {
    const roleId = logicalIdOf(stack, storageApi.role as iam.Role);
    const statements = statementsOfRole(template, roleId);
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
    }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['s3:ListBucket', 's3:ListBucketMultipartUploads'] }));
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')).map((p) => JSON.stringify(p.Properties.PolicyDocument));
    expect(policies.some((doc) => doc.includes('aws:PrincipalArn') && doc.includes(`"${roleId}","Arn"`))).toBe(true);
  });

  test('a service account waits for a namespace made by addNamespace, which is made once', () => {
    expect(cluster.addNamespace('supabase')).toBe(cluster.addNamespace('supabase'));
    const namespaceId = stack.getLogicalId(cluster.addNamespace('supabase').node.defaultChild as any);
    const manifestOf = (account: eks.ServiceAccount) => Object.entries(template.toJSON().Resources as Resources)
      .find(([id]) => id.includes(stack.getLogicalId(account.role.node.defaultChild as any).replace(/Role.*$/, 'manifest')))!;
    expect(manifestOf(auth)[1].DependsOn).toContain(namespaceId);
    expect(() => cluster.addNamespace('Not_A_Label')).toThrow(/namespace 'Not_A_Label' is not a DNS label/);
  });

  test('External Secrets Operator\'s role reads the Supabase secrets through SupabaseSecrets.grantRead', () => {
    const statements = statementsOfRole(template, logicalIdOf(stack, cluster.externalSecretsRole as iam.Role));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
    }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'kms:Decrypt' }));
    expect(statements.some((s) => [s.Action].flat().some((a: string) => /secretsmanager:(Put|Update|Delete|Create)/.test(a)))).toBe(false);
  });

  test('an explicit cluster name names the log group and the autoscaler tags', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', { Name: 'supabase-prod' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/eks/supabase-prod/cluster' });
    template.hasResourceProperties('AWS::EKS::Nodegroup', { Tags: Match.objectLike({ 'k8s.io/cluster-autoscaler/supabase-prod': 'owned' }) });
  });
});

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
