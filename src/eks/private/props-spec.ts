/** The specs of SupabaseCluster's props for the props check (src/private/props-check.ts); kept out of the jsii API. */
import { RemovalPolicy, aws_ec2 as ec2, aws_eks_v2 as eks, aws_logs as logs } from 'aws-cdk-lib';
import { PropsSpec, arrayOf, classOf, construct, enumOf, object, required } from '../../private/props-check';
import { SupabaseClusterOptions, SupabaseClusterProps, SupabaseNodeGroupOptions } from '../cluster-props';
import { SupabaseImageCacheOptions } from '../image-cache';
import { SupabaseKubernetesVersion } from '../kubernetes-version';

/** How an instance type is written, in the messages. */
export const INSTANCE_TYPE = classOf(ec2.InstanceType, 'ec2.InstanceType', "new ec2.InstanceType('m7g.large')");

/** For a version given as a string ('1.31'): the constant of that version, or `of` with the matching kubectl layer. */
function versionHint(v: unknown): string {
  const minor = typeof v === 'string' ? /^\s*v?1\.(\d+)\s*$/.exec(v)?.[1] : undefined;
  if (minor === undefined) {
    return '';
  }
  const constant = `V1_${minor}`;
  if (constant in SupabaseKubernetesVersion) {
    return ` Use \`SupabaseKubernetesVersion.${constant}\`.`;
  }
  return ` Use \`SupabaseKubernetesVersion.of('1.${minor}', new KubectlV${minor}Layer(this, 'KubectlLayer'))\` with the layer of `
    + `@aws-cdk/lambda-layer-kubectl-v${minor}, or \`SupabaseKubernetesVersion.V1_36\`.`;
}

export const NODE_GROUP_SPEC: PropsSpec<SupabaseNodeGroupOptions> = {
  name: required('string'),
  instanceTypes: required(arrayOf(INSTANCE_TYPE)),
  capacityType: required(enumOf('eks.CapacityType', eks.CapacityType)),
  minSize: required('number'),
  desiredSize: required('number'),
  maxSize: required('number'),
  diskSize: 'Size',
  amiType: enumOf('eks.NodegroupAmiType', eks.NodegroupAmiType),
};

const IMAGE_CACHE_SPEC: PropsSpec<SupabaseImageCacheOptions> = {
  dockerHubCredentials: required(construct('secretsmanager.ISecret')),
  repositoryPrefix: 'string',
};

export const CLUSTER_OPTIONS_SPEC: PropsSpec<SupabaseClusterOptions> = {
  version: classOf(SupabaseKubernetesVersion, 'SupabaseKubernetesVersion', 'SupabaseKubernetesVersion.V1_36', versionHint),
  clusterName: 'string',
  publicEndpoint: 'boolean',
  publicAccessCidrs: 'string[]',
  secretsEncryptionKey: construct('kms.IKey'),
  logRetention: enumOf('logs.RetentionDays', logs.RetentionDays),
  adminRoles: arrayOf(construct('iam.IRole')),
  nodeGroups: arrayOf(object('SupabaseNodeGroupOptions', NODE_GROUP_SPEC)),
  clusterAutoscalerImageTag: 'string',
  externalDnsHostedZone: construct('route53.IHostedZone'),
  imageCache: object('SupabaseImageCacheOptions', IMAGE_CACHE_SPEC),
  removalPolicy: enumOf('RemovalPolicy', RemovalPolicy),
};

export const CLUSTER_PROPS_SPEC: PropsSpec<SupabaseClusterProps> = {
  ...CLUSTER_OPTIONS_SPEC,
  vpc: required(construct('ec2.IVpc')),
  vpcSubnets: object('ec2.SubnetSelection'),
};
