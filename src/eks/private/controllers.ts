import { Aws, Stack, aws_eks_v2 as eks, aws_iam as iam, aws_route53 as route53 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ALB_CONTROLLER_IAM_POLICY, ALB_CONTROLLER_IAM_POLICY_VERSION } from './alb-controller-iam-policy';
import { CHARTS, HELM_TIMEOUT, PinnedChart, SERVICE_ACCOUNTS } from './constants';
import { acknowledgeWildcards } from '../../private/nag';
import { SupabaseServiceAccountOptions } from '../cluster-props';

/**
 * What the controllers are installed into: the SupabaseCluster, whose children their policies and charts become,
 * once its node groups and add-ons exist.
 */
export type ControllerHost = Construct & {
  readonly cluster: eks.Cluster;
  readonly clusterName: string;
  readonly nodeGroups: eks.Nodegroup[];
  readonly addons: eks.Addon[];
  addServiceAccount(id: string, options: SupabaseServiceAccountOptions): eks.ServiceAccount;
  addNamespace(name: string): eks.KubernetesManifest;
};

/** A controller's IRSA role and Helm chart. */
export interface InstalledController {
  readonly role: iam.IRole;
  readonly chart: eks.HelmChart;
}

/** The AWS Load Balancer Controller, with the IAM policy its project publishes. */
export function installAlbController(host: ControllerHost): InstalledController {
  const [namespace, name] = SERVICE_ACCOUNTS.albController;
  const account = host.addServiceAccount('AlbControllerServiceAccount', { name, namespace });
  // The upstream policy names the 'aws' partition; use the stack's.
  const document = JSON.parse(JSON.stringify(ALB_CONTROLLER_IAM_POLICY).replace(/arn:aws:/g, `arn:${Aws.PARTITION}:`));
  const policy = new iam.Policy(host, 'AlbControllerPolicy', { document: iam.PolicyDocument.fromJson(document) });
  account.role.attachInlinePolicy(policy);
  acknowledgeWildcards(policy, policy.document,
    `The AWS Load Balancer Controller's policy is the one its project publishes (docs/install/iam_policy.json of ${ALB_CONTROLLER_IAM_POLICY_VERSION}): it describes EC2 and ELB resources, which has no resource-level scope, and changes only load balancers, target groups, listeners, rules and security groups it tagged itself (elbv2.k8s.aws/cluster conditions), whose ARNs are not known in advance.`);
  const chart = addChart(host, 'AlbController', CHARTS.albController, namespace, account, {
    clusterName: host.clusterName,
    region: Stack.of(host).region,
    vpcId: host.cluster.vpc.vpcId,
    serviceAccount: { create: false, name },
    // No mutating webhook on every Service: the ALB for Kong comes from an Ingress, and without the webhook other
    // charts' Services do not wait for the controller.
    enableServiceMutatorWebhook: false,
  });
  return { role: account.role, chart };
}

/** The Cluster Autoscaler, allowed to scale only this cluster's node groups. */
export function installClusterAutoscaler(host: ControllerHost, imageTag: string): InstalledController {
  const stack = Stack.of(host);
  const [namespace, name] = SERVICE_ACCOUNTS.clusterAutoscaler;
  const account = host.addServiceAccount('ClusterAutoscalerServiceAccount', { name, namespace });
  const policy = new iam.Policy(host, 'ClusterAutoscalerPolicy', {
    statements: [
      new iam.PolicyStatement({
        sid: 'DiscoverNodeGroups',
        actions: [
          'autoscaling:DescribeAutoScalingGroups',
          'autoscaling:DescribeAutoScalingInstances',
          'autoscaling:DescribeLaunchConfigurations',
          'autoscaling:DescribeScalingActivities',
          'autoscaling:DescribeTags',
          'ec2:DescribeImages',
          'ec2:DescribeInstanceTypes',
          'ec2:DescribeLaunchTemplateVersions',
          'ec2:GetInstanceTypesFromInstanceRequirements',
        ],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'DescribeThisClustersNodeGroups',
        actions: ['eks:DescribeNodegroup'],
        resources: [stack.formatArn({ service: 'eks', resource: 'nodegroup', resourceName: `${host.clusterName}/*/*` })],
      }),
      new iam.PolicyStatement({
        sid: 'ScaleThisClustersNodeGroups',
        actions: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
        resources: ['*'],
        conditions: {
          StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${host.clusterName}`]: 'owned' },
        },
      }),
    ],
  });
  account.role.attachInlinePolicy(policy);
  acknowledgeWildcards(policy, policy.document,
    'The Cluster Autoscaler discovers node groups with Describe actions that support no resource-level permissions (Resource *); its only writes (SetDesiredCapacity, TerminateInstanceInAutoScalingGroup) are conditioned on the Auto Scaling group\'s tag k8s.io/cluster-autoscaler/<cluster name>=owned, and eks:DescribeNodegroup is limited to this cluster\'s node groups (nodegroup/<cluster name>/*/*).');
  const chart = addChart(host, 'ClusterAutoscaler', CHARTS.clusterAutoscaler, namespace, account, {
    cloudProvider: 'aws',
    awsRegion: stack.region,
    autoDiscovery: { clusterName: host.clusterName },
    image: { tag: imageTag },
    rbac: { serviceAccount: { create: false, name } },
    extraArgs: {
      'balance-similar-node-groups': true,
      'skip-nodes-with-system-pods': false,
      'expander': 'least-waste',
    },
  });
  return { role: account.role, chart };
}

/** External Secrets Operator with its CRDs; its role has no permission of its own. */
export function installExternalSecrets(host: ControllerHost): InstalledController {
  const [namespace, name] = SERVICE_ACCOUNTS.externalSecrets;
  host.addNamespace(namespace);
  const account = host.addServiceAccount('ExternalSecretsServiceAccount', { name, namespace });
  const chart = addChart(host, 'ExternalSecrets', CHARTS.externalSecrets, namespace, account, {
    installCRDs: true,
    serviceAccount: { create: false, name },
  });
  return { role: account.role, chart };
}

/** ExternalDNS, allowed to change the records of `zone` only. */
export function installExternalDns(host: ControllerHost, zone: route53.IHostedZone): InstalledController {
  const [namespace, name] = SERVICE_ACCOUNTS.externalDns;
  host.addNamespace(namespace);
  const account = host.addServiceAccount('ExternalDnsServiceAccount', { name, namespace });
  const policy = new iam.Policy(host, 'ExternalDnsPolicy', {
    statements: [
      new iam.PolicyStatement({
        sid: 'ChangeRecordsOfOneZone',
        actions: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets', 'route53:ListTagsForResources'],
        resources: [zone.hostedZoneArn],
      }),
      new iam.PolicyStatement({
        sid: 'ListZones',
        actions: ['route53:ListHostedZones'],
        resources: ['*'],
      }),
    ],
  });
  account.role.attachInlinePolicy(policy);
  acknowledgeWildcards(policy, policy.document,
    'ExternalDNS lists hosted zones to find its zone; route53:ListHostedZones supports no resource-level permissions (Resource *). Record changes are limited to the one hosted zone given.');
  const chart = addChart(host, 'ExternalDns', CHARTS.externalDns, namespace, account, {
    provider: { name: 'aws' },
    // Create and update records, never delete ones it did not create; TXT records mark what it owns.
    policy: 'upsert-only',
    registry: 'txt',
    txtOwnerId: host.clusterName,
    sources: ['ingress', 'service'],
    extraArgs: [`--zone-id-filter=${zone.hostedZoneId}`],
    serviceAccount: { create: false, name },
  });
  return { role: account.role, chart };
}

function addChart(
  host: ControllerHost, id: string, pinned: PinnedChart, namespace: string, account: eks.ServiceAccount, values: Record<string, any>,
): eks.HelmChart {
  const chart = host.cluster.addHelmChart(id, {
    chart: pinned.chart,
    repository: pinned.repository,
    version: pinned.version,
    release: pinned.chart,
    namespace,
    createNamespace: false,
    values,
    wait: true,
    timeout: HELM_TIMEOUT,
  });
  // The pods need nodes, their service account (and so its namespace), and cluster DNS.
  chart.node.addDependency(account, ...host.nodeGroups, ...host.addons);
  return chart;
}
