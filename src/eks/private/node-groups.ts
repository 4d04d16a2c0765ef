import { Token, aws_ec2 as ec2, aws_eks_v2 as eks, aws_iam as iam } from 'aws-cdk-lib';
import { Construct, IConstruct, IDependable } from 'constructs';
import { DEFAULT_DISK_SIZE, NODE_GROUP_LABEL } from './constants';
import { addressesPerNode, usableSubnetAddresses } from './pod-capacity';
import { parseIpv4Cidr } from '../../private/cidr';
import { acknowledgeManagedPolicies } from '../../private/nag';
import { WARNINGS, warn } from '../../private/warnings';
import { SupabaseNodeGroupOptions } from '../cluster-props';

/** The seed plan's node groups. */
export function defaultNodeGroups(): SupabaseNodeGroupOptions[] {
  const type = (name: string) => new ec2.InstanceType(name);
  return [
    {
      name: 'general',
      instanceTypes: [type('t3.large'), type('t3.xlarge')],
      capacityType: eks.CapacityType.ON_DEMAND,
      minSize: 1,
      desiredSize: 3,
      maxSize: 10,
    },
    {
      name: 'spot',
      instanceTypes: [type('t3.large'), type('m5.large'), type('m5a.large')],
      capacityType: eks.CapacityType.SPOT,
      minSize: 0,
      desiredSize: 2,
      maxSize: 20,
    },
  ];
}

/** The IAM role of every node (`NodeRole`): joining the cluster and pulling images, nothing more. */
export function createNodeRole(scope: Construct): iam.Role {
  const role = new iam.Role(scope, 'NodeRole', {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    description: `Nodes of ${scope.node.path}: join the cluster and pull images`,
    managedPolicies: [
      iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKSWorkerNodePolicy'),
      iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEC2ContainerRegistryPullOnly'),
    ],
  });
  acknowledgeManagedPolicies(role, {
    AmazonEKSWorkerNodePolicy: 'EKS nodes need the AWS managed policy AmazonEKSWorkerNodePolicy: the kubelet describes EC2 resources and the EKS Pod Identity agent assumes roles with it, as the EKS node IAM role documentation lists. (AmazonEKS_CNI_Policy is not on this role: it goes to the VPC CNI\'s IRSA role.)',
    AmazonEC2ContainerRegistryPullOnly: 'EKS nodes need the AWS managed policy AmazonEC2ContainerRegistryPullOnly to pull images from ECR (the add-ons\' images among them), as the EKS node IAM role documentation lists; it only pulls, unlike AmazonEC2ContainerRegistryReadOnly.',
  });
  return role;
}

/** Where and how {@link addNodeGroups} creates the groups. */
export interface NodeGroupsContext {
  readonly cluster: eks.Cluster;
  readonly clusterName: string;
  readonly subnets: ec2.SubnetSelection;
  readonly nodeRole: iam.IRole;
  /** What the groups wait for: the add-ons that nodes need to become Ready. */
  readonly dependsOn: IDependable[];
}

/** The managed node groups, each on a launch template of its own (`<name>LaunchTemplate`), in the order given. */
export function addNodeGroups(scope: Construct, groups: SupabaseNodeGroupOptions[], context: NodeGroupsContext) {
  const launchTemplates: ec2.LaunchTemplate[] = [];
  const nodeGroups = groups.map((options) => {
    const launchTemplate = createLaunchTemplate(scope, options);
    launchTemplates.push(launchTemplate);
    const nodeGroup = context.cluster.addNodegroupCapacity(options.name, {
      subnets: context.subnets,
      instanceTypes: options.instanceTypes,
      capacityType: options.capacityType,
      minSize: options.minSize,
      desiredSize: options.desiredSize,
      maxSize: options.maxSize,
      amiType: options.amiType ?? defaultAmiType(options.instanceTypes[0]),
      nodeRole: context.nodeRole,
      launchTemplateSpec: { id: launchTemplate.launchTemplateId!, version: launchTemplate.latestVersionNumber },
      labels: { [NODE_GROUP_LABEL]: options.name },
      // EKS tags each managed node group's Auto Scaling group with these itself; they are on the node group too,
      // so that the group's discovery by the Cluster Autoscaler is visible where the group is defined.
      tags: autoscalerDiscoveryTags(context.clusterName),
    });
    nodeGroup.node.addDependency(...context.dependsOn);
    return nodeGroup;
  });
  return { nodeGroups, launchTemplates };
}

function createLaunchTemplate(scope: Construct, options: SupabaseNodeGroupOptions): ec2.LaunchTemplate {
  const diskSize = options.diskSize ?? DEFAULT_DISK_SIZE;
  return new ec2.LaunchTemplate(scope, `${options.name}LaunchTemplate`, {
    // IMDSv2 only. A hop limit of 2 lets pods outside the host network namespace (one hop further, through the
    // VPC CNI's veth pair) reach the metadata service, which AWS SDKs use for the region and as the last
    // credential fallback; IRSA itself reads the web identity token, not IMDS.
    requireImdsv2: true,
    httpPutResponseHopLimit: 2,
    httpEndpoint: true,
    blockDevices: [{
      deviceName: '/dev/xvda',
      volume: ec2.BlockDeviceVolume.ebs(diskSize.toGibibytes(), {
        volumeType: ec2.EbsDeviceVolumeType.GP3,
        encrypted: true,
        deleteOnTermination: true,
      }),
    }],
    detailedMonitoring: true,
    // No key pair: nodes are reached through SSM or kubectl, never SSH.
  });
}

/**
 * Warns on `scope` when the node groups at their maximum sizes would need more addresses than the subnets have
 * (with the VPC CNI every pod takes an address of its node's subnet). Skipped when a subnet's CIDR is unknown.
 */
export function checkPodAddressCapacity(scope: IConstruct, vpc: ec2.IVpc, subnets: ec2.ISubnet[], groups: SupabaseNodeGroupOptions[]): void {
  let free = 0;
  for (const subnet of subnets) {
    let cidr: string;
    try {
      cidr = subnet.ipv4CidrBlock;
    } catch {
      return; // an imported subnet without its CIDR block: nothing to check against
    }
    const block = Token.isUnresolved(cidr) ? undefined : parseIpv4Cidr(cidr);
    if (!block || typeof block === 'string') {
      return;
    }
    free += usableSubnetAddresses(block.prefix);
  }
  const demand = groups.map((group) => {
    const perNode = Math.max(...group.instanceTypes.map(addressesPerNode));
    return { name: group.name, maxSize: group.maxSize, perNode, total: group.maxSize * perNode };
  });
  const needed = demand.reduce((sum, group) => sum + group.total, 0);
  if (needed > free) {
    const detail = demand.map((group) => `${group.name}: ${group.maxSize} nodes x ${group.perNode} addresses`).join(', ');
    warn(scope, WARNINGS.clusterPodIpCapacity,
      `at their maximum sizes the node groups can take ${needed} addresses (${detail}; a node takes addresses for itself and its pods) but the cluster's ${subnets.length} subnets in VPC ${vpc.node.path} have ${free} usable addresses. With the VPC CNI every pod takes an address of its node's subnet, so pods would fail to start before the node groups reach their maximum. Give the EKS tier larger subnets (e.g. a /20 per zone: \`eksSubnetCidrs\` of SupabaseNetwork), give pods their own range (a secondary VPC CIDR with VPC CNI custom networking), lower \`maxSize\`, or use prefix delegation with fewer, larger nodes.`);
  }
}

function defaultAmiType(instanceType: ec2.InstanceType): eks.NodegroupAmiType {
  return instanceType.architecture === ec2.InstanceArchitecture.ARM_64
    ? eks.NodegroupAmiType.AL2023_ARM_64_STANDARD
    : eks.NodegroupAmiType.AL2023_X86_64_STANDARD;
}

function autoscalerDiscoveryTags(clusterName: string): Record<string, string> {
  return {
    'k8s.io/cluster-autoscaler/enabled': 'true',
    [`k8s.io/cluster-autoscaler/${clusterName}`]: 'owned',
  };
}
