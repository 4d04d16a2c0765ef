import * as path from 'path';
import {
  CustomResource,
  Duration,
  FileSystem,
  Names,
  RemovalPolicy,
  Size,
  Stack,
  Token,
  Validations,
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_rds as rds,
  aws_secretsmanager as secretsmanager,
  aws_ssm as ssm,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BootstrapFunction } from './bootstrap-function';
import { DatabaseParameter, SupabaseDatabaseProps } from './database-props';
import { RESERVED_ROLE_NAMES, SUPABASE_LOGINS } from './logins';
import { defaultParameters } from './parameters';
import { databaseFunctionRole } from './private/database-function';
import { createReplica, publishReplicaEndpoint, replicatedMasterSecret, validateReplicaOf } from './private/replica';
import { ReplicaStatusFunction } from './replica-status-function';
import { createDatabaseProxy } from '../private/database-proxy';
import { grantSecretsRead } from '../private/grant-secrets';
import { allowCloudWatchLogs } from '../private/kms';
import { acknowledgeWildcardResources } from '../private/nag';
import { SECRET_NAME_PATTERN } from '../private/secret-names';

const POSTGRES_PORT = 5432;
const MIN_POSTGRES_MAJOR = 15;
const DEFAULT_DATABASE_NAME = 'postgres';
const DEFAULT_MASTER_USERNAME = 'supabase_master';
const DEFAULT_ALLOCATED_STORAGE = Size.gibibytes(100);
const DEFAULT_MAX_ALLOCATED_STORAGE = Size.gibibytes(500);
const DEFAULT_BACKUP_RETENTION = Duration.days(7);
const DEFAULT_MASTER_ROTATION = Duration.days(30);
const DEFAULT_PROXY_MAX_CONNECTIONS_PERCENT = 75;
const BOOTSTRAP_TIMEOUT = Duration.minutes(5);
const BOOTSTRAP_SERVICE_TIMEOUT = Duration.minutes(10);
/** The window in which RDS takes the daily automated backup (UTC). */
const DEFAULT_BACKUP_WINDOW = '03:00-04:00';
/** The weekly maintenance window (UTC), right after the backup window so the two never overlap. */
const DEFAULT_MAINTENANCE_WINDOW = 'sun:04:00-sun:05:00';
/** Both log types RDS for PostgreSQL can export: the server log and the major-version upgrade log. */
const LOG_EXPORTS = ['postgresql', 'upgrade'];
/**
 * Characters the generated master password may not contain: each one breaks a `postgres://` URL (`@ : / ? # %`),
 * a shell command line or a quoted string (`" ' \` $ ! & * ( ) | [ ] { } ; < > ~ +`), or is a space.
 */
const MASTER_PASSWORD_EXCLUDED = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\';
/** Where the bundled bootstrap handler lives; its fingerprint makes the bootstrap re-run when the SQL changes. */
const BOOTSTRAP_ASSET_DIR = path.join(__dirname, '../../assets/rds/bootstrap.lambda');
/**
 * Lambda's Node.js 20 and later runtimes ship the Amazon-specific CA certificates (the Amazon RDS CAs among them)
 * in /var/runtime/ca-cert.pem but, unlike Node.js 18, no longer load them at start to save cold-start time; a
 * function that verifies an RDS server certificate must point NODE_EXTRA_CA_CERTS at that file. See the AWS
 * Compute Blog, "Node.js 20.x runtime now available in AWS Lambda" (November 2023), section on the Amazon-specific
 * CA certificates, and https://dev.classmethod.jp/articles/node-extra-ca-certs-influence-cold-start/.
 */
const LAMBDA_CA_BUNDLE = '/var/runtime/ca-cert.pem';
const IDENTIFIER_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
const SQL_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]{0,62}$/;
const BACKUP_WINDOW_PATTERN = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;
const MAINTENANCE_WINDOW_PATTERN = /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/;

/**
 * Amazon RDS for PostgreSQL prepared for Supabase: an encrypted Multi-AZ instance in the isolated subnets, a
 * parameter group tuned for Supabase, a security group that admits only what callers allow, a rotated master
 * secret, one generated secret per service login, and a bootstrap custom resource that creates the roles, schemas
 * and extensions the services need.
 *
 * Defaults: PostgreSQL 18.3, `db.t3.medium`, Multi-AZ, gp3 100 GiB growing up to 500 GiB, KMS encryption, 7 days of
 * backups (`03:00-04:00` UTC, maintenance `sun:04:00-sun:05:00`), tags copied to snapshots, deletion protection and
 * `RemovalPolicy.SNAPSHOT`, automatic minor version upgrades, `postgresql` and `upgrade` logs exported to encrypted
 * log groups kept one month, Enhanced Monitoring every 60 s, Performance Insights encrypted with the key, IAM
 * database authentication.
 *
 * The parameter group's defaults and the reason for each are in docs/database.md ("Default parameters").
 *
 * The services never log in as the master user. Each has its own login, whose secret holds the JSON fields
 * `username`, `password`, `host`, `port` (a number), `dbname` and `engine` (`postgres`):
 *
 * | member | username | service |
 * |---|---|---|
 * | `authSecret` | `supabase_auth_admin` | Auth (GoTrue) |
 * | `restSecret` | `authenticator` | REST (PostgREST) |
 * | `storageSecret` | `supabase_storage_admin` | Storage API |
 * | `realtimeSecret` | `supabase_admin` | Realtime (not a superuser on RDS) |
 * | `metaSecret` | `postgres` | postgres-meta and Studio |
 *
 * The login passwords are generated by Secrets Manager and set by the bootstrap; they are not rotated on a
 * schedule, because a new password would not reach the running pods until they restart. To rotate one, put a new
 * `password` into its secret (letters and digits), deploy with a new `bootstrapTrigger` so the bootstrap runs
 * again and sets it, then restart the service's pods.
 *
 * @example
 * declare const network: SupabaseNetwork;
 * const database = new SupabaseDatabase(this, 'Database', {
 *   vpc: network.vpc,
 *   vpcSubnets: network.databaseSubnets,
 *   bootstrapSubnets: network.eksSubnets,
 *   awsApiPeer: network.endpointSecurityGroup,
 * });
 * // Let the EKS cluster's nodes and pods connect:
 * declare const cluster: ec2.IConnectable;
 * database.connections.allowDefaultPortFrom(cluster);
 */
export class SupabaseDatabase extends Construct implements ec2.IConnectable {
  /**
   * The RDS instance: a `DatabaseInstance`, or a `DatabaseInstanceReadReplica` with `replicaOf` (still that class
   * once promoted, so that the instance keeps its logical id).
   */
  public readonly instance: rds.DatabaseInstanceBase;
  /** The VPC of the instance. */
  public readonly vpc: ec2.IVpc;
  /**
   * The primary's instance ARN when this is a cross-region read replica; undefined for a primary and for a promoted
   * replica (`replicaOf.promoted`), which no longer streams from it.
   */
  public readonly replicaSourceArn?: string;
  /**
   * True for a promoted cross-region replica (`replicaOf.promoted`): a standalone primary whose login secrets are
   * still the replicas of the old primary's, so their `host` field names the old primary; take the host from
   * `endpoint`.
   */
  public readonly promoted: boolean;
  /** The instance's security group and default port (5432): `database.connections.allowDefaultPortFrom(x)`. */
  public readonly connections: ec2.Connections;
  /** The instance's endpoint (address and port). */
  public readonly endpoint: rds.Endpoint;
  /**
   * The instance's identifier. For a replica (`replicaOf`, promoted or not), the identifier as written, so that
   * another stack that names the instance (an alarm's dimension) does not import it: a new replica made at failback
   * under a new identifier replaces the instance, and CloudFormation refuses to change an export in use. For a
   * primary, `instance.instanceIdentifier`.
   */
  public readonly instanceIdentifier: string;
  /**
   * With `replicaOf`: the SSM parameter that holds the replica's endpoint address, which `hostFor` reads in other
   * stacks instead of importing it.
   */
  public readonly endpointParameter?: ssm.IStringParameter;
  /** The database the Supabase services use. */
  public readonly databaseName: string;
  /** The KMS key of the storage, secrets, Performance Insights and log groups. */
  public readonly encryptionKey: kms.IKey;
  /** The parameter group. */
  public readonly parameterGroup: rds.IParameterGroup;
  /**
   * The master user's secret, attached to the instance and rotated: JSON fields `username`, `password`, `host`,
   * `port`, `dbname`, `engine`, `dbInstanceIdentifier`. For administrators and the bootstrap only. Undefined for a
   * read replica, whose master user is the primary's. For a promoted replica with `replicaOf.masterSecretName`, the
   * replica in this region of the primary's master secret (read-only; its `host` names the old primary): the master
   * user and password came with the data. Its rotation stays with the function in the primary's region until
   * failback, and that function changes the password of the primary's instance, not of this one: stop it while this
   * instance serves (see docs/disaster-recovery.md).
   */
  public readonly masterSecret?: secretsmanager.ISecret;
  /** Auth (GoTrue)'s login `supabase_auth_admin`: `username`, `password`, `host`, `port`, `dbname`, `engine`. */
  public readonly authSecret: secretsmanager.ISecret;
  /** REST (PostgREST)'s login `authenticator`: `username`, `password`, `host`, `port`, `dbname`, `engine`. */
  public readonly restSecret: secretsmanager.ISecret;
  /** Storage API's login `supabase_storage_admin`: `username`, `password`, `host`, `port`, `dbname`, `engine`. */
  public readonly storageSecret: secretsmanager.ISecret;
  /** Realtime's login `supabase_admin`: `username`, `password`, `host`, `port`, `dbname`, `engine`. */
  public readonly realtimeSecret: secretsmanager.ISecret;
  /** postgres-meta and Studio's login `postgres`: `username`, `password`, `host`, `port`, `dbname`, `engine`. */
  public readonly metaSecret: secretsmanager.ISecret;
  /** The regions the master and login secrets are replicated to (`secretReplicaRegions`). */
  public readonly secretReplicaRegions: string[];
  /**
   * The bootstrap custom resource: make what needs the roles and schemas depend on it. Undefined for a replica,
   * promoted or not (its roles, schemas and extensions came with the data).
   */
  public readonly bootstrap?: CustomResource;
  /**
   * With `replicaOf`: a function that reads the replica's recovery point on the replica itself, from
   * inside the VPC: the commit time (on the primary) of the last transaction it replayed,
   * `pg_last_xact_replay_timestamp()`, and the WAL it received but has not replayed yet (a promotion replays it). Read
   * it before promoting: `aws lambda invoke --function-name <name> status.json`. When the primary is gone, the
   * ReplicaLag metric only counts the time since it was last heard from, and after the promotion (which restarts the
   * instance) PostgreSQL no longer knows. It logs in as `authenticator`, with the replica of its login secret. Let
   * the on-call role call it with `replicaStatusFunction.grantInvoke(role)`. Once promoted it answers `inRecovery:
   * false`, which confirms the promotion.
   */
  public readonly replicaStatusFunction?: lambda.IFunction;
  /** The function behind the bootstrap custom resource. Undefined for a replica, promoted or not. */
  public readonly bootstrapFunction?: lambda.IFunction;
  /** The RDS Proxy, with `proxy`: its `endpoint` is the host the pooled services connect to. */
  public readonly proxy?: rds.DatabaseProxy;
  /**
   * The proxy's security group and port 5432, with `proxy`: `database.proxyConnections?.allowDefaultPortFrom(x)`.
   * Callers of the proxy need the instance's `connections` too if anything of theirs connects directly.
   */
  public readonly proxyConnections?: ec2.Connections;

  /** The master and login secrets this construct replicates to `secretReplicaRegions`. */
  public get replicatedSecrets(): secretsmanager.ISecret[] {
    if (this.secretReplicaRegions.length === 0) {
      return [];
    }
    const logins = [this.authSecret, this.restSecret, this.storageSecret, this.realtimeSecret, this.metaSecret];
    return this.masterSecret ? [this.masterSecret, ...logins] : logins;
  }

  private readonly masterUsername: string;
  private readonly endpointParameterName?: string;
  private readonly loginUsernames: string[];

  constructor(scope: Construct, id: string, props: SupabaseDatabaseProps) {
    super(scope, id);
    const source = validateReplicaOf(this, props.replicaOf, {
      primaryOnly: {
        masterUsername: props.masterUsername,
        masterRotation: props.masterRotation,
        postgis: props.postgis,
        bootstrapTrigger: props.bootstrapTrigger,
        backupRetention: props.backupRetention,
        preferredBackupWindow: props.preferredBackupWindow,
        allocatedStorage: props.allocatedStorage,
        secretNamePrefix: props.secretNamePrefix,
        secretReplicaRegions: props.secretReplicaRegions,
      },
      proxy: props.proxy !== undefined,
      removalPolicy: props.removalPolicy,
    });
    this.promoted = source?.promoted ?? false;
    this.replicaSourceArn = source && !source.promoted ? source.instanceArn : undefined;
    this.secretReplicaRegions = (props.secretReplicaRegions ?? []).map((r) => r.region);
    this.vpc = props.vpc;
    const secretNamePrefix = this.validateLoginSecretNames(props);

    const engineVersion = props.engineVersion
      ?? rds.PostgresEngineVersion.of('18.3', '18', { s3Import: true, s3Export: true });
    this.validateEngineVersion(engineVersion);
    const allocated = props.allocatedStorage ?? DEFAULT_ALLOCATED_STORAGE;
    const maxAllocated = props.maxAllocatedStorage ?? DEFAULT_MAX_ALLOCATED_STORAGE;
    this.validateStorage(allocated, maxAllocated);
    const multiAz = props.multiAz ?? true;
    const deletionProtection = props.deletionProtection ?? true;
    const backupRetention = props.backupRetention ?? DEFAULT_BACKUP_RETENTION;
    this.validateBackupRetention(backupRetention, multiAz, deletionProtection);
    const backupWindow = this.validateWindow('preferredBackupWindow', props.preferredBackupWindow ?? DEFAULT_BACKUP_WINDOW, BACKUP_WINDOW_PATTERN, DEFAULT_BACKUP_WINDOW);
    const maintenanceWindow = this.validateWindow('preferredMaintenanceWindow', props.preferredMaintenanceWindow ?? DEFAULT_MAINTENANCE_WINDOW, MAINTENANCE_WINDOW_PATTERN, DEFAULT_MAINTENANCE_WINDOW);
    this.databaseName = this.validateDatabaseName(props.databaseName ?? DEFAULT_DATABASE_NAME);
    this.loginUsernames = SUPABASE_LOGINS.map((l) => l.username);
    this.masterUsername = this.validateMasterUsername(props.masterUsername ?? DEFAULT_MASTER_USERNAME);
    const masterRotation = this.validateMasterRotation(props.masterRotation ?? DEFAULT_MASTER_ROTATION);
    const identifier = this.validateInstanceIdentifier(props.instanceIdentifier ?? this.defaultIdentifier());
    const pgCron = props.pgCron ?? false;
    const parameters = this.validateParameters(props.parameters ?? [], pgCron);

    // RDS takes no final snapshot of a read replica: a replica is kept instead (after a failover it is the primary).
    // CloudFormation ignores RETAIN on a read replica: its deletion protection keeps it until it is promoted.
    const removalPolicy = props.removalPolicy ?? (source ? RemovalPolicy.RETAIN : RemovalPolicy.SNAPSHOT);
    // Keys, secrets and log groups cannot be snapshotted: keep them unless everything is to be destroyed.
    const supportingRemovalPolicy = removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const logRetention = props.cloudwatchLogsRetention ?? logs.RetentionDays.ONE_MONTH;
    const bootstrapSubnets = props.bootstrapSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const awsApiPeer = props.awsApiPeer ?? ec2.Peer.ipv4(props.vpc.vpcCidrBlock);

    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `Encrypts the Supabase database ${this.node.path}: storage, snapshots, Performance Insights, secrets, logs`,
      alias: `alias/supabase/${this.node.path}/database`.replace(/[^a-zA-Z0-9:/_-]/g, '-'),
      enableKeyRotation: true,
      removalPolicy: supportingRemovalPolicy,
    });
    allowCloudWatchLogs(this, this.encryptionKey);

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Supabase database ${this.node.path}: PostgreSQL from the callers allowed through connections`,
      allowAllOutbound: false,
    });

    this.parameterGroup = new rds.ParameterGroup(this, 'ParameterGroup', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: engineVersion }),
      description: `Supabase parameters of ${this.node.path}`,
      parameters,
    });

    // RDS creates /aws/rds/instance/<identifier>/<log> when it first exports to it, unencrypted and kept forever.
    // Creating the groups first, named after a known identifier, gives them a retention and the key without the
    // LogRetention custom resource (another Lambda function with an AWS managed policy) that
    // `cloudwatchLogsRetention` would add.
    const exportLogGroups = LOG_EXPORTS.map((log) => new logs.LogGroup(this, `${log.charAt(0).toUpperCase()}${log.slice(1)}LogGroup`, {
      logGroupName: `/aws/rds/instance/${identifier}/${log}`,
      retention: logRetention,
      encryptionKey: this.encryptionKey,
      removalPolicy: supportingRemovalPolicy,
    }));

    const monitoringRole = new iam.Role(this, 'MonitoringRole', {
      assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
      description: `Enhanced Monitoring of the Supabase database ${this.node.path}`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
    });
    Validations.of(monitoringRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      reason: 'RDS Enhanced Monitoring is documented with the AWS managed policy AmazonRDSEnhancedMonitoringRole, which only lets the monitoring agent create and write the RDS* log groups (RDSOSMetrics); AWS keeps it in step with the agent, and the role can be assumed by monitoring.rds.amazonaws.com only.',
    });

    // What a primary and a replica share: network, size, parameters, encryption, logs, monitoring, protection.
    const common = {
      instanceIdentifier: identifier,
      instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.BURSTABLE3, ec2.InstanceSize.MEDIUM),
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [securityGroup],
      publiclyAccessible: false,
      port: POSTGRES_PORT,
      multiAz,
      parameterGroup: this.parameterGroup,
      storageType: rds.StorageType.GP3,
      maxAllocatedStorage: maxAllocated.toGibibytes(),
      storageEncrypted: true,
      storageEncryptionKey: this.encryptionKey,
      preferredMaintenanceWindow: maintenanceWindow,
      copyTagsToSnapshot: true,
      deletionProtection,
      removalPolicy,
      autoMinorVersionUpgrade: true,
      cloudwatchLogsExports: LOG_EXPORTS,
      monitoringInterval: Duration.seconds(60),
      monitoringRole,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: this.encryptionKey,
      performanceInsightRetention: props.performanceInsightRetention ?? rds.PerformanceInsightRetention.DEFAULT,
      iamAuthentication: true,
    };
    const primary = source ? undefined : new rds.DatabaseInstance(this, 'Resource', {
      ...common,
      engine: rds.DatabaseInstanceEngine.postgres({ version: engineVersion }),
      // Every RDS for PostgreSQL instance has a `postgres` database; name another one only if asked to.
      databaseName: this.databaseName === DEFAULT_DATABASE_NAME ? undefined : this.databaseName,
      credentials: rds.Credentials.fromGeneratedSecret(this.masterUsername, {
        encryptionKey: this.encryptionKey,
        excludeCharacters: MASTER_PASSWORD_EXCLUDED,
        // Like the login secrets, with the same key per region: a promoted replica finds the master password there.
        // No name: naming the existing secret would replace it (and change the password of a running primary).
        replicaRegions: props.secretReplicaRegions,
      }),
      allocatedStorage: allocated.toGibibytes(),
      backupRetention,
      preferredBackupWindow: backupWindow,
      allowMajorVersionUpgrade: false,
    });
    this.instance = primary ?? createReplica(this, common, source!, { backupRetention, preferredBackupWindow: backupWindow });
    // Only the instance itself waits for its log groups (not its secret, subnet group or rotation schedule).
    const cfnInstance = this.instance.node.defaultChild as rds.CfnDBInstance;
    exportLogGroups.forEach((group) => cfnInstance.node.addDependency(group));
    Validations.of(this.instance).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason: 'PostgreSQL keeps its standard port 5432: every Supabase service and client library assumes it, and another port would be obscurity, not security. The instance sits in isolated subnets behind a security group that admits only the callers allowed through `connections`.',
    });

    // The instance's own `connections` carry its port as a deploy-time attribute; the port is fixed, so the rules
    // callers add name 5432 and do not wait for the instance.
    this.connections = new ec2.Connections({ securityGroups: [securityGroup], defaultPort: ec2.Port.tcp(POSTGRES_PORT) });
    this.endpoint = this.instance.instanceEndpoint;
    this.instanceIdentifier = source ? identifier : this.instance.instanceIdentifier;
    if (source) {
      const published = publishReplicaEndpoint(this, this.instance);
      this.endpointParameter = published.parameter;
      this.endpointParameterName = published.name;
    }

    if (source) {
      // The replicas, in this region, of the primary's login secrets (same names, same passwords: the roles and
      // their passwords replicate with the data). The services reach this instance: the workloads take the host
      // from `endpoint`, not from the secrets, which name the primary's.
      const replicaOf = (loginId: string) => secretsmanager.Secret.fromSecretNameV2(this, `${loginId}Secret`,
        loginSecretName(source.secretNamePrefix, loginId));
      this.authSecret = replicaOf('Auth');
      this.restSecret = replicaOf('Rest');
      this.storageSecret = replicaOf('Storage');
      this.realtimeSecret = replicaOf('Realtime');
      this.metaSecret = replicaOf('Meta');
      this.masterSecret = replicatedMasterSecret(this, source);
      // Kept once promoted (it then answers inRecovery: false): removing a VPC function would hold the promotion's
      // deployment until Lambda releases its network interfaces, which can take many minutes.
      this.replicaStatusFunction = this.createReplicaStatusFunction(props.vpc, bootstrapSubnets, awsApiPeer, logRetention, supportingRemovalPolicy);
      return;
    }

    const masterSecret = primary!.secret!;
    this.masterSecret = masterSecret;
    // Like the login secrets, the master secret outlives a snapshotted instance: a restore needs its password.
    (primary!.node.tryFindChild('Secret') as rds.DatabaseSecret | undefined)?.applyRemovalPolicy(supportingRemovalPolicy);

    // The master password rotates in the VPC: a hosted rotation function that reaches the instance on 5432 and
    // Secrets Manager on 443, and nothing else.
    const rotationSecurityGroup = this.lambdaSecurityGroup('RotationSecurityGroup', props.vpc, awsApiPeer, 'Hosted rotation of the master secret');
    masterSecret.addRotationSchedule('Rotation', {
      hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser({
        vpc: props.vpc,
        vpcSubnets: bootstrapSubnets,
        securityGroups: [rotationSecurityGroup],
        excludeCharacters: MASTER_PASSWORD_EXCLUDED,
      }),
      automaticallyAfter: masterRotation,
      // The first password is already generated by Secrets Manager; rotating at once would race the bootstrap,
      // which logs in as the master user right after the schedule exists.
      rotateImmediatelyOnUpdate: false,
    });

    const loginSecrets = SUPABASE_LOGINS.map((login) => {
      const secret = new secretsmanager.Secret(this, `${login.id}Secret`, {
        secretName: secretNamePrefix ? loginSecretName(secretNamePrefix, login.id) : undefined,
        replicaRegions: props.secretReplicaRegions,
        description: `${login.description}; login ${login.username} of ${this.node.path}`,
        encryptionKey: this.encryptionKey,
        removalPolicy: supportingRemovalPolicy,
        generateSecretString: {
          secretStringTemplate: Stack.of(this).toJsonString({
            username: login.username,
            host: this.instance.dbInstanceEndpointAddress,
            port: POSTGRES_PORT,
            dbname: this.databaseName,
            engine: 'postgres',
          }),
          generateStringKey: 'password',
          // Letters and digits only: the password goes into connection URLs unescaped.
          excludePunctuation: true,
          includeSpace: false,
          passwordLength: 32,
        },
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: `The password of ${login.username} is set in PostgreSQL by the bootstrap custom resource and read by the service's pods at start; a scheduled rotation would change the secret without changing the role's password or restarting the pods. It is rotated deliberately: new secret value, deployment with a new bootstrapTrigger (the bootstrap sets it), pod restart.`,
      });
      return { login, secret };
    });
    const secretOf = (loginId: string) => loginSecrets.find((s) => s.login.id === loginId)!.secret;
    this.authSecret = secretOf('Auth');
    this.restSecret = secretOf('Rest');
    this.storageSecret = secretOf('Storage');
    this.realtimeSecret = secretOf('Realtime');
    this.metaSecret = secretOf('Meta');

    const { fn, securityGroup: bootstrapSecurityGroup } = this.createBootstrapFunction(
      props.vpc, bootstrapSubnets, awsApiPeer, logRetention, supportingRemovalPolicy, loginSecrets.map((s) => s.secret));
    this.bootstrapFunction = fn;

    this.bootstrap = new CustomResource(this, 'Bootstrap', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::SupabaseBootstrap',
      serviceTimeout: BOOTSTRAP_SERVICE_TIMEOUT,
      properties: {
        // A Ref to the secret attachment: the handler finds host, port and dbname in the secret once attached.
        MasterSecretArn: masterSecret.secretArn,
        LoginSecretArns: Object.fromEntries(loginSecrets.map(({ login, secret }) => [login.username, secret.secretArn])),
        DatabaseName: this.databaseName,
        Postgis: String(props.postgis ?? false),
        PgCron: String(pgCron),
        // Changes whenever the bundled handler (and the SQL in it) changes, so that CloudFormation updates the
        // resource and the bootstrap runs again.
        HandlerFingerprint: FileSystem.fingerprint(BOOTSTRAP_ASSET_DIR),
        ...(props.bootstrapTrigger !== undefined ? { Trigger: props.bootstrapTrigger } : {}),
      },
    });
    // The handler connects at once: the instance must be available, the secret attached and both security groups'
    // rules in place (the rules are separate resources nothing else waits for).
    this.bootstrap.node.addDependency(cfnInstance, securityGroup, bootstrapSecurityGroup);

    if (props.proxy) {
      const pooledLogins = ['Auth', 'Rest', 'Storage', 'Meta'];
      const { proxy, connections } = createDatabaseProxy(this, {
        instance: primary!,
        instanceIdentifier: identifier,
        vpc: props.vpc,
        vpcSubnets: common.vpcSubnets,
        secrets: pooledLogins.map(secretOf),
        maxConnectionsPercent: this.validateMaxConnectionsPercent(props.proxy.maxConnectionsPercent ?? DEFAULT_PROXY_MAX_CONNECTIONS_PERCENT),
      });
      // The proxy logs in with the services' secrets: their roles and passwords exist once the bootstrap ran.
      proxy.node.addDependency(this.bootstrap);
      this.proxy = proxy;
      this.proxyConnections = connections;
    }
  }

  /**
   * Lets `grantee` read the services' login secrets (`authSecret`, `restSecret`, `storageSecret`,
   * `realtimeSecret`, `metaSecret`) and decrypt them with the database's key, through Secrets Manager only. This is
   * what External Secrets Operator's role needs to hand the services their connection settings. The master
   * secret is not included.
   */
  public grantServiceSecretsRead(grantee: iam.IGrantable): iam.Grant {
    const secrets = [this.authSecret, this.restSecret, this.storageSecret, this.realtimeSecret, this.metaSecret];
    return grantSecretsRead(grantee, secrets, this.encryptionKey);
  }

  /**
   * Lets `grantee` connect to the database as `dbUser` with an IAM authentication token (`rds-db:connect`).
   *
   * `dbUser` must be a role you created for IAM authentication (`CREATE ROLE x LOGIN; GRANT rds_iam TO x;`).
   * It cannot be the master user or a Supabase service login: a role granted `rds_iam` can no longer log in with a
   * password, which would break rotation, the bootstrap and the services.
   */
  public grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant {
    if (!Token.isUnresolved(dbUser)) {
      if (dbUser === this.masterUsername || this.loginUsernames.includes(dbUser)) {
        const whose = dbUser === this.masterUsername ? 'the master user' : 'a Supabase service login';
        throw new Error(`SupabaseDatabase ${this.node.path}: \`grantConnect\` was given dbUser '${dbUser}', ${whose}; a role granted rds_iam can no longer log in with its password, which rotation, the bootstrap and the services need. Create a separate role for IAM authentication (CREATE ROLE x LOGIN; GRANT rds_iam TO x) and pass its name.`);
      }
      if (!SQL_NAME_PATTERN.test(dbUser)) {
        throw new Error(`SupabaseDatabase ${this.node.path}: \`grantConnect\` was given dbUser '${dbUser}', which is not a PostgreSQL role name this construct accepts (a letter, then letters, digits or underscores, at most 63). Pass the name of the role you granted rds_iam.`);
      }
    }
    return this.instance.grantConnect(grantee, dbUser);
  }

  /**
   * The host `scope` connects to: the endpoint address, read in `scope`'s own stack. For a replica in another stack,
   * from the SSM parameter this construct writes (`endpointParameter`), not from an export, so that a new replica
   * can replace the instance at failback; otherwise `endpoint.hostname`.
   */
  public hostFor(scope: Construct): string {
    const consumer = Stack.of(scope);
    if (!this.endpointParameterName || consumer === Stack.of(this)) {
      return this.endpoint.hostname;
    }
    consumer.addStackDependency(Stack.of(this), 'reads the replica\'s endpoint parameter');
    return ssm.StringParameter.valueForStringParameter(scope, this.endpointParameterName);
  }

  private createBootstrapFunction(
    vpc: ec2.IVpc,
    subnets: ec2.SubnetSelection,
    awsApiPeer: ec2.IPeer,
    logRetention: logs.RetentionDays,
    removalPolicy: RemovalPolicy,
    loginSecrets: secretsmanager.ISecret[],
  ) {
    const securityGroup = this.lambdaSecurityGroup('BootstrapSecurityGroup', vpc, awsApiPeer, 'Database bootstrap function');
    const { role, logGroup, vpcAccess } = databaseFunctionRole(this, 'Bootstrap', {
      description: `Bootstraps the Supabase database ${this.node.path}`,
      secretArns: [this.masterSecret!.secretArn, ...loginSecrets.map((s) => s.secretArn)],
      secretsSid: 'ReadMasterAndLoginSecrets',
      key: this.encryptionKey,
      logRetention,
      removalPolicy,
    });

    const fn = new BootstrapFunction(this, 'BootstrapFunction', {
      description: `Creates the Supabase roles, schemas and extensions in ${this.node.path}`,
      role,
      logGroup,
      timeout: BOOTSTRAP_TIMEOUT,
      memorySize: 256,
      vpc,
      vpcSubnets: subnets,
      securityGroups: [securityGroup],
      environment: { NODE_EXTRA_CA_CERTS: LAMBDA_CA_BUNDLE },
    });
    fn.node.addDependency(vpcAccess);
    return { fn, securityGroup };
  }

  /** See {@link replicaStatusFunction}. */
  private createReplicaStatusFunction(
    vpc: ec2.IVpc,
    subnets: ec2.SubnetSelection,
    awsApiPeer: ec2.IPeer,
    logRetention: logs.RetentionDays,
    removalPolicy: RemovalPolicy,
  ): lambda.IFunction {
    const securityGroup = this.lambdaSecurityGroup('ReplicaStatusSecurityGroup', vpc, awsApiPeer, 'Replica status function');
    // The replica of the primary's secret, imported by name: its ARN ends in a random suffix.
    const secretArn = `${this.restSecret.secretArn}-??????`;
    const { role, logGroup, vpcAccess } = databaseFunctionRole(this, 'ReplicaStatus', {
      description: `Reads the recovery point of the Supabase read replica ${this.node.path}`,
      secretArns: [secretArn],
      secretsSid: 'ReadTheAuthenticatorLoginSecret',
      key: this.encryptionKey,
      logRetention,
      removalPolicy,
    });
    acknowledgeWildcardResources(role, [secretArn],
      'The replica, in this region, of the primary\'s authenticator login secret is known by name only; its ARN ends in the six random characters Secrets Manager appends, which ?????? matches, and nothing else.');
    const fn = new ReplicaStatusFunction(this, 'ReplicaStatusFunction', {
      description: `Reads the recovery point of the read replica ${this.node.path} (pg_last_xact_replay_timestamp)`,
      role,
      logGroup,
      timeout: Duration.seconds(30),
      memorySize: 256,
      vpc,
      vpcSubnets: subnets,
      securityGroups: [securityGroup],
      environment: {
        NODE_EXTRA_CA_CERTS: LAMBDA_CA_BUNDLE,
        SECRET_ID: this.restSecret.secretName,
        DB_HOST: this.instance.dbInstanceEndpointAddress,
        DB_PORT: String(POSTGRES_PORT),
        DB_NAME: this.databaseName,
      },
    });
    fn.node.addDependency(vpcAccess);
    return fn;
  }

  /**
   * A security group for a function of this construct: no rule by default; PostgreSQL to the instance (the
   * instance's group admits it in turn) and HTTPS to the AWS APIs.
   */
  private lambdaSecurityGroup(id: string, vpc: ec2.IVpc, awsApiPeer: ec2.IPeer, what: string): ec2.SecurityGroup {
    const group = new ec2.SecurityGroup(this, id, {
      vpc,
      description: `${what} of ${this.node.path}: PostgreSQL to the database, HTTPS to Secrets Manager and KMS`,
      allowAllOutbound: false,
    });
    group.addEgressRule(awsApiPeer, ec2.Port.tcp(443), 'HTTPS to Secrets Manager and KMS');
    this.connections.allowDefaultPortFrom(group, `PostgreSQL from the ${what.toLowerCase()}`);
    return group;
  }

  private defaultIdentifier(): string {
    return Names.uniqueResourceName(this, { maxLength: 63, separator: '-' })
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .replace(/-+/g, '-')
      .replace(/^[^a-z]+/, '')
      .replace(/-$/, '');
  }

  private validateMaxConnectionsPercent(percent: number): number {
    if (!Token.isUnresolved(percent) && !(Number.isInteger(percent) && percent >= 1 && percent <= 100)) {
      throw new Error(`SupabaseDatabase ${this.node.path}: \`proxy.maxConnectionsPercent\` must be a whole number from 1 to 100, got ${percent}. Leave room for Realtime's direct connections: the default is ${DEFAULT_PROXY_MAX_CONNECTIONS_PERCENT}.`);
    }
    return percent;
  }

  /** The login secrets' name prefix, if any; replicating them needs names the standby can find. */
  private validateLoginSecretNames(props: SupabaseDatabaseProps): string | undefined {
    const prefix = props.secretNamePrefix;
    if (prefix !== undefined && !Token.isUnresolved(prefix) && !SECRET_NAME_PATTERN.test(prefix)) {
      throw new Error(`SupabaseDatabase ${this.node.path}: \`secretNamePrefix\` '${prefix}' is not usable in a secret name (letters, digits and /_+=.@- only). Use a prefix such as 'supabase/prod'.`);
    }
    if (props.secretReplicaRegions?.length && prefix === undefined) {
      throw new Error(`SupabaseDatabase ${this.node.path}: \`secretReplicaRegions\` is set without \`secretNamePrefix\`. The standby finds the replicas of the login secrets by name: set \`secretNamePrefix\`, e.g. 'supabase/prod'.`);
    }
    return prefix?.replace(/\/+$/, '');
  }

  private validateEngineVersion(version: rds.PostgresEngineVersion) {
    const major = version.postgresMajorVersion;
    if (Token.isUnresolved(major)) {
      return;
    }
    const number = parseInt(major, 10);
    if (!(number >= MIN_POSTGRES_MAJOR)) {
      throw new Error(`SupabaseDatabase ${this.node.path}: \`engineVersion\` is PostgreSQL ${version.postgresFullVersion}; Supabase needs PostgreSQL ${MIN_POSTGRES_MAJOR} or newer. Use rds.PostgresEngineVersion.VER_17_9 or newer, or leave \`engineVersion\` out for 18.3.`);
    }
  }

  private validateStorage(allocated: Size, maxAllocated: Size) {
    const gib = allocated.toGibibytes();
    const maxGib = maxAllocated.toGibibytes();
    if (!Token.isUnresolved(gib) && (!Number.isInteger(gib) || gib < 20 || gib > 65536)) {
      throw new Error(`SupabaseDatabase ${this.node.path}: \`allocatedStorage\` is ${gib} GiB; gp3 storage for RDS is a whole number of GiB from 20 to 65536. Use Size.gibibytes(100), the default, or another size in that range.`);
    }
    if (!Token.isUnresolved(maxGib) && !Number.isInteger(maxGib)) {
      throw new Error(`SupabaseDatabase ${this.node.path}: \`maxAllocatedStorage\` is ${maxGib} GiB; RDS takes a whole number of GiB. Use Size.gibibytes(n).`);
    }
    if (!Token.isUnresolved(gib) && !Token.isUnresolved(maxGib) && maxGib < gib) {
      throw new Error(`SupabaseDatabase ${this.node.path}: \`maxAllocatedStorage\` is ${maxGib} GiB, below \`allocatedStorage\` (${gib} GiB); storage autoscaling can only grow the storage. Use a maximum of at least ${gib} GiB, e.g. ${Math.max(gib * 5, gib + 10)} GiB.`);
    }
  }

  private validateBackupRetention(retention: Duration, multiAz: boolean, deletionProtection: boolean) {
    if (retention.isUnresolved()) {
      return;
    }
    const days = retention.toDays({ integral: false });
    if (!Number.isInteger(days) || days < 0 || days > 35) {
      throw new Error(`SupabaseDatabase ${this.node.path}: \`backupRetention\` is ${retention.toHumanString()}; RDS keeps automated backups for a whole number of days from 0 to 35. Use Duration.days(7), the default, or another number of days in that range.`);
    }
    if (days === 0 && (multiAz || deletionProtection)) {
      const asked = [multiAz ? '`multiAz`' : undefined, deletionProtection ? '`deletionProtection`' : undefined].filter(Boolean).join(' and ');
      throw new Error(`SupabaseDatabase ${this.node.path}: \`backupRetention\` is 0 days, which turns automated backups off, while ${asked} ask for a database kept safe (RDS refuses Multi-AZ without backups, and a protected database without backups cannot be restored to a point in time). Keep \`backupRetention\` at 1 day or more, or set \`multiAz\` and \`deletionProtection\` to false for a throwaway database.`);
    }
  }

  private validateWindow(prop: string, value: string, pattern: RegExp, example: string): string {
    if (!Token.isUnresolved(value) && !pattern.test(value)) {
      throw new Error(`SupabaseDatabase ${this.node.path}: \`${prop}\` is '${value}', which is not an RDS window (UTC). Use the form '${example}'.`);
    }
    return value;
  }

  private validateDatabaseName(name: string): string {
    if (Token.isUnresolved(name)) {
      return name;
    }
    if (!SQL_NAME_PATTERN.test(name) || ['template0', 'template1', 'rdsadmin'].includes(name.toLowerCase())) {
      throw new Error(`SupabaseDatabase ${this.node.path}: \`databaseName\` is '${name}'; RDS needs a letter, then letters, digits or underscores (at most 63), and not template0, template1 or rdsadmin. Use 'postgres', the default, or a name such as 'supabase'.`);
    }
    return name;
  }

  private validateMasterUsername(name: string): string {
    if (Token.isUnresolved(name)) {
      return name;
    }
    if (!SQL_NAME_PATTERN.test(name)) {
      throw new Error(`SupabaseDatabase ${this.node.path}: \`masterUsername\` is '${name}'; RDS needs a letter, then letters, digits or underscores (at most 63). Use '${DEFAULT_MASTER_USERNAME}', the default.`);
    }
    if (this.loginUsernames.includes(name)) {
      throw new Error(`SupabaseDatabase ${this.node.path}: \`masterUsername\` is '${name}', the login of a Supabase service; the services must never log in as the master user, whose password rotates. Use another name, e.g. '${DEFAULT_MASTER_USERNAME}', the default.`);
    }
    if (RESERVED_ROLE_NAMES.includes(name.toLowerCase())) {
      throw new Error(`SupabaseDatabase ${this.node.path}: \`masterUsername\` is '${name}', a role that RDS or the Supabase bootstrap already uses. Use another name, e.g. '${DEFAULT_MASTER_USERNAME}', the default.`);
    }
    return name;
  }

  private validateMasterRotation(rotation: Duration): Duration {
    if (!rotation.isUnresolved()) {
      const days = rotation.toDays({ integral: false });
      if (!Number.isInteger(days) || days < 1 || days > 1000) {
        throw new Error(`SupabaseDatabase ${this.node.path}: \`masterRotation\` is ${rotation.toHumanString()}; Secrets Manager rotates every whole number of days from 1 to 1000. Use Duration.days(30), the default.`);
      }
    }
    return rotation;
  }

  private validateInstanceIdentifier(identifier: string): string {
    if (!Token.isUnresolved(identifier) && (!IDENTIFIER_PATTERN.test(identifier) || identifier.includes('--') || identifier.endsWith('-'))) {
      throw new Error(`SupabaseDatabase ${this.node.path}: \`instanceIdentifier\` is '${identifier}'; RDS needs a lower-case letter, then lower-case letters, digits or single hyphens, at most 63 characters, not ending with a hyphen. Use a name such as 'supabase-prod'.`);
    }
    return identifier;
  }

  /**
   * The Supabase defaults with the user's parameters over them, checked against what Supabase needs.
   */
  private validateParameters(userParameters: DatabaseParameter[], pgCron: boolean): Record<string, string> {
    const parameters = defaultParameters({ pgCron, databaseName: this.databaseName });
    const seen = new Set<string>();
    for (const { name, value } of userParameters) {
      if (!Token.isUnresolved(name)) {
        if (seen.has(name)) {
          throw new Error(`SupabaseDatabase ${this.node.path}: \`parameters\` lists '${name}' more than once. List each parameter once.`);
        }
        seen.add(name);
      }
      parameters[name] = value;
    }
    const must = (name: string, expected: string, why: string) => {
      const value = parameters[name];
      if (!Token.isUnresolved(value) && value !== expected) {
        throw new Error(`SupabaseDatabase ${this.node.path}: \`parameters\` sets '${name}' to '${value}'; ${why}. Leave '${name}' out of \`parameters\` (the default is '${expected}').`);
      }
    };
    must('rds.logical_replication', '1', 'Supabase Realtime streams changes through logical replication, which needs it on');
    must('rds.force_ssl', '1', 'every connection to the Supabase database must be encrypted');
    must('password_encryption', 'scram-sha-256', 'the login passwords must be stored as SCRAM verifiers, not MD5');
    const libraries = parameters.shared_preload_libraries;
    if (!Token.isUnresolved(libraries)) {
      const list = libraries.split(',').map((l) => l.trim().toLowerCase());
      const needed = pgCron ? ['pg_stat_statements', 'pg_cron'] : ['pg_stat_statements'];
      const missing = needed.filter((l) => !list.includes(l));
      if (missing.length > 0) {
        throw new Error(`SupabaseDatabase ${this.node.path}: \`parameters\` sets 'shared_preload_libraries' to '${libraries}', which lacks ${missing.join(' and ')}; ${pgCron ? 'pg_cron must be preloaded when `pgCron` is on, and ' : ''}Studio and Performance Insights need pg_stat_statements. Include ${needed.join(' and ')}, e.g. '${[...needed, ...list.filter((l) => l && !needed.includes(l))].join(',')}'.`);
      }
    }
    return parameters;
  }
}

/** The name of a login's secret under `prefix`: `<prefix>/db-auth`, `<prefix>/db-rest`, ... */
function loginSecretName(prefix: string, loginId: string): string {
  return `${prefix.replace(/\/+$/, '')}/db-${loginId.toLowerCase()}`;
}
