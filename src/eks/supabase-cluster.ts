import {
  Aws,
  Duration,
  Names,
  RemovalPolicy,
  Size,
  Stack,
  Token,
  Validations,
  aws_ec2 as ec2,
  aws_ecr as ecr,
  aws_eks_v2 as eks,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
  aws_route53 as route53,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SupabaseImageCacheOptions } from './image-cache';
import { SupabaseKubernetesVersion } from './kubernetes-version';
import { ALB_CONTROLLER_IAM_POLICY, ALB_CONTROLLER_IAM_POLICY_VERSION } from './private/alb-controller-iam-policy';
import { CHARTS, CLUSTER_AUTOSCALER_IMAGE_TAGS, PinnedChart } from './private/charts';
import { ImageCache, cachedImageReference, createImageCache } from './private/image-cache';
import { irsaRole } from './private/irsa';
import { parseIpv4Cidr } from '../private/cidr';
import { allowCloudWatchLogs } from '../private/kms';
import { acknowledgeAllManagedPolicies, acknowledgeManagedPolicies, acknowledgeWildcards } from '../private/nag';
import { WARNINGS, warn } from '../private/warnings';
import { addressesPerNode, usableSubnetAddresses } from './private/pod-capacity';

/** The lowest Kubernetes version this construct accepts; older ones are out of EKS standard support. */
const MIN_KUBERNETES_MINOR = 30;
const DEFAULT_DISK_SIZE = Size.gibibytes(50);
const NODE_GROUP_LABEL = 'cdk-supabase-on-aws/node-group';
const NATIVE_OIDC_PROVIDER_FLAG = '@aws-cdk/aws-eks:useNativeOidcProvider';
const HELM_TIMEOUT = Duration.minutes(15);

/** The stable ids of this construct's warnings; acknowledge them with `Validations.of(scope).acknowledge`. */
const ALL_LOG_TYPES = [
  eks.ClusterLoggingTypes.API,
  eks.ClusterLoggingTypes.AUDIT,
  eks.ClusterLoggingTypes.AUTHENTICATOR,
  eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
  eks.ClusterLoggingTypes.SCHEDULER,
];

/** Service accounts of the controllers and add-ons: [namespace, name]. */
const SERVICE_ACCOUNTS = {
  vpcCni: ['kube-system', 'aws-node'],
  ebsCsi: ['kube-system', 'ebs-csi-controller-sa'],
  albController: ['kube-system', 'aws-load-balancer-controller'],
  clusterAutoscaler: ['kube-system', 'cluster-autoscaler'],
  externalSecrets: ['external-secrets', 'external-secrets'],
  externalDns: ['external-dns', 'external-dns'],
} as const;

/**
 * A managed node group of a {@link SupabaseCluster}.
 */
export interface SupabaseNodeGroupOptions {
  /**
   * The group's name: its construct id and the value of the `cdk-supabase-on-aws/node-group` label on its nodes.
   * Letters, digits, '-' and '_', starting with a letter or digit, unique within the cluster.
   */
  readonly name: string;

  /** The instance types, in order of preference. Spot groups should list several of similar size. */
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
   *
   * @default - a new key with rotation enabled
   */
  readonly secretsEncryptionKey?: kms.IKey;

  /**
   * How long the control-plane logs (all five types) are kept.
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
   * The Cluster Autoscaler image tag. It must match the cluster's Kubernetes minor version.
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
   * `SupabaseNetwork.eksSubnets`. Private subnets with egress: the endpoint is private.
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

/**
 * An EKS cluster for Supabase, as the seed plan sets it: private API endpoint, secrets envelope-encrypted with KMS,
 * all control-plane logs with a retention, managed node groups on hardened launch templates (on-demand and spot),
 * the standard managed add-ons (VPC CNI with network policies, CoreDNS, kube-proxy, EBS CSI driver, metrics-server),
 * a default encrypted gp3 StorageClass, and three controllers through pinned Helm charts, each with its own IAM role
 * for its service account (IRSA): AWS Load Balancer Controller, Cluster Autoscaler and External Secrets Operator,
 * optionally ExternalDNS.
 *
 * @example
 * declare const network: SupabaseNetwork;
 * declare const secrets: SupabaseSecrets;
 * declare const adminRole: iam.IRole;
 * const cluster = new SupabaseCluster(this, 'Cluster', {
 *   vpc: network.vpc,
 *   vpcSubnets: network.eksSubnets,
 *   adminRoles: [adminRole],
 * });
 * secrets.grantRead(cluster.externalSecretsRole);
 */
export class SupabaseCluster extends Construct implements ec2.IConnectable {
  /** The EKS cluster. */
  public readonly cluster: eks.Cluster;
  /** The cluster's name. */
  public readonly clusterName: string;
  /** The Kubernetes version. */
  public readonly version: SupabaseKubernetesVersion;
  /** The managed node groups, in the order of `nodeGroups`. */
  public readonly nodeGroups: eks.Nodegroup[];
  /** The launch templates of the node groups, in the same order. */
  public readonly launchTemplates: ec2.LaunchTemplate[];
  /** The IAM role of every node: joining the cluster and pulling images, nothing more. */
  public readonly nodeRole: iam.IRole;
  /** The KMS key that encrypts Kubernetes secrets and the control-plane logs. */
  public readonly secretsEncryptionKey: kms.IKey;
  /** The log group of the control-plane logs, `/aws/eks/<cluster name>/cluster`. */
  public readonly controlPlaneLogGroup: logs.ILogGroup;
  /** The security groups of the control plane and the nodes (pods use the nodes' groups). */
  public readonly connections: ec2.Connections;
  /** The IRSA role of the VPC CNI add-on (`kube-system/aws-node`). */
  public readonly vpcCniRole: iam.IRole;
  /** The IRSA role of the EBS CSI driver add-on (`kube-system/ebs-csi-controller-sa`). */
  public readonly ebsCsiDriverRole: iam.IRole;
  /** The IRSA role of the AWS Load Balancer Controller (`kube-system/aws-load-balancer-controller`). */
  public readonly albControllerRole: iam.IRole;
  /** The IRSA role of the Cluster Autoscaler (`kube-system/cluster-autoscaler`). */
  public readonly clusterAutoscalerRole: iam.IRole;
  /**
   * The IRSA role of External Secrets Operator (`external-secrets/external-secrets`). It has no permission of its
   * own: give it read access with `SupabaseSecrets.grantRead(cluster.externalSecretsRole)`.
   */
  public readonly externalSecretsRole: iam.IRole;
  /** The IRSA role of ExternalDNS (`external-dns/external-dns`), when `externalDnsHostedZone` is set. */
  public readonly externalDnsRole?: iam.IRole;
  /** The AWS Load Balancer Controller's chart. Ingresses for an ALB must wait for it. */
  public readonly albControllerChart: eks.HelmChart;
  /** The Cluster Autoscaler's chart. */
  public readonly clusterAutoscalerChart: eks.HelmChart;
  /**
   * External Secrets Operator's chart, with its CRDs. Anything that applies `SecretStore` or `ExternalSecret`
   * objects must depend on it.
   */
  public readonly externalSecretsChart: eks.HelmChart;
  /** ExternalDNS's chart, when `externalDnsHostedZone` is set. */
  public readonly externalDnsChart?: eks.HelmChart;
  /** The managed add-ons: vpc-cni, kube-proxy, coredns, aws-ebs-csi-driver, metrics-server. */
  public readonly addons: eks.Addon[];
  /** The default StorageClass `gp3` (encrypted gp3 volumes of the EBS CSI driver, retained when released). */
  public readonly storageClass: eks.KubernetesManifest;
  /** The name of the default StorageClass, for persistent volume claims. */
  public readonly storageClassName: string = 'gp3';
  /** The pull-through cache rule for Docker Hub, with `imageCache`. */
  public readonly imageCacheRule?: ecr.CfnPullThroughCacheRule;

  private readonly imageCache?: ImageCache;

  private readonly namespaces = new Map<string, eks.KubernetesManifest>();

  constructor(scope: Construct, id: string, props: SupabaseClusterProps) {
    super(scope, id);
    // The native AWS::IAM::OIDCProvider instead of the older custom resource (a Lambda function), unless the app
    // decided otherwise. Set before any child exists, so that it applies to the cluster below.
    if (this.node.tryGetContext(NATIVE_OIDC_PROVIDER_FLAG) === undefined) {
      this.node.setContext(NATIVE_OIDC_PROVIDER_FLAG, true);
    }

    const stack = Stack.of(this);
    this.version = props.version ?? SupabaseKubernetesVersion.V1_36;
    this.validateVersion(this.version);
    const autoscalerImageTag = this.resolveAutoscalerImageTag(props.clusterAutoscalerImageTag);
    const nodeGroups = props.nodeGroups ?? defaultNodeGroups();
    this.validateNodeGroups(nodeGroups);
    const endpointAccess = this.resolveEndpointAccess(props);
    this.clusterName = props.clusterName ?? Names.uniqueResourceName(this, { maxLength: 100, separator: '-' });
    this.validateClusterName(this.clusterName);
    const vpcSubnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // Secrets encryption and control-plane logs.
    if (props.secretsEncryptionKey) {
      this.secretsEncryptionKey = props.secretsEncryptionKey;
    } else {
      this.secretsEncryptionKey = new kms.Key(this, 'SecretsKey', {
        description: `Encrypts the Kubernetes secrets and control-plane logs of ${this.node.path}`,
        enableKeyRotation: true,
        removalPolicy,
      });
      allowCloudWatchLogs(this, this.secretsEncryptionKey);
    }
    // EKS writes to /aws/eks/<name>/cluster and would create it without a retention; creating it first sets one.
    const logGroup = new logs.LogGroup(this, 'ControlPlaneLogs', {
      logGroupName: `/aws/eks/${this.clusterName}/cluster`,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: this.secretsEncryptionKey,
      removalPolicy,
    });
    this.controlPlaneLogGroup = logGroup;

    const selected = props.vpc.selectSubnets(vpcSubnets);
    const cluster = new eks.Cluster(this, 'Cluster', {
      clusterName: this.clusterName,
      version: this.version.kubernetesVersion,
      vpc: props.vpc,
      vpcSubnets: [vpcSubnets],
      endpointAccess,
      secretsEncryptionKey: this.secretsEncryptionKey,
      clusterLogging: ALL_LOG_TYPES,
      // Managed node groups below, not EKS Auto Mode.
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: 0,
      // The networking add-ons are installed below as managed add-ons, with their configuration.
      bootstrapSelfManagedAddons: false,
      // Only the kubectl handler and `adminRoles` administer the cluster, not whoever deploys the stack.
      bootstrapClusterCreatorAdminPermissions: false,
      kubectlProviderOptions: {
        kubectlLayer: this.version._kubectlLayer(this, 'KubectlLayer'),
        // In the cluster's private subnets, so that the handler reaches the private endpoint.
        privateSubnets: selected.subnets,
      },
    });
    this.cluster = cluster;
    const cfnCluster = cluster.node.defaultChild as eks.CfnCluster;
    cfnCluster.node.addDependency(logGroup);
    Validations.of(cfnCluster).acknowledge({
      id: 'CloudFormation-Validate::W9009',
      reason: 'aws-eks-v2 writes EncryptionConfig Resources ["secrets"], which the EKS API still accepts; secrets are the only resource EKS envelope-encrypts.',
    });
    this.connections = cluster.connections;
    this.secretsEncryptionKey.grant(cluster.role, 'kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:CreateGrant');
    acknowledgeManagedPolicies(cluster.role, {
      AmazonEKSClusterPolicy: 'The EKS cluster role needs the AWS managed policy AmazonEKSClusterPolicy: EKS documents it as the cluster IAM role\'s policy, and AWS maintains it as EKS adds features.',
    });
    this.acknowledgeKubectlProvider();

    (props.adminRoles ?? []).forEach((role, i) => {
      cluster.grantAccess(`AdminRoleAccess${i}`, role.roleArn, [
        eks.AccessPolicy.fromAccessPolicyName('AmazonEKSClusterAdminPolicy', { accessScopeType: eks.AccessScopeType.CLUSTER }),
      ]);
    });

    // Add-ons that nodes need to become Ready come first: the VPC CNI (pod networking) and kube-proxy.
    this.vpcCniRole = this.createAddonRole('VpcCniRole', SERVICE_ACCOUNTS.vpcCni, 'AmazonEKS_CNI_Policy',
      'the VPC CNI add-on needs the AWS managed policy AmazonEKS_CNI_Policy to attach network interfaces and assign pod IPs; EKS documents it for the add-on\'s IRSA role, kept off the node role');
    const vpcCni = this.addAddon('VpcCniAddon', 'vpc-cni', {
      // Enforce Kubernetes NetworkPolicies with the VPC CNI's network policy agent.
      enableNetworkPolicy: 'true',
    }, this.vpcCniRole);
    const kubeProxy = this.addAddon('KubeProxyAddon', 'kube-proxy');

    this.nodeRole = new iam.Role(this, 'NodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Nodes of ${this.node.path}: join the cluster and pull images`,
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKSWorkerNodePolicy'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEC2ContainerRegistryPullOnly'),
      ],
    });
    acknowledgeManagedPolicies(this.nodeRole, {
      AmazonEKSWorkerNodePolicy: 'EKS nodes need the AWS managed policy AmazonEKSWorkerNodePolicy: the kubelet describes EC2 resources and the EKS Pod Identity agent assumes roles with it, as the EKS node IAM role documentation lists. (AmazonEKS_CNI_Policy is not on this role: it goes to the VPC CNI\'s IRSA role.)',
      AmazonEC2ContainerRegistryPullOnly: 'EKS nodes need the AWS managed policy AmazonEC2ContainerRegistryPullOnly to pull images from ECR (the add-ons\' images among them), as the EKS node IAM role documentation lists; it only pulls, unlike AmazonEC2ContainerRegistryReadOnly.',
    });
    if (props.imageCache) {
      this.imageCache = createImageCache(this, this.nodeRole, props.imageCache);
      this.imageCacheRule = this.imageCache.rule;
    }

    this.launchTemplates = [];
    this.nodeGroups = nodeGroups.map((options) => {
      const launchTemplate = this.createLaunchTemplate(options);
      this.launchTemplates.push(launchTemplate);
      const nodeGroup = cluster.addNodegroupCapacity(options.name, {
        subnets: vpcSubnets,
        instanceTypes: options.instanceTypes,
        capacityType: options.capacityType,
        minSize: options.minSize,
        desiredSize: options.desiredSize,
        maxSize: options.maxSize,
        amiType: options.amiType ?? defaultAmiType(options.instanceTypes[0]),
        nodeRole: this.nodeRole,
        launchTemplateSpec: { id: launchTemplate.launchTemplateId!, version: launchTemplate.latestVersionNumber },
        labels: { [NODE_GROUP_LABEL]: options.name },
        // EKS tags each managed node group's Auto Scaling group with these itself; they are on the node group too,
        // so that the group's discovery by the Cluster Autoscaler is visible where the group is defined.
        tags: autoscalerDiscoveryTags(this.clusterName),
      });
      nodeGroup.node.addDependency(vpcCni, kubeProxy);
      return nodeGroup;
    });
    this.checkPodAddressCapacity(props.vpc, selected.subnets, nodeGroups);

    // Add-ons whose pods need nodes.
    const coreDns = this.addAddon('CoreDnsAddon', 'coredns');
    this.ebsCsiDriverRole = this.createAddonRole('EbsCsiDriverRole', SERVICE_ACCOUNTS.ebsCsi, 'service-role/AmazonEBSCSIDriverPolicy',
      'the EBS CSI driver add-on needs the AWS managed policy AmazonEBSCSIDriverPolicy to create, attach and delete EBS volumes for persistent volumes; EKS documents it for the driver\'s IRSA role');
    const ebsCsi = this.addAddon('EbsCsiDriverAddon', 'aws-ebs-csi-driver', undefined, this.ebsCsiDriverRole);
    // The Horizontal Pod Autoscaler reads pod metrics from metrics-server (an EKS community add-on).
    const metricsServer = this.addAddon('MetricsServerAddon', 'metrics-server');
    for (const addon of [coreDns, ebsCsi, metricsServer]) {
      addon.node.addDependency(...this.nodeGroups);
    }
    this.addons = [vpcCni, kubeProxy, coreDns, ebsCsi, metricsServer];

    this.storageClass = cluster.addManifest('Gp3StorageClass', {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: this.storageClassName,
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: 'ebs.csi.aws.com',
      parameters: { 'type': 'gp3', 'encrypted': 'true', 'csi.storage.k8s.io/fstype': 'ext4' },
      // Create the volume in the zone the pod is scheduled to.
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      // Data outlives the claim; delete released volumes deliberately.
      reclaimPolicy: 'Retain',
    });
    this.storageClass.node.addDependency(ebsCsi);

    // Controllers.
    ({ role: this.albControllerRole, chart: this.albControllerChart } = this.installAlbController(stack));
    ({ role: this.clusterAutoscalerRole, chart: this.clusterAutoscalerChart } =
      this.installClusterAutoscaler(stack, autoscalerImageTag));
    ({ role: this.externalSecretsRole, chart: this.externalSecretsChart } = this.installExternalSecrets());
    if (props.externalDnsHostedZone) {
      ({ role: this.externalDnsRole, chart: this.externalDnsChart } = this.installExternalDns(props.externalDnsHostedZone));
    }
  }

  /**
   * The reference the nodes pull `image` by: through the pull-through cache (`imageCache`) when the image is on
   * Docker Hub and the cluster has one, e.g. `kong/kong:3.9.3` becomes
   * `111122223333.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/kong/kong:3.9.3`; otherwise `image` itself.
   */
  public cachedImage(image: string): string {
    return this.imageCache ? cachedImageReference(image, this.imageCache) : image;
  }

  /**
   * Creates a Kubernetes service account bound to a new IAM role through IRSA: the role trusts only the cluster's
   * OIDC provider, for this service account in this namespace (`sub`) and for STS (`aud`). Grant the role what the
   * pods need, e.g. `storage.grantReadWrite(account)`.
   *
   * @param id the construct id
   * @param options the service account's name and namespace
   */
  public addServiceAccount(id: string, options: SupabaseServiceAccountOptions): eks.ServiceAccount {
    const account = new eks.ServiceAccount(this, id, {
      cluster: this.cluster,
      name: options.name,
      namespace: options.namespace,
      // IRSA is the default identity type (not EKS Pod Identity); left implicit so that aws-cdk-lib releases
      // without `IdentityType` work too. The tests assert the web-identity trust.
    });
    const namespace = this.namespaces.get(options.namespace);
    if (namespace) {
      account.node.addDependency(namespace);
    }
    return account;
  }

  /**
   * Creates the IAM role of the service account `namespace/name` (IRSA) in this cluster's scope and stack, without
   * the ServiceAccount object: declare that in your manifest with the `eks.amazonaws.com/role-arn` annotation. The
   * role lives beside the cluster, so resource policies in this stack (a bucket's, a key's) may name it.
   *
   * @param id the construct id of the role
   * @param options the service account's name and namespace
   */
  public addServiceAccountRole(id: string, options: SupabaseServiceAccountOptions): iam.Role {
    return irsaRole(this, id, {
      provider: this.cluster.openIdConnectProvider,
      namespace: options.namespace,
      name: options.name,
      description: `IRSA role of the Kubernetes service account ${options.namespace}/${options.name}`,
      conditionsId: `${id}Conditions`,
    });
  }

  /**
   * Creates a namespace, once: later calls with the same name return the same manifest.
   *
   * @param name the namespace's name, a DNS label
   */
  public addNamespace(name: string): eks.KubernetesManifest {
    const existing = this.namespaces.get(name);
    if (existing) {
      return existing;
    }
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) {
      throw new Error(`SupabaseCluster ${this.node.path}: namespace '${name}' is not a DNS label. Use lower-case letters, digits and '-', at most 63 characters.`);
    }
    const manifest = this.cluster.addManifest(`Namespace-${name}`, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    });
    this.namespaces.set(name, manifest);
    return manifest;
  }

  private installAlbController(stack: Stack) {
    const [namespace, name] = SERVICE_ACCOUNTS.albController;
    const account = this.addServiceAccount('AlbControllerServiceAccount', { name, namespace });
    // The upstream policy names the 'aws' partition; use the stack's.
    const document = JSON.parse(JSON.stringify(ALB_CONTROLLER_IAM_POLICY).replace(/arn:aws:/g, `arn:${Aws.PARTITION}:`));
    const policy = new iam.Policy(this, 'AlbControllerPolicy', { document: iam.PolicyDocument.fromJson(document) });
    account.role.attachInlinePolicy(policy);
    acknowledgeWildcards(policy, policy.document,
      `The AWS Load Balancer Controller's policy is the one its project publishes (docs/install/iam_policy.json of ${ALB_CONTROLLER_IAM_POLICY_VERSION}): it describes EC2 and ELB resources, which has no resource-level scope, and changes only load balancers, target groups, listeners, rules and security groups it tagged itself (elbv2.k8s.aws/cluster conditions), whose ARNs are not known in advance.`);
    const chart = this.addChart('AlbController', CHARTS.albController, namespace, account, {
      clusterName: this.clusterName,
      region: stack.region,
      vpcId: this.cluster.vpc.vpcId,
      serviceAccount: { create: false, name },
      // No mutating webhook on every Service: the ALB for Kong comes from an Ingress, and without the webhook other
      // charts' Services do not wait for the controller.
      enableServiceMutatorWebhook: false,
    });
    return { role: account.role, chart };
  }

  private installClusterAutoscaler(stack: Stack, imageTag: string) {
    const [namespace, name] = SERVICE_ACCOUNTS.clusterAutoscaler;
    const account = this.addServiceAccount('ClusterAutoscalerServiceAccount', { name, namespace });
    const policy = new iam.Policy(this, 'ClusterAutoscalerPolicy', {
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
          resources: [stack.formatArn({ service: 'eks', resource: 'nodegroup', resourceName: `${this.clusterName}/*/*` })],
        }),
        new iam.PolicyStatement({
          sid: 'ScaleThisClustersNodeGroups',
          actions: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
          resources: ['*'],
          conditions: {
            StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${this.clusterName}`]: 'owned' },
          },
        }),
      ],
    });
    account.role.attachInlinePolicy(policy);
    acknowledgeWildcards(policy, policy.document,
      'The Cluster Autoscaler discovers node groups with Describe actions that support no resource-level permissions (Resource *); its only writes (SetDesiredCapacity, TerminateInstanceInAutoScalingGroup) are conditioned on the Auto Scaling group\'s tag k8s.io/cluster-autoscaler/<cluster name>=owned, and eks:DescribeNodegroup is limited to this cluster\'s node groups (nodegroup/<cluster name>/*/*).');
    const chart = this.addChart('ClusterAutoscaler', CHARTS.clusterAutoscaler, namespace, account, {
      cloudProvider: 'aws',
      awsRegion: stack.region,
      autoDiscovery: { clusterName: this.clusterName },
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

  private installExternalSecrets() {
    const [namespace, name] = SERVICE_ACCOUNTS.externalSecrets;
    this.addNamespace(namespace);
    const account = this.addServiceAccount('ExternalSecretsServiceAccount', { name, namespace });
    const chart = this.addChart('ExternalSecrets', CHARTS.externalSecrets, namespace, account, {
      installCRDs: true,
      serviceAccount: { create: false, name },
    });
    return { role: account.role, chart };
  }

  private installExternalDns(zone: route53.IHostedZone) {
    const [namespace, name] = SERVICE_ACCOUNTS.externalDns;
    this.addNamespace(namespace);
    const account = this.addServiceAccount('ExternalDnsServiceAccount', { name, namespace });
    const policy = new iam.Policy(this, 'ExternalDnsPolicy', {
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
    const chart = this.addChart('ExternalDns', CHARTS.externalDns, namespace, account, {
      provider: { name: 'aws' },
      // Create and update records, never delete ones it did not create; TXT records mark what it owns.
      policy: 'upsert-only',
      registry: 'txt',
      txtOwnerId: this.clusterName,
      sources: ['ingress', 'service'],
      extraArgs: [`--zone-id-filter=${zone.hostedZoneId}`],
      serviceAccount: { create: false, name },
    });
    return { role: account.role, chart };
  }

  private addChart(id: string, pinned: PinnedChart, namespace: string, account: eks.ServiceAccount, values: Record<string, any>): eks.HelmChart {
    const chart = this.cluster.addHelmChart(id, {
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
    chart.node.addDependency(account, ...this.nodeGroups, ...this.addons);
    return chart;
  }

  private addAddon(id: string, addonName: string, configurationValues?: Record<string, any>, role?: iam.IRole): eks.Addon {
    const addon = new eks.Addon(this, id, {
      cluster: this.cluster,
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
  private createAddonRole(id: string, [namespace, name]: readonly [string, string], managedPolicy: string, why: string): iam.Role {
    const role = irsaRole(this, id, {
      provider: this.cluster.openIdConnectProvider,
      namespace,
      name,
      description: `IRSA role of ${namespace}/${name} in ${this.node.path}`,
      conditionsId: `${id}TrustConditions`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(managedPolicy)],
    });
    acknowledgeManagedPolicies(role, { [managedPolicy]: `${why[0].toUpperCase()}${why.slice(1)}.` });
    return role;
  }

  private createLaunchTemplate(options: SupabaseNodeGroupOptions): ec2.LaunchTemplate {
    const diskSize = options.diskSize ?? DEFAULT_DISK_SIZE;
    return new ec2.LaunchTemplate(this, `${options.name}LaunchTemplate`, {
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
   * Acknowledges the findings on the kubectl provider that aws-eks-v2 builds inside the cluster: its handler, the
   * custom resource provider framework around it, and their roles.
   */
  private acknowledgeKubectlProvider() {
    const provider = this.cluster.node.tryFindChild('KubectlProvider');
    if (!provider) {
      return;
    }
    for (const child of provider.node.findAll()) {
      if (child instanceof iam.Role) {
        acknowledgeAllManagedPolicies(child, 'CDK\'s kubectl provider (aws-eks-v2) gives its handler and provider-framework functions these AWS managed policies: AWSLambdaBasicExecutionRole (logs), AWSLambdaVPCAccessExecutionRole (network interfaces in the private subnets), AmazonEC2ContainerRegistryReadOnly and AmazonElasticContainerRegistryPublicReadOnly (Helm charts from OCI registries); aws-cdk-lib chooses them.');
      } else if (child instanceof iam.Policy) {
        acknowledgeWildcards(child, child.document, 'CDK\'s kubectl provider (aws-eks-v2): the provider framework may invoke any version of its own onEvent handler (the handler\'s ARN with :*); aws-cdk-lib writes this policy.');
      }
    }
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'CDK\'s kubectl provider handler and provider-framework functions: their runtimes are chosen by aws-cdk-lib and move with it.',
    });
  }

  private checkPodAddressCapacity(vpc: ec2.IVpc, subnets: ec2.ISubnet[], nodeGroups: SupabaseNodeGroupOptions[]) {
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
    const demand = nodeGroups.map((group) => {
      const perNode = Math.max(...group.instanceTypes.map(addressesPerNode));
      return { name: group.name, maxSize: group.maxSize, perNode, total: group.maxSize * perNode };
    });
    const needed = demand.reduce((sum, group) => sum + group.total, 0);
    if (needed > free) {
      const detail = demand.map((group) => `${group.name}: ${group.maxSize} nodes x ${group.perNode} addresses`).join(', ');
      warn(this, WARNINGS.clusterPodIpCapacity,
        `at their maximum sizes the node groups can take ${needed} addresses (${detail}; a node takes addresses for itself and its pods) but the cluster's ${subnets.length} subnets in VPC ${vpc.node.path} have ${free} usable addresses. With the VPC CNI every pod takes an address of its node's subnet, so pods would fail to start before the node groups reach their maximum. Give the EKS tier larger subnets (e.g. a /20 per zone: \`eksSubnetCidrs\` of SupabaseNetwork), give pods their own range (a secondary VPC CIDR with VPC CNI custom networking), lower \`maxSize\`, or use prefix delegation with fewer, larger nodes.`);
    }
  }

  private validateVersion(version: SupabaseKubernetesVersion) {
    if (version.minor < MIN_KUBERNETES_MINOR) {
      throw new Error(`SupabaseCluster ${this.node.path}: \`version\` is ${version.version}, below 1.${MIN_KUBERNETES_MINOR}, which is out of EKS standard support. Use SupabaseKubernetesVersion.V1_36 or \`SupabaseKubernetesVersion.of('1.${MIN_KUBERNETES_MINOR}', layer)\` or later.`);
    }
  }

  private resolveAutoscalerImageTag(given: string | undefined): string {
    if (given !== undefined) {
      return given;
    }
    const tag = CLUSTER_AUTOSCALER_IMAGE_TAGS[this.version.version];
    if (!tag) {
      throw new Error(`SupabaseCluster ${this.node.path}: no Cluster Autoscaler release is known for Kubernetes ${this.version.version}, and its minor version must match the cluster's. Pass \`clusterAutoscalerImageTag\` (e.g. 'v${this.version.version}.0').`);
    }
    return tag;
  }

  private resolveEndpointAccess(props: SupabaseClusterProps): eks.EndpointAccess {
    const cidrs = props.publicAccessCidrs;
    if (!props.publicEndpoint) {
      if (cidrs !== undefined) {
        throw new Error(`SupabaseCluster ${this.node.path}: \`publicAccessCidrs\` is set but \`publicEndpoint\` is not true; the endpoint is private. Set \`publicEndpoint: true\` or remove \`publicAccessCidrs\`.`);
      }
      return eks.EndpointAccess.PRIVATE;
    }
    for (const cidr of cidrs ?? []) {
      if (Token.isUnresolved(cidr)) {
        continue;
      }
      const block = parseIpv4Cidr(cidr);
      if (typeof block === 'string') {
        throw new Error(`SupabaseCluster ${this.node.path}: \`publicAccessCidrs\` entry '${cidr}' ${block}. Pass blocks such as '203.0.113.0/24'.`);
      }
    }
    if (!cidrs || cidrs.length === 0 || cidrs.includes('0.0.0.0/0')) {
      warn(this, WARNINGS.clusterPublicEndpoint,
        'the Kubernetes API endpoint is public and open to any address. Pass `publicAccessCidrs` with the blocks your operators and CI come from, or leave `publicEndpoint` off and reach the private endpoint through the VPC.');
    }
    return cidrs && cidrs.length > 0
      ? eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...cidrs)
      : eks.EndpointAccess.PUBLIC_AND_PRIVATE;
  }

  private validateClusterName(name: string) {
    if (Token.isUnresolved(name)) {
      throw new Error(`SupabaseCluster ${this.node.path}: \`clusterName\` must be a literal string: the control-plane log group and the Cluster Autoscaler's tags are named after it.`);
    }
    if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(name)) {
      throw new Error(`SupabaseCluster ${this.node.path}: \`clusterName\` '${name}' is not a valid EKS cluster name. Use letters, digits, '-' and '_', starting with a letter or digit, at most 100 characters.`);
    }
  }

  private validateNodeGroups(groups: SupabaseNodeGroupOptions[]) {
    if (groups.length === 0) {
      throw new Error(`SupabaseCluster ${this.node.path}: \`nodeGroups\` is empty; the controllers and Supabase need nodes to run on. Give at least one node group, or leave \`nodeGroups\` out for the seed plan's two.`);
    }
    const names = new Set<string>();
    for (const group of groups) {
      const where = `\`nodeGroups\` entry '${group.name}'`;
      if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,62}$/.test(group.name)) {
        throw new Error(`SupabaseCluster ${this.node.path}: \`nodeGroups\` name '${group.name}' is not valid. Use letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters.`);
      }
      if (names.has(group.name)) {
        throw new Error(`SupabaseCluster ${this.node.path}: \`nodeGroups\` has two groups named '${group.name}'. Give each group its own name.`);
      }
      names.add(group.name);
      if (group.instanceTypes.length === 0) {
        throw new Error(`SupabaseCluster ${this.node.path}: ${where} has an empty \`instanceTypes\` list. Give at least one instance type, e.g. ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.LARGE).`);
      }
      for (const [prop, value] of [['minSize', group.minSize], ['desiredSize', group.desiredSize], ['maxSize', group.maxSize]] as const) {
        if (!Number.isInteger(value) || value < 0) {
          throw new Error(`SupabaseCluster ${this.node.path}: ${where} has \`${prop}\` ${value}; it must be a whole number, 0 or more.`);
        }
      }
      if (group.maxSize < 1) {
        throw new Error(`SupabaseCluster ${this.node.path}: ${where} has \`maxSize\` 0; a managed node group needs a maximum of at least 1.`);
      }
      if (group.minSize > group.desiredSize) {
        throw new Error(`SupabaseCluster ${this.node.path}: ${where} has \`minSize\` ${group.minSize} > \`desiredSize\` ${group.desiredSize}. Use minSize <= desiredSize <= maxSize.`);
      }
      if (group.desiredSize > group.maxSize) {
        throw new Error(`SupabaseCluster ${this.node.path}: ${where} has \`desiredSize\` ${group.desiredSize} > \`maxSize\` ${group.maxSize}. Use minSize <= desiredSize <= maxSize.`);
      }
      if (group.diskSize && group.diskSize.toGibibytes() < 20) {
        throw new Error(`SupabaseCluster ${this.node.path}: ${where} has \`diskSize\` ${group.diskSize.toGibibytes()} GiB; nodes need at least 20 GiB for the OS and images.`);
      }
      if (group.capacityType === eks.CapacityType.SPOT && group.instanceTypes.length === 1) {
        warn(this, WARNINGS.clusterSpotDiversity,
          `spot node group '${group.name}' has a single instance type (${group.instanceTypes[0]}). Spot needs diversity: when that type's spot capacity runs out, the group cannot replace its nodes. List several types of similar size, e.g. t3.large, m5.large, m5a.large.`);
      }
    }
  }
}

/** The seed plan's node groups. */
function defaultNodeGroups(): SupabaseNodeGroupOptions[] {
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
