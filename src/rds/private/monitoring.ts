import {
  RemovalPolicy,
  Validations,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Both log types RDS for PostgreSQL can export: the server log and the major-version upgrade log. */
export const LOG_EXPORTS = ['postgresql', 'upgrade'];

/** How the exported logs are kept. */
export interface ExportLogSettings {
  readonly key: kms.IKey;
  readonly retention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The log groups of {@link LOG_EXPORTS} for the instance `identifier`, made before it. RDS creates
 * /aws/rds/instance/<identifier>/<log> when it first exports to it, unencrypted and kept forever. Creating the
 * groups first, named after a known identifier, gives them a retention and the key without the LogRetention custom
 * resource (another Lambda function with an AWS managed policy) that `cloudwatchLogsRetention` would add.
 */
export function createExportLogGroups(scope: Construct, identifier: string, settings: ExportLogSettings): logs.LogGroup[] {
  return LOG_EXPORTS.map((log) => new logs.LogGroup(scope, `${log.charAt(0).toUpperCase()}${log.slice(1)}LogGroup`, {
    logGroupName: `/aws/rds/instance/${identifier}/${log}`,
    retention: settings.retention,
    encryptionKey: settings.key,
    removalPolicy: settings.removalPolicy,
  }));
}

/** The role of RDS Enhanced Monitoring for the database `scope`. */
export function enhancedMonitoringRole(scope: Construct): iam.Role {
  const role = new iam.Role(scope, 'MonitoringRole', {
    assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
    description: `Enhanced Monitoring of the Supabase database ${scope.node.path}`,
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
    reason: 'RDS Enhanced Monitoring is documented with the AWS managed policy AmazonRDSEnhancedMonitoringRole, which only lets the monitoring agent create and write the RDS* log groups (RDSOSMetrics); AWS keeps it in step with the agent, and the role can be assumed by monitoring.rds.amazonaws.com only.',
  });
  return role;
}
