import { Token, aws_eks_v2 as eks } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CLUSTER_AUTOSCALER_IMAGE_TAGS, MIN_DISK_GIB, MIN_KUBERNETES_MINOR } from './constants';
import { validateInstanceTypes } from './node-group-validation';
import { parseIpv4Cidr } from '../../private/cidr';
import { configError } from '../../private/errors';
import { WARNINGS, warn } from '../../private/warnings';
import { SupabaseClusterProps, SupabaseNodeGroupOptions } from '../cluster-props';
import { SupabaseKubernetesVersion } from '../kubernetes-version';

/** `version` must still be in EKS standard support. */
export function validateVersion(scope: IConstruct, version: SupabaseKubernetesVersion): void {
  if (version.minor < MIN_KUBERNETES_MINOR) {
    throw configError(scope, `\`version\` is ${version.version}, below 1.${MIN_KUBERNETES_MINOR}, which is out of EKS standard support. Use SupabaseKubernetesVersion.V1_36 or \`SupabaseKubernetesVersion.of('1.${MIN_KUBERNETES_MINOR}', layer)\` or later.`);
  }
}

/** The Cluster Autoscaler image tag: the one given, or the pinned release of the cluster's minor version. */
export function resolveAutoscalerImageTag(scope: IConstruct, version: SupabaseKubernetesVersion, given: string | undefined): string {
  const pinned = CLUSTER_AUTOSCALER_IMAGE_TAGS[version.version];
  if (given !== undefined) {
    validateAutoscalerImageTag(scope, version, given, pinned ?? `v${version.version}.0`);
    return given;
  }
  const tag = pinned;
  if (!tag) {
    throw configError(scope, `no Cluster Autoscaler release is known for Kubernetes ${version.version}, and its minor version must match the cluster's. Pass \`clusterAutoscalerImageTag\` (e.g. 'v${version.version}.0').`);
  }
  return tag;
}

/**
 * A given Cluster Autoscaler image tag is a release tag ('v1.36.1') whose minor version is the cluster's: the
 * autoscaler supports only the Kubernetes minor it was released for. Tokens are skipped.
 */
function validateAutoscalerImageTag(scope: IConstruct, version: SupabaseKubernetesVersion, tag: string, suggestion: string): void {
  if (Token.isUnresolved(tag)) {
    return;
  }
  const release = /^v(\d+)\.(\d+)\.(\d+)$/.exec(tag);
  if (!release) {
    throw configError(scope, `\`clusterAutoscalerImageTag\` '${tag}' is not a Cluster Autoscaler release tag; tags have the form 'v<major>.<minor>.<patch>'. Use '${suggestion}' for Kubernetes ${version.version}, or leave the prop out for the pinned release.`);
  }
  if (`${release[1]}.${release[2]}` !== version.version) {
    throw configError(scope, `\`clusterAutoscalerImageTag\` '${tag}' is a release for Kubernetes ${release[1]}.${release[2]} but \`version\` is ${version.version}; the Cluster Autoscaler's minor version must match the cluster's. Use '${suggestion}', or leave the prop out for the pinned release.`);
  }
}

/** The API server endpoint: private, or public too from `publicAccessCidrs` (a warning when open to any address). */
export function resolveEndpointAccess(scope: IConstruct, props: SupabaseClusterProps): eks.EndpointAccess {
  const cidrs = props.publicAccessCidrs;
  if (!props.publicEndpoint) {
    if (cidrs !== undefined) {
      throw configError(scope, '`publicAccessCidrs` is set but `publicEndpoint` is not true; the endpoint is private. Set `publicEndpoint: true` or remove `publicAccessCidrs`.');
    }
    return eks.EndpointAccess.PRIVATE;
  }
  for (const cidr of cidrs ?? []) {
    if (Token.isUnresolved(cidr)) {
      continue;
    }
    const block = parseIpv4Cidr(cidr);
    if (typeof block === 'string') {
      throw configError(scope, `\`publicAccessCidrs\` entry '${cidr}' ${block}. Pass blocks such as '203.0.113.0/24'.`);
    }
  }
  if (!cidrs || cidrs.length === 0 || cidrs.includes('0.0.0.0/0')) {
    warn(scope, WARNINGS.clusterPublicEndpoint,
      'the Kubernetes API endpoint is public and open to any address. Pass `publicAccessCidrs` with the blocks your operators and CI come from, or leave `publicEndpoint` off and reach the private endpoint through the VPC.');
  }
  return cidrs && cidrs.length > 0
    ? eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...cidrs)
    : eks.EndpointAccess.PUBLIC_AND_PRIVATE;
}

/** `clusterName` must be a literal, valid EKS cluster name. */
export function validateClusterName(scope: IConstruct, name: string): void {
  if (Token.isUnresolved(name)) {
    throw configError(scope, '`clusterName` must be a literal string: the control-plane log group and the Cluster Autoscaler\'s tags are named after it.');
  }
  if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(name)) {
    throw configError(scope, `\`clusterName\` '${name}' is not a valid EKS cluster name. Use letters, digits, '-' and '_', starting with a letter or digit, at most 100 characters.`);
  }
}

/** At least one node group, each with a unique valid name, instance types, sizes in order and a large enough disk. */
export function validateNodeGroups(scope: IConstruct, groups: SupabaseNodeGroupOptions[]): void {
  if (groups.length === 0) {
    throw configError(scope, '`nodeGroups` is empty; the controllers and Supabase need nodes to run on. Give at least one node group, or leave `nodeGroups` out for the seed plan\'s two.');
  }
  const names = new Set<string>();
  for (const group of groups) {
    if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,62}$/.test(group.name)) {
      throw configError(scope, `\`nodeGroups\` name '${group.name}' is not valid. Use letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters.`);
    }
    if (names.has(group.name)) {
      throw configError(scope, `\`nodeGroups\` has two groups named '${group.name}'. Give each group its own name.`);
    }
    names.add(group.name);
    validateNodeGroup(scope, group);
  }
}

function validateNodeGroup(scope: IConstruct, group: SupabaseNodeGroupOptions): void {
  const where = `\`nodeGroups\` entry '${group.name}'`;
  if (group.instanceTypes.length === 0) {
    throw configError(scope, `${where} has an empty \`instanceTypes\` list. Give at least one instance type, e.g. ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.LARGE).`);
  }
  validateInstanceTypes(scope, group.name, group.instanceTypes);
  for (const [prop, value] of [['minSize', group.minSize], ['desiredSize', group.desiredSize], ['maxSize', group.maxSize]] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw configError(scope, `${where} has \`${prop}\` ${value}; it must be a whole number, 0 or more.`);
    }
  }
  if (group.maxSize < 1) {
    throw configError(scope, `${where} has \`maxSize\` 0; a managed node group needs a maximum of at least 1.`);
  }
  if (group.minSize > group.desiredSize) {
    throw configError(scope, `${where} has \`minSize\` ${group.minSize} > \`desiredSize\` ${group.desiredSize}. Use minSize <= desiredSize <= maxSize.`);
  }
  if (group.desiredSize > group.maxSize) {
    throw configError(scope, `${where} has \`desiredSize\` ${group.desiredSize} > \`maxSize\` ${group.maxSize}. Use minSize <= desiredSize <= maxSize.`);
  }
  if (group.diskSize && group.diskSize.toGibibytes() < MIN_DISK_GIB) {
    throw configError(scope, `${where} has \`diskSize\` ${group.diskSize.toGibibytes()} GiB; nodes need at least ${MIN_DISK_GIB} GiB for the OS and images.`);
  }
  if (group.capacityType === eks.CapacityType.SPOT && group.instanceTypes.length === 1) {
    warn(scope, WARNINGS.clusterSpotDiversity,
      `spot node group '${group.name}' has a single instance type (${group.instanceTypes[0]}). Spot needs diversity: when that type's spot capacity runs out, the group cannot replace its nodes. List several types of similar size, e.g. t3.large, m5.large, m5a.large.`);
  }
}

/** A namespace's name must be a DNS label. */
export function validateNamespaceName(scope: IConstruct, name: string): void {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) {
    throw configError(scope, `namespace '${name}' is not a DNS label. Use lower-case letters, digits and '-', at most 63 characters.`);
  }
}
