import {
  ArnFormat,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cloudwatchActions,
  aws_eks_v2 as eks,
  aws_elasticloadbalancingv2 as elbv2,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
  aws_secretsmanager as secretsmanager,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  AlarmFactory,
  addApiAlarms,
  addClusterAlarms,
  addDatabaseAlarms,
  addProxyAlarms,
  addStorageAlarms,
  insightsMetric,
  rdsMetric,
  resolveThresholds,
} from './private/alarm-factory';
import { addSecretReplicationCheck } from './private/secret-replication-check';
import { SupabaseAlarmThresholds } from './thresholds';
import { SupabaseCluster } from '../../eks/supabase-cluster';
import { allowCloudWatchLogs } from '../../private/kms';
import { acknowledgeManagedPolicies } from '../../private/nag';
import { WARNINGS, warn } from '../../private/warnings';
import { SupabaseDatabase } from '../../rds/supabase-database';
import { SupabaseStorage } from '../../storage/supabase-storage';

/** The log groups the CloudWatch Observability add-on writes to, under `/aws/containerinsights/<cluster>/`. */
const CONTAINER_INSIGHTS_LOGS = ['application', 'dataplane', 'host', 'performance'];
/** The add-on's agent and Fluent Bit run as this service account. */
const AGENT_SERVICE_ACCOUNT = ['amazon-cloudwatch', 'cloudwatch-agent'] as const;
const FIVE_MINUTES = Duration.minutes(5);

/**
 * The settings of a {@link SupabaseObservability} other than the parts it watches: what `SupabaseOnAws` takes.
 */
export interface SupabaseObservabilityOptions {
  /**
   * The SNS topic the alarms notify (subscribe your on-call tool to it). A topic defined in this app gets a policy
   * statement that lets this account's CloudWatch alarms publish to it; an imported topic's policy must allow that
   * itself (a warning says so). Otherwise a new topic, encrypted with this construct's key, which CloudWatch may use.
   *
   * @default - a new topic, encrypted with `encryptionKey`, TLS only, that this account's alarms may publish to
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Email addresses subscribed to the alarm topic. Each receives a confirmation email from SNS on the first
   * deployment and is notified only after confirming it.
   *
   * @default - no subscription: subscribe your on-call tool to `alarmTopic`
   */
  readonly alarmEmails?: string[];

  /** The alarms' thresholds. @default - see SupabaseAlarmThresholds */
  readonly thresholds?: SupabaseAlarmThresholds;

  /**
   * Whether the Amazon CloudWatch Observability add-on collects the containers' logs (Fluent Bit) and metrics
   * (Container Insights with enhanced observability) into KMS-encrypted log groups. Without it there are no
   * cluster alarms or cluster widgets.
   *
   * @default true
   */
  readonly containerInsights?: boolean;

  /** How long the container log groups keep their logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The key that encrypts the container log groups and the alarm topic. A key defined in this app gets the policy
   * statements that let CloudWatch Logs and CloudWatch alarms use it; an imported key's policy cannot be changed
   * here, so it is an error unless `alarmTopic` is given too (create that topic with a key whose policy allows
   * `cloudwatch.amazonaws.com` `kms:Decrypt` and `kms:GenerateDataKey*`).
   *
   * @default - a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the log groups and the key this construct creates when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /** The dashboard's name. @default - derived from the cluster's name, e.g. `Supabase-<cluster>` */
  readonly dashboardName?: string;
}

/**
 * Secrets replicated to other regions, checked by {@link SupabaseObservability}.
 */
export interface SupabaseSecretReplication {
  /** The primary secrets (in this stack's region). */
  readonly secrets: secretsmanager.ISecret[];
  /** The regions each must have an in-sync replica in. */
  readonly regions: string[];
}

/**
 * Properties of a {@link SupabaseObservability}.
 */
export interface SupabaseObservabilityProps extends SupabaseObservabilityOptions {
  /** The cluster whose nodes and pods are watched (and where the add-on goes). */
  readonly cluster: SupabaseCluster;
  /** The database whose health is watched. */
  readonly database: SupabaseDatabase;
  /** The Storage bucket shown on the dashboard. @default - no Storage widgets */
  readonly storage?: SupabaseStorage;
  /** The public load balancer in front of the API gateway. @default - no API alarms or widgets */
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;
  /**
   * The load balancer's target group of the API gateway's pods, for the alarm on a full outage (no healthy target).
   *
   * @default - no outage alarm
   */
  readonly targetGroup?: elbv2.IApplicationTargetGroup;
  /**
   * Secrets replicated to the disaster-recovery region. Secrets Manager publishes no metric for replication, so a
   * function checks every replica's status every five minutes, publishes how many are not in sync
   * (`Supabase/SecretReplication` `ReplicasNotInSync`), and an alarm fires on any (or when the check stops).
   *
   * @default - no check
   */
  readonly secretReplication?: SupabaseSecretReplication;
}

/**
 * What an operator needs to see whether Supabase is healthy without kubectl, and to be paged first: container logs
 * and metrics in CloudWatch (the Amazon CloudWatch Observability add-on with its own IRSA role, writing to
 * pre-created, KMS-encrypted log groups with a retention), alarms on the API, the database and the cluster sent to
 * an encrypted SNS topic, and one dashboard.
 *
 * The alarms: the database (CPU, free storage, freeable memory, connections, read and write latency; a replica's
 * lag), the RDS Proxy (connections it cannot open, clients it refuses, borrow latency), the API at the load
 * balancer (no healthy Kong pod, the 5xx share, the p95 response time), the cluster (Container Insights' heartbeat,
 * failing and NotReady nodes, node groups at capacity, pending, unready and crash-looping pods, as counts), and
 * Storage replication (failed operations at the source, latency at the destination). The README's Observability
 * section gives each one's metric, statistic, period and threshold. Each notifies the topic when it fires and when it
 * recovers; alarms on metrics published only when something happens treat no data as no trouble, so they recover.
 *
 * The cluster alarms count the whole cluster (Container Insights publishes these metrics per cluster, not per
 * namespace).
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
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const clusterName = props.cluster.clusterName;

    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `Encrypts the container logs and the alarm topic of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    allowCloudWatchLogs(this, this.encryptionKey);
    this.alarmTopic = props.alarmTopic ?? this.createTopic();
    this.allowAlarmsToPublish(this.alarmTopic);
    for (const [i, email] of (props.alarmEmails ?? []).entries()) {
      if (!Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
        throw new Error(`${this.node.path}: \`alarmEmails[${i}]\` is not an email address, got '${email}'. Use e.g. 'oncall@example.com'.`);
      }
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    const action = new cloudwatchActions.SnsAction(this.alarmTopic);

    if (props.containerInsights ?? true) {
      this.addon = this.addContainerInsights(props.cluster, props.logRetention ?? logs.RetentionDays.ONE_MONTH, removalPolicy);
    }

    const alarms = new AlarmFactory(this, action);
    addDatabaseAlarms(alarms, props.database, thresholds);
    addProxyAlarms(alarms, props.database, thresholds);
    const alb = props.loadBalancer;
    if (alb) {
      addApiAlarms(alarms, alb, props.targetGroup, thresholds);
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
    const rds = (name: string, statistic: string) => rdsMetric(props.database, name, statistic);
    const insights = (name: string, statistic: string) => insightsMetric(props.cluster, name, statistic);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? `Supabase-${clusterName}`.slice(0, 255),
      defaultInterval: Duration.hours(3),
    });
    const graph = (title: string, metrics: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left: metrics, right, width: 8, height: 6 });
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 3 }));
    if (alb) {
      const sum = { period: FIVE_MINUTES, statistic: 'Sum' };
      this.dashboard.addWidgets(
        graph('API requests', [alb.metrics.requestCount(sum)]),
        graph('API errors', [alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, sum), alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, sum),
          alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_4XX_COUNT, sum)]),
        graph('API response time (s)', [alb.metrics.targetResponseTime({ period: FIVE_MINUTES, statistic: 'p50' }),
          alb.metrics.targetResponseTime({ period: FIVE_MINUTES, statistic: 'p95' })]),
      );
    }
    this.dashboard.addWidgets(
      graph('Database CPU (%) and connections', [rds('CPUUtilization', 'Average')], [rds('DatabaseConnections', 'Maximum')]),
      graph('Database free storage and memory (bytes)', [rds('FreeStorageSpace', 'Minimum'), rds('FreeableMemory', 'Minimum')]),
      graph('Database latency (s)', [rds('ReadLatency', 'Average'), rds('WriteLatency', 'Average'),
        ...(props.database.replicaSourceArn ? [rds('ReplicaLag', 'Maximum')] : [])]),
    );
    if (this.addon) {
      this.dashboard.addWidgets(
        graph('Cluster nodes', [insights('cluster_node_count', 'Maximum'), insights('cluster_failed_node_count', 'Maximum')]),
        graph('Cluster pods', [insights('pod_status_running', 'Average'), insights('pod_status_ready', 'Average'),
          insights('pod_status_pending', 'Average'), insights('pod_container_status_waiting_reason_crash_loop_back_off', 'Maximum')]),
        graph('Node CPU and memory (%)', [insights('node_cpu_utilization', 'Average'), insights('node_memory_utilization', 'Average')]),
      );
    }
    if (props.storage) {
      const s3 = (metricName: string, storageType: string) => new cloudwatch.Metric({
        namespace: 'AWS/S3',
        metricName,
        statistic: 'Average',
        period: Duration.days(1),
        dimensionsMap: { BucketName: props.storage!.bucket.bucketName, StorageType: storageType },
      });
      this.dashboard.addWidgets(
        graph('Storage bucket size (bytes, daily)', [s3('BucketSizeBytes', 'StandardStorage')]),
        graph('Storage objects (daily)', [s3('NumberOfObjects', 'AllStorageTypes')]),
      );
    }
  }

  private createTopic(): sns.Topic {
    // CloudWatch publishes to an encrypted topic only with a customer managed key that lets it (alias/aws/sns does not).
    const { statementAdded } = this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
    }));
    if (!statementAdded) {
      throw new Error(`${this.node.path}: \`encryptionKey\` is imported, so its key policy cannot be given the statement that lets CloudWatch alarms use it, and the alarm topic encrypted with it would take no notification. `
        + 'Pass a key defined in this app, or create the topic yourself with a key whose policy allows cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*, and pass it as `alarmTopic`.');
    }
    return new sns.Topic(this, 'AlarmTopic', {
      displayName: `Supabase alarms of ${this.node.path}`,
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
  }

  /**
   * Lets this account's CloudWatch alarms in this region publish to the topic. A topic policy replaces SNS's default
   * one (which lets the account's principals publish), so without this statement a topic with any policy, such as
   * the TLS-only one, refuses every alarm notification.
   */
  private allowAlarmsToPublish(topic: sns.ITopic): void {
    const stack = Stack.of(this);
    const { statementAdded } = topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsOfThisAccount',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
      },
    }));
    if (!statementAdded) {
      warn(this, WARNINGS.observabilityImportedTopic,
        'The alarm topic is imported, so its policy cannot be checked or changed here: it must allow cloudwatch.amazonaws.com to sns:Publish (for this account\'s alarms), and its KMS key, if any, must let cloudwatch.amazonaws.com use it. Otherwise no alarm notifies anyone.');
    }
  }

  /**
   * The Amazon CloudWatch Observability add-on, with an IRSA role for its agent and Fluent Bit, after its log groups
   * exist (created here with a retention and the key; the agent only creates missing ones).
   */
  private addContainerInsights(cluster: SupabaseCluster, retention: logs.RetentionDays, removalPolicy: RemovalPolicy): eks.Addon {
    for (const name of CONTAINER_INSIGHTS_LOGS) {
      this.logGroups.push(new logs.LogGroup(this, `${name.charAt(0).toUpperCase()}${name.slice(1)}Logs`, {
        logGroupName: `/aws/containerinsights/${cluster.clusterName}/${name}`,
        retention,
        encryptionKey: this.encryptionKey,
        removalPolicy,
      }));
    }
    // In the cluster's scope, beside the cluster's other IRSA roles and the function that resolves their trust.
    const [namespace, account] = AGENT_SERVICE_ACCOUNT;
    const role = cluster.addServiceAccountRole(`${this.node.id}CloudWatchAgentRole`, { namespace, name: account });
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchAgentServerPolicy'));
    acknowledgeManagedPolicies(role, {
      CloudWatchAgentServerPolicy: 'The CloudWatch Observability add-on is documented with the AWS managed policy CloudWatchAgentServerPolicy (metrics, logs and the EC2 tags its agent reads); AWS keeps it in step with the agent, and only the add-on\'s service account can assume this role.',
    });
    const addon = new eks.Addon(this, 'Addon', {
      cluster: cluster.cluster,
      addonName: 'amazon-cloudwatch-observability',
      preserveOnDelete: false,
      // Application Signals would add X-Ray permissions and instrument pods; Supabase's services are not instrumented.
      configurationValues: { containerLogs: { enabled: true } },
    });
    const resource = addon.node.defaultChild as eks.CfnAddon;
    resource.serviceAccountRoleArn = role.roleArn;
    resource.resolveConflicts = 'OVERWRITE';
    addon.node.addDependency(...this.logGroups, ...cluster.nodeGroups);
    return addon;
  }
}
