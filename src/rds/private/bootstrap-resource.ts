import * as path from 'path';
import {
  CustomResource,
  Duration,
  FileSystem,
  RemovalPolicy,
  aws_ec2 as ec2,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DatabaseFunctionNetwork, LAMBDA_CA_BUNDLE, databaseFunctionRole, databaseFunctionSecurityGroup } from './database-function';
import { BootstrapProperties } from '../bootstrap/properties';
import { BootstrapFunction } from '../bootstrap-function';

const BOOTSTRAP_TIMEOUT = Duration.minutes(5);
const BOOTSTRAP_SERVICE_TIMEOUT = Duration.minutes(10);
/** Where the bundled bootstrap handler lives; its fingerprint makes the bootstrap re-run when the SQL changes. */
const BOOTSTRAP_ASSET_DIR = path.join(__dirname, '../../../assets/rds/bootstrap.lambda');

/** What {@link createBootstrap} needs besides the network. */
export interface BootstrapSettings extends DatabaseFunctionNetwork {
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly masterSecret: secretsmanager.ISecret;
  /** The login secrets by PostgreSQL role name, in the order of the template. */
  readonly loginSecrets: { readonly username: string; readonly secret: secretsmanager.ISecret }[];
  readonly databaseName: string;
  readonly postgis: boolean;
  readonly pgCron: boolean;
  readonly trigger?: string;
}

/** The bootstrap custom resource, its function and the function's security group. */
export interface BootstrapParts {
  readonly resource: CustomResource;
  readonly fn: lambda.IFunction;
  readonly securityGroup: ec2.SecurityGroup;
}

/**
 * The bootstrap of a primary `SupabaseDatabase` (`scope`): a function in the VPC that may read the master and login
 * secrets, and the `Custom::SupabaseBootstrap` resource that runs it on every change of its properties.
 */
export function createBootstrap(scope: Construct, settings: BootstrapSettings): BootstrapParts {
  const securityGroup = databaseFunctionSecurityGroup(scope, 'BootstrapSecurityGroup', settings, 'Database bootstrap function');
  const { role, logGroup, vpcAccess } = databaseFunctionRole(scope, 'Bootstrap', {
    description: `Bootstraps the Supabase database ${scope.node.path}`,
    secretArns: [settings.masterSecret.secretArn, ...settings.loginSecrets.map((s) => s.secret.secretArn)],
    secretsSid: 'ReadMasterAndLoginSecrets',
    key: settings.key,
    logRetention: settings.logRetention,
    removalPolicy: settings.removalPolicy,
  });

  const fn = new BootstrapFunction(scope, 'BootstrapFunction', {
    description: `Creates the Supabase roles, schemas and extensions in ${scope.node.path}`,
    role,
    logGroup,
    timeout: BOOTSTRAP_TIMEOUT,
    memorySize: 256,
    vpc: settings.vpc,
    vpcSubnets: settings.subnets,
    securityGroups: [securityGroup],
    environment: { NODE_EXTRA_CA_CERTS: LAMBDA_CA_BUNDLE },
  });
  fn.node.addDependency(vpcAccess);

  const properties: BootstrapProperties = {
    // A Ref to the secret attachment: the handler finds host, port and dbname in the secret once attached.
    MasterSecretArn: settings.masterSecret.secretArn,
    LoginSecretArns: Object.fromEntries(settings.loginSecrets.map(({ username, secret }) => [username, secret.secretArn])),
    DatabaseName: settings.databaseName,
    Postgis: String(settings.postgis),
    PgCron: String(settings.pgCron),
    HandlerFingerprint: FileSystem.fingerprint(BOOTSTRAP_ASSET_DIR),
    ...(settings.trigger !== undefined ? { Trigger: settings.trigger } : {}),
  };
  const resource = new CustomResource(scope, 'Bootstrap', {
    serviceToken: fn.functionArn,
    resourceType: 'Custom::SupabaseBootstrap',
    serviceTimeout: BOOTSTRAP_SERVICE_TIMEOUT,
    properties: { ...properties },
  });
  return { resource, fn, securityGroup };
}
