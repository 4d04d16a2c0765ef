import {
  Duration,
  Names,
  RemovalPolicy,
  Stack,
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
import { POSTGRES_PORT } from '../../private/ports';
import { WARNINGS, warn } from '../../private/warnings';
import { ReplicaStatusFunction } from '../replica-status-function';


/** `SupabaseDatabaseSource`, as the functions of this file and `validateReplicaOf` read it. */
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
  // The replica of the primary's secret, imported by name: its ARN ends in a random suffix, which ?????? matches
  // exactly (six characters; not a `*`, so AwsSolutions-IAM5 has nothing to judge).
  const secretArn = `${settings.restSecret.secretArn}-??????`;
  const { role, logGroup, vpcAccess } = databaseFunctionRole(scope, 'ReplicaStatus', {
    description: `Reads the recovery point of the Supabase read replica ${scope.node.path}`,
    secretArns: [secretArn],
    secretsSid: 'ReadTheAuthenticatorLoginSecret',
    key: settings.key,
    logRetention: settings.logRetention,
    removalPolicy: settings.removalPolicy,
  });
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
