import {
  Duration,
  RemovalPolicy,
  Size,
  aws_ec2 as ec2,
  aws_kms as kms,
  aws_logs as logs,
  aws_rds as rds,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
// For the {@link SupabaseDatabase} references in the doc comments only.
import type { SupabaseDatabase } from './supabase-database';

/**
 * A parameter of the database's parameter group.
 */
export interface DatabaseParameter {
  /** The parameter's name, e.g. `work_mem` or `rds.force_ssl`. */
  readonly name: string;
  /** The parameter's value, as RDS takes it (a string, e.g. `'1'`, `'65536'`, `'scram-sha-256'`). */
  readonly value: string;
}

/**
 * The primary of a cross-region read replica (`SupabaseDatabase.replicaOf`), named explicitly: no lookup at synth.
 */
export interface SupabaseDatabaseSource {
  /**
   * The ARN of the primary's instance, e.g. `arn:aws:rds:eu-west-1:123456789012:db:supabase-ireland-prod` (give the
   * primary a fixed `instanceIdentifier` so that its ARN is known before it is deployed). Its region is the source
   * region. Keep it after a promotion: the source region stays in the instance's template.
   * Checked at synth: an RDS DB instance ARN (`db:`), not a cluster's or a snapshot's, in an AWS region of its
   * partition.
   */
  readonly instanceArn: string;

  /**
   * The primary's `secretNamePrefix`. The primary replicates its service login secrets to this region
   * (`secretReplicaRegions`); the replica hands those replicas to the services, before and after a promotion.
   */
  readonly secretNamePrefix: string;

  /**
   * Whether the replica is promoted to a standalone primary: the failover switch. The next deployment removes
   * `SourceDBInstanceIdentifier` and CloudFormation promotes the instance in place (same logical id); do not run
   * `aws rds promote-read-replica` first. Set it back to false only with a new `instanceIdentifier`. See
   * docs/disaster-recovery.md.
   *
   * @default false
   */
  readonly promoted?: boolean;

  /**
   * The name of the primary's master secret, whose replica in this region becomes `masterSecret` once `promoted`
   * (`aws secretsmanager describe-secret --secret-id <the primary's DatabaseSecretArn output> --query Name`).
   *
   * @default - no `masterSecret` once promoted
   */
  readonly masterSecretName?: string;
}

/**
 * The RDS Proxy of a {@link SupabaseDatabase} (`proxy`).
 */
export interface SupabaseDatabaseProxyOptions {
  /**
   * The share of the instance's `max_connections` the proxy may open, in percent (1-100). The rest stays for what
   * connects to the instance directly: Realtime (logical replication cannot pass a proxy), the Storage API's
   * migrations and listener, Edge Functions, the bootstrap, the master secret's rotation and administrators.
   *
   * @default 75
   */
  readonly maxConnectionsPercent?: number;
}

/**
 * The settings of a {@link SupabaseDatabase} other than its network: what `SupabaseOnAws` takes to create one.
 */
export interface SupabaseDatabaseOptions {
  /**
   * Where the bootstrap and rotation functions reach the Secrets Manager and KMS APIs on port 443. Pass the
   * security group of the VPC's interface endpoints (e.g. `network.endpointSecurityGroup`) for the tightest rule,
   * or `ec2.Peer.anyIpv4()` if the VPC has no such endpoints and the functions go through a NAT gateway.
   *
   * @default - the VPC's CIDR block, where the interface endpoints live
   */
  readonly awsApiPeer?: ec2.IPeer;

  /**
   * The PostgreSQL engine version, 15 or newer. Only minor versions of the same major are upgraded automatically.
   *
   * @default - PostgreSQL 18.3, the newest major that both RDS and aws-cdk-lib offer
   */
  readonly engineVersion?: rds.PostgresEngineVersion;

  /**
   * The instance class, without the `db.` that aws-cdk-lib adds itself: `ec2.InstanceType.of(...)` or
   * `new ec2.InstanceType('r7g.large')`, of a family RDS for PostgreSQL offers (others are a warning).
   *
   * @default db.t3.medium
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * Whether RDS keeps a synchronous standby in a second availability zone and fails over to it.
   *
   * @default true
   */
  readonly multiAz?: boolean;

  /**
   * The storage allocated at creation (gp3), at least 20 GiB.
   *
   * @default Size.gibibytes(100)
   */
  readonly allocatedStorage?: Size;

  /**
   * The upper limit of storage autoscaling: RDS grows the storage up to this size when it runs low. Not below
   * `allocatedStorage`.
   *
   * @default Size.gibibytes(500)
   */
  readonly maxAllocatedStorage?: Size;

  /**
   * The KMS key that encrypts the storage, the snapshots, Performance Insights, the master and login secrets and
   * the CloudWatch Logs groups of this construct. A key you pass must let CloudWatch Logs of this account and region
   * use it (the construct adds that statement itself to a key of the same app; an imported key's policy is yours).
   * Checked at synth when imported by ARN (kms.Key.fromKeyArn): a key ARN (`key/<id>`, not an alias ARN, which IAM
   * policies and grants cannot name) of this stack's region.
   *
   * @default - a new key with rotation enabled and the alias `alias/<stack name>/<path>/database`, retained unless `removalPolicy` is DESTROY
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long RDS keeps automated backups (whole days, 0 to 35). 0 turns backups off, which Multi-AZ, deletion
   * protection and read replicas do not go with.
   *
   * @default Duration.days(7)
   */
  readonly backupRetention?: Duration;

  /**
   * The daily backup window, UTC, `hh24:mi-hh24:mi`, at least 30 minutes, not overlapping the maintenance window.
   *
   * @default '03:00-04:00'
   */
  readonly preferredBackupWindow?: string;

  /**
   * The weekly maintenance window, UTC, `ddd:hh24:mi-ddd:hh24:mi` (days `mon` to `sun`), at least 30 minutes, not
   * overlapping the backup window.
   *
   * @default 'sun:04:00-sun:05:00'
   */
  readonly preferredMaintenanceWindow?: string;

  /**
   * Whether the instance refuses to be deleted. On a read replica (`replicaOf`) it is the only protection:
   * CloudFormation ignores any deletion policy of a read replica ("Read replicas don't support deletion policies",
   * AWS::RDS::DBInstance, SourceDBInstanceIdentifier), so without it deleting the stack deletes the replica.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * What happens to the instance when it leaves the stack. The key, the secrets and the log groups are kept for
   * SNAPSHOT and RETAIN (their resources cannot be snapshotted) and deleted only for DESTROY. A read replica's
   * RETAIN is written into the template but CloudFormation ignores it until the replica is promoted: see
   * `deletionProtection`.
   *
   * @default - RemovalPolicy.SNAPSHOT; RemovalPolicy.RETAIN with `replicaOf` (promoted or not)
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long the exported PostgreSQL and upgrade logs, and the bootstrap function's logs, are kept. Only the day
   * counts of `logs.RetentionDays` are accepted; another number is a synth-time error naming the nearest.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly cloudwatchLogsRetention?: logs.RetentionDays;

  /**
   * The instance identifier (lower case letters, digits and hyphens, starting with a letter, at most 63). It is
   * fixed at synth time because the log groups the instance exports to are named after it and created, with
   * their retention and encryption, before the instance. Changing it replaces the instance.
   *
   * @default - derived from the construct's path, e.g. `mystack-database-1a2b3c4d`
   */
  readonly instanceIdentifier?: string;

  /**
   * The database the Supabase services use. `postgres` is the database every RDS for PostgreSQL instance has.
   *
   * @default 'postgres'
   */
  readonly databaseName?: string;

  /**
   * The master user's name. Not one of the service logins (`supabase_auth_admin`, `authenticator`,
   * `supabase_storage_admin`, `supabase_admin`, `postgres`) nor a role the bootstrap creates.
   *
   * @default 'supabase_master'
   */
  readonly masterUsername?: string;

  /**
   * How often the master password is rotated, by a hosted single-user rotation function in the VPC.
   *
   * @default Duration.days(30)
   */
  readonly masterRotation?: Duration;

  /**
   * Whether the bootstrap creates the PostGIS extension.
   *
   * @default false
   */
  readonly postgis?: boolean;

  /**
   * Whether `pg_cron` is preloaded and the bootstrap creates the extension in `databaseName`.
   *
   * @default false
   */
  readonly pgCron?: boolean;

  /**
   * Parameters added to, or overriding, the Supabase defaults of the parameter group. Values Supabase depends on
   * are validated; a name that is not a PostgreSQL or RDS parameter is a warning naming the nearest known one. See
   * docs/database.md for the defaults and their reasons.
   *
   * @default - the defaults only
   */
  readonly parameters?: DatabaseParameter[];

  /**
   * Any string; changing it makes the bootstrap run again on the next deployment. Use it after putting new
   * passwords into the login secrets, so that the roles get them. (The bootstrap also runs again whenever its
   * handler, the database name or an option changes.)
   *
   * @default - no trigger
   */
  readonly bootstrapTrigger?: string;

  /**
   * How long Performance Insights keeps its data.
   *
   * @default rds.PerformanceInsightRetention.DEFAULT (7 days, the free tier)
   */
  readonly performanceInsightRetention?: rds.PerformanceInsightRetention;

  /**
   * Names the services' login secrets `<secretNamePrefix>/db-auth`, `/db-rest`, `/db-storage`, `/db-realtime` and
   * `/db-meta`, so that a replica in another region can find their replicas by name. Letters, digits and
   * `/_+=.@-`.
   *
   * @default - names generated by CloudFormation
   */
  readonly secretNamePrefix?: string;

  /**
   * Regions the services' login secrets and the master secret are replicated to (the disaster-recovery site), each
   * optionally with the KMS key of that region that encrypts the replicas. Needs `secretNamePrefix`. The master
   * secret keeps its generated name (see `SupabaseDatabaseSource.masterSecretName`) and its rotation, in this
   * region, whose new passwords reach the replicas.
   * Checked at synth: AWS regions (aws-cdk-lib's RegionInfo list), not this stack's, each once; a replica's key,
   * imported by ARN, of that replica's region.
   *
   * @default - no replicas
   */
  readonly secretReplicaRegions?: secretsmanager.ReplicaRegion[];

  /**
   * Makes this a cross-region read replica of a SupabaseDatabase in another region, for disaster recovery: nothing
   * is bootstrapped, there is no master secret, and the login secrets are the replicas of the primary's. The
   * primary-only settings are rejected, and `removalPolicy` may not be SNAPSHOT before the promotion. See
   * docs/disaster-recovery.md.
   *
   * @default - a primary instance, bootstrapped here
   */
  readonly replicaOf?: SupabaseDatabaseSource;

  /**
   * Puts an RDS Proxy (TLS, SCRAM) in front of the instance for Auth, REST, Storage and postgres-meta, so that
   * scaled-out services share a bounded pool of connections and ride out a Multi-AZ failover. Not with
   * `replicaOf`. See docs/database.md.
   *
   * @default - no proxy: every service connects to the instance
   */
  readonly proxy?: SupabaseDatabaseProxyOptions;
}

/**
 * Properties of a {@link SupabaseDatabase}.
 */
export interface SupabaseDatabaseProps extends SupabaseDatabaseOptions {
  /** The VPC; the instance goes into `vpcSubnets`, the bootstrap and rotation functions into `bootstrapSubnets`. */
  readonly vpc: ec2.IVpc;

  /**
   * The subnets of the instance's subnet group: the network's database tier, private, in at least two availability
   * zones (RDS's DB subnet group, the Multi-AZ standby and RDS Proxy need them).
   *
   * @default { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The subnets of the bootstrap function and of the hosted rotation function of the master secret: the network's
   * EKS tier, where the Secrets Manager and KMS interface endpoints are.
   *
   * @default { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }
   */
  readonly bootstrapSubnets?: ec2.SubnetSelection;
}
