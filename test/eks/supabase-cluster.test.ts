import { aws_eks_v2 as eks, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EKS_SUBNETS, Resources, synth, resourcesOf, logicalIdOf, onlyResource, expectIrsaTrust, statementsOfRole, managedPolicyArn } from './fixture';
import { SupabaseSecrets, SupabaseStorage } from '../../src';
import { SupabaseKubernetesVersion } from '../../src/eks';

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

  test('the secrets key rotates and carries the library\'s alias, alias/<stack>/<path>/kubernetes-secrets', () => {
    const keyId = stack.getLogicalId(cluster.secretsEncryptionKey.node.defaultChild as any);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/Supa/Cluster/kubernetes-secrets',
      TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
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
