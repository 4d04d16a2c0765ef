/**
 * The three Ireland environments side by side: everything that tells development, staging and production apart is
 * in these three objects; examples/ireland/stacks.ts builds the same three stacks from any of them.
 */
import { Duration, RemovalPolicy, aws_ec2 as ec2, aws_logs as logs } from 'aws-cdk-lib';
import { CapacityType } from 'aws-cdk-lib/aws-eks-v2';
import {
  SupabaseAuthProvider,
  SupabaseAuthSettings,
  SupabaseCacheSettings,
  SupabaseClusterOptions,
  SupabaseDatabaseOptions,
  SupabaseNetworkProps,
  SupabaseObservabilityOptions,
  SupabaseScalingSettings,
  SupabaseSecretsProps,
  SupabaseServiceScaling,
  SupabaseStorageProps,
} from 'cdk-supabase-on-aws';

/** The placeholder account of the examples; replace it with yours to deploy. */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

/** A cdk-nag finding an environment accepts on purpose, and why. */
export interface Acknowledgment {
  readonly id: string;
  readonly reason: string;
}

/** Email through Amazon SES: the SMTP credential's password is a secret the team creates before deploying. */
export interface IrelandSmtp {
  /** The secret holding the SMTP password (the whole secret string). */
  readonly passwordSecretName: string;
  /** The SMTP credential's user name (an access key id shown by SES when you create the credential). */
  readonly user: string;
  readonly adminEmail: string;
  readonly senderName: string;
}

/**
 * A sign-in provider: its client id, and the secret the team creates with the client secret before deploying
 * (a JSON field `clientSecret`). The redirect URI to register with the provider is the stack output
 * `AuthCallbackUrl` (`<publicUrl>/auth/v1/callback`).
 */
export interface IrelandSignIn {
  readonly provider: SupabaseAuthProvider;
  readonly clientId: string;
  readonly clientSecretName: string;
}

/**
 * The names the disaster-recovery site in Frankfurt (examples/frankfurt-dr) knows production by, and the names of
 * its resources production replicates into. Both apps spell them out; they must match.
 */
export interface IrelandDisasterRecovery {
  readonly region: string;
  /** The Storage bucket's replication role, which the DR bucket's policy lets in. */
  readonly replicationRoleName: string;
  /** The DR site's bucket, and the aliases of its keys for the replicated objects, login secrets and secrets. */
  readonly bucketName: string;
  /**
   * The DR site's Storage replication role, which replicates the objects written there after a failover back into
   * this site's bucket (for failback); this bucket's policy lets it in.
   */
  readonly failbackReplicationRoleName: string;
  readonly storageKeyAlias: string;
  readonly databaseKeyAlias: string;
  readonly secretsKeyAlias: string;
  /**
   * The on-call engineers' role: it administers the cluster (an access entry) and carries the runbook's policy
   * (docs/disaster-recovery.md), which both sites create under the names below.
   */
  readonly onCallRoleArn: string;
  /** The customer managed policy with exactly what the failover runbook needs at this site. */
  readonly runbookPolicyName: string;
}

/** One Ireland environment: the settings of its stacks and of each construct in them. */
export interface IrelandEnvironment {
  /** The stacks' name prefix, e.g. SupabaseProd (SupabaseProdNetworking, SupabaseProdCore, ...). */
  readonly stackPrefix: string;
  /** The environment's name in the stacks' descriptions. */
  readonly title: string;
  /** Whether the stacks refuse `cdk destroy`. */
  readonly terminationProtection: boolean;
  /** The public URL of the API and Studio; replace it with your domain. */
  readonly publicUrl: string;
  /** An ACM certificate for that domain in eu-west-1; replace it with yours. */
  readonly certificateArn: string;
  readonly auth: SupabaseAuthSettings;
  /** Sign-in with external providers, besides email and password. */
  readonly signIn?: IrelandSignIn[];
  readonly smtp?: IrelandSmtp;
  readonly network: SupabaseNetworkProps;
  readonly secrets: SupabaseSecretsProps;
  readonly cluster: SupabaseClusterOptions;
  /**
   * The complete ARN of a Docker Hub credential in Secrets Manager (named `ecr-pullthroughcache/...`): with it, the
   * nodes pull the images through an ECR pull-through cache in the region instead of from Docker Hub.
   */
  readonly dockerHubCredentialsArn?: string;
  readonly database: SupabaseDatabaseOptions;
  /** Findings on the database instance that this environment accepts. */
  readonly databaseAcknowledgments?: Acknowledgment[];
  readonly storage: SupabaseStorageProps;
  /** What happens to the load balancer's access logs and the observability's logs when the stack is deleted. */
  readonly logsRemovalPolicy?: RemovalPolicy;
  readonly observability?: SupabaseObservabilityOptions;
  readonly scaling?: SupabaseScalingSettings;
  /** CloudFront in front of the load balancer: a certificate in us-east-1 and a CLOUDFRONT-scoped web ACL. */
  readonly cdn?: { readonly certificateArn: string; readonly webAclArn?: string };
  readonly cache?: SupabaseCacheSettings;
  readonly disasterRecovery?: IrelandDisasterRecovery;
}

const SPOT_TYPES = [new ec2.InstanceType('t3.large'), new ec2.InstanceType('m5.large'), new ec2.InstanceType('m5a.large')];
const scaleAll = (services: SupabaseServiceScaling, single: SupabaseServiceScaling): SupabaseScalingSettings => ({
  kong: services,
  auth: services,
  rest: services,
  realtime: services,
  storage: services,
  imgproxy: services,
  meta: single,
  studio: single,
});

/** Development: small and disposable; nothing is kept when the stacks are deleted. */
export const DEVELOPMENT: IrelandEnvironment = {
  stackPrefix: 'SupabaseDev',
  title: 'development',
  terminationProtection: false,
  publicUrl: 'https://supabase-dev.example.com',
  certificateArn: `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000`,
  auth: {
    siteUrl: 'https://app-dev.example.com',
    additionalRedirectUrls: ['http://localhost:3000/**'],
    // No SMTP in development: addresses are confirmed at signup.
    mailerAutoconfirm: true,
  },
  // One NAT gateway instead of one per zone, a week of flow logs, and no interface endpoints (about 11 x 3 x 0.011
  // USD an hour): traffic to AWS APIs goes through the NAT gateway.
  network: { natGateways: 1, flowLogRetention: logs.RetentionDays.ONE_WEEK, removalPolicy: RemovalPolicy.DESTROY, vpcEndpoints: false },
  secrets: { secretNamePrefix: 'supabase/ireland-dev', removalPolicy: RemovalPolicy.DESTROY },
  // One small spot node group instead of the seed plan's on-demand and spot groups.
  cluster: {
    nodeGroups: [{ name: 'dev', instanceTypes: SPOT_TYPES, capacityType: CapacityType.SPOT, minSize: 1, desiredSize: 2, maxSize: 4 }],
    logRetention: logs.RetentionDays.ONE_WEEK,
    removalPolicy: RemovalPolicy.DESTROY,
  },
  // One small single-AZ instance, a day of backups, nothing kept after deletion.
  database: {
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.BURSTABLE4_GRAVITON, ec2.InstanceSize.SMALL),
    multiAz: false,
    backupRetention: Duration.days(1),
    deletionProtection: false,
    removalPolicy: RemovalPolicy.DESTROY,
    cloudwatchLogsRetention: logs.RetentionDays.ONE_WEEK,
  },
  databaseAcknowledgments: [
    { id: 'AwsSolutions-RDS3', reason: 'Development environment: a single-AZ instance halves the cost; an outage of one zone may stop development, and the production example is Multi-AZ.' },
    { id: 'AwsSolutions-RDS10', reason: 'Development environment: its data is disposable and is deleted with the stack; the production example keeps deletion protection on.' },
  ],
  storage: { removalPolicy: RemovalPolicy.DESTROY },
  // A week of container logs; the logs, like the load balancer's access logs, are deleted with the stack.
  logsRemovalPolicy: RemovalPolicy.DESTROY,
  observability: { logRetention: logs.RetentionDays.ONE_WEEK },
  // One pod of each service, up to three under load.
  scaling: scaleAll({ minReplicas: 1, maxReplicas: 3 }, { minReplicas: 1 }),
};

/**
 * Staging: shaped like production (Multi-AZ database behind an RDS Proxy, a NAT gateway per zone, on-demand and spot
 * nodes, two pods of each service) but smaller and cheaper; the database leaves a snapshot when it is deleted.
 */
export const STAGING: IrelandEnvironment = {
  stackPrefix: 'SupabaseStaging',
  title: 'staging',
  terminationProtection: false,
  publicUrl: 'https://supabase-staging.example.com',
  certificateArn: `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/55555555-5555-5555-5555-555555555555`,
  auth: {
    siteUrl: 'https://app-staging.example.com',
    // No SMTP in staging: addresses are confirmed at signup (production's SES credential stays in production).
    mailerAutoconfirm: true,
  },
  // A NAT gateway per zone, as in production; no interface endpoints (about 265 USD a month); a month of flow logs.
  network: { flowLogRetention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY, vpcEndpoints: false },
  // The secrets are retained (the default): a database restored from the final snapshot needs its JWT secret.
  secrets: { secretNamePrefix: 'supabase/ireland-staging' },
  // On-demand and spot nodes like production, at a third of its maximum size.
  cluster: {
    nodeGroups: [
      { name: 'general', instanceTypes: [new ec2.InstanceType('t3.large')], capacityType: CapacityType.ON_DEMAND, minSize: 1, desiredSize: 2, maxSize: 3 },
      { name: 'spot', instanceTypes: SPOT_TYPES, capacityType: CapacityType.SPOT, minSize: 0, desiredSize: 1, maxSize: 6 },
    ],
    logRetention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  },
  // Multi-AZ (the default) on a burstable instance, a week of backups, an RDS Proxy as in production. No deletion
  // protection: the stack may be deleted, and the database then leaves a final snapshot (the default removal
  // policy), with its key and login secrets retained so that the snapshot can be restored.
  database: {
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.BURSTABLE4_GRAVITON, ec2.InstanceSize.MEDIUM),
    backupRetention: Duration.days(7),
    deletionProtection: false,
    cloudwatchLogsRetention: logs.RetentionDays.ONE_MONTH,
    instanceIdentifier: 'supabase-ireland-staging',
    secretNamePrefix: 'supabase/ireland-staging',
    proxy: {},
  },
  databaseAcknowledgments: [
    { id: 'AwsSolutions-RDS10', reason: 'Staging environment: it is deleted and recreated between release trains; deletion leaves a final snapshot (removal policy SNAPSHOT), and the production example keeps deletion protection on.' },
  ],
  // The bucket is retained (the default): S3 has no snapshot, so keeping it is how its objects survive.
  storage: {},
  logsRemovalPolicy: RemovalPolicy.DESTROY,
  observability: { logRetention: logs.RetentionDays.ONE_MONTH, alarmEmails: ['supabase-staging-alerts@example.com'] },
  // Two pods of each autoscaled service (as in production, so that disruption budgets and spreading are exercised)
  // and at most four; one of postgres-meta and Studio.
  scaling: scaleAll({ minReplicas: 2, maxReplicas: 4 }, { minReplicas: 1 }),
};

/**
 * Production: highly available and kept. The constructs' defaults are the production settings (a NAT gateway per
 * zone, interface endpoints, a year of logs, everything retained, Multi-AZ, deletion protection), so little is set.
 */
export const PRODUCTION: IrelandEnvironment = {
  stackPrefix: 'SupabaseProd',
  title: 'production',
  terminationProtection: true,
  publicUrl: 'https://supabase.example.com',
  certificateArn: `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/11111111-1111-1111-1111-111111111111`,
  auth: {
    siteUrl: 'https://app.example.com',
    // Email addresses are confirmed by a link sent through SES.
    mailerAutoconfirm: false,
  },
  // Create the secrets before deploying, replicated to Frankfurt (which signs users in the same way after a
  // failover): aws secretsmanager create-secret --name supabase/ireland-prod/oauth/google
  //   --secret-string '{"clientSecret":"..."}' --add-replica-regions Region=eu-central-1
  signIn: [
    { provider: SupabaseAuthProvider.GOOGLE, clientId: '123456789012-example.apps.googleusercontent.com', clientSecretName: 'supabase/ireland-prod/oauth/google' },
    { provider: SupabaseAuthProvider.GITHUB, clientId: 'Ov23liExampleClientId', clientSecretName: 'supabase/ireland-prod/oauth/github' },
  ],
  smtp: {
    // Create it before deploying: aws secretsmanager create-secret --name supabase/ireland-prod/ses-smtp-password ...
    passwordSecretName: 'supabase/ireland-prod/ses-smtp-password',
    user: 'AKIAIOSFODNN7EXAMPLE',
    adminEmail: 'no-reply@example.com',
    senderName: 'Example',
  },
  network: {
    // With the VPC CNI every pod takes an address of its node's subnet: the seed plan's node groups at their
    // maximum (10 on-demand and 20 spot nodes) can hold 1,320, more than the default /24s offer (753). A /20 per
    // zone gives 12,273 and leaves the public (10.100.1-3.0/24) and database (10.100.20-22.0/24) tiers in place.
    eksSubnetCidrs: ['10.100.32.0/20', '10.100.48.0/20', '10.100.64.0/20'],
  },
  secrets: {
    // The prefix the DR site's replicas are found by.
    secretNamePrefix: 'supabase/ireland-prod',
    // Asymmetric signing keys and opaque API keys (the recommended setting): browsers get the publishable key, each
    // backend a secret key of its own; the anon and service_role keys keep working while clients move over.
    // docs/network-and-secrets.md#signing-keys-and-opaque-api-keys says how to rotate and revoke them.
    signingKeys: { inUse: 'key-2026-12', secretApiKeys: ['default', 'billing_worker'] },
  },
  // The seed plan's node groups (the default): `general` on demand (t3.large/t3.xlarge, 1 to 10 nodes) and `spot`
  // (t3.large/m5.large/m5a.large, 0 to 20 nodes), with the Cluster Autoscaler; a year of control-plane logs.
  cluster: {},
  // New nodes pull the images from ECR in the region, not Docker Hub: create the credential before deploying,
  // aws secretsmanager create-secret --region eu-west-1 --name ecr-pullthroughcache/docker-hub \
  //   --secret-string '{"username":"<Docker Hub user>","accessToken":"<read-only access token>"}'
  // and put its ARN here.
  dockerHubCredentialsArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:ecr-pullthroughcache/docker-hub-AbCdEf`,
  database: {
    // Multi-AZ, deletion protection and a final snapshot are the defaults. A general-purpose Graviton instance
    // rather than a burstable one: steady load from sixteen or more service pods would drain CPU credits.
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.STANDARD7_GRAVITON, ec2.InstanceSize.LARGE),
    backupRetention: Duration.days(14),
    // Fixed names, so that the DR site's read replica and its services find the instance and the login secrets.
    instanceIdentifier: 'supabase-ireland-prod',
    secretNamePrefix: 'supabase/ireland-prod',
    // An RDS Proxy for Auth, REST, Storage and postgres-meta: pods scaled out by the HPA share a bounded pool of
    // connections instead of exhausting max_connections (Realtime connects directly).
    proxy: {},
  },
  // A fixed name, so that the DR site can replicate back into it after a failover. (A bucket deployed before under
  // a generated name keeps it: put that name here instead, since a new name would replace the bucket.)
  storage: { bucketName: `supabase-ireland-prod-${ACCOUNT}-${REGION}` },
  // The alarms page the on-call rotation (subscribe your paging tool to the topic too: output AlarmTopicArn).
  observability: { alarmEmails: ['supabase-oncall@example.com'] },
  // CloudFront caches public Storage objects at the edge; its web ACL (rate limits, managed rules) is in us-east-1.
  cdn: {
    certificateArn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/33333333-3333-3333-3333-333333333333`,
    webAclArn: `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/supabase-ireland-prod/44444444-4444-4444-4444-444444444444`,
  },
  // Valkey for Edge Functions and the team's own services: a primary and a replica in another zone.
  cache: {},
  disasterRecovery: {
    region: 'eu-central-1',
    replicationRoleName: 'supabase-ireland-prod-storage-replication',
    bucketName: `supabase-ireland-prod-dr-${ACCOUNT}-eu-central-1`,
    failbackReplicationRoleName: 'supabase-frankfurt-dr-storage-replication',
    storageKeyAlias: 'alias/supabase/ireland-prod-dr/storage',
    databaseKeyAlias: 'alias/supabase/ireland-prod-dr/database',
    // The alias of the DR site's key for the replicated secrets, made by its SupabaseSecrets from the prefix.
    secretsKeyAlias: 'alias/supabase/ireland-prod',
    // A role of yours (an IAM Identity Center permission set's role, say) that the on-call engineers assume.
    onCallRoleArn: `arn:aws:iam::${ACCOUNT}:role/supabase-on-call`,
    runbookPolicyName: 'supabase-ireland-prod-runbook',
  },
};
