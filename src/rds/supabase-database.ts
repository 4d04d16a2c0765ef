import {
  CustomResource,
  Duration,
  Names,
  RemovalPolicy,
  Stack,
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
import { SupabaseDatabaseProps } from './database-props';
import { validateDatabaseArns } from './private/arn-validation';
import { createBootstrap } from './private/bootstrap-resource';
import {
  DEFAULT_ALLOCATED_STORAGE,
  DEFAULT_BACKUP_RETENTION,
  DEFAULT_BACKUP_WINDOW,
  DEFAULT_DATABASE_NAME,
  DEFAULT_MAINTENANCE_WINDOW,
  DEFAULT_MASTER_ROTATION,
  DEFAULT_MASTER_USERNAME,
  DEFAULT_MAX_ALLOCATED_STORAGE,
  DEFAULT_PROXY_MAX_CONNECTIONS_PERCENT,
} from './private/defaults';
import { validateInstanceType, validatePlacement, validateWindows } from './private/instance-validation';
import { LOG_EXPORTS, createExportLogGroups, enhancedMonitoringRole } from './private/monitoring';
import { DATABASE_PROPS_SPEC } from './private/props-spec';
import { createDatabaseProxy } from './private/proxy';
import { createReplica, createReplicaStatusFunction, publishReplicaEndpoint, replicatedMasterSecret } from './private/replica';
import { createLoginSecrets, importLoginSecretReplicas, MASTER_PASSWORD_EXCLUDED, rotateMasterSecret } from './private/secrets';
import {
  validateBackupRetention,
  validateConnectUser,
  validateDatabaseName,
  validateEngineVersion,
  validateInstanceIdentifier,
  validateLoginSecretNames,
  validateMasterRotation,
  validateMasterUsername,
  validateMaxConnectionsPercent,
  validateParameters,
  validateReplicaOf,
  validateStorage,
} from './private/validation';
import { grantSecretsRead } from '../private/grant-secrets';
import { allowCloudWatchLogs, createKey } from '../private/kms';
import { POSTGRES_PORT } from '../private/ports';
import { checkProps } from '../private/props-check';

/**
 * Amazon RDS for PostgreSQL prepared for Supabase: an encrypted Multi-AZ instance in the isolated subnets, a
 * parameter group tuned for Supabase, a security group that admits only what callers allow, a rotated master
 * secret, one generated secret per service login, and a bootstrap custom resource that creates the roles, schemas
 * and extensions the services need.
 *
 * The services never log in as the master user: each has its own login and secret (`authSecret`, `restSecret`,
 * `storageSecret`, `realtimeSecret`, `metaSecret`). The defaults and their reasons are in docs/database.md.
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
   * The master user's secret, attached to the instance and rotated, for administrators and the bootstrap only.
   * Undefined for a read replica; for a promoted replica with `replicaOf.masterSecretName`, the replica in this
   * region of the primary's master secret (read-only). See docs/disaster-recovery.md.
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
   * With `replicaOf`: a function in the VPC that reads the replica's recovery point
   * (`pg_last_xact_replay_timestamp()` and the WAL not yet replayed); read it before promoting, and once promoted it
   * answers `inRecovery: false`. Let the on-call role call it with `grantInvoke`. See docs/disaster-recovery.md.
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

  constructor(scope: Construct, id: string, props: SupabaseDatabaseProps) {
    super(scope, id);
    checkProps(this, props, DATABASE_PROPS_SPEC, 'SupabaseDatabaseProps');
    validateDatabaseArns(this, props);
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
    const secretNamePrefix = validateLoginSecretNames(this, props);

    const engineVersion = props.engineVersion
      ?? rds.PostgresEngineVersion.of('18.3', '18', { s3Import: true, s3Export: true });
    validateEngineVersion(this, engineVersion);
    const allocated = props.allocatedStorage ?? DEFAULT_ALLOCATED_STORAGE;
    const maxAllocated = props.maxAllocatedStorage ?? DEFAULT_MAX_ALLOCATED_STORAGE;
    validateStorage(this, allocated, maxAllocated);
    const multiAz = props.multiAz ?? true;
    const deletionProtection = props.deletionProtection ?? true;
    const backupRetention = props.backupRetention ?? DEFAULT_BACKUP_RETENTION;
    validateBackupRetention(this, backupRetention, multiAz, deletionProtection);
    const { backup: backupWindow, maintenance: maintenanceWindow } = validateWindows(this,
      props.preferredBackupWindow ?? DEFAULT_BACKUP_WINDOW, props.preferredMaintenanceWindow ?? DEFAULT_MAINTENANCE_WINDOW,
      { backup: DEFAULT_BACKUP_WINDOW, maintenance: DEFAULT_MAINTENANCE_WINDOW });
    const instanceType = props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.BURSTABLE3, ec2.InstanceSize.MEDIUM);
    validateInstanceType(this, instanceType);
    const vpcSubnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    validatePlacement(this, { vpc: props.vpc, vpcSubnets, multiAz, proxy: props.proxy !== undefined });
    this.databaseName = validateDatabaseName(this, props.databaseName ?? DEFAULT_DATABASE_NAME);
    this.masterUsername = validateMasterUsername(this, props.masterUsername ?? DEFAULT_MASTER_USERNAME);
    const masterRotation = validateMasterRotation(this, props.masterRotation ?? DEFAULT_MASTER_ROTATION);
    const identifier = validateInstanceIdentifier(this, props.instanceIdentifier ?? this.defaultIdentifier());
    const pgCron = props.pgCron ?? false;
    const parameters = validateParameters(this, props.parameters ?? [], pgCron, this.databaseName);

    // RDS takes no final snapshot of a read replica: a replica is kept instead (after a failover it is the primary).
    // CloudFormation ignores RETAIN on a read replica: its deletion protection keeps it until it is promoted.
    const removalPolicy = props.removalPolicy ?? (source ? RemovalPolicy.RETAIN : RemovalPolicy.SNAPSHOT);
    // Keys, secrets and log groups cannot be snapshotted: keep them unless everything is to be destroyed.
    const supportingRemovalPolicy = removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const logRetention = props.cloudwatchLogsRetention ?? logs.RetentionDays.ONE_MONTH;
    const bootstrapSubnets = props.bootstrapSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const awsApiPeer = props.awsApiPeer ?? ec2.Peer.ipv4(props.vpc.vpcCidrBlock);

    this.encryptionKey = props.encryptionKey ?? createKey(this, 'Key', {
      description: `Encrypts the Supabase database ${this.node.path}: storage, snapshots, Performance Insights, secrets, logs`,
      purpose: 'database',
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

    const exportLogGroups = createExportLogGroups(this, identifier, {
      key: this.encryptionKey,
      retention: logRetention,
      removalPolicy: supportingRemovalPolicy,
    });
    const monitoringRole = enhancedMonitoringRole(this);

    // What a primary and a replica share: network, size, parameters, encryption, logs, monitoring, protection.
    const common = {
      instanceIdentifier: identifier,
      instanceType,
      vpc: props.vpc,
      vpcSubnets,
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
    const functionNetwork = { vpc: props.vpc, subnets: bootstrapSubnets, awsApiPeer, connections: this.connections };
    this.endpoint = this.instance.instanceEndpoint;
    this.instanceIdentifier = source ? identifier : this.instance.instanceIdentifier;
    if (source) {
      const published = publishReplicaEndpoint(this, this.instance);
      this.endpointParameter = published.parameter;
      this.endpointParameterName = published.name;
    }

    const masterSecret = primary?.secret;
    if (masterSecret) {
      // Like the login secrets, the master secret outlives a snapshotted instance: a restore needs its password.
      (primary!.node.tryFindChild('Secret') as rds.DatabaseSecret | undefined)?.applyRemovalPolicy(supportingRemovalPolicy);
      rotateMasterSecret(this, masterSecret, functionNetwork, masterRotation);
    }
    // A replica's are the replicas, in this region, of the primary's. The services reach this instance: the
    // workloads take the host from `endpoint`, not from the secrets, which name the primary's.
    const loginSecrets = source ? importLoginSecretReplicas(this, source.secretNamePrefix) : createLoginSecrets(this, {
      namePrefix: secretNamePrefix,
      replicaRegions: props.secretReplicaRegions,
      key: this.encryptionKey,
      removalPolicy: supportingRemovalPolicy,
      host: this.instance.dbInstanceEndpointAddress,
      databaseName: this.databaseName,
    });
    const secretOf = (loginId: string) => loginSecrets.find((s) => s.login.id === loginId)!.secret;
    this.authSecret = secretOf('Auth');
    this.restSecret = secretOf('Rest');
    this.storageSecret = secretOf('Storage');
    this.realtimeSecret = secretOf('Realtime');
    this.metaSecret = secretOf('Meta');

    if (source) {
      this.masterSecret = replicatedMasterSecret(this, source);
      // Kept once promoted (it then answers inRecovery: false): removing a VPC function would hold the promotion's
      // deployment until Lambda releases its network interfaces, which can take many minutes.
      this.replicaStatusFunction = createReplicaStatusFunction(this, {
        ...functionNetwork,
        key: this.encryptionKey,
        logRetention,
        removalPolicy: supportingRemovalPolicy,
        restSecret: this.restSecret,
        instance: this.instance,
        databaseName: this.databaseName,
      });
      return;
    }

    this.masterSecret = masterSecret;
    const bootstrap = createBootstrap(this, {
      ...functionNetwork,
      key: this.encryptionKey,
      logRetention,
      removalPolicy: supportingRemovalPolicy,
      masterSecret: masterSecret!,
      loginSecrets: loginSecrets.map(({ login, secret }) => ({ username: login.username, secret })),
      databaseName: this.databaseName,
      postgis: props.postgis ?? false,
      pgCron,
      trigger: props.bootstrapTrigger,
    });
    this.bootstrapFunction = bootstrap.fn;
    this.bootstrap = bootstrap.resource;
    // The handler connects at once: the instance must be available, the secret attached and both security groups'
    // rules in place (the rules are separate resources nothing else waits for).
    this.bootstrap.node.addDependency(cfnInstance, securityGroup, bootstrap.securityGroup);

    if (props.proxy) {
      const pooledLogins = ['Auth', 'Rest', 'Storage', 'Meta'];
      const { proxy, connections } = createDatabaseProxy(this, {
        instance: primary!,
        instanceIdentifier: identifier,
        vpc: props.vpc,
        vpcSubnets: common.vpcSubnets,
        secrets: pooledLogins.map(secretOf),
        maxConnectionsPercent: validateMaxConnectionsPercent(this, props.proxy.maxConnectionsPercent ?? DEFAULT_PROXY_MAX_CONNECTIONS_PERCENT),
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
    validateConnectUser(this, dbUser, this.masterUsername);
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

  private defaultIdentifier(): string {
    return Names.uniqueResourceName(this, { maxLength: 63, separator: '-' })
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .replace(/-+/g, '-')
      .replace(/^[^a-z]+/, '')
      .replace(/-$/, '');
  }
}

