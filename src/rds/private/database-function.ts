import {
  RemovalPolicy,
  Validations,
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { functionLogsAndRole } from '../../private/function-role';
import { keyUseThroughSecretsManager } from '../../private/kms';

/**
 * Lambda's Node.js 20 and later runtimes ship the Amazon-specific CA certificates (the Amazon RDS CAs among them)
 * in /var/runtime/ca-cert.pem but, unlike Node.js 18, no longer load them at start to save cold-start time; a
 * function that verifies an RDS server certificate must point NODE_EXTRA_CA_CERTS at that file. See the AWS
 * Compute Blog, "Node.js 20.x runtime now available in AWS Lambda" (November 2023), section on the Amazon-specific
 * CA certificates, and https://dev.classmethod.jp/articles/node-extra-ca-certs-influence-cold-start/.
 */
export const LAMBDA_CA_BUNDLE = '/var/runtime/ca-cert.pem';

/** Where a function of `SupabaseDatabase` runs, and what it may reach. */
export interface DatabaseFunctionNetwork {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** Where the Secrets Manager and KMS APIs are reached on 443. */
  readonly awsApiPeer: ec2.IPeer;
  /** The instance's connections, which admit the function on the PostgreSQL port. */
  readonly connections: ec2.Connections;
}

/**
 * A security group for a function of `SupabaseDatabase` (`scope`): no rule by default; PostgreSQL to the instance
 * (the instance's group admits it in turn) and HTTPS to the AWS APIs.
 */
export function databaseFunctionSecurityGroup(scope: Construct, id: string, network: DatabaseFunctionNetwork, what: string): ec2.SecurityGroup {
  const group = new ec2.SecurityGroup(scope, id, {
    vpc: network.vpc,
    description: `${what} of ${scope.node.path}: PostgreSQL to the database, HTTPS to Secrets Manager and KMS`,
    allowAllOutbound: false,
  });
  group.addEgressRule(network.awsApiPeer, ec2.Port.tcp(443), 'HTTPS to Secrets Manager and KMS');
  network.connections.allowDefaultPortFrom(group, `PostgreSQL from the ${what.toLowerCase()}`);
  return group;
}

/**
 * The execution role and log group of a function of `SupabaseDatabase` that runs in the VPC and logs in to the
 * database (the bootstrap, the replica's status): it writes its own encrypted log group, reads `secretArns` and
 * decrypts them with `key` through Secrets Manager of this region, and manages its network interfaces. `vpcAccess`
 * is a child of the role: make the function depend on it, so that it is created only once Lambda may create them.
 */
export function databaseFunctionRole(scope: Construct, idPrefix: string, options: {
  readonly description: string;
  readonly secretArns: string[];
  readonly secretsSid: string;
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}): { role: iam.Role; logGroup: logs.LogGroup; vpcAccess: iam.Policy } {
  const { logGroup, role } = functionLogsAndRole(scope, {
    logGroupId: `${idPrefix}LogGroup`,
    roleId: `${idPrefix}Role`,
    description: options.description,
    retention: options.logRetention,
    encryptionKey: options.key,
    removalPolicy: options.removalPolicy,
    logsSid: 'WriteOwnLogs',
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: options.secretsSid,
    actions: ['secretsmanager:GetSecretValue'],
    resources: options.secretArns,
  }));
  role.addToPrincipalPolicy(keyUseThroughSecretsManager(scope, options.key, ['kms:Decrypt'], 'DecryptSecrets'));
  const vpcAccess = new iam.Policy(role, 'VpcAccess', {
    roles: [role],
    statements: [new iam.PolicyStatement({
      sid: 'ManageFunctionNetworkInterfaces',
      actions: [
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      resources: ['*'],
    })],
  });
  Validations.of(vpcAccess).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Lambda creates, describes and deletes the function\'s VPC network interfaces with its execution role; the interfaces do not exist before, their ids are unknown, and the Describe actions support no resource-level permissions, so Resource must be "*" (the same actions as AWSLambdaVPCAccessExecutionRole, without its logs wildcard).',
  });
  return { role, logGroup, vpcAccess };
}
