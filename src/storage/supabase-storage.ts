import {
  Duration,
  Lazy,
  RemovalPolicy,
  Stack,
  aws_iam as iam,
  aws_kms as kms,
  aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SupabaseStorageProps } from './storage-props';
import { configError } from '../private/errors';
import { createKey } from '../private/kms';
import { createLogBucket } from '../private/log-bucket';
import { acknowledgeWildcardResources } from '../private/nag';
import { checkProps } from '../private/props-check';
import { STORAGE_PROPS_SPEC } from './private/props-spec';
import { addReplicationInventory, createBatchReplicationRole, createReplicationRole, grantReplication } from './private/replication';
import { NONCURRENT_TRANSITION_DAYS, DEFAULT_MINIMUM_TLS_VERSION, validatePrincipalArn, validateStorageProps } from './private/validation';

const DEFAULT_ACCESS_LOGS_RETENTION = Duration.days(365);
const ABORT_INCOMPLETE_UPLOADS_AFTER = Duration.days(7);
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

/**
 * The S3 bucket behind Supabase Storage: private, KMS-encrypted, versioned, TLS only, logged to a separate log
 * bucket and retained; a bucket policy denies object access to every principal not granted or allowed. Optionally
 * CORS, Intelligent-Tiering, Transfer Acceleration and cross-region replication. See docs/storage.md.
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
   * The role of S3 Batch Replication jobs, with `replication`, which copy what live replication did not (older
   * objects, failed ones): pass it as the job's `--role-arn`. See docs/disaster-recovery.md.
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
    checkProps(this, props, STORAGE_PROPS_SPEC, 'SupabaseStorageProps');

    const { versioned, minimumTlsVersion, corsAllowedOrigins, noncurrentVersionExpiration } = validateStorageProps(this, props);
    this.transferAcceleration = props.transferAcceleration ?? false;
    this.replicationSource = props.replicationSource;
    this.replicationDestination = props.replication?.destinationBucket;

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.encryptionKey = props.encryptionKey ?? createKey(this, 'Key', {
      description: `Encrypts the Supabase Storage objects of ${this.node.path}`,
      purpose: 'storage',
      removalPolicy,
    });
    this.replicationRole = props.replication && createReplicationRole(this, props.replication);

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

    // S3 delivers server access logs only to an SSE-S3 bucket ("Enabling Amazon S3 server access logging"); with ACLs
    // disabled, the bucket policy grants the delivery, as the S3 User Guide recommends.
    this.logBucket = props.serverAccessLogsBucket ?? createLogBucket(this, 'AccessLogsBucket', {
      logsOf: 'Supabase Storage\'s',
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      expiration: props.accessLogsRetention ?? DEFAULT_ACCESS_LOGS_RETENTION,
      expirationRuleId: 'ExpireAccessLogs',
      minimumTlsVersion: DEFAULT_MINIMUM_TLS_VERSION,
      serverAccessLogsTarget: true,
    });
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
   * Lets `grantee` (the Storage API's role) read, write, delete and list the objects, run multipart uploads and
   * use the key through S3 only, and adds it to the bucket policy's allow list: `grantee` must be an IAM role or
   * user. See docs/storage.md.
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
    validatePrincipalArn(this, principalArn, 'addAllowedPrincipalArn');
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
      throw configError(this, `\`grantReadWrite\` grantee ${principal} is not a single IAM role or user, so the bucket policy cannot admit it by \`aws:PrincipalArn\`. Grant to the Storage API's IAM role (an IRSA role is an iam.Role), or to an IAM user.`);
    }
    return aws[0];
  }
}
