import { aws_eks_v2 as eks, aws_iam as iam } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ACCOUNT, synth, resourcesOf, logicalIdOf, helmChart, expectIrsaTrust, statementsOfRole } from './fixture';
import { ALB_CONTROLLER_IAM_POLICY } from '../../src/eks/private/alb-controller-iam-policy';

describe('SupabaseCluster controllers with the defaults', () => {
  const { stack, cluster } = synth();
  const template = Template.fromStack(stack);
  const json = template.toJSON();
  const clusterName = cluster.clusterName;

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

});
