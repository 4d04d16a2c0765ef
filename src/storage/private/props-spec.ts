/** The spec of SupabaseStorage's props for the props check (src/private/props-check.ts); kept out of the jsii API. */
import { RemovalPolicy, aws_s3 as s3 } from 'aws-cdk-lib';
import { PropsSpec, classOf, construct, enumOf, object, required } from '../../private/props-check';
import { SupabaseStorageProps, SupabaseStorageReplication } from '../storage-props';

const REPLICATION_SPEC: PropsSpec<SupabaseStorageReplication> = {
  destinationBucket: required(construct('s3.IBucket')),
  destinationKey: required(construct('kms.IKey')),
  roleName: 'string',
};

export const STORAGE_PROPS_SPEC: PropsSpec<SupabaseStorageProps> = {
  bucketName: 'string',
  encryptionKey: construct('kms.IKey'),
  bucketKeyEnabled: 'boolean',
  versioned: 'boolean',
  blockPublicAccess: classOf(s3.BlockPublicAccess, 's3.BlockPublicAccess', 's3.BlockPublicAccess.BLOCK_ALL'),
  minimumTlsVersion: 'number',
  objectOwnership: enumOf('s3.ObjectOwnership', s3.ObjectOwnership),
  removalPolicy: enumOf('RemovalPolicy', RemovalPolicy),
  serverAccessLogsBucket: construct('s3.IBucket'),
  serverAccessLogsPrefix: 'string',
  accessLogsRetention: 'Duration',
  noncurrentVersionExpiration: 'Duration',
  noncurrentVersionStorageClass: classOf(s3.StorageClass, 's3.StorageClass', 's3.StorageClass.GLACIER_INSTANT_RETRIEVAL'),
  intelligentTiering: 'boolean',
  corsAllowedOrigins: 'string[]',
  corsAllowCredentials: 'boolean',
  allowedPrincipalArns: 'string[]',
  transferAcceleration: 'boolean',
  replication: object('SupabaseStorageReplication', REPLICATION_SPEC),
  replicationSource: 'string',
};
