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
