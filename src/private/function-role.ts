import { RemovalPolicy, aws_iam as iam, aws_kms as kms, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** What {@link functionLogsAndRole} needs to know. */
export interface FunctionLogsAndRoleOptions {
  /** The ids of the log group and of the role under `scope`. */
  readonly logGroupId: string;
  readonly roleId: string;
  /** What the function does, as the role's description says it. */
  readonly description: string;
  readonly retention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** The key of the log group. @default - CloudWatch Logs' own encryption */
  readonly encryptionKey?: kms.IKey;
  /** The sid of the statement that lets the role write its logs. @default - none */
  readonly logsSid?: string;
}

/**
 * A Lambda function's log group, created first so it has a retention, and its execution role, which may write to that
 * log group and nothing else yet: the caller adds what the function needs.
 */
export function functionLogsAndRole(scope: Construct, options: FunctionLogsAndRoleOptions): { logGroup: logs.LogGroup; role: iam.Role } {
  const logGroup = new logs.LogGroup(scope, options.logGroupId, {
    retention: options.retention,
    encryptionKey: options.encryptionKey,
    removalPolicy: options.removalPolicy,
  });
  const role = new iam.Role(scope, options.roleId, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: options.description,
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: options.logsSid,
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  }));
  return { logGroup, role };
}
