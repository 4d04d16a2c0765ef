import {
  Duration,
  Lazy,
  RemovalPolicy,
  Stack,
  Token,
  aws_iam as iam,
  aws_kms as kms,
  aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from '../private/nag';
import { addReplicationInventory, createBatchReplicationRole, grantReplication } from './private/replication';

/** S3 accepts noncurrent-version transitions to STANDARD_IA and ONEZONE_IA only after 30 days; the seed plan uses 30 for every class. */
const NONCURRENT_TRANSITION_DAYS = 30;
const DEFAULT_NONCURRENT_EXPIRATION = Duration.days(90);
const DEFAULT_ACCESS_LOGS_RETENTION = Duration.days(365);
const ABORT_INCOMPLETE_UPLOADS_AFTER = Duration.days(7);
const DEFAULT_MINIMUM_TLS_VERSION = 1.2;
const DEFAULT_ACCESS_LOGS_PREFIX = 'storage/';
const CORS_MAX_AGE_SECONDS = 3600;

/**
 * Request headers of Supabase's browser clients: supabase-js on every call (`authorization`, `apikey`,
 * `x-client-info`), storage-js uploads (`content-type`, `cache-control`, `x-upsert`), TUS resumable uploads
 * through tus-js-client (`tus-resumable`, `upload-length`, `upload-metadata`, `upload-offset`), and the S3 API's
 * own headers for direct (presigned) uploads (`content-md5`, `x-amz-*`).
 */
const CORS_ALLOWED_HEADERS = [
  'authorization',
  'apikey',
  'x-client-info',
  'content-type',
  'cache-control',
  'x-upsert',
  'tus-resumable',
  'upload-length',
  'upload-metadata',
  'upload-offset',
  'content-md5',
  'x-amz-*',
];
/** Response headers browser code must read: `ETag` completes multipart uploads, the others drive TUS uploads. */
const CORS_EXPOSED_HEADERS = ['ETag', 'Location', 'Upload-Offset', 'Upload-Length', 'Tus-Resumable'];

/** The Storage API's object actions (objects and multipart parts), granted on `<bucket>/*`. */
const OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'];
/** The Storage API's bucket-level actions (listing objects and open multipart uploads), granted on the bucket. */
const BUCKET_ACTIONS = ['s3:ListBucket', 's3:ListBucketMultipartUploads'];
/** SSE-KMS: reads need Decrypt, writes and every multipart upload need GenerateDataKey and Decrypt. */
const KMS_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'];
/**
 * Everything that reads, writes, lists or replicates the bucket's data, denied to every principal that is not on
 * the allow list. Bucket configuration actions (policy, encryption, lifecycle, deletion of the empty bucket) stay
 * out, so CloudFormation and administrators can always manage the bucket.
 */
const DATA_ACTIONS = [
  's3:GetObject*',
  's3:PutObject*',
  's3:DeleteObject*',
  's3:RestoreObject',
  's3:AbortMultipartUpload',
  's3:ListMultipartUploadParts',
  's3:ListBucket',
  's3:ListBucketVersions',
  's3:ListBucketMultipartUploads',
  's3:Replicate*',
];

/** What `aws:PrincipalArn` can carry for an IAM principal: a role's or user's ARN (never a session's), or an account's root user. */
const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|(role|user)\/[^*?]+)$/;
const ORIGIN_PATTERN = /^https?:\/\/[^/?#\s]+$/;

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
   *
   * @default - a new key with rotation enabled
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
   * The bucket that receives the server access logs. It must be in the same account and region, use SSE-S3
   * encryption (S3 cannot deliver logs to a bucket whose default encryption is SSE-KMS), and let the
   * `logging.s3.amazonaws.com` service principal put objects under `serverAccessLogsPrefix` (this construct adds
   * that statement to a bucket of this app; for an imported bucket, add it yourself). With `replication`, it also
   * receives the daily replication inventory under `inventory/` (from `s3.amazonaws.com`, for this bucket and
   * account) and the Batch Replication jobs' manifests and reports under `batch-replication/`.
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
   * The storage class noncurrent versions move to 30 days after they become noncurrent. Standard-IA's 30-day
   * minimum storage duration fits the default 90-day expiry (versions stay 60 days in it), whereas Glacier Instant
   * Retrieval bills at least 90 days per object, so with the default expiry every version would be billed for
   * 30 days it no longer exists; choose it when noncurrent versions are kept for 120 days or more.
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
   * Declares that the browser clients send credentialed requests (`credentials: 'include'`: cookies, HTTP
   * authentication). S3 has no switch for it: it answers an origin listed explicitly with
   * `Access-Control-Allow-Credentials: true` and the `'*'` origin without it, so browsers reject every
   * credentialed response to a wildcard origin. With this set, `'*'` in `corsAllowedOrigins` is a synth-time error
   * instead of a browser-side CORS failure. It changes nothing in the template.
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
   * site), encrypted there with that region's key. Live replication copies only what is written after it is
   * turned on: with it come a role for S3 Batch Replication jobs (`batchReplicationRole`), which copy the objects
   * that existed before and retry failed ones, and a daily inventory of every version's replication status in the
   * log bucket, which `supabase-on-aws-replication-check` reads.
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

/**
 * The S3 bucket behind Supabase Storage: private (Block Public Access, ACLs disabled), encrypted with KMS,
 * versioned, TLS 1.2+ only, logged to a separate log bucket, retained when the stack is deleted, and reachable only
 * by the principals given to `grantReadWrite` (the Storage API's IRSA role), `allowedPrincipalArns` and the
 * replication role: a bucket policy denies object access to everyone else. Lifecycle rules abort incomplete
 * multipart uploads and move, then expire, old versions. Optionally: CORS for browser uploads, Intelligent-Tiering,
 * Transfer Acceleration and cross-region replication to the disaster-recovery site, with a role for S3 Batch
 * Replication and a daily inventory for what live replication does not copy.
 *
 * @example
 * const storage = new SupabaseStorage(this, 'Storage', {
 *   corsAllowedOrigins: ['https://app.example.com'],
 *   noncurrentVersionExpiration: Duration.days(180),
 * });
 * // The Storage API's IRSA role gets exactly what it needs, on this bucket and its key:
 * declare const storageApiRole: iam.IRole;
 * storage.grantReadWrite(storageApiRole);
 */
export class SupabaseStorage extends Construct {
  /** The id of the replication rule: the `RuleId` dimension of the replication metrics. */
  public static readonly REPLICATION_RULE_ID = 'DisasterRecovery';

  /** The bucket that holds Supabase Storage's objects. */
  public readonly bucket: s3.IBucket;
  /** The bucket that receives the bucket's server access logs. */
  public readonly logBucket: s3.IBucket;
  /** The KMS key that encrypts the objects. */
  public readonly encryptionKey: kms.IKey;
  /** The role S3 assumes to replicate objects; undefined without `replication`. */
  public readonly replicationRole?: iam.IRole;
  /**
   * The role of S3 Batch Replication jobs, with `replication`: they replicate what live replication does not copy,
   * the objects that existed before replication was turned on and those whose replication failed
   * (docs/disaster-recovery.md). It may start replication of this bucket's objects and write the jobs' manifests and
   * completion reports under `batch-replication/` in the log bucket; pass it as the job's `--role-arn`.
   */
  public readonly batchReplicationRole?: iam.IRole;
  /**
   * The bucket replicated into, with `replication`. The replication metrics are on: `OperationsFailedReplication`
   * here, `ReplicationLatency` and the backlog in the destination's region, with the rule id
   * {@link SupabaseStorage.REPLICATION_RULE_ID}.
   */
  public readonly replicationDestination?: s3.IBucket;
  /** The bucket that replicates into this one, if any (`replicationSource`). */
  public readonly replicationSource?: string;
  /** Whether S3 Transfer Acceleration is enabled on the bucket. */
  public readonly transferAcceleration: boolean;

  private readonly allowedArns: string[] = [];
  private readonly denyOtherPrincipals: iam.PolicyStatement;

  constructor(scope: Construct, id: string, props: SupabaseStorageProps = {}) {
    super(scope, id);

    const versioned = props.versioned ?? true;
    const minimumTlsVersion = this.validateMinimumTlsVersion(props.minimumTlsVersion);
    const corsAllowedOrigins = this.validateCors(props.corsAllowedOrigins ?? [], props.corsAllowCredentials ?? false);
    const noncurrentVersionExpiration = this.validateNoncurrentVersions(props, versioned);
    this.validateAccessLogs(props);
    this.validateReplication(props.replication, versioned);
    this.validateBucketName(props.bucketName);
    this.validateAllowedPrincipalArns(props.allowedPrincipalArns ?? []);
    this.transferAcceleration = props.transferAcceleration ?? false;
    this.replicationSource = props.replicationSource;
    this.replicationDestination = props.replication?.destinationBucket;
    if (this.transferAcceleration && props.bucketName && !Token.isUnresolved(props.bucketName) && props.bucketName.includes('.')) {
      throw new Error(`SupabaseStorage ${this.node.path}: \`transferAcceleration\` is true but \`bucketName\` '${props.bucketName}' contains a dot, and S3 accelerates only buckets whose names are valid DNS labels without dots. Choose a name without dots, or leave acceleration off.`);
    }

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `Encrypts the Supabase Storage objects of ${this.node.path}`,
      alias: `alias/${this.node.path}/storage`.replace(/[^a-zA-Z0-9:/_-]/g, '-'),
      enableKeyRotation: true,
      removalPolicy,
    });

    if (props.replication) {
      this.replicationRole = new iam.Role(this, 'ReplicationRole', {
        roleName: props.replication.roleName,
        assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
        description: `Replicates the Supabase Storage objects of ${this.node.path} to the disaster-recovery region`,
      });
    }

    const bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: props.bucketKeyEnabled ?? true,
      versioned,
      blockPublicAccess: props.blockPublicAccess ?? s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: minimumTlsVersion,
      objectOwnership: props.objectOwnership ?? s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      transferAcceleration: this.transferAcceleration,
      cors: corsAllowedOrigins.length > 0 ? [{
        id: 'BrowserAccess',
        allowedOrigins: corsAllowedOrigins,
        allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.HEAD, s3.HttpMethods.PUT, s3.HttpMethods.POST, s3.HttpMethods.DELETE],
        allowedHeaders: CORS_ALLOWED_HEADERS,
        exposedHeaders: CORS_EXPOSED_HEADERS,
        maxAge: CORS_MAX_AGE_SECONDS,
      }] : undefined,
      lifecycleRules: this.lifecycleRules(props, versioned, noncurrentVersionExpiration),
      replicationRole: this.replicationRole,
      replicationRules: props.replication ? [{
        id: SupabaseStorage.REPLICATION_RULE_ID,
        // Replication metrics (no Replication Time Control, whose threshold the 15 minutes would be).
        metrics: s3.ReplicationTimeValue.FIFTEEN_MINUTES,
        destination: props.replication.destinationBucket,
        kmsKey: props.replication.destinationKey,
        sseKmsEncryptedObjects: true,
        deleteMarkerReplication: true,
        priority: 1,
      }] : undefined,
    });
    this.bucket = bucket;

    this.logBucket = props.serverAccessLogsBucket ?? this.createLogBucket(props, removalPolicy);
    this.enableAccessLogs(bucket, props.serverAccessLogsPrefix ?? DEFAULT_ACCESS_LOGS_PREFIX);

    // With nobody on the list yet, the statement has no condition and denies object access to every principal;
    // the first allowed ARN adds the condition, whose list fills lazily.
    this.denyOtherPrincipals = new iam.PolicyStatement({
      sid: 'DenyObjectAccessToOtherPrincipals',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: DATA_ACTIONS,
      resources: [bucket.bucketArn, bucket.arnForObjects('*')],
    });
    bucket.addToResourcePolicy(this.denyOtherPrincipals);

    for (const arn of props.allowedPrincipalArns ?? []) {
      this.allow(arn);
    }
    if (props.replication && this.replicationRole) {
      grantReplication(this.replicationRole, bucket, this.encryptionKey, props.replication);
      this.allow(this.replicationRole.roleArn);
      this.batchReplicationRole = createBatchReplicationRole(this, bucket, this.logBucket);
      addReplicationInventory(bucket, this.logBucket);
    }
  }

  /**
   * Lets `grantee` (the Storage API's role) read, write, delete and list the objects and run multipart uploads,
   * and use the key for them through S3 only: `s3:GetObject`, `s3:PutObject`, `s3:DeleteObject`,
   * `s3:AbortMultipartUpload` and `s3:ListMultipartUploadParts` on the objects, `s3:ListBucket` and
   * `s3:ListBucketMultipartUploads` on the bucket, `kms:Decrypt` and `kms:GenerateDataKey` on the key. The
   * grantee's ARN joins the bucket policy's allow list, so `grantee` must be an IAM role or user (an IRSA role is
   * an `iam.Role`). The exact AwsSolutions-IAM5 finding for this bucket's objects (`<bucket>/*`) is acknowledged
   * on the grantee: the Storage API stores objects under keys its tenants choose.
   */
  public grantReadWrite(grantee: iam.IGrantable): iam.Grant {
    const principalArn = this.principalArnOf(grantee);
    const objects = this.bucket.arnForObjects('*');
    const grant = iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: OBJECT_ACTIONS,
      resourceArns: [objects],
      resource: this.bucket,
    }).combine(iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: BUCKET_ACTIONS,
      resourceArns: [this.bucket.bucketArn],
      resource: this.bucket,
    })).combine(iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: KMS_ACTIONS,
      resourceArns: [this.encryptionKey.keyArn],
      resource: this.encryptionKey,
      resourceSelfArns: ['*'], // a key policy names its own key '*'
      // Through S3 only. (An encryption-context condition naming this bucket would, in the key policy that a
      // grantee of another account needs, make the key depend on the bucket that depends on the key.)
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
    }));
    const granted = this.allowedArns.includes(principalArn);
    this.allow(principalArn);
    if (!granted && Construct.isConstruct(grantee.grantPrincipal)) {
      acknowledgeWildcardResources(grantee.grantPrincipal, [objects],
        'Supabase Storage keeps each file under a key its tenants choose, so its role needs the objects of this one bucket (<bucket>/*); bucket-level actions are on the bucket ARN alone.');
    }
    return grant;
  }

  /**
   * Adds the ARN of an IAM role or user (or of an account's root user) to the bucket policy's allow list: the
   * principal is no longer denied object access. It still needs IAM permissions of its own.
   */
  public addAllowedPrincipalArn(principalArn: string): void {
    this.validatePrincipalArn(principalArn, 'addAllowedPrincipalArn');
    this.allow(principalArn);
  }

  private allow(principalArn: string) {
    if (this.allowedArns.includes(principalArn)) {
      return;
    }
    if (this.allowedArns.length === 0) {
      this.denyOtherPrincipals.addCondition('StringNotEquals', {
        'aws:PrincipalArn': Lazy.list({ produce: () => this.allowedArns }),
      });
    }
    this.allowedArns.push(principalArn);
  }

  private lifecycleRules(props: SupabaseStorageProps, versioned: boolean, noncurrentVersionExpiration: Duration): s3.LifecycleRule[] {
    const rules: s3.LifecycleRule[] = [{
      id: 'AbortIncompleteMultipartUploads',
      abortIncompleteMultipartUploadAfter: ABORT_INCOMPLETE_UPLOADS_AFTER,
    }];
    if (versioned) {
      rules.push({
        id: 'NoncurrentVersions',
        noncurrentVersionTransitions: [{
          storageClass: props.noncurrentVersionStorageClass ?? s3.StorageClass.INFREQUENT_ACCESS,
          transitionAfter: Duration.days(NONCURRENT_TRANSITION_DAYS),
        }],
        noncurrentVersionExpiration,
        // A delete marker whose older versions have all expired protects nothing; remove it too.
        expiredObjectDeleteMarker: true,
      });
    }
    if (props.intelligentTiering) {
      rules.push({
        id: 'IntelligentTiering',
        transitions: [{ storageClass: s3.StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(0) }],
      });
    }
    return rules;
  }

  /**
   * The log bucket. Server access logs can be delivered only to a bucket whose default encryption is SSE-S3:
   * "You can use default bucket encryption on the target bucket only if you use server-side encryption with
   * Amazon S3 managed keys (SSE-S3)... Default server-side encryption with AWS KMS keys (SSE-KMS) is not
   * supported." (Amazon S3 User Guide, "Enabling Amazon S3 server access logging").
   */
  private createLogBucket(props: SupabaseStorageProps, removalPolicy: RemovalPolicy): s3.Bucket {
    const logBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: DEFAULT_MINIMUM_TLS_VERSION,
      // ACLs disabled: log delivery is granted by the bucket policy, as the S3 User Guide recommends.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: props.accessLogsRetention ?? DEFAULT_ACCESS_LOGS_RETENTION }],
    });
    // No AwsSolutions-S1 finding to acknowledge: cdk-nag counts a bucket that receives another bucket's server
    // access logs as logged (logging the log bucket into itself would loop).
    return logBucket;
  }

  /**
   * Server access logs of `bucket` into the log bucket, delivered by the `logging.s3.amazonaws.com` service
   * principal under a bucket policy (not an ACL), whatever the `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy`
   * feature flag says: the log bucket has ACLs disabled.
   */
  private enableAccessLogs(bucket: s3.Bucket, prefix: string) {
    (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: this.logBucket.bucketName,
      logFilePrefix: prefix,
    };
    this.logBucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowServerAccessLogDelivery',
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [this.logBucket.arnForObjects(`${prefix}*`)],
      conditions: {
        ArnLike: { 'aws:SourceArn': bucket.bucketArn },
        StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
      },
    }));
  }

  /** The ARN that `aws:PrincipalArn` carries for requests of `grantee`: the ARN of an IAM role or user. */
  private principalArnOf(grantee: iam.IGrantable): string {
    const principal = grantee.grantPrincipal;
    const fragment = principal.policyFragment;
    const aws = fragment.principalJson.AWS ?? [];
    const usable = !(principal instanceof iam.AccountPrincipal)
      && Object.keys(fragment.principalJson).length === 1
      && Object.keys(fragment.conditions).length === 0
      && aws.length === 1
      && aws[0] !== '*';
    if (!usable) {
      throw new Error(`SupabaseStorage ${this.node.path}: \`grantReadWrite\` grantee ${principal} is not a single IAM role or user, so the bucket policy cannot admit it by \`aws:PrincipalArn\`. Grant to the Storage API's IAM role (an IRSA role is an iam.Role), or to an IAM user.`);
    }
    return aws[0];
  }

  private validateMinimumTlsVersion(version: number | undefined): number {
    if (version === undefined || Token.isUnresolved(version)) {
      return version ?? DEFAULT_MINIMUM_TLS_VERSION;
    }
    if (version !== 1.2 && version !== 1.3) {
      throw new Error(`SupabaseStorage ${this.node.path}: \`minimumTlsVersion\` is ${version}; the bucket admits TLS 1.2 or newer only. Use 1.2 or 1.3.`);
    }
    return version;
  }

  private validateCors(origins: string[], allowCredentials: boolean): string[] {
    origins.forEach((origin, i) => {
      if (Token.isUnresolved(origin)) {
        return;
      }
      if (origin === '*') {
        if (allowCredentials) {
          throw new Error(`SupabaseStorage ${this.node.path}: \`corsAllowedOrigins[${i}]\` is '*' while \`corsAllowCredentials\` is true; S3 answers a wildcard origin without Access-Control-Allow-Credentials, so browsers would reject every credentialed response. List the applications' origins instead, e.g. 'https://app.example.com'.`);
        }
        return;
      }
      if (!ORIGIN_PATTERN.test(origin) || (origin.match(/\*/g) ?? []).length > 1) {
        throw new Error(`SupabaseStorage ${this.node.path}: \`corsAllowedOrigins[${i}]\` '${origin}' is not an origin; S3 expects '*' or a scheme and host without a path, with at most one '*'. Use e.g. 'https://app.example.com' or 'https://*.example.com'.`);
      }
    });
    return origins;
  }

  private validateNoncurrentVersions(props: SupabaseStorageProps, versioned: boolean): Duration {
    const expiration = props.noncurrentVersionExpiration;
    if (!versioned) {
      for (const prop of ['noncurrentVersionExpiration', 'noncurrentVersionStorageClass'] as const) {
        if (props[prop] !== undefined) {
          throw new Error(`SupabaseStorage ${this.node.path}: \`${prop}\` is set but \`versioned\` is false, so there are no noncurrent versions. Remove it, or keep versioning on.`);
        }
      }
    }
    if (expiration === undefined) {
      return DEFAULT_NONCURRENT_EXPIRATION;
    }
    if (!expiration.isUnresolved() && expiration.toDays({ integral: false }) <= NONCURRENT_TRANSITION_DAYS) {
      throw new Error(`SupabaseStorage ${this.node.path}: \`noncurrentVersionExpiration\` is ${expiration.toHumanString()}, not after the move of noncurrent versions to a cheaper class at ${NONCURRENT_TRANSITION_DAYS} days; S3 requires the expiry to come later. Use more than ${NONCURRENT_TRANSITION_DAYS} days, e.g. Duration.days(90).`);
    }
    return expiration;
  }

  private validateAccessLogs(props: SupabaseStorageProps) {
    if (props.serverAccessLogsBucket && props.accessLogsRetention) {
      throw new Error(`SupabaseStorage ${this.node.path}: \`accessLogsRetention\` is set together with \`serverAccessLogsBucket\`, but it applies only to the log bucket this construct creates. Set the expiry on your log bucket, and remove \`accessLogsRetention\`.`);
    }
  }

  private validateReplication(replication: SupabaseStorageReplication | undefined, versioned: boolean) {
    if (!replication) {
      return;
    }
    if (!versioned) {
      throw new Error(`SupabaseStorage ${this.node.path}: \`replication\` is set but \`versioned\` is false; S3 replicates only versioned buckets. Keep versioning on.`);
    }
    const sourceRegion = Stack.of(this).region;
    const destinationRegion = replication.destinationBucket.env.region;
    if (!Token.isUnresolved(sourceRegion) && !Token.isUnresolved(destinationRegion) && sourceRegion === destinationRegion) {
      throw new Error(`SupabaseStorage ${this.node.path}: \`replication.destinationBucket\` is in ${destinationRegion}, the bucket's own region; disaster recovery needs a copy in another region. Pass a bucket of the DR region, imported with s3.Bucket.fromBucketAttributes(scope, id, { bucketArn, region }) (fromBucketArn assumes the stack's region).`);
    }
  }

  private validateBucketName(name: string | undefined) {
    if (name !== undefined && !Token.isUnresolved(name)
      && !(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) && !name.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(name))) {
      throw new Error(`SupabaseStorage ${this.node.path}: \`bucketName\` '${name}' is not a valid S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit). Use e.g. 'supabase-dr-111122223333-eu-central-1'.`);
    }
  }

  private validateAllowedPrincipalArns(arns: string[]) {
    arns.forEach((arn, i) => this.validatePrincipalArn(arn, `allowedPrincipalArns[${i}]`));
  }

  private validatePrincipalArn(arn: string, name: string) {
    if (!Token.isUnresolved(arn) && !IAM_PRINCIPAL_ARN.test(arn)) {
      throw new Error(`SupabaseStorage ${this.node.path}: \`${name}\` '${arn}' is not the ARN of an IAM role or user (or of an account's root user); the bucket policy compares it with \`aws:PrincipalArn\` exactly, without wildcards, and that key holds a role's ARN, never a session's. Use e.g. 'arn:aws:iam::111122223333:role/backup'.`);
    }
  }
}
