import {
  Duration,
  RemovalPolicy,
  aws_cloudwatch as cloudwatch,
  aws_events as events,
  aws_events_targets as targets,
  aws_iam as iam,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AlarmFactory } from './alarm-factory';
import { functionLogsAndRole } from '../../../private/function-role';
import { acknowledgeWildcardResources } from '../../../private/nag';
import type { SupabaseSecretReplication } from '../observability-props';
import { SecretReplicationCheckFunction } from '../secret-replication-check-function';

const NAMESPACE = 'Supabase/SecretReplication';
const METRIC = 'ReplicasNotInSync';

/**
 * The secret replication check: a function, run every five minutes, that counts the replicas not in sync
 * (src/supabase/observability/secret-replication-check.lambda.ts) and publishes the count, and the alarm on it. The alarm fires on
 * any such replica for 15 minutes, and when the count stops arriving (the check itself fails).
 */
export function addSecretReplicationCheck(scope: Construct, alarms: AlarmFactory, replication: SupabaseSecretReplication,
  removalPolicy: RemovalPolicy): void {
  const deployment = scope.node.path;
  const { logGroup, role } = functionLogsAndRole(scope, {
    logGroupId: 'SecretReplicationCheckLogs',
    roleId: 'SecretReplicationCheckRole',
    description: 'Checks the replication of the Supabase secrets to the disaster-recovery region',
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy,
  });
  // DescribeSecret returns the replication status and no secret value.
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['secretsmanager:DescribeSecret'],
    resources: replication.secrets.map((s) => s.secretArn),
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringEquals: { 'cloudwatch:namespace': NAMESPACE } },
  }));
  acknowledgeWildcardResources(role, ['*'],
    'cloudwatch:PutMetricData supports no resource-level permission; the condition limits it to the Supabase/SecretReplication namespace.');
  const fn = new SecretReplicationCheckFunction(scope, 'SecretReplicationCheck', {
    description: 'Counts the Supabase secret replicas that are not in sync, for the SecretReplicationFailed alarm',
    role,
    logGroup,
    timeout: Duration.minutes(1),
    memorySize: 256,
    environment: {
      SECRET_ARNS: replication.secrets.map((s) => s.secretArn).join(','),
      REGIONS: replication.regions.join(','),
      DEPLOYMENT: deployment,
    },
  });
  new events.Rule(scope, 'SecretReplicationSchedule', {
    description: 'Runs the Supabase secret replication check',
    schedule: events.Schedule.rate(Duration.minutes(5)),
    targets: [new targets.LambdaFunction(fn, { retryAttempts: 2 })],
  });
  alarms.add('SecretReplicationFailed',
    `Supabase secrets: a replica in ${replication.regions.join(', ')} is not in sync for 15 minutes, or the check stopped reporting`,
    new cloudwatch.Metric({
      namespace: NAMESPACE,
      metricName: METRIC,
      dimensionsMap: { Deployment: deployment },
      statistic: 'Maximum',
      period: Duration.minutes(5),
    }), 0, cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, { periods: 3, missing: cloudwatch.TreatMissingData.BREACHING });
}
