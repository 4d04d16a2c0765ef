import { Duration, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkKey } from '../../private/arn-checks';
import { configError } from '../../private/errors';
import { checkRegion } from '../../private/regions';
import { SupabaseStorageProps, SupabaseStorageReplication } from '../storage-props';

/** S3 accepts noncurrent-version transitions to STANDARD_IA and ONEZONE_IA only after 30 days; the seed plan uses 30 for every class. */
export const NONCURRENT_TRANSITION_DAYS = 30;
const DEFAULT_NONCURRENT_EXPIRATION = Duration.days(90);
export const DEFAULT_MINIMUM_TLS_VERSION = 1.2;

/** What `aws:PrincipalArn` can carry for an IAM principal: a role's or user's ARN (never a session's), or an account's root user. */
const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|(role|user)\/[^*?]+)$/;
const ORIGIN_PATTERN = /^https?:\/\/[^/?#\s]+$/;

/** The props of a `SupabaseStorage` after validation, with the defaults the checks depend on filled in. */
export interface ValidatedStorageProps {
  readonly versioned: boolean;
  readonly minimumTlsVersion: number;
  readonly corsAllowedOrigins: string[];
  readonly noncurrentVersionExpiration: Duration;
}

/** Checks every prop of `scope`, a `SupabaseStorage`, that S3 or the bucket policy would reject. */
export function validateStorageProps(scope: IConstruct, props: SupabaseStorageProps): ValidatedStorageProps {
  const versioned = props.versioned ?? true;
  const minimumTlsVersion = validateMinimumTlsVersion(scope, props.minimumTlsVersion);
  const corsAllowedOrigins = validateCors(scope, props.corsAllowedOrigins ?? [], props.corsAllowCredentials ?? false);
  const noncurrentVersionExpiration = validateNoncurrentVersions(scope, props, versioned);
  validateAccessLogs(scope, props);
  validateReplication(scope, props.replication, versioned);
  checkKey(scope, 'encryptionKey', props.encryptionKey);
  validateBucketName(scope, props.bucketName);
  (props.allowedPrincipalArns ?? []).forEach((arn, i) => validatePrincipalArn(scope, arn, `allowedPrincipalArns[${i}]`));
  validateTransferAcceleration(scope, props);
  return { versioned, minimumTlsVersion, corsAllowedOrigins, noncurrentVersionExpiration };
}

/** Checks that `arn` (the value of the prop or argument `name`) is what `aws:PrincipalArn` can carry. */
export function validatePrincipalArn(scope: IConstruct, arn: string, name: string) {
  if (!Token.isUnresolved(arn) && !IAM_PRINCIPAL_ARN.test(arn)) {
    throw configError(scope, `\`${name}\` '${arn}' is not the ARN of an IAM role or user (or of an account's root user); the bucket policy compares it with \`aws:PrincipalArn\` exactly, without wildcards, and that key holds a role's ARN, never a session's. Use e.g. 'arn:aws:iam::111122223333:role/backup'.`);
  }
}

function validateMinimumTlsVersion(scope: IConstruct, version: number | undefined): number {
  if (version === undefined || Token.isUnresolved(version)) {
    return version ?? DEFAULT_MINIMUM_TLS_VERSION;
  }
  if (version !== 1.2 && version !== 1.3) {
    throw configError(scope, `\`minimumTlsVersion\` is ${version}; the bucket admits TLS 1.2 or newer only. Use 1.2 or 1.3.`);
  }
  return version;
}

function validateCors(scope: IConstruct, origins: string[], allowCredentials: boolean): string[] {
  origins.forEach((origin, i) => {
    if (Token.isUnresolved(origin)) {
      return;
    }
    if (origin === '*') {
      if (allowCredentials) {
        throw configError(scope, `\`corsAllowedOrigins[${i}]\` is '*' while \`corsAllowCredentials\` is true; S3 answers a wildcard origin without Access-Control-Allow-Credentials, so browsers would reject every credentialed response. List the applications' origins instead, e.g. 'https://app.example.com'.`);
      }
      return;
    }
    if (!ORIGIN_PATTERN.test(origin) || (origin.match(/\*/g) ?? []).length > 1) {
      throw configError(scope, `\`corsAllowedOrigins[${i}]\` '${origin}' is not an origin; S3 expects '*' or a scheme and host without a path, with at most one '*'. Use e.g. 'https://app.example.com' or 'https://*.example.com'.`);
    }
  });
  return origins;
}

function validateNoncurrentVersions(scope: IConstruct, props: SupabaseStorageProps, versioned: boolean): Duration {
  const expiration = props.noncurrentVersionExpiration;
  if (!versioned) {
    for (const prop of ['noncurrentVersionExpiration', 'noncurrentVersionStorageClass'] as const) {
      if (props[prop] !== undefined) {
        throw configError(scope, `\`${prop}\` is set but \`versioned\` is false, so there are no noncurrent versions. Remove it, or keep versioning on.`);
      }
    }
  }
  if (expiration === undefined) {
    return DEFAULT_NONCURRENT_EXPIRATION;
  }
  if (!expiration.isUnresolved() && expiration.toDays({ integral: false }) <= NONCURRENT_TRANSITION_DAYS) {
    throw configError(scope, `\`noncurrentVersionExpiration\` is ${expiration.toHumanString()}, not after the move of noncurrent versions to a cheaper class at ${NONCURRENT_TRANSITION_DAYS} days; S3 requires the expiry to come later. Use more than ${NONCURRENT_TRANSITION_DAYS} days, e.g. Duration.days(90).`);
  }
  return expiration;
}

function validateAccessLogs(scope: IConstruct, props: SupabaseStorageProps) {
  if (props.serverAccessLogsBucket && props.accessLogsRetention) {
    throw configError(scope, '`accessLogsRetention` is set together with `serverAccessLogsBucket`, but it applies only to the log bucket this construct creates. Set the expiry on your log bucket, and remove `accessLogsRetention`.');
  }
}

function validateReplication(scope: IConstruct, replication: SupabaseStorageReplication | undefined, versioned: boolean) {
  if (!replication) {
    return;
  }
  if (!versioned) {
    throw configError(scope, '`replication` is set but `versioned` is false; S3 replicates only versioned buckets. Keep versioning on.');
  }
  const sourceRegion = Stack.of(scope).region;
  const destinationRegion = replication.destinationBucket.env.region;
  if (!Token.isUnresolved(sourceRegion) && !Token.isUnresolved(destinationRegion) && sourceRegion === destinationRegion) {
    throw configError(scope, `\`replication.destinationBucket\` is in ${destinationRegion}, the bucket's own region; disaster recovery needs a copy in another region. Pass a bucket of the DR region, imported with s3.Bucket.fromBucketAttributes(scope, id, { bucketArn, region }) (fromBucketArn assumes the stack's region).`);
  }
  checkRegion(scope, 'replication.destinationBucket.env.region', destinationRegion);
  // The replicas are encrypted in the destination's region: a key of another region fails every object's
  // replication, and S3 reports it only as FAILED objects. An alias ARN is matched by kms:ResourceAliases.
  checkKey(scope, 'replication.destinationKey', replication.destinationKey, {
    region: destinationRegion,
    regionOf: 'the destination bucket',
    regionWhy: 'S3 encrypts the replicas with a key of the destination\'s region; with any other key every object fails to replicate, and the DR copy would stay incomplete',
    alias: true,
  });
}

function validateBucketName(scope: IConstruct, name: string | undefined) {
  if (name !== undefined && !Token.isUnresolved(name)
    && !(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) && !name.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(name))) {
    throw configError(scope, `\`bucketName\` '${name}' is not a valid S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit). Use e.g. 'supabase-dr-111122223333-eu-central-1'.`);
  }
}

function validateTransferAcceleration(scope: IConstruct, props: SupabaseStorageProps) {
  if (props.transferAcceleration && props.bucketName && !Token.isUnresolved(props.bucketName) && props.bucketName.includes('.')) {
    throw configError(scope, `\`transferAcceleration\` is true but \`bucketName\` '${props.bucketName}' contains a dot, and S3 accelerates only buckets whose names are valid DNS labels without dots. Choose a name without dots, or leave acceleration off.`);
  }
}
