import { Duration, Size, aws_eks_v2 as eks } from 'aws-cdk-lib';

/** The lowest Kubernetes version SupabaseCluster accepts; older ones are out of EKS standard support. */
export const MIN_KUBERNETES_MINOR = 30;

/** The root volume of a node when its group sets no `diskSize`. */
export const DEFAULT_DISK_SIZE = Size.gibibytes(50);

/** The smallest root volume a node may have: the OS and the images need it. */
export const MIN_DISK_GIB = 20;

/** The node label whose value is the node's group name. */
export const NODE_GROUP_LABEL = 'cdk-supabase-on-aws/node-group';

/** The feature flag for the native AWS::IAM::OIDCProvider, which SupabaseCluster sets unless the app did. */
export const NATIVE_OIDC_PROVIDER_FLAG = '@aws-cdk/aws-eks:useNativeOidcProvider';

/** How long a Helm release may take to become ready. */
export const HELM_TIMEOUT = Duration.minutes(15);

/** The name of the default StorageClass. */
export const STORAGE_CLASS_NAME = 'gp3';

/** The control-plane log types, all five of them. */
export const ALL_LOG_TYPES = [
  eks.ClusterLoggingTypes.API,
  eks.ClusterLoggingTypes.AUDIT,
  eks.ClusterLoggingTypes.AUTHENTICATOR,
  eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
  eks.ClusterLoggingTypes.SCHEDULER,
];

/** Service accounts of the controllers and add-ons: [namespace, name]. */
export const SERVICE_ACCOUNTS = {
  vpcCni: ['kube-system', 'aws-node'],
  ebsCsi: ['kube-system', 'ebs-csi-controller-sa'],
  albController: ['kube-system', 'aws-load-balancer-controller'],
  clusterAutoscaler: ['kube-system', 'cluster-autoscaler'],
  externalSecrets: ['external-secrets', 'external-secrets'],
  externalDns: ['external-dns', 'external-dns'],
} as const;

/**
 * The Helm charts that SupabaseCluster installs, pinned. Where each version was read:
 * - aws-load-balancer-controller 3.5.0 (controller v3.5.0): helm/aws-load-balancer-controller/Chart.yaml at tag
 *   v3.5.0 of kubernetes-sigs/aws-load-balancer-controller, published in the eks-charts repository.
 * - cluster-autoscaler 9.59.0: cluster-autoscaler/charts/cluster-autoscaler/Chart.yaml at tag
 *   cluster-autoscaler-chart-9.59.0 of kubernetes/autoscaler (its default image is v1.35.0; the image tag is set
 *   from CLUSTER_AUTOSCALER_IMAGE_TAGS to match the cluster's Kubernetes minor version).
 * - external-secrets 2.9.0 (operator v2.9.0): deploy/charts/external-secrets/Chart.yaml at tag v2.9.0 of
 *   external-secrets/external-secrets.
 * - external-dns 1.21.1 (ExternalDNS 0.21.0): charts/external-dns/Chart.yaml at tag external-dns-helm-chart-1.21.1
 *   of kubernetes-sigs/external-dns.
 */
export interface PinnedChart {
  readonly chart: string;
  readonly repository: string;
  readonly version: string;
  readonly appVersion: string;
}

export const CHARTS = {
  albController: {
    chart: 'aws-load-balancer-controller',
    repository: 'https://aws.github.io/eks-charts',
    version: '3.5.0',
    appVersion: 'v3.5.0',
  },
  clusterAutoscaler: {
    chart: 'cluster-autoscaler',
    repository: 'https://kubernetes.github.io/autoscaler',
    version: '9.59.0',
    appVersion: '1.35.0',
  },
  externalSecrets: {
    chart: 'external-secrets',
    repository: 'https://charts.external-secrets.io',
    version: '2.9.0',
    appVersion: 'v2.9.0',
  },
  externalDns: {
    chart: 'external-dns',
    repository: 'https://kubernetes-sigs.github.io/external-dns/',
    version: '1.21.1',
    appVersion: '0.21.0',
  },
} satisfies Record<string, PinnedChart>;

/**
 * Cluster Autoscaler must match the cluster's Kubernetes minor version. The newest patch release of each minor,
 * from the cluster-autoscaler-1.MM.P tags of kubernetes/autoscaler.
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS: Record<string, string> = {
  '1.30': 'v1.30.7',
  '1.31': 'v1.31.5',
  '1.32': 'v1.32.7',
  '1.33': 'v1.33.6',
  '1.34': 'v1.34.5',
  '1.35': 'v1.35.2',
  '1.36': 'v1.36.1',
};
