import { Duration, RemovalPolicy, Size, Stack, Token, aws_rds as rds } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { DEFAULT_MASTER_USERNAME, DEFAULT_PROXY_MAX_CONNECTIONS_PERCENT } from './defaults';
import { validateParameterNames } from './instance-validation';
import { ReplicaSource, ReplicaSourceInput } from './replica';
import { configError } from '../../private/errors';
import { SECRET_NAME_PATTERN } from '../../private/secret-names';
import { DatabaseParameter, SupabaseDatabaseOptions } from '../database-props';
import { RESERVED_ROLE_NAMES, SUPABASE_LOGINS } from '../logins';
import { defaultParameters } from '../parameters';

/**
 * The checks of `SupabaseDatabase`'s props, each skipping tokens. A message names the prop, the value received and
 * what to use instead, after the construct's class and path (`configError`).
 */

const MIN_POSTGRES_MAJOR = 15;
const IDENTIFIER_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
const SQL_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]{0,62}$/;
const LOGIN_USERNAMES: readonly string[] = SUPABASE_LOGINS.map((l) => l.username);
const ARN_PATTERN = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):\d{12}:db:([a-z][a-z0-9-]{0,62})$/;

/** What {@link validateReplicaOf} checks besides `replicaOf` itself. */
export interface ReplicaCheckedSettings {
  /** The primary-only settings by prop name (undefined when not set). */
  readonly primaryOnly: Record<string, unknown>;
  readonly proxy: boolean;
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Why each primary-only setting stays out of a promoted replica. Only `backupRetention` and `preferredBackupWindow`
 * are taken once promoted: a standalone instance backs itself up (CloudFormation passes both to PromoteReadReplica).
 */
const KEPT_FROM_PRIMARY: Record<string, string> = {
  masterUsername: 'The promoted instance keeps the primary\'s master user (MasterUsername is a property CloudFormation can only change by replacing the instance)',
  masterRotation: 'The master secret stays the primary\'s, rotated by the function in the primary\'s region until failback',
  postgis: 'Nothing is bootstrapped on a promoted replica: its roles, schemas and extensions came with the data',
  bootstrapTrigger: 'Nothing is bootstrapped on a promoted replica: its roles, schemas and extensions came with the data',
  allocatedStorage: 'Its storage came from the primary and grows with `maxAllocatedStorage`',
  secretNamePrefix: 'Its login secrets are the replicas of the primary\'s, found under `replicaOf.secretNamePrefix`',
  secretReplicaRegions: 'Its login secrets are the replicas of the primary\'s, found under `replicaOf.secretNamePrefix`',
};
const PROMOTED_TAKES = ['backupRetention', 'preferredBackupWindow'];

/**
 * `replicaOf` checked: an RDS instance ARN of another region, a usable secret name prefix, no primary-only
 * settings (except the backup settings once promoted), no proxy, and no final snapshot of a read replica.
 */
export function validateReplicaOf(
  scope: IConstruct,
  input: ReplicaSourceInput | undefined,
  settings: ReplicaCheckedSettings,
): ReplicaSource | undefined {
  if (!input) {
    return undefined;
  }
  const promoted = input.promoted ?? false;
  const match = ARN_PATTERN.exec(input.instanceArn);
  if (Token.isUnresolved(input.instanceArn) || !match) {
    const kept = promoted ? ' With `replicaOf.promoted`, keep the ARN the replica was created from: its region stays in the template as SourceRegion, which CloudFormation cannot change without replacing the instance.' : '';
    throw configError(scope, `\`replicaOf.instanceArn\` must be the primary instance's ARN as a plain string, e.g. 'arn:aws:rds:eu-west-1:123456789012:db:supabase-prod', got '${input.instanceArn}'. Give the primary a fixed \`instanceIdentifier\` so its ARN is known before it is deployed.${kept}`);
  }
  const stackRegion = Stack.of(scope).region;
  if (!Token.isUnresolved(stackRegion) && match[1] === stackRegion) {
    throw configError(scope, `\`replicaOf.instanceArn\` is in ${stackRegion}, this stack's own region. This construct makes cross-region replicas for disaster recovery; deploy it in the standby region.`);
  }
  for (const [name, value] of Object.entries(settings.primaryOnly)) {
    if (value === undefined || (promoted && PROMOTED_TAKES.includes(name))) {
      continue;
    }
    if (promoted) {
      throw configError(scope, `\`${name}\` is set together with \`replicaOf.promoted\`. ${KEPT_FROM_PRIMARY[name]}. Leave it out here.`);
    }
    const later = PROMOTED_TAKES.includes(name) ? ' (Once `replicaOf.promoted` is set, it is taken here: the promoted instance backs itself up.)' : '';
    throw configError(scope, `\`${name}\` is set together with \`replicaOf\`. A read replica takes it from its primary: set it on the SupabaseDatabase in ${match[1]}, and leave it out here.${later}`);
  }
  if (settings.proxy) {
    throw configError(scope, promoted
      ? '`proxy` is set together with `replicaOf.promoted`. This construct puts RDS Proxy only in front of a primary it created; the standby site\'s services connect to the promoted instance directly. Leave it out here.'
      : '`proxy` is set together with `replicaOf`; RDS Proxy fronts only a writer instance, not a read replica. Leave it out here: the standby site\'s services connect to the replica directly.');
  }
  if (!promoted && settings.removalPolicy === RemovalPolicy.SNAPSHOT) {
    throw configError(scope, '`removalPolicy` is SNAPSHOT with `replicaOf`; RDS takes no final snapshot of a read replica. Use RETAIN (the default for a replica: after a failover it holds the data) or DESTROY.');
  }
  const prefix = input.secretNamePrefix;
  if (!Token.isUnresolved(prefix) && (typeof prefix !== 'string' || !SECRET_NAME_PATTERN.test(prefix))) {
    const still = promoted ? ' A promoted replica still hands the services the replicas of the primary\'s login secrets found under it.' : '';
    throw configError(scope, `\`replicaOf.secretNamePrefix\` '${prefix}' is not a secret name prefix (letters, digits and /_+=.@- only). Pass the primary's \`secretNamePrefix\`.${still}`);
  }
  const masterName = input.masterSecretName;
  if (masterName !== undefined && !Token.isUnresolved(masterName) && !SECRET_NAME_PATTERN.test(masterName)) {
    throw configError(scope, `\`replicaOf.masterSecretName\` '${masterName}' is not a secret name (letters, digits and /_+=.@- only). Pass the name of the primary's master secret, e.g. from \`aws secretsmanager describe-secret --secret-id <the primary's DatabaseSecretArn> --query Name\`.`);
  }
  return { ...input, promoted, region: match[1], identifier: match[2] };
}

export function validateMaxConnectionsPercent(scope: IConstruct, percent: number): number {
  if (!Token.isUnresolved(percent) && !(Number.isInteger(percent) && percent >= 1 && percent <= 100)) {
    throw configError(scope, `\`proxy.maxConnectionsPercent\` must be a whole number from 1 to 100, got ${percent}. Leave room for Realtime's direct connections: the default is ${DEFAULT_PROXY_MAX_CONNECTIONS_PERCENT}.`);
  }
  return percent;
}

/** The login secrets' name prefix, if any; replicating them needs names the standby can find. */
export function validateLoginSecretNames(scope: IConstruct, props: SupabaseDatabaseOptions): string | undefined {
  const prefix = props.secretNamePrefix;
  if (prefix !== undefined && !Token.isUnresolved(prefix) && !SECRET_NAME_PATTERN.test(prefix)) {
    throw configError(scope, `\`secretNamePrefix\` '${prefix}' is not usable in a secret name (letters, digits and /_+=.@- only). Use a prefix such as 'supabase/prod'.`);
  }
  if (props.secretReplicaRegions?.length && prefix === undefined) {
    throw configError(scope, '`secretReplicaRegions` is set without `secretNamePrefix`. The standby finds the replicas of the login secrets by name: set `secretNamePrefix`, e.g. \'supabase/prod\'.');
  }
  return prefix?.replace(/\/+$/, '');
}

export function validateEngineVersion(scope: IConstruct, version: rds.PostgresEngineVersion) {
  const major = version.postgresMajorVersion;
  if (Token.isUnresolved(major)) {
    return;
  }
  const number = parseInt(major, 10);
  if (!(number >= MIN_POSTGRES_MAJOR)) {
    throw configError(scope, `\`engineVersion\` is PostgreSQL ${version.postgresFullVersion}; Supabase needs PostgreSQL ${MIN_POSTGRES_MAJOR} or newer. Use rds.PostgresEngineVersion.VER_17_9 or newer, or leave \`engineVersion\` out for 18.3.`);
  }
}

export function validateStorage(scope: IConstruct, allocated: Size, maxAllocated: Size) {
  const gib = allocated.toGibibytes();
  const maxGib = maxAllocated.toGibibytes();
  if (!Token.isUnresolved(gib) && (!Number.isInteger(gib) || gib < 20 || gib > 65536)) {
    throw configError(scope, `\`allocatedStorage\` is ${gib} GiB; gp3 storage for RDS is a whole number of GiB from 20 to 65536. Use Size.gibibytes(100), the default, or another size in that range.`);
  }
  if (!Token.isUnresolved(maxGib) && !Number.isInteger(maxGib)) {
    throw configError(scope, `\`maxAllocatedStorage\` is ${maxGib} GiB; RDS takes a whole number of GiB. Use Size.gibibytes(n).`);
  }
  if (!Token.isUnresolved(gib) && !Token.isUnresolved(maxGib) && maxGib < gib) {
    throw configError(scope, `\`maxAllocatedStorage\` is ${maxGib} GiB, below \`allocatedStorage\` (${gib} GiB); storage autoscaling can only grow the storage. Use a maximum of at least ${gib} GiB, e.g. ${Math.max(gib * 5, gib + 10)} GiB.`);
  }
}

export function validateBackupRetention(scope: IConstruct, retention: Duration, multiAz: boolean, deletionProtection: boolean) {
  if (retention.isUnresolved()) {
    return;
  }
  const days = retention.toDays({ integral: false });
  if (!Number.isInteger(days) || days < 0 || days > 35) {
    throw configError(scope, `\`backupRetention\` is ${retention.toHumanString()}; RDS keeps automated backups for a whole number of days from 0 to 35. Use Duration.days(7), the default, or another number of days in that range.`);
  }
  if (days === 0 && (multiAz || deletionProtection)) {
    const asked = [multiAz ? '`multiAz`' : undefined, deletionProtection ? '`deletionProtection`' : undefined].filter(Boolean).join(' and ');
    throw configError(scope, `\`backupRetention\` is 0 days, which turns automated backups off, while ${asked} ask for a database kept safe (RDS refuses Multi-AZ without backups, and a protected database without backups cannot be restored to a point in time). Keep \`backupRetention\` at 1 day or more, or set \`multiAz\` and \`deletionProtection\` to false for a throwaway database.`);
  }
}

export function validateDatabaseName(scope: IConstruct, name: string): string {
  if (Token.isUnresolved(name)) {
    return name;
  }
  if (!SQL_NAME_PATTERN.test(name) || ['template0', 'template1', 'rdsadmin'].includes(name.toLowerCase())) {
    throw configError(scope, `\`databaseName\` is '${name}'; RDS needs a letter, then letters, digits or underscores (at most 63), and not template0, template1 or rdsadmin. Use 'postgres', the default, or a name such as 'supabase'.`);
  }
  return name;
}

export function validateMasterUsername(scope: IConstruct, name: string): string {
  if (Token.isUnresolved(name)) {
    return name;
  }
  if (!SQL_NAME_PATTERN.test(name)) {
    throw configError(scope, `\`masterUsername\` is '${name}'; RDS needs a letter, then letters, digits or underscores (at most 63). Use '${DEFAULT_MASTER_USERNAME}', the default.`);
  }
  if (LOGIN_USERNAMES.includes(name)) {
    throw configError(scope, `\`masterUsername\` is '${name}', the login of a Supabase service; the services must never log in as the master user, whose password rotates. Use another name, e.g. '${DEFAULT_MASTER_USERNAME}', the default.`);
  }
  if (RESERVED_ROLE_NAMES.includes(name.toLowerCase())) {
    throw configError(scope, `\`masterUsername\` is '${name}', a role that RDS or the Supabase bootstrap already uses. Use another name, e.g. '${DEFAULT_MASTER_USERNAME}', the default.`);
  }
  return name;
}

export function validateMasterRotation(scope: IConstruct, rotation: Duration): Duration {
  if (!rotation.isUnresolved()) {
    const days = rotation.toDays({ integral: false });
    if (!Number.isInteger(days) || days < 1 || days > 1000) {
      throw configError(scope, `\`masterRotation\` is ${rotation.toHumanString()}; Secrets Manager rotates every whole number of days from 1 to 1000. Use Duration.days(30), the default.`);
    }
  }
  return rotation;
}

export function validateInstanceIdentifier(scope: IConstruct, identifier: string): string {
  if (!Token.isUnresolved(identifier) && (!IDENTIFIER_PATTERN.test(identifier) || identifier.includes('--') || identifier.endsWith('-'))) {
    throw configError(scope, `\`instanceIdentifier\` is '${identifier}'; RDS needs a lower-case letter, then lower-case letters, digits or single hyphens, at most 63 characters, not ending with a hyphen. Use a name such as 'supabase-prod'.`);
  }
  return identifier;
}

/**
 * The Supabase defaults with the user's parameters over them, checked against what Supabase needs.
 */
export function validateParameters(
  scope: IConstruct,
  userParameters: DatabaseParameter[],
  pgCron: boolean,
  databaseName: string,
): Record<string, string> {
  const parameters = defaultParameters({ pgCron, databaseName });
  const seen = new Set<string>();
  for (const { name, value } of userParameters) {
    if (!Token.isUnresolved(name)) {
      if (seen.has(name)) {
        throw configError(scope, `\`parameters\` lists '${name}' more than once. List each parameter once.`);
      }
      seen.add(name);
    }
    parameters[name] = value;
  }
  validateParameterNames(scope, userParameters.map((p) => p.name));
  const must = (name: string, expected: string, why: string) => {
    const value = parameters[name];
    if (!Token.isUnresolved(value) && value !== expected) {
      throw configError(scope, `\`parameters\` sets '${name}' to '${value}'; ${why}. Leave '${name}' out of \`parameters\` (the default is '${expected}').`);
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
      throw configError(scope, `\`parameters\` sets 'shared_preload_libraries' to '${libraries}', which lacks ${missing.join(' and ')}; ${pgCron ? 'pg_cron must be preloaded when `pgCron` is on, and ' : ''}Studio and Performance Insights need pg_stat_statements. Include ${needed.join(' and ')}, e.g. '${[...needed, ...list.filter((l) => l && !needed.includes(l))].join(',')}'.`);
    }
  }
  return parameters;
}

/** `grantConnect`'s `dbUser`: a role of the user's own, not the master user nor a service login. */
export function validateConnectUser(scope: IConstruct, dbUser: string, masterUsername: string) {
  if (!Token.isUnresolved(dbUser)) {
    if (dbUser === masterUsername || LOGIN_USERNAMES.includes(dbUser)) {
      const whose = dbUser === masterUsername ? 'the master user' : 'a Supabase service login';
      throw configError(scope, `\`grantConnect\` was given dbUser '${dbUser}', ${whose}; a role granted rds_iam can no longer log in with its password, which rotation, the bootstrap and the services need. Create a separate role for IAM authentication (CREATE ROLE x LOGIN; GRANT rds_iam TO x) and pass its name.`);
    }
    if (!SQL_NAME_PATTERN.test(dbUser)) {
      throw configError(scope, `\`grantConnect\` was given dbUser '${dbUser}', which is not a PostgreSQL role name this construct accepts (a letter, then letters, digits or underscores, at most 63). Pass the name of the role you granted rds_iam.`);
    }
  }
}
