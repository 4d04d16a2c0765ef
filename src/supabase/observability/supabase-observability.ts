import { RemovalPolicy, Stack, aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as cloudwatchActions, aws_eks_v2 as eks, aws_kms as kms, aws_logs as logs, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SupabaseObservabilityProps } from './observability-props';
import { AlarmFactory } from './private/alarm-factory';
import { alarmTopic } from './private/alarm-topic';
import { addClusterAlarms } from './private/cluster-alarms';
import { addContainerInsights } from './private/container-insights';
import { addDashboard } from './private/dashboard';
import { addDatabaseAlarms } from './private/database-alarms';
import { addLoadBalancerAlarms } from './private/load-balancer-alarms';
import { addProxyAlarms } from './private/proxy-alarms';
import { resolveThresholds } from './private/resolve-thresholds';
import { addSecretReplicationCheck } from './private/secret-replication-check';
import { addStorageAlarms } from './private/storage-alarms';
import { checkKey } from '../../private/arn-checks';
import { allowCloudWatchLogs, createKey } from '../../private/kms';
import { checkOtherRegions } from '../../private/regions';

/**
 * Container logs and metrics in CloudWatch (the CloudWatch Observability add-on), alarms on the database, the RDS
 * Proxy, the API, the cluster and replication, sent to an encrypted SNS topic when they fire and when they recover,
 * and one dashboard. See docs/operations.md for each alarm's metric, period and threshold.
 *
 * @example
 * new SupabaseObservability(this, 'Observability', { cluster, database, alarmEmails: ['oncall@example.com'] });
 */
export class SupabaseObservability extends Construct {
  /** The topic the alarms notify. */
  public readonly alarmTopic: sns.ITopic;
  /** Every alarm. */
  public readonly alarms: cloudwatch.Alarm[];
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The key of the log groups and the topic, when this construct encrypts anything. */
  public readonly encryptionKey: kms.IKey;
  /** The Container Insights log groups; empty without `containerInsights`. */
  public readonly logGroups: logs.ILogGroup[] = [];
  /** The CloudWatch Observability add-on; undefined without `containerInsights`. */
  public readonly addon?: eks.Addon;

  constructor(scope: Construct, id: string, props: SupabaseObservabilityProps) {
    super(scope, id);
    const thresholds = resolveThresholds(this, props.thresholds ?? {});
    checkKey(this, 'encryptionKey', props.encryptionKey, { regionWhy: 'CloudWatch Logs and SNS use keys of their own region' });
    checkOtherRegions(this, 'secretReplication.regions', props.secretReplication?.regions ?? [], Stack.of(this).region, '');
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.encryptionKey = props.encryptionKey ?? createKey(this, 'Key', {
      description: `Encrypts the container logs and the alarm topic of ${this.node.path}`,
      purpose: 'observability',
      removalPolicy,
    });
    allowCloudWatchLogs(this, this.encryptionKey);
    this.alarmTopic = alarmTopic(this, this.encryptionKey, props.alarmTopic, props.alarmEmails ?? []);
    const action = new cloudwatchActions.SnsAction(this.alarmTopic);

    if (props.containerInsights ?? true) {
      this.addon = addContainerInsights(this, props.cluster, {
        encryptionKey: this.encryptionKey,
        retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
        removalPolicy,
      }, this.logGroups);
    }

    const alarms = new AlarmFactory(this, action);
    addDatabaseAlarms(alarms, props.database, thresholds);
    addProxyAlarms(alarms, props.database, thresholds);
    if (props.loadBalancer) {
      addLoadBalancerAlarms(alarms, props.loadBalancer, props.targetGroup, thresholds);
    }
    if (this.addon) {
      addClusterAlarms(alarms, props.cluster, thresholds);
    }
    if (props.storage) {
      addStorageAlarms(alarms, props.storage, thresholds);
    }
    if (props.secretReplication && props.secretReplication.secrets.length > 0) {
      addSecretReplicationCheck(this, alarms, props.secretReplication, removalPolicy);
    }
    this.alarms = alarms.alarms;
    this.dashboard = addDashboard(this, props, this.alarms, this.addon !== undefined);
  }
}
