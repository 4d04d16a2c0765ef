import { Stack, Token, aws_iam as iam, aws_kms as kms, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BATCH_REPLICATION_PREFIX, INVENTORY_ID, INVENTORY_PREFIX } from './replication-names';
import { acknowledgeWildcardResources } from '../../private/nag';

/** What the replication role needs to know of the destination. */
export interface ReplicationTarget {
  readonly destinationBucket: s3.IBucket;
  readonly destinationKey: kms.IKey;
  /** @default - a name CloudFormation generates */
  readonly roleName?: string;
}

/** The role S3 assumes to replicate the objects of `scope`'s bucket; {@link grantReplication} gives it its permissions. */
export function createReplicationRole(scope: Construct, target: ReplicationTarget): iam.Role {
  return new iam.Role(scope, 'ReplicationRole', {
    roleName: target.roleName,
    assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
    description: `Replicates the Supabase Storage objects of ${scope.node.path} to the disaster-recovery region`,
  });
}

/**
 * Least privilege for S3 replication of SSE-KMS objects (Amazon S3 User Guide, "Setting up permissions" and
 * "Replicating objects created with server-side encryption using KMS keys"). With S3 Bucket Keys the encryption
 * context is the bucket ARN instead of the object ARN, so both are allowed; a destination that uses Bucket Keys
 * needs `kms:Decrypt` on its key as well, to verify the Bucket Key.
 */
export function grantReplication(role: iam.IRole, source: s3.IBucket, sourceKey: kms.IKey, target: ReplicationTarget): void {
  const destination = target.destinationBucket;
  const sourceRegion = Stack.of(source).region;
  const destinationRegion = destination.env.region;
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
    resources: [source.bucketArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
    resources: [source.arnForObjects('*')],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
    resources: [destination.arnForObjects('*')],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['kms:Decrypt'],
    resources: [sourceKey.keyArn],
    conditions: {
      StringEquals: { 'kms:ViaService': `s3.${sourceRegion}.amazonaws.com` },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [source.bucketArn, source.arnForObjects('*')] },
    },
  }));
  // A key named by its alias ARN (another app's key, whose id is not known here) is matched by its alias.
  const keyArn = target.destinationKey.keyArn;
  const alias = Token.isUnresolved(keyArn) ? undefined : /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/.exec(keyArn);
  const destinationKeys = alias ? `arn:${alias[1]}:kms:${alias[2]}:${alias[3]}:key/*` : keyArn;
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['kms:Encrypt', 'kms:Decrypt'],
    resources: [destinationKeys],
    conditions: {
      StringEquals: { 'kms:ViaService': `s3.${destinationRegion}.amazonaws.com` },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [destination.bucketArn, destination.arnForObjects('*')] },
      ...(alias ? { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias[4] } } : {}),
    },
  }));
  acknowledgeWildcardResources(role, [source.arnForObjects('*'), destination.arnForObjects('*')],
    'S3 replication reads every object version of the source bucket and writes every replica into the destination bucket; the object actions are replication-only and limited to these two buckets.');
  if (alias) {
    acknowledgeWildcardResources(role, [destinationKeys],
      `The destination key belongs to another app and is named by its alias (${alias[4]}): the statement matches only keys of ${alias[2]} carrying that alias (kms:ResourceAliases), used through S3 there for the destination bucket's objects.`);
  }
}

/**
 * The role of S3 Batch Replication jobs, which replicate what live replication does not: objects that existed before
 * replication was turned on, and objects whose replication failed. Its permissions are those the Amazon S3 User
 * Guide gives for a job with a generated manifest ("Configuring an IAM role for S3 Batch Replication"):
 * `s3:InitiateReplication` on the source's objects, `s3:GetReplicationConfiguration` and
 * `s3:PutInventoryConfiguration` on the source bucket (the manifest is generated from the replication rule), and
 * the manifest and completion report under {@link BATCH_REPLICATION_PREFIX} in the log bucket. The job only starts
 * replication: the replication role copies the objects, with its own permissions.
 */
export function createBatchReplicationRole(scope: Construct, source: s3.IBucket, logBucket: s3.IBucket): iam.Role {
  const role = new iam.Role(scope, 'BatchReplicationRole', {
    // The trust policy of the User Guide: Batch Operations is not documented to send aws:SourceAccount.
    assumedBy: new iam.ServicePrincipal('batchoperations.s3.amazonaws.com'),
    description: `Runs S3 Batch Replication of the Supabase Storage objects of ${scope.node.path} that live replication did not copy`,
  });
  const reports = logBucket.arnForObjects(`${BATCH_REPLICATION_PREFIX}*`);
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:InitiateReplication'],
    resources: [source.arnForObjects('*')],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:GetReplicationConfiguration', 's3:PutInventoryConfiguration'],
    resources: [source.bucketArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
    resources: [reports],
  }));
  acknowledgeWildcardResources(role, [source.arnForObjects('*'), reports],
    `S3 Batch Replication starts the replication of any object of the source bucket (s3:InitiateReplication only: the replication role copies), and writes its generated manifest and completion report under ${BATCH_REPLICATION_PREFIX} of the log bucket, under names of its own.`);
  return role;
}

/**
 * A daily S3 Inventory of every object version with its replication status, delivered to the log bucket under
 * {@link INVENTORY_PREFIX}: the check that every object reached the other region (`supabase-on-aws-replication-check`).
 * The delivery is allowed to S3 for this bucket and account only (`aws:SourceArn`, `aws:SourceAccount`), as the
 * Amazon S3 User Guide recommends; an imported log bucket needs that statement from its owner.
 */
export function addReplicationInventory(bucket: s3.Bucket, logBucket: s3.IBucket): void {
  (bucket.node.defaultChild as s3.CfnBucket).inventoryConfigurations = [{
    id: INVENTORY_ID,
    enabled: true,
    includedObjectVersions: 'All',
    scheduleFrequency: 'Daily',
    optionalFields: ['ReplicationStatus', 'Size', 'LastModifiedDate'],
    destination: {
      bucketArn: logBucket.bucketArn,
      bucketAccountId: Stack.of(bucket).account,
      format: 'CSV',
      prefix: INVENTORY_PREFIX,
    },
  }];
  logBucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowReplicationInventoryDelivery',
    principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [logBucket.arnForObjects(`${INVENTORY_PREFIX}*`)],
    conditions: {
      ArnLike: { 'aws:SourceArn': bucket.bucketArn },
      StringEquals: { 'aws:SourceAccount': Stack.of(bucket).account },
    },
  }));
}
