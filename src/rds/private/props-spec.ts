/** The specs of SupabaseDatabase's props for the props check (src/private/props-check.ts); kept out of the jsii API. */
import { RemovalPolicy, aws_ec2 as ec2, aws_logs as logs, aws_rds as rds } from 'aws-cdk-lib';
import { PropsSpec, REPLICA_REGION_SPEC, arrayOf, classOf, construct, enumOf, object, required, requiredOwnCheck } from '../../private/props-check';
import {
  DatabaseParameter, SupabaseDatabaseOptions, SupabaseDatabaseProps, SupabaseDatabaseProxyOptions, SupabaseDatabaseSource,
} from '../database-props';

const PARAMETER_SPEC: PropsSpec<DatabaseParameter> = {
  name: required('string'),
  value: required('string'),
};

const SOURCE_SPEC: PropsSpec<SupabaseDatabaseSource> = {
  // The replica's own check says what the ARN and the prefix are for (and what a promoted replica keeps).
  instanceArn: requiredOwnCheck('string'),
  secretNamePrefix: requiredOwnCheck('string'),
  promoted: 'boolean',
  masterSecretName: 'string',
};

const PROXY_SPEC: PropsSpec<SupabaseDatabaseProxyOptions> = {
  maxConnectionsPercent: 'number',
};

export const DATABASE_OPTIONS_SPEC: PropsSpec<SupabaseDatabaseOptions> = {
  awsApiPeer: 'any',
  engineVersion: classOf(rds.PostgresEngineVersion, 'rds.PostgresEngineVersion', 'rds.PostgresEngineVersion.VER_17_6'),
  instanceType: classOf(ec2.InstanceType, 'ec2.InstanceType', "new ec2.InstanceType('r7g.large')"),
  multiAz: 'boolean',
  allocatedStorage: 'Size',
  maxAllocatedStorage: 'Size',
  encryptionKey: construct('kms.IKey'),
  backupRetention: 'Duration',
  preferredBackupWindow: 'string',
  preferredMaintenanceWindow: 'string',
  deletionProtection: 'boolean',
  removalPolicy: enumOf('RemovalPolicy', RemovalPolicy),
  cloudwatchLogsRetention: enumOf('logs.RetentionDays', logs.RetentionDays),
  instanceIdentifier: 'string',
  databaseName: 'string',
  masterUsername: 'string',
  masterRotation: 'Duration',
  postgis: 'boolean',
  pgCron: 'boolean',
  parameters: arrayOf(object('DatabaseParameter', PARAMETER_SPEC)),
  bootstrapTrigger: 'string',
  performanceInsightRetention: enumOf('rds.PerformanceInsightRetention', rds.PerformanceInsightRetention),
  secretNamePrefix: 'string',
  secretReplicaRegions: arrayOf(object('secretsmanager.ReplicaRegion', REPLICA_REGION_SPEC)),
  replicaOf: object('SupabaseDatabaseSource', SOURCE_SPEC),
  proxy: object('SupabaseDatabaseProxyOptions', PROXY_SPEC),
};

export const DATABASE_PROPS_SPEC: PropsSpec<SupabaseDatabaseProps> = {
  ...DATABASE_OPTIONS_SPEC,
  vpc: required(construct('ec2.IVpc')),
  vpcSubnets: object('ec2.SubnetSelection'),
  bootstrapSubnets: object('ec2.SubnetSelection'),
};
