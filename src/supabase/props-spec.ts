/**
 * The spec of SupabaseOnAws's props for the props check (src/private/props-check.ts); kept out of the jsii API (not
 * exported from index.ts). The parts' settings are checked here with their paths (`databaseOptions.backupRetention`);
 * their unknown keys are left to the part's own check, so that a misspelling is reported once.
 */
import { RemovalPolicy, aws_logs as logs } from 'aws-cdk-lib';
import { SupabaseCacheSettings, SupabaseCacheEngine } from './cache/cache-settings';
import { SupabaseCdnSettings } from './edge/cdn-settings';
import { SupabaseObservabilityOptions } from './observability/observability-props';
import { SupabaseAlarmThresholds } from './observability/thresholds';
import { SupabaseOnAwsProps, SupabaseVpcSubnets } from './supabase-on-aws-props';
import { SERVICES_OPTIONS_SPEC } from './workloads/private/props-spec';
import { CLUSTER_OPTIONS_SPEC } from '../eks/private/props-spec';
import { NETWORK_PROPS_SPEC } from '../networking/private/props-spec';
import { PropsSpec, classOf, construct, enumOf, object, required } from '../private/props-check';
import { DATABASE_OPTIONS_SPEC } from '../rds/private/props-spec';
import { SECRETS_PROPS_SPEC } from '../secrets/private/props-spec';
import { STORAGE_PROPS_SPEC } from '../storage/private/props-spec';

const CDN_SPEC: PropsSpec<SupabaseCdnSettings> = {
  certificate: required(construct('acm.ICertificate')),
  webAclArn: 'string',
};

const CACHE_SPEC: PropsSpec<SupabaseCacheSettings> = {
  engine: classOf(SupabaseCacheEngine, 'SupabaseCacheEngine', 'SupabaseCacheEngine.VALKEY_8_0'),
  nodeType: 'string',
  replicas: 'number',
  removalPolicy: enumOf('RemovalPolicy', RemovalPolicy),
};

const THRESHOLDS_SPEC: PropsSpec<SupabaseAlarmThresholds> = {
  databaseCpuPercent: 'number',
  databaseFreeStorage: 'Size',
  databaseFreeableMemory: 'Size',
  databaseConnections: 'number',
  databaseReadLatency: 'Duration',
  databaseWriteLatency: 'Duration',
  databaseReplicaLag: 'Duration',
  proxyBorrowLatency: 'Duration',
  api5xxPercent: 'number',
  apiResponseTime: 'Duration',
  failedNodes: 'number',
  nodeCapacityPercent: 'number',
  podsPending: 'number',
  podsNotReady: 'number',
  crashLoopingContainers: 'number',
  storageReplicationLatency: 'Duration',
};

const OBSERVABILITY_SPEC: PropsSpec<SupabaseObservabilityOptions> = {
  alarmTopic: construct('sns.ITopic'),
  alarmEmails: 'string[]',
  thresholds: object('SupabaseAlarmThresholds', THRESHOLDS_SPEC),
  containerInsights: 'boolean',
  logRetention: enumOf('logs.RetentionDays', logs.RetentionDays),
  encryptionKey: construct('kms.IKey'),
  removalPolicy: enumOf('RemovalPolicy', RemovalPolicy),
  dashboardName: 'string',
};

const VPC_SUBNETS_SPEC: PropsSpec<SupabaseVpcSubnets> = {
  loadBalancer: object('ec2.SubnetSelection'),
  eks: object('ec2.SubnetSelection'),
  database: object('ec2.SubnetSelection'),
};

export const SUPABASE_PROPS_SPEC: PropsSpec<SupabaseOnAwsProps> = {
  ...SERVICES_OPTIONS_SPEC,
  certificate: construct('acm.ICertificate'),
  webAclArn: 'string',
  cdn: object('SupabaseCdnSettings', CDN_SPEC),
  removalPolicy: enumOf('RemovalPolicy', RemovalPolicy),
  observability: 'boolean',
  observabilityOptions: object('SupabaseObservabilityOptions', OBSERVABILITY_SPEC),
  standby: 'boolean',
  network: construct('SupabaseNetwork'),
  vpc: construct('ec2.IVpc'),
  vpcSubnets: object('SupabaseVpcSubnets', VPC_SUBNETS_SPEC),
  networkProps: object('SupabaseNetworkProps', NETWORK_PROPS_SPEC, false),
  secrets: construct('SupabaseSecrets'),
  secretsProps: object('SupabaseSecretsProps', SECRETS_PROPS_SPEC, false),
  cluster: construct('SupabaseCluster'),
  clusterOptions: object('SupabaseClusterOptions', CLUSTER_OPTIONS_SPEC, false),
  database: construct('SupabaseDatabase'),
  databaseOptions: object('SupabaseDatabaseOptions', DATABASE_OPTIONS_SPEC, false),
  storage: construct('SupabaseStorage'),
  cache: object('SupabaseCacheSettings', CACHE_SPEC),
  transferAcceleration: 'boolean',
  storageProps: object('SupabaseStorageProps', STORAGE_PROPS_SPEC, false),
};
