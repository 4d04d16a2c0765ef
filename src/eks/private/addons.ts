import { aws_eks_v2 as eks, aws_iam as iam } from 'aws-cdk-lib';
import { Construct, IDependable } from 'constructs';
import { SERVICE_ACCOUNTS } from './constants';
import { irsaRole } from './irsa';
import { acknowledgeManagedPolicies } from '../../private/nag';

/**
 * The add-ons that nodes need to become Ready, to be created before the node groups: the VPC CNI (pod networking,
 * with network policies enforced, on its own IRSA role) and kube-proxy.
 */
export function addNodeNetworkingAddons(scope: Construct, cluster: eks.Cluster) {
  const vpcCniRole = createAddonRole(scope, cluster, 'VpcCniRole', SERVICE_ACCOUNTS.vpcCni, 'AmazonEKS_CNI_Policy',
    'the VPC CNI add-on needs the AWS managed policy AmazonEKS_CNI_Policy to attach network interfaces and assign pod IPs; EKS documents it for the add-on\'s IRSA role, kept off the node role');
  const vpcCni = addAddon(scope, cluster, 'VpcCniAddon', 'vpc-cni', {
    // Enforce Kubernetes NetworkPolicies with the VPC CNI's network policy agent.
    enableNetworkPolicy: 'true',
  }, vpcCniRole);
  const kubeProxy = addAddon(scope, cluster, 'KubeProxyAddon', 'kube-proxy');
  return { vpcCniRole, vpcCni, kubeProxy };
}

/**
 * The add-ons whose pods need nodes, created after the node groups (`nodeGroups`): CoreDNS, the EBS CSI driver
 * (on its own IRSA role) and metrics-server.
 */
export function addNodeAddons(scope: Construct, cluster: eks.Cluster, nodeGroups: IDependable[]) {
  const coreDns = addAddon(scope, cluster, 'CoreDnsAddon', 'coredns');
  const ebsCsiDriverRole = createAddonRole(scope, cluster, 'EbsCsiDriverRole', SERVICE_ACCOUNTS.ebsCsi, 'service-role/AmazonEBSCSIDriverPolicy',
    'the EBS CSI driver add-on needs the AWS managed policy AmazonEBSCSIDriverPolicy to create, attach and delete EBS volumes for persistent volumes; EKS documents it for the driver\'s IRSA role');
  const ebsCsi = addAddon(scope, cluster, 'EbsCsiDriverAddon', 'aws-ebs-csi-driver', undefined, ebsCsiDriverRole);
  // The Horizontal Pod Autoscaler reads pod metrics from metrics-server (an EKS community add-on).
  const metricsServer = addAddon(scope, cluster, 'MetricsServerAddon', 'metrics-server');
  for (const addon of [coreDns, ebsCsi, metricsServer]) {
    addon.node.addDependency(...nodeGroups);
  }
  return { coreDns, ebsCsiDriverRole, ebsCsi, metricsServer };
}

function addAddon(
  scope: Construct, cluster: eks.Cluster, id: string, addonName: string, configurationValues?: Record<string, any>, role?: iam.IRole,
): eks.Addon {
  const addon = new eks.Addon(scope, id, {
    cluster,
    addonName,
    configurationValues,
    preserveOnDelete: false,
  });
  const resource = addon.node.defaultChild as eks.CfnAddon;
  // Take over from any self-managed copy that EKS installed (older aws-cdk-lib without bootstrapSelfManagedAddons).
  resource.resolveConflicts = 'OVERWRITE';
  if (role) {
    resource.serviceAccountRoleArn = role.roleArn;
  }
  return addon;
}

/** An IRSA role for an add-on's own service account (the add-on creates the account). */
function createAddonRole(
  scope: Construct, cluster: eks.Cluster, id: string, [namespace, name]: readonly [string, string], managedPolicy: string, why: string,
): iam.Role {
  const role = irsaRole(scope, id, {
    provider: cluster.openIdConnectProvider,
    namespace,
    name,
    description: `IRSA role of ${namespace}/${name} in ${scope.node.path}`,
    conditionsId: `${id}TrustConditions`,
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(managedPolicy)],
  });
  acknowledgeManagedPolicies(role, { [managedPolicy]: `${why[0].toUpperCase()}${why.slice(1)}.` });
  return role;
}
