import {
  App,
  Duration,
  Stack,
  StackProps,
  aws_certificatemanager as acm,
  aws_ec2 as ec2,
  aws_kms as kms,
  aws_s3 as s3,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  SupabaseCluster,
  SupabaseDatabase,
  SupabaseNetwork,
  SupabaseOnAws,
  SupabaseSecrets,
  SupabaseStorage,
} from 'cdk-supabase-on-aws';

/** The placeholder account of the examples; replace it with yours to deploy. */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
/** The public URL of the API and Studio; replace it with your domain. */
export const PUBLIC_URL = 'https://supabase.example.com';
/** An ACM certificate for that domain in eu-west-1; replace it with yours. */
export const CERTIFICATE_ARN = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/11111111-1111-1111-1111-111111111111`;
/**
 * A secret you create before deploying, holding the password of an Amazon SES SMTP credential (the whole secret
 * string is the password): `aws secretsmanager create-secret --name supabase/ireland-prod/ses-smtp-password ...`.
 */
export const SMTP_PASSWORD_SECRET_NAME = 'supabase/ireland-prod/ses-smtp-password';
/** The SMTP credential's user name (an access key id shown by SES when you create the credential). */
export const SMTP_USER = 'AKIAIOSFODNN7EXAMPLE';

/**
 * The names the disaster-recovery site in Frankfurt (examples/frankfurt-dr) knows this site by, and the names of
 * its resources this site replicates into. Both apps spell them out; they must match.
 */
export const DR = {
  region: 'eu-central-1',
  /** The prefix of every secret of this site; the secrets and the database's login secrets are replicated. */
  secretNamePrefix: 'supabase/ireland-prod',
  /** The database's identifier: the DR replica names its source by the ARN it makes. */
  databaseIdentifier: 'supabase-ireland-prod',
  /** The Storage bucket's replication role, which the DR bucket's policy lets in. */
  replicationRoleName: 'supabase-ireland-prod-storage-replication',
  /** The DR site's bucket, and the aliases of its keys for the replicated objects and login secrets. */
  bucketName: `supabase-ireland-prod-dr-${ACCOUNT}-eu-central-1`,
  storageKeyAlias: 'alias/supabase/ireland-prod-dr/storage',
  databaseKeyAlias: 'alias/supabase/ireland-prod-dr/database',
  /** The alias of the DR site's key for the replicated secrets, made by its SupabaseSecrets from the prefix. */
  secretsKeyAlias: 'alias/supabase/ireland-prod',
};

/** The ARN of a key of the DR region, by its alias. */
const drKey = (scope: Construct, id: string, alias: string) =>
  kms.Key.fromKeyArn(scope, id, `arn:aws:kms:${DR.region}:${ACCOUNT}:${alias}`);

/** The networking stack: the first of the seed plan's three (networking, core, applications). */
export class NetworkingStack extends Stack {
  public readonly network: SupabaseNetwork;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    // The construct's defaults are the production settings: three zones, a NAT gateway in each, interface
    // endpoints for the AWS APIs, a year of encrypted flow logs, and everything retained.
    this.network = new SupabaseNetwork(this, 'Network', {
      // With the VPC CNI every pod takes an address of its node's subnet: the seed plan's node groups at their
      // maximum (10 on-demand and 20 spot nodes) can hold 1,320, more than the default /24s offer (753). A /20 per
      // zone gives 12,273 and leaves the public (10.100.1-3.0/24) and database (10.100.20-22.0/24) tiers in place.
      eksSubnetCidrs: ['10.100.32.0/20', '10.100.48.0/20', '10.100.64.0/20'],
    });
  }
}

export interface CoreStackProps extends StackProps {
  readonly network: SupabaseNetwork;
  /**
   * Whether this site replicates to the DR site (secrets, login secrets, Storage objects). It needs the DR site's
   * keys and bucket, so the very first deployment, before the DR site exists, runs without it.
   */
  readonly disasterRecovery: boolean;
}

/** The core stack: secrets, the database, the storage bucket and the EKS cluster, all retained on delete. */
export class CoreStack extends Stack {
  public readonly secrets: SupabaseSecrets;
  public readonly storage: SupabaseStorage;
  public readonly database: SupabaseDatabase;
  public readonly cluster: SupabaseCluster;

  constructor(scope: Construct, id: string, props: CoreStackProps) {
    super(scope, id, props);
    const dr = props.disasterRecovery;
    this.secrets = new SupabaseSecrets(this, 'Secrets', {
      secretNamePrefix: DR.secretNamePrefix,
      replicaRegions: dr ? [{ region: DR.region, encryptionKey: drKey(this, 'DrSecretsKey', DR.secretsKeyAlias) }] : undefined,
      smtp: {
        host: `email-smtp.${REGION}.amazonaws.com`,
        port: 587,
        user: SMTP_USER,
        password: secretsmanager.Secret.fromSecretNameV2(this, 'SmtpPassword', SMTP_PASSWORD_SECRET_NAME),
        adminEmail: 'no-reply@example.com',
        senderName: 'Example',
      },
    });
    // The seed plan's node groups (the default): `general` on demand (t3.large/t3.xlarge, 1 to 10 nodes) and
    // `spot` (t3.large/m5.large/m5a.large, 0 to 20 nodes), with the Cluster Autoscaler; a year of control-plane logs.
    this.cluster = new SupabaseCluster(this, 'Cluster', {
      vpc: props.network.vpc,
      vpcSubnets: props.network.eksSubnets,
    });
    this.database = new SupabaseDatabase(this, 'Database', {
      vpc: props.network.vpc,
      vpcSubnets: props.network.databaseSubnets,
      bootstrapSubnets: props.network.eksSubnets,
      // Multi-AZ, deletion protection and a final snapshot are the defaults. A general-purpose Graviton instance
      // rather than a burstable one: steady load from sixteen or more service pods would drain CPU credits.
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.STANDARD7_GRAVITON, ec2.InstanceSize.LARGE),
      backupRetention: Duration.days(14),
      // Fixed names, so that the DR site's read replica and its services find the instance and the login secrets.
      instanceIdentifier: DR.databaseIdentifier,
      secretNamePrefix: DR.secretNamePrefix,
      secretReplicaRegions: dr ? [{ region: DR.region, encryptionKey: drKey(this, 'DrDatabaseKey', DR.databaseKeyAlias) }] : undefined,
      // An RDS Proxy for Auth, REST, Storage and postgres-meta: pods scaled out by the HPA share a bounded pool of
      // connections instead of exhausting max_connections (Realtime connects directly).
      proxy: {},
    });
    this.storage = new SupabaseStorage(this, 'Storage', {
      replication: dr ? {
        destinationBucket: s3.Bucket.fromBucketAttributes(this, 'DrBucket', { bucketName: DR.bucketName, region: DR.region }),
        destinationKey: drKey(this, 'DrStorageKey', DR.storageKeyAlias),
        roleName: DR.replicationRoleName,
      } : undefined,
    });
  }
}

export interface ApplicationsStackProps extends StackProps {
  readonly network: SupabaseNetwork;
  readonly core: CoreStack;
}

/** The applications stack: the Supabase services on the cluster, wired to the core stack's parts. */
export class ApplicationsStack extends Stack {
  public readonly supabase: SupabaseOnAws;

  constructor(scope: Construct, id: string, props: ApplicationsStackProps) {
    super(scope, id, props);
    // Two to ten pods of each autoscaled service, two of postgres-meta and Studio: the construct's defaults.
    this.supabase = new SupabaseOnAws(this, 'Supabase', {
      network: props.network,
      secrets: props.core.secrets,
      cluster: props.core.cluster,
      database: props.core.database,
      storage: props.core.storage,
      publicUrl: PUBLIC_URL,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', CERTIFICATE_ARN),
      auth: {
        siteUrl: 'https://app.example.com',
        // Email addresses are confirmed by a link sent through SES.
        mailerAutoconfirm: false,
      },
    });
  }
}

/**
 * Adds the Ireland production stacks to `app`. Replication to the DR site is on unless the context says
 * `-c disasterRecovery=false` (the first deployment, before examples/frankfurt-dr exists).
 */
export function build(app: App) {
  const flag = app.node.tryGetContext('disasterRecovery');
  const disasterRecovery = flag !== false && flag !== 'false';
  const env = { account: ACCOUNT, region: REGION };
  const networking = new NetworkingStack(app, 'SupabaseProdNetworking', {
    env,
    description: 'Supabase on AWS, Ireland production: network',
    terminationProtection: true,
  });
  const core = new CoreStack(app, 'SupabaseProdCore', {
    env,
    description: 'Supabase on AWS, Ireland production: secrets, database, storage and EKS cluster',
    terminationProtection: true,
    network: networking.network,
    disasterRecovery,
  });
  const applications = new ApplicationsStack(app, 'SupabaseProdApplications', {
    env,
    description: 'Supabase on AWS, Ireland production: the Supabase services on EKS',
    terminationProtection: true,
    network: networking.network,
    core,
  });
  return { networking, core, applications };
}
