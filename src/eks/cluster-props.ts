import { RemovalPolicy, Size, aws_ec2 as ec2, aws_eks_v2 as eks, aws_iam as iam, aws_kms as kms, aws_logs as logs, aws_route53 as route53 } from 'aws-cdk-lib';
import { SupabaseImageCacheOptions } from './image-cache';
import { SupabaseKubernetesVersion } from './kubernetes-version';
// For the {@link} references of the doc comments only.
import type { SupabaseCluster } from './supabase-cluster';

/**
 * A managed node group of a {@link SupabaseCluster}.
 */
export interface SupabaseNodeGroupOptions {
  /**
   * The group's name: its construct id and the value of the `cdk-supabase-on-aws/node-group` label on its nodes.
   * Letters, digits, '-' and '_', starting with a letter or digit, unique within the cluster.
   */
  readonly name: string;

  /**
   * The instance types, in order of preference. Spot groups should list several of similar size. EC2 types in the
   * form `<family>.<size>` (`new ec2.InstanceType('m7g.large')`): without a `db.` prefix, in lower case.
   */
  readonly instanceTypes: ec2.InstanceType[];

  /** On-demand or spot capacity. */
  readonly capacityType: eks.CapacityType;

  /** The fewest nodes the Cluster Autoscaler may scale in to. */
  readonly minSize: number;

  /** The number of nodes at creation; the Cluster Autoscaler changes it afterwards. */
  readonly desiredSize: number;

  /** The most nodes the Cluster Autoscaler may scale out to. */
  readonly maxSize: number;

  /**
   * The size of each node's root volume (encrypted gp3).
   *
   * @default Size.gibibytes(50)
   */
  readonly diskSize?: Size;

  /**
   * The AMI type of the nodes.
   *
   * @default - Amazon Linux 2023 for the architecture of the first instance type
   */
  readonly amiType?: eks.NodegroupAmiType;
}

/**
 * The settings of a {@link SupabaseCluster} other than its network: what `SupabaseOnAws` takes to create one.
 */
export interface SupabaseClusterOptions {
  /**
   * The Kubernetes version with its kubectl layer. At least 1.30.
   *
   * @default SupabaseKubernetesVersion.V1_36
   */
  readonly version?: SupabaseKubernetesVersion;

  /**
   * The cluster's name. It is also part of the control-plane log group's name and of the Cluster Autoscaler's
   * discovery tag. Letters, digits, '-' and '_', at most 100 characters.
   *
   * @default - a name derived from the construct's path, unique in the account and region
   */
  readonly clusterName?: string;

  /**
   * Whether the API server endpoint is also reachable from the internet (public and private access). Nodes and the
   * kubectl handler always use the private endpoint.
   *
   * @default false
   */
  readonly publicEndpoint?: boolean;

  /**
   * The CIDR blocks that may reach the public endpoint. Only with `publicEndpoint: true`.
   *
   * @default - with a public endpoint, any address (a warning says so)
   */
  readonly publicAccessCidrs?: string[];

  /**
   * The KMS key that envelope-encrypts Kubernetes secrets and encrypts the control-plane log group. The key
   * policy of a key you bring must let CloudWatch Logs of this region use it.
   * Checked at synth when imported by ARN (kms.Key.fromKeyArn): a key ARN (`key/<id>`, not an alias ARN, which IAM
   * policies and grants cannot name) of this stack's region.
   *
   * @default - a new key with rotation enabled and the alias `alias/<stack name>/<path>/kubernetes-secrets`
   */
  readonly secretsEncryptionKey?: kms.IKey;

  /**
   * How long the control-plane logs (all five types) are kept. Only the day counts of `logs.RetentionDays` are
   * accepted; another number is a synth-time error naming the nearest.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * IAM roles that receive cluster-admin access (access entries with `AmazonEKSClusterAdminPolicy`).
   *
   * @default - none: only the kubectl handler of this construct administers the cluster
   */
  readonly adminRoles?: iam.IRole[];

  /**
   * The managed node groups.
   *
   * @default - the seed plan's groups: `general` (on demand; t3.large, t3.xlarge; min 1, desired 3, max 10) and
   * `spot` (t3.large, m5.large, m5a.large; min 0, desired 2, max 20)
   */
  readonly nodeGroups?: SupabaseNodeGroupOptions[];

  /**
   * The Cluster Autoscaler image tag, a release tag such as 'v1.36.1'. Its minor version must be the cluster's
   * Kubernetes minor version (`version`); a synth-time error otherwise.
   *
   * @default - the newest Cluster Autoscaler release of the cluster's minor version, for 1.30 to 1.36
   */
  readonly clusterAutoscalerImageTag?: string;

  /**
   * A Route 53 hosted zone that ExternalDNS keeps the records of the cluster's ingresses and services in. ExternalDNS
   * may change only this zone.
   *
   * @default - ExternalDNS is not installed
   */
  readonly externalDnsHostedZone?: route53.IHostedZone;

  /**
   * An ECR pull-through cache for the Docker Hub images (every default Supabase image is one): `SupabaseOnAws`
   * then has the nodes pull them from ECR in this region (`cachedImage`), and only ECR fetches from Docker Hub,
   * once per image. A standby site that scales up in a disaster then depends on Docker Hub only for images never
   * pulled there (`SupabaseOnAws` `standby` pulls them in advance).
   *
   * @default - no cache: the nodes pull from Docker Hub through the NAT gateways, anonymously
   */
  readonly imageCache?: SupabaseImageCacheOptions;

  /**
   * What happens to the encryption key and the control-plane log group this construct creates when they leave the
   * stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Properties of a {@link SupabaseCluster}.
 */
export interface SupabaseClusterProps extends SupabaseClusterOptions {
  /** The VPC of the cluster, e.g. `SupabaseNetwork.vpc`. */
  readonly vpc: ec2.IVpc;

  /**
   * The subnets of the control plane's network interfaces, the nodes, the pods and the kubectl handler, e.g.
   * `SupabaseNetwork.eksSubnets`. Private subnets with egress: the endpoint is private. They must span at least
   * two availability zones, as EKS requires.
   *
   * @default { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
}

/**
 * A Kubernetes service account bound to an IAM role (IRSA).
 */
export interface SupabaseServiceAccountOptions {
  /** The service account's name. */
  readonly name: string;

  /**
   * The service account's namespace. It must exist: create it with `addNamespace()` (the service account then waits
   * for it) or elsewhere before the service account.
   */
  readonly namespace: string;
}
