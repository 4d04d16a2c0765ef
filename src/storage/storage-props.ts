import { Duration, RemovalPolicy, aws_kms as kms, aws_s3 as s3 } from 'aws-cdk-lib';
import type { SupabaseStorage } from './supabase-storage';

/**
 * Cross-region replication of a {@link SupabaseStorage} bucket to the disaster-recovery site.
 */
export interface SupabaseStorageReplication {
  /**
   * The destination bucket, in another region, with versioning enabled. Import it with
   * `s3.Bucket.fromBucketAttributes(this, 'Dr', { bucketArn, region: 'eu-central-1' })` so that its region is
   * known: `s3.Bucket.fromBucketArn` assumes the stack's own region. If the destination is a `SupabaseStorage`,
   * add this construct's `replicationRole` ARN to its `allowedPrincipalArns`.
   */
  readonly destinationBucket: s3.IBucket;

  /**
   * The KMS key of the destination region that encrypts the replicas. Its key policy must let this account's
   * IAM policies use it (the default key policy does). A key of another app can be named by its alias ARN,
   * `kms.Key.fromKeyArn(this, 'DrKey', 'arn:aws:kms:eu-central-1:111122223333:alias/supabase-dr/storage')`: the
   * replication role may then use the region's keys that carry that alias (`kms:ResourceAliases`).
   * Checked at synth when imported by ARN: a KMS key (key or alias ARN) of the destination bucket's region, whose
   * region is checked to be an AWS region.
   */
  readonly destinationKey: kms.IKey;

  /**
   * The replication role's name, so that the destination bucket's policy can name the role (in its
   * `allowedPrincipalArns`) before this stack exists, e.g. when the destination belongs to another app.
   *
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;
}

/**
 * Properties of a {@link SupabaseStorage}.
 */
export interface SupabaseStorageProps {
  /**
   * The bucket's name, so that another app (the primary site replicating into it) can name the bucket before it is
   * deployed. S3 bucket names are global: include the account and region.
   *
   * @default - a name CloudFormation generates
   */
  readonly bucketName?: string;

  /**
   * The KMS key that encrypts the objects (SSE-KMS). Its key policy must let this account's IAM policies use it.
   * Checked at synth when imported by ARN (kms.Key.fromKeyArn): a key ARN (`key/<id>`, not an alias ARN, which IAM
   * policies and grants cannot name) of this stack's region.
   *
   * @default - a new key with rotation enabled and the alias `alias/<stack name>/<path>/storage`
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Whether S3 Bucket Keys reduce the calls to KMS (and their cost) by up to 99 percent.
   *
   * @default true
   */
  readonly bucketKeyEnabled?: boolean;

  /**
   * Whether the bucket keeps every version of every object, so that an overwritten or deleted file can be
   * restored. Replication needs it, and the noncurrent-version lifecycle rule applies only with it.
   *
   * @default true
   */
  readonly versioned?: boolean;

  /**
   * The bucket's Block Public Access settings. Supabase serves public buckets through the Storage API, never from
   * S3 directly, so nothing needs public access to this bucket.
   *
   * @default s3.BlockPublicAccess.BLOCK_ALL
   */
  readonly blockPublicAccess?: s3.BlockPublicAccess;

  /**
   * The oldest TLS version the bucket policy admits: 1.2 or 1.3. Requests without TLS are always denied.
   *
   * @default 1.2
   */
  readonly minimumTlsVersion?: number;

  /**
   * The bucket's object ownership. "Bucket owner enforced" disables ACLs: access is decided by IAM and the bucket
   * policy alone.
   *
   * @default s3.ObjectOwnership.BUCKET_OWNER_ENFORCED
   */
  readonly objectOwnership?: s3.ObjectOwnership;

  /**
   * What happens to the bucket, the log bucket and the key this construct creates when they leave the stack.
   * Retained resources must be deleted by hand; a bucket that still holds objects cannot be deleted by
   * CloudFormation anyway, and the bucket policy denies object access to everyone not allowed (see
   * `allowedPrincipalArns`).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The bucket that receives the server access logs: same account and region, SSE-S3. An imported bucket's policy
   * must let `logging.s3.amazonaws.com` write under `serverAccessLogsPrefix` and, with `replication`,
   * `s3.amazonaws.com` under `inventory/` (Batch Replication reports go under `batch-replication/`).
   *
   * @default - a new log bucket: SSE-S3, Block Public Access, TLS only, ACLs disabled, retained, logs expire
   * after `accessLogsRetention`
   */
  readonly serverAccessLogsBucket?: s3.IBucket;

  /**
   * The key prefix of the server access log objects.
   *
   * @default 'storage/'
   */
  readonly serverAccessLogsPrefix?: string;

  /**
   * How long the log bucket this construct creates keeps the server access logs. Only for that bucket: with
   * `serverAccessLogsBucket`, set the expiry on your bucket.
   *
   * @default Duration.days(365)
   */
  readonly accessLogsRetention?: Duration;

  /**
   * How long a noncurrent (overwritten or deleted) version is kept before it expires, counted from the moment it
   * became noncurrent. Noncurrent versions move to `noncurrentVersionStorageClass` after 30 days, so this must be
   * longer than 30 days.
   *
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;

  /**
   * The storage class noncurrent versions move to 30 days after they become noncurrent. Glacier Instant
   * Retrieval bills at least 90 days per object: choose it only when noncurrent versions are kept for 120 days
   * or more. See docs/storage.md.
   *
   * @default s3.StorageClass.INFREQUENT_ACCESS
   */
  readonly noncurrentVersionStorageClass?: s3.StorageClass;

  /**
   * Whether current objects move to S3 Intelligent-Tiering right after upload, so that files nobody reads become
   * cheaper without a retrieval fee. Objects smaller than 128 KiB are not transitioned.
   *
   * @default false
   */
  readonly intelligentTiering?: boolean;

  /**
   * The origins (`https://app.example.com`) of web applications that call the bucket directly from the browser,
   * for example with presigned upload URLs. With origins, the bucket gets one CORS rule for GET, HEAD, PUT, POST
   * and DELETE with the headers of supabase-js, storage-js, TUS resumable uploads and the S3 API. Each origin is
   * `'*'` or a scheme and host with at most one `*`, without a path.
   *
   * @default [] - no CORS rule: browsers cannot call the bucket from other origins
   */
  readonly corsAllowedOrigins?: string[];

  /**
   * Declares that the browser clients send credentialed requests (`credentials: 'include'`), which S3 never
   * allows for the `'*'` origin: with this set, `'*'` in `corsAllowedOrigins` is a synth-time error. It changes
   * nothing in the template. See docs/storage.md.
   *
   * @default false
   */
  readonly corsAllowCredentials?: boolean;

  /**
   * ARNs of further IAM roles or users that may read, write or list the bucket's objects, besides the principals
   * given to `grantReadWrite` and the replication role. Everyone else, administrators of the account included, is
   * denied object access by the bucket policy (they can still manage the bucket's configuration). These
   * principals still need IAM permissions of their own.
   *
   * @default []
   */
  readonly allowedPrincipalArns?: string[];

  /**
   * Whether S3 Transfer Acceleration is enabled, for clients far from the bucket's region. It costs extra per
   * gigabyte transferred through it.
   *
   * @default false
   */
  readonly transferAcceleration?: boolean;

  /**
   * Replicate every object version, and delete markers, to a bucket in another region (the disaster-recovery
   * site), with a role for S3 Batch Replication of older objects (`batchReplicationRole`) and a daily inventory
   * that `supabase-on-aws-replication-check` reads. See docs/disaster-recovery.md.
   *
   * @default - no replication
   */
  readonly replication?: SupabaseStorageReplication;

  /**
   * The name of the bucket that replicates into this one, on a disaster-recovery site: S3 publishes the replication's
   * latency and backlog in this bucket's region, where `SupabaseObservability` alarms on them.
   *
   * @default - no bucket replicates into this one
   */
  readonly replicationSource?: string;
}
