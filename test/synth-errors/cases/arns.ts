/**
 * Class 2: certificates, web ACLs, KMS keys and secrets passed by ARN or reference, checked for their service,
 * resource type, scope and region; region names checked against the real AWS regions.
 */
import { Stack, aws_certificatemanager as acm, aws_kms as kms, aws_s3 as s3, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { SupabaseAuthProvider } from '../../../src';
import { BadInput, ConstructName } from '../bad-input';
import { clusterWith, databaseWith, networkWith, secretsWith, storageWith, supabaseWith } from '../stacks';

const ACCOUNT = '111122223333';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const keyArn = (region: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/${KEY_ID}`;
const key = (stack: Stack, arn: string) => kms.Key.fromKeyArn(stack, 'GivenKey', arn);
const certificate = (stack: Stack, arn: string) => acm.Certificate.fromCertificateArn(stack, 'GivenCertificate', arn);
const secret = (stack: Stack, arn: string) => secretsmanager.Secret.fromSecretCompleteArn(stack, 'GivenSecret', arn);
const US_EAST_SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:supabase/credential-AbCdEf`;
const REGIONAL_ACL = `arn:aws:wafv2:eu-west-1:${ACCOUNT}:regional/webacl/supabase/a1b2c3d4`;
const CDN_CERTIFICATE = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555`;

function row(construct: ConstructName, prop: string, value: string, build: (stack: Stack) => void, error: string): BadInput {
  return { construct, class: 'arn', prop, value, build, error };
}

/** A storage replication to a bucket of eu-central-1, with `destinationKey` from `arn`. */
function replication(stack: Stack, arn: string, region = 'eu-central-1') {
  return {
    replication: {
      destinationBucket: s3.Bucket.fromBucketAttributes(stack, 'Dr', { bucketArn: 'arn:aws:s3:::supabase-dr', region }),
      destinationKey: key(stack, arn),
    },
  };
}

export const ARN_CASES: BadInput[] = [
  // SupabaseOnAws: the load balancer's and CloudFront's certificates and web ACLs.
  row('SupabaseOnAws', 'certificate', `acm.Certificate.fromCertificateArn(this, 'Cert', 'arn:aws:iam::${ACCOUNT}:server-certificate/supabase')`,
    (stack) => supabaseWith({ certificate: certificate(stack, `arn:aws:iam::${ACCOUNT}:server-certificate/supabase`) })(stack),
    'is an IAM server certificate, not an ACM certificate'),
  row('SupabaseOnAws', 'certificate', `acm.Certificate.fromCertificateArn(this, 'Cert', '${CDN_CERTIFICATE}')`,
    (stack) => supabaseWith({ certificate: certificate(stack, CDN_CERTIFICATE) })(stack),
    'is in us-east-1, but the load balancer is in eu-west-1 (a load balancer takes ACM certificates of its own region only)'),
  row('SupabaseOnAws', 'cdn.certificate', `acm.Certificate.fromCertificateArn(this, 'Cert', 'arn:aws:acm:eu-west-1:${ACCOUNT}:certificate/...')`,
    (stack) => supabaseWith({ cdn: { certificate: certificate(stack, `arn:aws:acm:eu-west-1:${ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555`) } })(stack),
    'is in eu-west-1, but CloudFront is in us-east-1 (it takes certificates from us-east-1 only'),
  row('SupabaseOnAws', 'webAclArn', `'arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/supabase/a1b2c3d4'`,
    supabaseWith({ webAclArn: `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/supabase/a1b2c3d4` }),
    'is a web ACL of the CLOUDFRONT scope, which a load balancer cannot use; it belongs in `cdn.webAclArn`'),
  row('SupabaseOnAws', 'webAclArn', `'arn:aws:waf-regional:eu-west-1:${ACCOUNT}:webacl/a1b2c3d4'`,
    supabaseWith({ webAclArn: `arn:aws:waf-regional:eu-west-1:${ACCOUNT}:webacl/a1b2c3d4` }),
    'is a classic AWS WAF ARN; the load balancer is given AWS WAF (wafv2) web ACLs only'),
  row('SupabaseOnAws', 'webAclArn', `'arn:aws:wafv2:eu-west-1:${ACCOUNT}:regional/rulegroup/bots/a1b2c3d4'`,
    supabaseWith({ webAclArn: `arn:aws:wafv2:eu-west-1:${ACCOUNT}:regional/rulegroup/bots/a1b2c3d4` }),
    "names 'regional/rulegroup/bots/a1b2c3d4', which is not a web ACL"),
  row('SupabaseOnAws', 'webAclArn', `'arn:aws:wafv2:eu-central-1:${ACCOUNT}:regional/webacl/supabase/a1b2c3d4'`,
    supabaseWith({ webAclArn: `arn:aws:wafv2:eu-central-1:${ACCOUNT}:regional/webacl/supabase/a1b2c3d4` }),
    'is in eu-central-1, but the load balancer is in eu-west-1 (a REGIONAL web ACL protects resources of its own region only)'),
  row('SupabaseOnAws', 'webAclArn', `'arn:aws:wafv2:cn-north-1:${ACCOUNT}:regional/webacl/supabase/a1b2c3d4'`,
    supabaseWith({ webAclArn: `arn:aws:wafv2:cn-north-1:${ACCOUNT}:regional/webacl/supabase/a1b2c3d4` }),
    "has the partition 'aws', but cn-north-1 is in the partition 'aws-cn'"),
  row('SupabaseOnAws', 'cdn.webAclArn', `'${REGIONAL_ACL}'`,
    (stack) => supabaseWith({ cdn: { certificate: certificate(stack, CDN_CERTIFICATE), webAclArn: REGIONAL_ACL } })(stack),
    'is a web ACL of the REGIONAL scope, which CloudFront cannot use'),
  row('SupabaseOnAws', 'auth.externalProviders[0].clientSecret', `secretsmanager.Secret.fromSecretCompleteArn(this, 'Secret', '${US_EAST_SECRET}')`,
    (stack) => supabaseWith({
      auth: {
        siteUrl: 'https://app.example.com',
        externalProviders: [{ provider: SupabaseAuthProvider.GITHUB, clientId: 'supabase', clientSecret: secret(stack, US_EAST_SECRET) }],
      },
    })(stack),
    'is in us-east-1, but this stack is in eu-west-1 (External Secrets Operator reads it in this region)'),

  // KMS keys by reference: a key ARN of the right region.
  row('SupabaseNetwork', 'flowLogKey', `kms.Key.fromKeyArn(this, 'Key', 'arn:aws:kms:eu-west-1:${ACCOUNT}:alias/flow-logs')`,
    (stack) => networkWith({ flowLogKey: key(stack, `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/flow-logs`) })(stack),
    "names the key by its alias; IAM policies and grants cannot name a key by its alias, so the roles given this key could not use it. Use the key ARN ('key/<id>')"),
  row('SupabaseCluster', 'secretsEncryptionKey', `kms.Key.fromKeyArn(this, 'Key', '${keyArn('us-east-1')}')`,
    (stack) => clusterWith({ secretsEncryptionKey: key(stack, keyArn('us-east-1')) })(stack),
    'is in us-east-1, but this stack is in eu-west-1'),
  row('SupabaseCluster', 'imageCache.dockerHubCredentials', `secretsmanager.Secret.fromSecretCompleteArn(this, 'Secret', '${US_EAST_SECRET.replace('supabase/credential', 'ecr-pullthroughcache/docker-hub')}')`,
    (stack) => clusterWith({ imageCache: { dockerHubCredentials: secret(stack, US_EAST_SECRET.replace('supabase/credential', 'ecr-pullthroughcache/docker-hub')) } })(stack),
    'is in us-east-1, but the ECR registry is in eu-west-1'),
  row('SupabaseDatabase', 'encryptionKey', `kms.Key.fromKeyArn(this, 'Key', '${keyArn('eu-west-9')}')`,
    (stack) => databaseWith({ encryptionKey: key(stack, keyArn('eu-west-9')) })(stack),
    "has the region 'eu-west-9', which is not an AWS region. Did you mean 'eu-west-1'?"),
  row('SupabaseDatabase', 'encryptionKey', `kms.Key.fromKeyArn(this, 'Key', 'arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:db-AbCdEf')`,
    (stack) => databaseWith({ encryptionKey: key(stack, `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:db-AbCdEf`) })(stack),
    'is an ARN of the service secretsmanager, not a KMS key ARN (service kms)'),
  row('SupabaseStorage', 'encryptionKey', `kms.Key.fromKeyArn(this, 'Key', '${keyArn('eu-central-1')}')`,
    (stack) => storageWith({ encryptionKey: key(stack, keyArn('eu-central-1')) })(stack),
    'is in eu-central-1, but this stack is in eu-west-1'),
  row('SupabaseStorage', 'replication.destinationKey', `kms.Key.fromKeyArn(this, 'Key', '${keyArn('eu-west-1')}')`,
    (stack) => storageWith(replication(stack, keyArn('eu-west-1')))(stack),
    'is in eu-west-1, but the destination bucket is in eu-central-1 (S3 encrypts the replicas with a key of the destination\'s region; with any other key every object fails to replicate, and the DR copy would stay incomplete)'),
  row('SupabaseStorage', 'replication.destinationBucket', "s3.Bucket.fromBucketAttributes(this, 'Dr', { bucketArn, region: 'eu-centrl-1' })",
    (stack) => storageWith(replication(stack, keyArn('eu-central-1'), 'eu-centrl-1'))(stack),
    "`replication.destinationBucket.env.region` is 'eu-centrl-1', which is not an AWS region. Did you mean 'eu-central-1'?"),
  row('SupabaseSecrets', 'encryptionKey', `kms.Key.fromKeyArn(this, 'Key', 'arn:aws:kms:eu-west-1:${ACCOUNT}:alias/supabase')`,
    (stack) => secretsWith({ encryptionKey: key(stack, `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/supabase`) })(stack),
    'names the key by its alias'),
  row('SupabaseSecrets', 'replicaRegions', `[{ region: 'eu-central-1', encryptionKey: kms.Key.fromKeyArn(this, 'Key', '${keyArn('eu-west-1')}') }]`,
    (stack) => secretsWith({ replicaRegions: [{ region: 'eu-central-1', encryptionKey: key(stack, keyArn('eu-west-1')) }] })(stack),
    '`replicaRegions[0].encryptionKey` \'' + keyArn('eu-west-1') + "' is in eu-west-1, but the replica (`replicaRegions[0].region`) is in eu-central-1"),

  // Secrets by reference.
  row('SupabaseSecrets', 'smtp.password', `secretsmanager.Secret.fromSecretCompleteArn(this, 'Secret', '${US_EAST_SECRET}')`,
    (stack) => secretsWith({
      smtp: { host: 'email-smtp.eu-west-1.amazonaws.com', user: 'AKIAIOSFODNN7EXAMPLE', password: secret(stack, US_EAST_SECRET), adminEmail: 'no-reply@example.com' },
    })(stack),
    'is in us-east-1, but this stack is in eu-west-1 (External Secrets reads it in this region for Auth)'),

  // Region names: real regions, not the stack's own, each once.
  row('SupabaseSecrets', 'replicaRegions', "[{ region: 'EU-CENTRAL-1' }]", secretsWith({ replicaRegions: [{ region: 'EU-CENTRAL-1' }] }),
    "`replicaRegions[0].region` is 'EU-CENTRAL-1', which is not an AWS region. Did you mean 'eu-central-1'?"),
  row('SupabaseSecrets', 'replicaRegions', "[{ region: 'frankfurt' }]", secretsWith({ replicaRegions: [{ region: 'frankfurt' }] }),
    "is 'frankfurt', which is not an AWS region. Did you mean 'eu-central-1'?"),
  row('SupabaseSecrets', 'replicaRegions', "[{ region: 'eu-west-1' }]", secretsWith({ replicaRegions: [{ region: 'eu-west-1' }] }),
    "`replicaRegions[0].region` is 'eu-west-1', the stack's own region"),
  row('SupabaseSecrets', 'replicaRegions', "[{ region: 'eu-central-1' }, { region: 'eu-central-1' }]",
    secretsWith({ replicaRegions: [{ region: 'eu-central-1' }, { region: 'eu-central-1' }] }),
    "`replicaRegions` lists 'eu-central-1' twice"),
  row('SupabaseSecrets', 'primaryRegion', "'us-east-7'", secretsWith({ primaryRegion: 'us-east-7', secretNamePrefix: 'supabase/prod' }),
    "`primaryRegion` is 'us-east-7', which is not an AWS region. Did you mean 'us-east-1'?"),
  row('SupabaseDatabase', 'secretReplicaRegions', "[{ region: 'eu-cental-1' }]",
    databaseWith({ secretNamePrefix: 'supabase/prod', secretReplicaRegions: [{ region: 'eu-cental-1' }] }),
    "`secretReplicaRegions[0].region` is 'eu-cental-1', which is not an AWS region. Did you mean 'eu-central-1'?"),

  // The replica's source: an RDS DB instance ARN.
  row('SupabaseDatabase', 'replicaOf.instanceArn', `'arn:aws:rds:eu-central-1:${ACCOUNT}:cluster:supabase-prod'`,
    databaseWith({ replicaOf: { instanceArn: `arn:aws:rds:eu-central-1:${ACCOUNT}:cluster:supabase-prod`, secretNamePrefix: 'supabase/prod' } }),
    "is an Aurora DB cluster's ARN; SupabaseDatabase replicates an RDS for PostgreSQL DB instance"),
  row('SupabaseDatabase', 'replicaOf.instanceArn', `'arn:aws:rds:eu-centrl-1:${ACCOUNT}:db:supabase-prod'`,
    databaseWith({ replicaOf: { instanceArn: `arn:aws:rds:eu-centrl-1:${ACCOUNT}:db:supabase-prod`, secretNamePrefix: 'supabase/prod' } }),
    "has the region 'eu-centrl-1', which is not an AWS region. Did you mean 'eu-central-1'?"),
];
