import { Duration, RemovalPolicy, Validations, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** What {@link createLogBucket} needs to know. */
export interface LogBucketOptions {
  /** Whose logs it holds, e.g. "the load balancer's". */
  readonly logsOf: string;
  readonly objectOwnership: s3.ObjectOwnership;
  readonly removalPolicy: RemovalPolicy;
  /** How long the logs are kept. @default Duration.days(365) */
  readonly expiration?: Duration;
  /** The id of the lifecycle rule that expires the logs. @default - no id */
  readonly expirationRuleId?: string;
  /** The oldest TLS version the bucket policy admits. @default - any version (TLS only) */
  readonly minimumTlsVersion?: number;
  /**
   * Whether it receives another bucket's S3 server access logs: cdk-nag then counts it as logged, so there is no
   * AwsSolutions-S1 finding to acknowledge (logging the log bucket into itself would loop).
   *
   * @default false
   */
  readonly serverAccessLogsTarget?: boolean;
}

/**
 * A private bucket for an AWS service's access logs: SSE-S3 (the delivery services cannot write to an SSE-KMS
 * bucket without grants of their own), Block Public Access, TLS only, logs expiring after a year. Its own accesses
 * are not logged (cdk-nag AwsSolutions-S1 acknowledged with that reason).
 */
export function createLogBucket(scope: Construct, id: string, props: LogBucketOptions): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: props.objectOwnership,
    enforceSSL: true,
    minimumTLSVersion: props.minimumTlsVersion,
    lifecycleRules: [{ id: props.expirationRuleId, expiration: props.expiration ?? Duration.days(365) }],
    removalPolicy: props.removalPolicy,
  });
  if (!props.serverAccessLogsTarget) {
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: `This bucket holds ${props.logsOf} access logs; logging the log bucket's own accesses would only log log deliveries.`,
    });
  }
  return bucket;
}
