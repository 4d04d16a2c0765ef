import {
  RemovalPolicy,
  Stack,
  Validations,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

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
  const logGroup = new logs.LogGroup(scope, `${idPrefix}LogGroup`, {
    retention: options.logRetention,
    encryptionKey: options.key,
    removalPolicy: options.removalPolicy,
  });
  const role = new iam.Role(scope, `${idPrefix}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: options.description,
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'WriteOwnLogs',
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: options.secretsSid,
    actions: ['secretsmanager:GetSecretValue'],
    resources: options.secretArns,
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'DecryptSecrets',
    actions: ['kms:Decrypt'],
    resources: [options.key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com` } },
  }));
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
