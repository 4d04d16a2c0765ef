/**
 * The three stacks of an Ireland environment, as the seed plan splits its state: networking; core (secrets, the
 * database, the storage bucket, the EKS cluster); applications (the Supabase services on the cluster). What differs
 * between environments comes from their settings (environments.ts); nothing here asks which environment it builds.
 */
import {
  App,
  Stack,
  StackProps,
  Validations,
  aws_certificatemanager as acm,
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_kms as kms,
  aws_s3 as s3,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ACCOUNT, IrelandDisasterRecovery, IrelandEnvironment, REGION } from './environments';
import {
  SupabaseCluster,
  SupabaseDatabase,
  SupabaseNetwork,
  SupabaseOnAws,
  SupabaseSecrets,
  SupabaseStorage,
} from 'cdk-supabase-on-aws';

export interface IrelandStackProps extends StackProps {
  readonly environment: IrelandEnvironment;
}

/** The networking stack. */
export class NetworkingStack extends Stack {
  public readonly network: SupabaseNetwork;

  constructor(scope: Construct, id: string, props: IrelandStackProps) {
    super(scope, id, props);
    this.network = new SupabaseNetwork(this, 'Network', props.environment.network);
  }
}

export interface CoreStackProps extends IrelandStackProps {
  readonly network: SupabaseNetwork;
  /**
   * Whether this site replicates to its DR site (secrets, login secrets, Storage objects). It needs the DR site's
   * keys and bucket, so the very first deployment, before the DR site exists, runs without it.
   */
  readonly replicate: boolean;
}

/** The core stack: secrets, the database, the storage bucket and the EKS cluster. */
export class CoreStack extends Stack {
  public readonly secrets: SupabaseSecrets;
  public readonly storage: SupabaseStorage;
  public readonly database: SupabaseDatabase;
  public readonly cluster: SupabaseCluster;

  constructor(scope: Construct, id: string, props: CoreStackProps) {
    super(scope, id, props);
    const { environment: env, network } = props;
    const dr = props.replicate ? env.disasterRecovery : undefined;
    const drKey = (keyId: string, alias: string) => kms.Key.fromKeyArn(this, keyId, `arn:aws:kms:${dr!.region}:${ACCOUNT}:${alias}`);

    this.secrets = new SupabaseSecrets(this, 'Secrets', {
      ...env.secrets,
      replicaRegions: dr ? [{ region: dr.region, encryptionKey: drKey('DrSecretsKey', dr.secretsKeyAlias) }] : undefined,
      smtp: env.smtp ? {
        host: `email-smtp.${REGION}.amazonaws.com`,
        port: 587,
        user: env.smtp.user,
        password: secretsmanager.Secret.fromSecretNameV2(this, 'SmtpPassword', env.smtp.passwordSecretName),
        adminEmail: env.smtp.adminEmail,
        senderName: env.smtp.senderName,
      } : undefined,
    });
    // With a DR site, the on-call role administers the cluster too (break-glass; the runbook itself needs no cluster
    // access).
    const onCall = env.disasterRecovery ? iam.Role.fromRoleArn(this, 'OnCallRole', env.disasterRecovery.onCallRoleArn, { mutable: false }) : undefined;
    this.cluster = new SupabaseCluster(this, 'Cluster', {
      ...env.cluster,
      imageCache: env.dockerHubCredentialsArn ? {
        dockerHubCredentials: secretsmanager.Secret.fromSecretCompleteArn(this, 'DockerHubCredentials', env.dockerHubCredentialsArn),
      } : env.cluster.imageCache,
      adminRoles: onCall ? [onCall] : undefined,
      vpc: network.vpc,
      vpcSubnets: network.eksSubnets,
    });
    this.database = new SupabaseDatabase(this, 'Database', {
      ...env.database,
      vpc: network.vpc,
      vpcSubnets: network.databaseSubnets,
      bootstrapSubnets: network.eksSubnets,
      // Without interface endpoints the bootstrap and rotation functions reach Secrets Manager through the NAT.
      awsApiPeer: env.network.vpcEndpoints === false ? ec2.Peer.anyIpv4() : undefined,
      secretReplicaRegions: dr ? [{ region: dr.region, encryptionKey: drKey('DrDatabaseKey', dr.databaseKeyAlias) }] : undefined,
    });
    if (env.databaseAcknowledgments) {
      Validations.of(this.database.instance).acknowledge(...env.databaseAcknowledgments);
    }
    if (env.disasterRecovery && onCall) {
      this.stopWritesPolicy(env.disasterRecovery, onCall);
    }
    this.storage = new SupabaseStorage(this, 'Storage', {
      ...env.storage,
      replication: dr ? this.replication(dr, drKey('DrStorageKey', dr.storageKeyAlias)) : undefined,
      // After a failover the DR site replicates what is written there back into this bucket, for failback: its
      // replication role is let in, and the replication's latency (published here) is watched.
      allowedPrincipalArns: dr ? [...env.storage.allowedPrincipalArns ?? [], `arn:aws:iam::${ACCOUNT}:role/${dr.failbackReplicationRoleName}`] : env.storage.allowedPrincipalArns,
      replicationSource: dr ? dr.bucketName : env.storage.replicationSource,
    });
  }

  /**
   * What the failover runbook does here (docs/disaster-recovery.md, step 2): stop every write without the cluster,
   * by revoking the database security group's ingress and rebooting the instance, which drops open connections. A
   * customer managed policy under a fixed name, attached to the on-call role.
   */
  private stopWritesPolicy(dr: IrelandDisasterRecovery, onCall: iam.IRole) {
    const securityGroup = this.database.connections.securityGroups[0];
    const policy = new iam.ManagedPolicy(this, 'RunbookPolicy', {
      managedPolicyName: dr.runbookPolicyName,
      description: 'Supabase failover runbook, Ireland: stop writes (revoke the database security group\'s ingress, reboot the instance), stop the master secret\'s rotation',
      // Attached to the on-call role here; attach it to an IAM Identity Center permission set by name instead, if
      // the on-call engineers sign in through one.
      roles: [onCall],
      statements: [
        new iam.PolicyStatement({
          sid: 'FindTheDatabaseSecurityGroupRules',
          actions: ['ec2:DescribeSecurityGroupRules'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'RevokeTheDatabaseSecurityGroupIngress',
          actions: ['ec2:RevokeSecurityGroupIngress'],
          resources: [this.formatArn({ service: 'ec2', resource: 'security-group', resourceName: securityGroup.securityGroupId })],
        }),
        new iam.PolicyStatement({
          sid: 'RebootTheDatabase',
          actions: ['rds:RebootDBInstance', 'rds:DescribeDBInstances'],
          resources: [this.database.instance.instanceArn],
        }),
        new iam.PolicyStatement({
          // Its rotation would change the master password of this old instance and replicate the value over the
          // copy Frankfurt's promoted instance still matches.
          sid: 'StopTheMasterSecretRotation',
          actions: ['secretsmanager:CancelRotateSecret'],
          resources: [this.database.masterSecret!.secretArn],
        }),
      ],
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeSecurityGroupRules supports no resource-level permission (Service Authorization Reference); it only lists the rules to revoke.',
    });
  }

  private replication(dr: IrelandDisasterRecovery, destinationKey: kms.IKey) {
    return {
      destinationBucket: s3.Bucket.fromBucketAttributes(this, 'DrBucket', { bucketName: dr.bucketName, region: dr.region }),
      destinationKey,
      roleName: dr.replicationRoleName,
    };
  }
}

export interface ApplicationsStackProps extends IrelandStackProps {
  readonly network: SupabaseNetwork;
  readonly core: CoreStack;
}

/** The applications stack: the Supabase services on the cluster, wired to the core stack's parts. */
export class ApplicationsStack extends Stack {
  public readonly supabase: SupabaseOnAws;

  constructor(scope: Construct, id: string, props: ApplicationsStackProps) {
    super(scope, id, props);
    const env = props.environment;
    this.supabase = new SupabaseOnAws(this, 'Supabase', {
      network: props.network,
      secrets: props.core.secrets,
      cluster: props.core.cluster,
      database: props.core.database,
      storage: props.core.storage,
      publicUrl: env.publicUrl,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', env.certificateArn),
      auth: {
        ...env.auth,
        externalProviders: env.signIn?.map((p) => ({
          provider: p.provider,
          clientId: p.clientId,
          clientSecret: secretsmanager.Secret.fromSecretNameV2(this, `${p.provider.name}ClientSecret`, p.clientSecretName),
          clientSecretField: 'clientSecret',
        })),
      },
      removalPolicy: env.logsRemovalPolicy,
      observabilityOptions: env.observability,
      scaling: env.scaling,
      cdn: env.cdn ? {
        certificate: acm.Certificate.fromCertificateArn(this, 'CdnCertificate', env.cdn.certificateArn),
        webAclArn: env.cdn.webAclArn,
      } : undefined,
      cache: env.cache,
    });
  }
}

/**
 * Adds the three stacks of `environment` to `app`. With a DR site, replication to it is on unless the context says
 * `-c disasterRecovery=false` (the first deployment, before the DR site exists).
 */
export function buildIreland(app: App, environment: IrelandEnvironment) {
  const flag = app.node.tryGetContext('disasterRecovery');
  const replicate = environment.disasterRecovery !== undefined && flag !== false && flag !== 'false';
  const common = { env: { account: ACCOUNT, region: REGION }, terminationProtection: environment.terminationProtection, environment };
  const description = (what: string) => `Supabase on AWS, Ireland ${environment.title}: ${what}`;
  const networking = new NetworkingStack(app, `${environment.stackPrefix}Networking`, {
    ...common,
    description: description('network'),
  });
  const core = new CoreStack(app, `${environment.stackPrefix}Core`, {
    ...common,
    description: description('secrets, database, storage and EKS cluster'),
    network: networking.network,
    replicate,
  });
  const applications = new ApplicationsStack(app, `${environment.stackPrefix}Applications`, {
    ...common,
    description: description('the Supabase services on EKS'),
    network: networking.network,
    core,
  });
  return { networking, core, applications };
}
