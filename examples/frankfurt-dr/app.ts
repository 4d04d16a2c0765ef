import {
  App,
  ArnFormat,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  StackProps,
  Validations,
  aws_certificatemanager as acm,
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_kms as kms,
  aws_s3 as s3,
  aws_secretsmanager as secretsmanager,
  aws_ses as ses,
} from 'aws-cdk-lib';
import { CapacityType } from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import {
  SupabaseAuthProvider,
  SupabaseCluster,
  SupabaseDatabase,
  SupabaseNetwork,
  SupabaseOnAws,
  SupabaseSecrets,
  SupabaseStorage,
} from 'cdk-supabase-on-aws';

/** The placeholder account of the examples; replace it with yours to deploy. */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-central-1';
/** The same public URL as Ireland production: after a failover, DNS points it here and clients notice nothing. */
export const PUBLIC_URL = 'https://supabase.example.com';
/** The sender of Auth's emails: an address of your domain. */
export const SENDER = 'no-reply@example.com';
/**
 * A Docker Hub credential in eu-central-1 (secrets are regional) for the ECR pull-through cache, created before
 * deploying as for Ireland (`aws secretsmanager create-secret --region eu-central-1 --name ecr-pullthroughcache/docker-hub
 * --secret-string '{"username":"...","accessToken":"..."}'`); replace the ARN with yours.
 */
export const DOCKER_HUB_CREDENTIALS_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:ecr-pullthroughcache/docker-hub-GhIjKl`;
/** An ACM certificate for that domain in eu-central-1 (certificates are regional); replace it with yours. */
export const CERTIFICATE_ARN = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/22222222-2222-2222-2222-222222222222`;

/**
 * What this site knows of the primary site (examples/ireland-prod) and what the primary knows of this one. Both apps
 * spell these names out; they must match the primary's `DR` constant.
 */
export const PRIMARY = {
  region: 'eu-west-1',
  /** The prefix of the primary's secrets and database login secrets, whose replicas this site reads. */
  secretNamePrefix: 'supabase/ireland-prod',
  /** The primary's signing keys (its `secrets.signingKeys`): this site's gateway accepts the same API keys. */
  signingKeys: { inUse: 'key-2026-12', secretApiKeys: ['default', 'billing_worker'] },
  /** The primary's database instance. */
  databaseArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:db:supabase-ireland-prod`,
  /** The primary's Storage replication role, which this site's bucket lets in. */
  replicationRoleArn: `arn:aws:iam::${ACCOUNT}:role/supabase-ireland-prod-storage-replication`,
  /** The primary's bucket, and the alias of its key, into which this site replicates back after a failover. */
  primaryBucketName: `supabase-ireland-prod-${ACCOUNT}-eu-west-1`,
  primaryStorageKeyAlias: 'alias/SupabaseProdCore/Storage/storage',
  /** This site's bucket and key aliases, into which the primary replicates. */
  bucketName: `supabase-ireland-prod-dr-${ACCOUNT}-eu-central-1`,
  storageKeyAlias: 'alias/supabase/ireland-prod-dr/storage',
  databaseKeyAlias: 'alias/supabase/ireland-prod-dr/database',
  /** The on-call engineers' role, which administers both clusters and carries each site's runbook policy. */
  onCallRoleArn: `arn:aws:iam::${ACCOUNT}:role/supabase-on-call`,
};

/**
 * Whether this site has taken over from Ireland. Set it to true, and commit, once the failover's deployments (which
 * pass `-c failover=true`) have the services up: from then on every deployment keeps the promoted database and the
 * services up, and the next one makes the database Multi-AZ, while the site serves (docs/disaster-recovery.md).
 * (`-c failedOver=true` does the same without the commit, as the tests do.)
 */
export const FAILED_OVER = false;

/** This site's names that the runbook (docs/disaster-recovery.md) uses. */
export const SITE = {
  databaseInstanceIdentifier: 'supabase-frankfurt-dr',
  applicationsStackName: 'SupabaseDrApplications',
  /** The customer managed policy with exactly what the failover runbook needs here. */
  runbookPolicyName: 'supabase-frankfurt-dr-runbook',
  /** The role that replicates this site's new objects back to the primary's bucket, which lets it in by name. */
  replicationRoleName: 'supabase-frankfurt-dr-storage-replication',
};

/** The networking stack: production-shaped (a NAT gateway per zone), without interface endpoints while standing by. */
export class NetworkingStack extends Stack {
  public readonly network: SupabaseNetwork;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    this.network = new SupabaseNetwork(this, 'Network', {
      // Another range than Ireland's 10.100.0.0/16, so the two VPCs can be peered for failback.
      vpcCidr: '10.110.0.0/16',
      // A /20 per zone: room for the pods of the node groups scaled to production size after a failover.
      eksSubnetCidrs: ['10.110.32.0/20', '10.110.48.0/20', '10.110.64.0/20'],
      // About 265 USD a month saved while standing by; AWS API calls go through the NAT gateways.
      vpcEndpoints: false,
    });
  }
}

export interface CoreStackProps extends StackProps {
  readonly network: SupabaseNetwork;
  /** Whether the site is failing over: the replica is promoted, with production backups. */
  readonly failover: boolean;
  /**
   * Whether the site has failed over and serves (`FAILED_OVER`): the promoted database also becomes Multi-AZ, a
   * long online modification kept off the failover's critical path.
   */
  readonly failedOver: boolean;
}

/** The core stack: the secrets' replicas, the database's read replica, the replica bucket and the EKS cluster. */
export class CoreStack extends Stack {
  public readonly secrets: SupabaseSecrets;
  public readonly storage: SupabaseStorage;
  public readonly database: SupabaseDatabase;
  public readonly cluster: SupabaseCluster;

  constructor(scope: Construct, id: string, props: CoreStackProps) {
    super(scope, id, props);
    // The replicas of the primary's secrets (the same JWT secret and API keys), and the key they are encrypted with
    // here, under the alias the primary names: alias/supabase/ireland-prod.
    this.secrets = new SupabaseSecrets(this, 'Secrets', {
      secretNamePrefix: PRIMARY.secretNamePrefix,
      primaryRegion: PRIMARY.region,
      signingKeys: PRIMARY.signingKeys,
      // Auth sends email through SES in Frankfurt after a failover, with a credential made here: SMTP passwords are
      // per region, so Ireland's is of no use in eu-central-1.
      sesSmtp: { adminEmail: SENDER, senderName: 'Example' },
    });
    // The sender's domain, verified in SES in this region with Easy DKIM: publish the three CNAME records of the
    // outputs in your DNS. Also request production access for SES in eu-central-1 (docs/disaster-recovery.md).
    const identity = new ses.EmailIdentity(this, 'SenderDomain', { identity: ses.Identity.domain(SENDER.split('@')[1]) });
    identity.dkimRecords.forEach((record, i) => {
      new CfnOutput(this, `SenderDomainDkim${i + 1}`, {
        description: `DKIM record ${i + 1} of the sender's domain in SES ${REGION}: a CNAME to publish`,
        value: `${record.name} CNAME ${record.value}`,
      });
    });

    // The database's read replica, encrypted with a key of this region under the alias the primary uses for the
    // replicas of its login secrets.
    const databaseKey = new kms.Key(this, 'DatabaseKey', {
      description: 'Encrypts the Supabase DR read replica and the replicas of the primary\'s login secrets',
      alias: PRIMARY.databaseKeyAlias,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.database = new SupabaseDatabase(this, 'Database', {
      vpc: props.network.vpc,
      vpcSubnets: props.network.databaseSubnets,
      bootstrapSubnets: props.network.eksSubnets,
      // At the failover CloudFormation promotes the replica in place (the same instance and endpoint) when
      // `promoted` removes its source; never promote it with the RDS API first (the deployment would then fail).
      replicaOf: { instanceArn: PRIMARY.databaseArn, secretNamePrefix: PRIMARY.secretNamePrefix, promoted: props.failover },
      instanceIdentifier: SITE.databaseInstanceIdentifier,
      encryptionKey: databaseKey,
      // The primary's class, so a promoted replica carries production load at once; single-AZ while standing by
      // and while it is promoted (with production's backups), Multi-AZ once the site serves: CloudFormation waits
      // for each modification, and the conversion to Multi-AZ would hold the services' scale-up behind it.
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.STANDARD7_GRAVITON, ec2.InstanceSize.LARGE),
      multiAz: props.failedOver,
      backupRetention: props.failover ? Duration.days(14) : undefined,
    });
    if (!props.failedOver) {
      Validations.of(this.database.instance).acknowledge({
        id: 'AwsSolutions-RDS3',
        reason: 'A standby read replica: single-AZ halves its cost while it only follows the primary. At a failover it is promoted single-AZ, so that the services come up without waiting for a Multi-AZ conversion; the deployment that records the failover (FAILED_OVER) makes it Multi-AZ while the site serves (docs/disaster-recovery.md).',
      });
    }

    // The bucket the primary replicates into, under the name and key alias the primary uses.
    const storageKey = new kms.Key(this, 'StorageKey', {
      description: 'Encrypts the replicas of the primary\'s Supabase Storage objects',
      alias: PRIMARY.storageKeyAlias,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.storage = new SupabaseStorage(this, 'Storage', {
      bucketName: PRIMARY.bucketName,
      encryptionKey: storageKey,
      allowedPrincipalArns: [PRIMARY.replicationRoleArn],
      // The primary's replication into this bucket: its latency is published here, where it is watched.
      replicationSource: PRIMARY.primaryBucketName,
      // And back, for failback: nothing is written here while standing by; after a failover every new object
      // replicates to the primary's bucket (once its region answers: until then, the objects wait or fail, and
      // a Batch Replication job copies them at failback). Replicas of the primary's objects are never sent back.
      replication: {
        destinationBucket: s3.Bucket.fromBucketAttributes(this, 'PrimaryBucket', { bucketName: PRIMARY.primaryBucketName, region: PRIMARY.region }),
        destinationKey: kms.Key.fromKeyArn(this, 'PrimaryStorageKey', `arn:aws:kms:${PRIMARY.region}:${ACCOUNT}:${PRIMARY.primaryStorageKeyAlias}`),
        roleName: SITE.replicationRoleName,
      },
    });

    // Pilot light: two on-demand nodes run the controllers; the Cluster Autoscaler grows both groups to production
    // size when the services scale up after a failover.
    const onCall = iam.Role.fromRoleArn(this, 'OnCallRole', PRIMARY.onCallRoleArn, { mutable: false });
    this.cluster = new SupabaseCluster(this, 'Cluster', {
      vpc: props.network.vpc,
      vpcSubnets: props.network.eksSubnets,
      // Break-glass administration for the on-call role; the runbook itself needs no cluster access.
      adminRoles: [onCall],
      // The images come from ECR in this region, pulled into it when the standby is deployed (SupabaseOnAws pulls
      // every service's image then), so that scaling up after a failover does not wait on Docker Hub.
      imageCache: {
        dockerHubCredentials: secretsmanager.Secret.fromSecretCompleteArn(this, 'DockerHubCredentials', DOCKER_HUB_CREDENTIALS_ARN),
      },
      nodeGroups: [
        {
          name: 'general',
          instanceTypes: [new ec2.InstanceType('t3.large'), new ec2.InstanceType('t3.xlarge')],
          capacityType: CapacityType.ON_DEMAND,
          minSize: 2,
          desiredSize: 2,
          maxSize: 10,
        },
        {
          name: 'spot',
          instanceTypes: [new ec2.InstanceType('t3.large'), new ec2.InstanceType('m5.large'), new ec2.InstanceType('m5a.large')],
          capacityType: CapacityType.SPOT,
          minSize: 0,
          desiredSize: 0,
          maxSize: 20,
        },
      ],
    });
    this.runbookPolicy(onCall);
  }

  /**
   * Exactly what the failover runbook does here (docs/disaster-recovery.md): read the replica's recovery point and the alarms,
   * promote the replica and make it Multi-AZ, deploy the applications stack (through the CDK bootstrap's roles), read
   * Realtime's log, and run the smoke test (the stack's outputs, the API keys' secret and its key). A customer managed
   * policy under a fixed name, attached to the on-call role.
   */
  private runbookPolicy(onCall: iam.IRole) {
    const logGroup = `/aws/containerinsights/${this.cluster.clusterName}/application`;
    const policy = new iam.ManagedPolicy(this, 'RunbookPolicy', {
      managedPolicyName: SITE.runbookPolicyName,
      description: 'Supabase failover runbook, Frankfurt: deploy the promotion, scale the services up, check them',
      roles: [onCall],
      statements: [
        new iam.PolicyStatement({
          // The recovery point, read on the replica before it is promoted.
          sid: 'ReadTheReplicaRecoveryPoint',
          actions: ['lambda:InvokeFunction'],
          resources: [this.database.replicaStatusFunction!.functionArn],
        }),
        new iam.PolicyStatement({
          sid: 'ReadAlarms',
          actions: ['cloudwatch:DescribeAlarms'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          // CloudFormation promotes it (through the CDK deploy role); the runbook only watches.
          sid: 'WatchThePromotion',
          actions: ['rds:DescribeDBInstances'],
          resources: [this.formatArn({ service: 'rds', resource: 'db', resourceName: SITE.databaseInstanceIdentifier, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
        }),
        new iam.PolicyStatement({
          sid: 'DeployThroughTheCdkBootstrapRoles',
          actions: ['sts:AssumeRole'],
          resources: [`arn:${this.partition}:iam::${this.account}:role/cdk-hnb659fds-*-${this.account}-${this.region}`],
        }),
        new iam.PolicyStatement({
          sid: 'ReadTheServicesLogs',
          actions: ['logs:FilterLogEvents'],
          resources: [this.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${logGroup}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
        }),
        new iam.PolicyStatement({
          sid: 'SmokeTestReadsTheStack',
          actions: ['cloudformation:DescribeStacks'],
          resources: [this.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${SITE.applicationsStackName}/*` })],
        }),
        new iam.PolicyStatement({
          sid: 'SmokeTestReadsTheApiKeys',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [`${this.secrets.apiKeys.secretArn}-??????`],
        }),
        new iam.PolicyStatement({
          sid: 'SmokeTestDecryptsTheApiKeys',
          actions: ['kms:Decrypt'],
          resources: [this.secrets.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com` } },
        }),
        new iam.PolicyStatement({
          sid: 'BreakGlassKubeconfig',
          actions: ['eks:DescribeCluster'],
          resources: [this.cluster.cluster.clusterArn],
        }),
      ],
    });
    // cdk-nag names each wildcard resource it finds; the partition is written <AWS::Partition>.
    const arn = (resource: string) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:${resource}]`;
    Validations.of(policy).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'cloudwatch:DescribeAlarms lists the alarms by state across the account (a state filter is not a resource); it only reads.',
      },
      {
        id: arn(`iam::${ACCOUNT}:role/cdk-hnb659fds-*-${ACCOUNT}-${REGION}`),
        reason: 'cdk deploy assumes the CDK bootstrap roles of this account and region (deploy, file publishing, lookup): the wildcard covers exactly those role names of the default qualifier.',
      },
      {
        id: arn(`logs:${REGION}:${ACCOUNT}:log-group:${logGroup}:*`),
        reason: 'logs:FilterLogEvents is granted on the log group\'s ARN with its log streams (the :* suffix), for the Container Insights application log group of this cluster only.',
      },
      {
        id: arn(`cloudformation:${REGION}:${ACCOUNT}:stack/${SITE.applicationsStackName}/*`),
        reason: 'A stack\'s ARN ends with its generated id: the wildcard covers that id of the one applications stack, for the smoke test\'s DescribeStacks.',
      },
    );
    return policy;
  }
}

export interface ApplicationsStackProps extends StackProps {
  readonly network: SupabaseNetwork;
  readonly core: CoreStack;
  /** Whether the services stand by at zero pods; false after a failover. */
  readonly standby: boolean;
}

/** The applications stack: the Supabase services at zero pods, ready to scale up on the promoted replica. */
export class ApplicationsStack extends Stack {
  public readonly supabase: SupabaseOnAws;

  constructor(scope: Construct, id: string, props: ApplicationsStackProps) {
    super(scope, id, props);
    this.supabase = new SupabaseOnAws(this, 'Supabase', {
      network: props.network,
      secrets: props.core.secrets,
      cluster: props.core.cluster,
      database: props.core.database,
      storage: props.core.storage,
      standby: props.standby,
      publicUrl: PUBLIC_URL,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', CERTIFICATE_ARN),
      auth: {
        siteUrl: 'https://app.example.com',
        mailerAutoconfirm: false,
        // Ireland production's providers, with the same public URL (so the same callback) and the replicas in this
        // region of its client secrets (examples/ireland-prod/README.md creates them replicated here).
        externalProviders: [
          { provider: SupabaseAuthProvider.GOOGLE, clientId: '123456789012-example.apps.googleusercontent.com', secretName: 'supabase/ireland-prod/oauth/google' },
          { provider: SupabaseAuthProvider.GITHUB, clientId: 'Ov23liExampleClientId', secretName: 'supabase/ireland-prod/oauth/github' },
        ].map(({ provider, clientId, secretName }) => ({
          provider,
          clientId,
          clientSecret: secretsmanager.Secret.fromSecretNameV2(this, `${provider.name}ClientSecret`, secretName),
          clientSecretField: 'clientSecret',
        })),
      },
      // The same on-call rotation as Ireland production: the replica's lag and, after a failover, everything.
      observabilityOptions: { alarmEmails: ['supabase-oncall@example.com'] },
    });
  }
}

/**
 * Adds the Frankfurt disaster-recovery stacks to `app`. The replica follows Ireland and the services stand by at zero
 * pods, unless the site has failed over: `-c failover=true` in the failover's deployments, `FAILED_OVER` after them
 * (docs/disaster-recovery.md).
 */
export function build(app: App) {
  const env = { account: ACCOUNT, region: REGION };
  const flag = (name: string) => [true, 'true'].includes(app.node.tryGetContext(name));
  const failedOver = FAILED_OVER || flag('failedOver');
  const failover = failedOver || flag('failover');
  const networking = new NetworkingStack(app, 'SupabaseDrNetworking', {
    env,
    description: 'Supabase on AWS, Frankfurt disaster recovery for Ireland production: network',
    terminationProtection: true,
  });
  const core = new CoreStack(app, 'SupabaseDrCore', {
    env,
    description: 'Supabase on AWS, Frankfurt disaster recovery: secret replicas, read replica, replica bucket, EKS cluster',
    terminationProtection: true,
    network: networking.network,
    failover,
    failedOver,
  });
  const applications = new ApplicationsStack(app, SITE.applicationsStackName, {
    env,
    description: 'Supabase on AWS, Frankfurt disaster recovery: the Supabase services, standing by',
    terminationProtection: true,
    network: networking.network,
    core,
    standby: !failover,
  });
  return { networking, core, applications };
}
