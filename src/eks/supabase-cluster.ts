import {
  Names,
  RemovalPolicy,
  Validations,
  aws_ec2 as ec2,
  aws_ecr as ecr,
  aws_eks_v2 as eks,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SupabaseClusterProps, SupabaseServiceAccountOptions } from './cluster-props';
import { SupabaseKubernetesVersion } from './kubernetes-version';
import { addNodeAddons, addNodeNetworkingAddons } from './private/addons';
import { ALL_LOG_TYPES, NATIVE_OIDC_PROVIDER_FLAG, STORAGE_CLASS_NAME } from './private/constants';
import { installAlbController, installClusterAutoscaler, installExternalDns, installExternalSecrets } from './private/controllers';
import { ImageCache, cachedImageReference, createImageCache } from './private/image-cache';
import { irsaRole } from './private/irsa';
import { validateClusterZones } from './private/node-group-validation';
import { addNodeGroups, checkPodAddressCapacity, createNodeRole, defaultNodeGroups } from './private/node-groups';
import { CLUSTER_PROPS_SPEC } from './private/props-spec';
import {
  resolveAutoscalerImageTag, resolveEndpointAccess, validateClusterName, validateNamespaceName, validateNodeGroups, validateVersion,
} from './private/validation';
import { checkKey } from '../private/arn-checks';
import { allowCloudWatchLogs, createKey } from '../private/kms';
import { acknowledgeAllManagedPolicies, acknowledgeManagedPolicies, acknowledgeWildcards } from '../private/nag';
import { checkProps } from '../private/props-check';

/**
 * An EKS cluster for Supabase, as the seed plan sets it: private endpoint, KMS-encrypted secrets, control-plane logs,
 * on-demand and spot managed node groups on hardened launch templates, the standard managed add-ons, a default gp3
 * StorageClass, and the AWS Load Balancer Controller, Cluster Autoscaler and External Secrets Operator (optionally
 * ExternalDNS) from pinned Helm charts, each on its own IRSA role. See docs/cluster.md.
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
  public readonly storageClassName: string = STORAGE_CLASS_NAME;
  /** The pull-through cache rule for Docker Hub, with `imageCache`. */
  public readonly imageCacheRule?: ecr.CfnPullThroughCacheRule;

  private readonly imageCache?: ImageCache;

  private readonly namespaces = new Map<string, eks.KubernetesManifest>();

  constructor(scope: Construct, id: string, props: SupabaseClusterProps) {
    super(scope, id);
    checkProps(this, props, CLUSTER_PROPS_SPEC, 'SupabaseClusterProps');
    checkKey(this, 'secretsEncryptionKey', props.secretsEncryptionKey);
    // The native AWS::IAM::OIDCProvider instead of the older custom resource (a Lambda function), unless the app
    // decided otherwise. Set before any child exists, so that it applies to the cluster below.
    if (this.node.tryGetContext(NATIVE_OIDC_PROVIDER_FLAG) === undefined) {
      this.node.setContext(NATIVE_OIDC_PROVIDER_FLAG, true);
    }

    this.version = props.version ?? SupabaseKubernetesVersion.V1_36;
    validateVersion(this, this.version);
    const autoscalerImageTag = resolveAutoscalerImageTag(this, this.version, props.clusterAutoscalerImageTag);
    const nodeGroups = props.nodeGroups ?? defaultNodeGroups();
    validateNodeGroups(this, nodeGroups);
    const endpointAccess = resolveEndpointAccess(this, props);
    this.clusterName = props.clusterName ?? Names.uniqueResourceName(this, { maxLength: 100, separator: '-' });
    validateClusterName(this, this.clusterName);
    const vpcSubnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    validateClusterZones(this, props.vpc, vpcSubnets);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // Secrets encryption and control-plane logs.
    if (props.secretsEncryptionKey) {
      this.secretsEncryptionKey = props.secretsEncryptionKey;
    } else {
      this.secretsEncryptionKey = createKey(this, 'SecretsKey', {
        description: `Encrypts the Kubernetes secrets and control-plane logs of ${this.node.path}`,
        purpose: 'kubernetes-secrets',
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

    // Add-ons that nodes need to become Ready come first, then the nodes, then the add-ons whose pods need nodes.
    const { vpcCniRole, vpcCni, kubeProxy } = addNodeNetworkingAddons(this, cluster);
    this.vpcCniRole = vpcCniRole;
    this.nodeRole = createNodeRole(this);
    if (props.imageCache) {
      this.imageCache = createImageCache(this, this.nodeRole, props.imageCache);
      this.imageCacheRule = this.imageCache.rule;
    }
    ({ nodeGroups: this.nodeGroups, launchTemplates: this.launchTemplates } = addNodeGroups(this, nodeGroups, {
      cluster,
      clusterName: this.clusterName,
      subnets: vpcSubnets,
      nodeRole: this.nodeRole,
      dependsOn: [vpcCni, kubeProxy],
    }));
    checkPodAddressCapacity(this, props.vpc, selected.subnets, nodeGroups);
    const { coreDns, ebsCsiDriverRole, ebsCsi, metricsServer } = addNodeAddons(this, cluster, this.nodeGroups);
    this.ebsCsiDriverRole = ebsCsiDriverRole;
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
    ({ role: this.albControllerRole, chart: this.albControllerChart } = installAlbController(this));
    ({ role: this.clusterAutoscalerRole, chart: this.clusterAutoscalerChart } =
      installClusterAutoscaler(this, autoscalerImageTag));
    ({ role: this.externalSecretsRole, chart: this.externalSecretsChart } = installExternalSecrets(this));
    if (props.externalDnsHostedZone) {
      ({ role: this.externalDnsRole, chart: this.externalDnsChart } = installExternalDns(this, props.externalDnsHostedZone));
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
    validateNamespaceName(this, name);
    const manifest = this.cluster.addManifest(`Namespace-${name}`, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    });
    this.namespaces.set(name, manifest);
    return manifest;
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
}
