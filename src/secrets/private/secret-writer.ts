import { RemovalPolicy, aws_iam as iam, aws_kms as kms, aws_logs as logs, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { functionLogsAndRole } from '../../private/function-role';
import { keyUseThroughSecretsManager } from '../../private/kms';

/** What a function that generates a secret's value in AWS needs. */
export interface SecretWriterOptions {
  /** What the function does, as its role's description says it. */
  readonly description: string;
  /** The secret it reads and writes. */
  readonly secret: secretsmanager.ISecret;
  /** The key that encrypts the secret. */
  readonly encryptionKey: kms.IKey;
  /** Of the function's log group, like the secrets'. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The log group (`Logs`) and role (`Role`) under `scope` of a custom resource's function that writes the value of one
 * secret: the role may write its logs, read and write that secret, and use the key only through Secrets Manager.
 */
export function secretWriterLogsAndRole(scope: Construct, options: SecretWriterOptions): { logGroup: logs.LogGroup; role: iam.Role } {
  const { logGroup, role } = functionLogsAndRole(scope, {
    logGroupId: 'Logs',
    roleId: 'Role',
    description: options.description,
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: options.removalPolicy,
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
    resources: [options.secret.secretArn],
  }));
  role.addToPrincipalPolicy(keyUseThroughSecretsManager(scope, options.encryptionKey, ['kms:Decrypt', 'kms:GenerateDataKey']));
  return { logGroup, role };
}
