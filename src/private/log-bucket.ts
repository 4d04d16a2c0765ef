import { Duration, RemovalPolicy, Validations, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * A private bucket for an AWS service's access logs: SSE-S3 (the delivery services cannot write to an SSE-KMS
 * bucket without grants of their own), Block Public Access, TLS only, logs expiring after a year. Its own accesses
 * are not logged (cdk-nag AwsSolutions-S1 acknowledged with that reason).
 */
export function createLogBucket(scope: Construct, id: string, props: {
  /** Whose logs it holds, e.g. "the load balancer's". */
  readonly logsOf: string;
  readonly objectOwnership: s3.ObjectOwnership;
  readonly removalPolicy: RemovalPolicy;
}): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: props.objectOwnership,
    enforceSSL: true,
    lifecycleRules: [{ expiration: Duration.days(365) }],
    removalPolicy: props.removalPolicy,
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: `This bucket holds ${props.logsOf} access logs; logging the log bucket's own accesses would only log log deliveries.`,
  });
  return bucket;
}
