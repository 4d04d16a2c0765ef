import {
  Duration,
  Names,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_rds as rds,
  aws_secretsmanager as secretsmanager,
  aws_ssm as ssm,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DatabaseFunctionNetwork, LAMBDA_CA_BUNDLE, databaseFunctionRole, databaseFunctionSecurityGroup } from './database-function';
import { acknowledgeWildcardResources } from '../../private/nag';
import { POSTGRES_PORT } from '../../private/ports';
import { SECRET_NAME_PATTERN } from '../../private/secret-names';
import { WARNINGS, warn } from '../../private/warnings';
import { ReplicaStatusFunction } from '../replica-status-function';

const ARN_PATTERN = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):\d{12}:db:([a-z][a-z0-9-]{0,62})$/;

/** `SupabaseDatabaseSource`, as the functions of this file read it (no import of the construct's module). */
export interface ReplicaSourceInput {
  readonly instanceArn: string;
  readonly secretNamePrefix: string;
  readonly promoted?: boolean;
  readonly masterSecretName?: string;
}

/** A replica's primary, checked, with the region and identifier read from its ARN. */
export interface ReplicaSource extends ReplicaSourceInput {
  readonly region: string;
  readonly identifier: string;
  readonly promoted: boolean;
}

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
  scope: Construct,
  input: ReplicaSourceInput | undefined,
  settings: ReplicaCheckedSettings,
): ReplicaSource | undefined {
  if (!input) {
    return undefined;
  }
  const where = `SupabaseDatabase ${scope.node.path}`;
  const promoted = input.promoted ?? false;
  const match = ARN_PATTERN.exec(input.instanceArn);
  if (Token.isUnresolved(input.instanceArn) || !match) {
    const kept = promoted ? ' With `replicaOf.promoted`, keep the ARN the replica was created from: its region stays in the template as SourceRegion, which CloudFormation cannot change without replacing the instance.' : '';
    throw new Error(`${where}: \`replicaOf.instanceArn\` must be the primary instance's ARN as a plain string, e.g. 'arn:aws:rds:eu-west-1:123456789012:db:supabase-prod', got '${input.instanceArn}'. Give the primary a fixed \`instanceIdentifier\` so its ARN is known before it is deployed.${kept}`);
  }
  const stackRegion = Stack.of(scope).region;
  if (!Token.isUnresolved(stackRegion) && match[1] === stackRegion) {
    throw new Error(`${where}: \`replicaOf.instanceArn\` is in ${stackRegion}, this stack's own region. This construct makes cross-region replicas for disaster recovery; deploy it in the standby region.`);
  }
  for (const [name, value] of Object.entries(settings.primaryOnly)) {
    if (value === undefined || (promoted && PROMOTED_TAKES.includes(name))) {
      continue;
    }
    if (promoted) {
      throw new Error(`${where}: \`${name}\` is set together with \`replicaOf.promoted\`. ${KEPT_FROM_PRIMARY[name]}. Leave it out here.`);
    }
    const later = PROMOTED_TAKES.includes(name) ? ' (Once `replicaOf.promoted` is set, it is taken here: the promoted instance backs itself up.)' : '';
    throw new Error(`${where}: \`${name}\` is set together with \`replicaOf\`. A read replica takes it from its primary: set it on the SupabaseDatabase in ${match[1]}, and leave it out here.${later}`);
  }
  if (settings.proxy) {
    throw new Error(promoted
      ? `${where}: \`proxy\` is set together with \`replicaOf.promoted\`. This construct puts RDS Proxy only in front of a primary it created; the standby site's services connect to the promoted instance directly. Leave it out here.`
      : `${where}: \`proxy\` is set together with \`replicaOf\`; RDS Proxy fronts only a writer instance, not a read replica. Leave it out here: the standby site's services connect to the replica directly.`);
  }
  if (!promoted && settings.removalPolicy === RemovalPolicy.SNAPSHOT) {
    throw new Error(`${where}: \`removalPolicy\` is SNAPSHOT with \`replicaOf\`; RDS takes no final snapshot of a read replica. Use RETAIN (the default for a replica: after a failover it holds the data) or DESTROY.`);
  }
  const prefix = input.secretNamePrefix;
  if (!Token.isUnresolved(prefix) && (typeof prefix !== 'string' || !SECRET_NAME_PATTERN.test(prefix))) {
    const still = promoted ? ' A promoted replica still hands the services the replicas of the primary\'s login secrets found under it.' : '';
    throw new Error(`${where}: \`replicaOf.secretNamePrefix\` '${prefix}' is not a secret name prefix (letters, digits and /_+=.@- only). Pass the primary's \`secretNamePrefix\`.${still}`);
  }
  const masterName = input.masterSecretName;
  if (masterName !== undefined && !Token.isUnresolved(masterName) && !SECRET_NAME_PATTERN.test(masterName)) {
    throw new Error(`${where}: \`replicaOf.masterSecretName\` '${masterName}' is not a secret name (letters, digits and /_+=.@- only). Pass the name of the primary's master secret, e.g. from \`aws secretsmanager describe-secret --secret-id <the primary's DatabaseSecretArn> --query Name\`.`);
  }
  return { ...input, promoted, region: match[1], identifier: match[2] };
}

/** The backup settings a promoted replica takes (a standalone instance backs itself up). */
export interface PromotedBackup {
  readonly backupRetention: Duration;
  readonly preferredBackupWindow: string;
}

/**
 * A cross-region read replica of `source`, or the same instance once promoted. The L2 read replica takes the
 * source's ARN in its own region, so the ARN and the source region are set on the resource as given.
 *
 * Promoted, the construct and its logical id stay the same and the template changes only where CloudFormation
 * updates in place (AWS::RDS::DBInstance, CloudFormation Template Reference):
 * - SourceDBInstanceIdentifier goes away: "If you remove the SourceDBInstanceIdentifier property from your template
 *   and then update your stack, AWS CloudFormation promotes the read replica to a standalone DB instance." The
 *   handler calls PromoteReadReplica with the template's BackupRetentionPeriod and PreferredBackupWindow (Update
 *   requires: Some interruptions / No interruption), then ModifyDBInstance for the rest (e.g. MultiAZ).
 * - SourceRegion, KmsKeyId, DBInstanceIdentifier and DBSubnetGroupName stay as they were, StorageEncrypted,
 *   MasterUsername, DBName and Engine stay absent: each is "Update requires: Replacement" (Engine: the handler
 *   refuses any change of it as immutable).
 */
export function createReplica(
  scope: Construct,
  common: Omit<rds.DatabaseInstanceReadReplicaProps, 'sourceDatabaseInstance'>,
  source: ReplicaSource,
  backup: PromotedBackup,
): rds.DatabaseInstanceReadReplica {
  const replica = new rds.DatabaseInstanceReadReplica(scope, 'Resource', {
    ...common,
    ...(source.promoted ? backup : {}),
    sourceDatabaseInstance: rds.DatabaseInstance.fromDatabaseInstanceAttributes(scope, 'Source', {
      instanceIdentifier: source.identifier,
      instanceEndpointAddress: `${source.identifier}.${source.region}.rds.amazonaws.com`,
      port: POSTGRES_PORT,
      securityGroups: [],
    }),
  });
  const cfn = replica.node.defaultChild as rds.CfnDBInstance;
  cfn.sourceDbInstanceIdentifier = source.promoted ? undefined : source.instanceArn;
  cfn.sourceRegion = source.region;
  // A replica is encrypted because its source is; CloudFormation takes only the key of this region (KmsKeyId)
  // and rejects StorageEncrypted beside SourceDBInstanceIdentifier. Once promoted it stays out: adding it would
  // replace the instance.
  cfn.storageEncrypted = undefined;
  Validations.of(replica).acknowledge({
    id: 'AwsSolutions-RDS2',
    reason: 'The cross-region read replica (promoted or not) is encrypted: RDS replicates only from the encrypted primary and encrypts the replica with the key of this region given in KmsKeyId; CloudFormation rejects the StorageEncrypted flag this rule looks for beside SourceDBInstanceIdentifier, and adding it after a promotion would replace the instance.',
  });
  if (!source.promoted && common.deletionProtection === false) {
    warn(scope, WARNINGS.replicaUnprotected,
      '`deletionProtection` is false on a read replica. CloudFormation ignores any deletion policy of a read replica, so `removalPolicy` does not keep it: deleting the stack, or removing this construct, deletes the replica. Leave `deletionProtection` at its default (true) unless the replica is disposable.');
  }
  return replica;
}

/** The replica in this region of the primary's master secret, found by name; undefined without a name. */
export function replicatedMasterSecret(scope: Construct, source: ReplicaSource): secretsmanager.ISecret | undefined {
  if (!source.promoted || source.masterSecretName === undefined) {
    return undefined;
  }
  return secretsmanager.Secret.fromSecretNameV2(scope, 'MasterSecret', source.masterSecretName);
}

/**
 * A replica's endpoint, published for other stacks without an export: an SSM parameter under a name derived from the
 * construct's path, which a consuming stack reads as an SSM-typed template parameter (re-read at each of its
 * deployments). At failback a new replica replaces the instance; an export of its address or identifier in use by
 * another stack would make CloudFormation refuse that update. The two exports CDK made for earlier versions of this
 * construct are kept (unused by then) so that a stack that still imports them can be updated first.
 */
export function publishReplicaEndpoint(scope: Construct, replica: rds.DatabaseInstanceBase): { parameter: ssm.StringParameter; name: string } {
  const stack = Stack.of(scope);
  stack.exportValue(replica.instanceIdentifier);
  stack.exportValue(replica.dbInstanceEndpointAddress);
  const name = `/cdk-supabase-on-aws/${Names.uniqueResourceName(scope, { maxLength: 200, separator: '-' })}/endpoint-address`;
  const parameter = new ssm.StringParameter(scope, 'EndpointParameter', {
    parameterName: name,
    stringValue: replica.dbInstanceEndpointAddress,
    description: `The endpoint address of the Supabase read replica ${scope.node.path}, for the stacks that connect to it`,
  });
  return { parameter, name };
}

/** What {@link createReplicaStatusFunction} needs besides the network. */
export interface ReplicaStatusSettings extends DatabaseFunctionNetwork {
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** The replica, in this region, of the primary's authenticator login secret. */
  readonly restSecret: secretsmanager.ISecret;
  readonly instance: rds.DatabaseInstanceBase;
  readonly databaseName: string;
}

/** See `SupabaseDatabase.replicaStatusFunction`. */
export function createReplicaStatusFunction(scope: Construct, settings: ReplicaStatusSettings): lambda.IFunction {
  const securityGroup = databaseFunctionSecurityGroup(scope, 'ReplicaStatusSecurityGroup', settings, 'Replica status function');
  // The replica of the primary's secret, imported by name: its ARN ends in a random suffix.
  const secretArn = `${settings.restSecret.secretArn}-??????`;
  const { role, logGroup, vpcAccess } = databaseFunctionRole(scope, 'ReplicaStatus', {
    description: `Reads the recovery point of the Supabase read replica ${scope.node.path}`,
    secretArns: [secretArn],
    secretsSid: 'ReadTheAuthenticatorLoginSecret',
    key: settings.key,
    logRetention: settings.logRetention,
    removalPolicy: settings.removalPolicy,
  });
  acknowledgeWildcardResources(role, [secretArn],
    'The replica, in this region, of the primary\'s authenticator login secret is known by name only; its ARN ends in the six random characters Secrets Manager appends, which ?????? matches, and nothing else.');
  const fn = new ReplicaStatusFunction(scope, 'ReplicaStatusFunction', {
    description: `Reads the recovery point of the read replica ${scope.node.path} (pg_last_xact_replay_timestamp)`,
    role,
    logGroup,
    timeout: Duration.seconds(30),
    memorySize: 256,
    vpc: settings.vpc,
    vpcSubnets: settings.subnets,
    securityGroups: [securityGroup],
    environment: {
      NODE_EXTRA_CA_CERTS: LAMBDA_CA_BUNDLE,
      SECRET_ID: settings.restSecret.secretName,
      DB_HOST: settings.instance.dbInstanceEndpointAddress,
      DB_PORT: String(POSTGRES_PORT),
      DB_NAME: settings.databaseName,
    },
  });
  fn.node.addDependency(vpcAccess);
  return fn;
}
