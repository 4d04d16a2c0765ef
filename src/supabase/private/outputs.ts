import { CfnOutput, Stack, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SupabaseCluster } from '../../eks/supabase-cluster';
import { SupabaseDatabase } from '../../rds/supabase-database';
import { SupabaseSecrets } from '../../secrets/supabase-secrets';
import { SupabaseStorage } from '../../storage/supabase-storage';

/** What the outputs of SupabaseOnAws name. */
export interface DeploymentOutputs {
  readonly publicUrl: string;
  readonly loadBalancerDnsName: string;
  /** The CDN's domain name and the paths it caches, with a CDN. */
  readonly cdn?: { readonly domainName: string; readonly cachedPath: string };
  readonly cluster: SupabaseCluster;
  readonly secrets: SupabaseSecrets;
  readonly storage: SupabaseStorage;
  readonly database: SupabaseDatabase;
  /** The cache's endpoint and AUTH token secret, with a cache. */
  readonly cache?: { readonly host: string; readonly port: number; readonly secretArn: string };
  /** Auth's OAuth callback URL, with external sign-in providers. */
  readonly authCallbackUrl?: string;
  /** The topic the alarms notify, with observability. */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * The CloudFormation outputs of a deployment: the URLs, where to point DNS, the cluster and how to reach it, the
 * ARNs of the secrets (never their values), and what the runbooks need.
 */
export function addOutputs(scope: Construct, o: DeploymentOutputs) {
  const { cluster, secrets, storage, database } = o;
  const region = Stack.of(cluster).region;
  const output = (name: string, value: string, description: string) => new CfnOutput(scope, name, { value, description });
  output('ApiUrl', o.publicUrl, 'The Supabase API (SUPABASE_URL of the client libraries)');
  output('StudioUrl', `${o.publicUrl}/`, 'Studio, behind basic authentication (credentials: DashboardSecretArn)');
  const pointDnsHere = 'Point the public URL\'s DNS name here (a Route 53 alias record, or a CNAME)';
  if (o.cdn) {
    output('DistributionDomainName', o.cdn.domainName, `${pointDnsHere}; CloudFront caches ${o.cdn.cachedPath}`);
  }
  output('LoadBalancerDnsName', o.loadBalancerDnsName, o.cdn
    ? 'The CDN\'s origin: it answers 403 to requests that do not come through the distribution'
    : pointDnsHere);
  if (o.authCallbackUrl) {
    output('AuthCallbackUrl', o.authCallbackUrl, 'Register this redirect URI (callback URL) with each external sign-in provider');
  }
  output('ClusterName', cluster.clusterName, 'The EKS cluster');
  output('UpdateKubeconfigCommand', `aws eks update-kubeconfig --region ${region} --name ${cluster.clusterName}`,
    'Adds the cluster to your kubeconfig (your role must be one of the cluster\'s admin roles)');
  output('ApiKeysSecretArn', secrets.apiKeys.secretArn, 'The anon and service_role keys (anonKey, serviceRoleKey)');
  if (secrets.signingKeys) {
    output('SigningKeysSecretArn', secrets.signingKeys.secretArn,
      'The opaque API keys (publishableKey; secretKeys, each secret key by name) and the signing keys');
  }
  output('JwtSecretArn', secrets.jwtSecret.secretArn, 'The JWT secret the keys are signed with');
  output('DashboardSecretArn', secrets.dashboard.secretArn, 'Studio\'s basic-auth user name and password');
  output('StorageBucketName', storage.bucket.bucketName, 'The bucket of Supabase Storage\'s objects');
  if (storage.batchReplicationRole) {
    output('StorageLogBucketName', storage.logBucket.bucketName,
      'The Storage log bucket: the daily replication inventory (inventory/) and the Batch Replication reports (batch-replication/)');
    output('StorageBatchReplicationRoleArn', storage.batchReplicationRole.roleArn,
      'The role of S3 Batch Replication jobs that copy what live replication did not (--role-arn of aws s3control create-job)');
  }
  if (storage.transferAcceleration) {
    output('StorageAccelerateEndpoint', `${storage.bucket.bucketName}.s3-accelerate.amazonaws.com`,
      'The bucket\'s S3 Transfer Acceleration endpoint, for tools that reach S3 directly (the Storage API does not use it)');
  }
  if (o.cache) {
    output('CacheEndpoint', `${o.cache.host}:${o.cache.port}`, 'The cache\'s primary endpoint (TLS required; in the cluster, the Secret supabase-cache holds it)');
    output('CacheSecretArn', o.cache.secretArn, 'The cache\'s AUTH token (field password)');
  }
  if (database.masterSecret) {
    output('DatabaseSecretArn', database.masterSecret.secretArn, 'The RDS master user (rotated)');
  }
  if (database.replicaStatusFunction) {
    output('DatabaseReplicaStatusFunctionName', database.replicaStatusFunction.functionName,
      'Reads the read replica\'s recovery point on the replica (aws lambda invoke): run it before promoting');
  }
  output('DatabaseSecurityGroupId', database.connections.securityGroups[0].securityGroupId,
    'The database\'s security group: revoking its ingress and rebooting the instance stops every write, without cluster access');
  if (o.alarmTopic) {
    output('AlarmTopicArn', o.alarmTopic.topicArn, 'The topic the alarms notify: subscribe your paging tool to it');
  }
}
