import {
  Annotations,
  ArnFormat,
  Duration,
  RemovalPolicy,
  Size,
  Stack,
  Token,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cloudwatchActions,
  aws_eks_v2 as eks,
  aws_elasticloadbalancingv2 as elbv2,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SupabaseCluster } from '../eks/supabase-cluster';
import { serviceAccountRole } from '../private/irsa-role';
import { allowCloudWatchLogs } from '../private/kms';
import { acknowledgeManagedPolicies } from '../private/nag';
import { SupabaseDatabase } from '../rds/supabase-database';
import { SupabaseStorage } from '../storage/supabase-storage';

/** The log groups the CloudWatch Observability add-on writes to, under `/aws/containerinsights/<cluster>/`. */
const CONTAINER_INSIGHTS_LOGS = ['application', 'dataplane', 'host', 'performance'];
/** The add-on's agent and Fluent Bit run as this service account. */
const AGENT_SERVICE_ACCOUNT = ['amazon-cloudwatch', 'cloudwatch-agent'] as const;
const FIVE_MINUTES = Duration.minutes(5);

/**
 * Alarm thresholds of {@link SupabaseObservability}. Every alarm fires after three consecutive five-minute periods
 * beyond its threshold (free storage and failed nodes: one period).
 */
export interface SupabaseAlarmThresholds {
  /** Average database CPU. @default 80 (percent) */
  readonly databaseCpuPercent?: number;
  /** Free database storage below this. @default Size.gibibytes(10) */
  readonly databaseFreeStorage?: Size;
  /** Freeable database memory below this. @default Size.mebibytes(256) */
  readonly databaseFreeableMemory?: Size;
  /**
   * Open database connections. Set it to about 80 % of your instance's `max_connections` (RDS derives it from the
   * instance's memory: about 410 on 4 GiB, 820 on 8 GiB).
   *
   * @default 320
   */
  readonly databaseConnections?: number;
  /** Average read latency. @default Duration.millis(20) */
  readonly databaseReadLatency?: Duration;
  /** Average write latency. @default Duration.millis(50) */
  readonly databaseWriteLatency?: Duration;
  /** Share of API requests answered with a 5xx, by the load balancer or Kong. @default 5 (percent) */
  readonly api5xxPercent?: number;
  /** The API's 95th-percentile response time, measured at the load balancer. @default Duration.seconds(2) */
  readonly apiResponseTime?: Duration;
  /** Failing nodes tolerated before the alarm. @default 0 */
  readonly failedNodes?: number;
  /** How full the node groups may get, as a share of their total maximum size. @default 100 (percent) */
  readonly nodeCapacityPercent?: number;
  /** Pending pods tolerated for 15 minutes. @default 0 */
  readonly podsPending?: number;
  /** Running pods that may stay not ready for 15 minutes. @default 0 */
  readonly podsNotReady?: number;
  /** Crash-looping containers tolerated for 15 minutes. @default 0 */
  readonly crashLoopingContainers?: number;
  /** How far a read replica may fall behind its primary (only for a replica). @default Duration.minutes(5) */
  readonly databaseReplicaLag?: Duration;
}

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
}

/**
 * What an operator needs to see whether Supabase is healthy without kubectl, and to be paged first: container logs
 * and metrics in CloudWatch (the Amazon CloudWatch Observability add-on with its own IRSA role, writing to
 * pre-created, KMS-encrypted log groups with a retention), alarms on the API, the database and the cluster sent to
 * an encrypted SNS topic, and one dashboard.
 *
 * | alarm | metric | fires when |
 * |---|---|---|
 * | database CPU | `AWS/RDS` `CPUUtilization` (average) | above 80 % for 15 minutes |
 * | database free storage | `FreeStorageSpace` (minimum) | below 10 GiB |
 * | database freeable memory | `FreeableMemory` (minimum) | below 256 MiB for 15 minutes |
 * | database connections | `DatabaseConnections` (maximum) | above 320 for 15 minutes |
 * | database read / write latency | `ReadLatency` / `WriteLatency` (average) | above 20 / 50 ms for 15 minutes |
 * | replica lag (read replicas) | `ReplicaLag` (maximum) | above 5 minutes for 15 minutes, or no data |
 * | failed nodes | `ContainerInsights` `cluster_failed_node_count` | any |
 * | node groups at capacity | `cluster_node_count` (maximum) | at the node groups' total maximum size for 15 minutes |
 * | pods pending | `pod_status_pending` (average) | any for 15 minutes: no capacity, or a pod that cannot be scheduled |
 * | pods not ready | `pod_status_running` - `pod_status_ready` | any running pod not ready for 15 minutes |
 * | crash loops | `pod_container_status_waiting_reason_crash_loop_back_off` | any for 15 minutes |
 * | API 5xx (with `loadBalancer`) | `AWS/ApplicationELB` 5xx of the load balancer and the targets / `RequestCount` | above 5 % for 15 minutes |
 * | API response time (with `loadBalancer`) | `TargetResponseTime` (p95) | above 2 s for 15 minutes |
 *
 * The cluster alarms count the whole cluster (Container Insights publishes these metrics per cluster, not per
 * namespace).
 */
export class SupabaseObservability extends Construct {
  /** The topic the alarms notify. */
  public readonly alarmTopic: sns.ITopic;
  /** Every alarm. */
  public readonly alarms: cloudwatch.Alarm[] = [];
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
    const thresholds = validateThresholds(this, props.thresholds ?? {});
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

    const db = props.database.instance;
    const identifier = db.instanceIdentifier;
    const rds = (metricName: string, statistic: string) => new cloudwatch.Metric({
      namespace: 'AWS/RDS', metricName, dimensionsMap: { DBInstanceIdentifier: identifier }, statistic, period: FIVE_MINUTES,
    });
    const alarm = (alarmId: string, description: string, metric: cloudwatch.IMetric, threshold: number,
      comparisonOperator: cloudwatch.ComparisonOperator, periods = 3, missing = cloudwatch.TreatMissingData.MISSING) => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator,
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
        treatMissingData: missing,
      });
      a.addAlarmAction(action);
      a.addOkAction(action);
      this.alarms.push(a);
      return a;
    };
    const above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    const below = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;

    alarm('DatabaseCpu', `Supabase database ${identifier}: CPU above ${thresholds.databaseCpuPercent} %`,
      rds('CPUUtilization', 'Average'), thresholds.databaseCpuPercent, above);
    alarm('DatabaseFreeStorage', `Supabase database ${identifier}: free storage below ${thresholds.databaseFreeStorage.toGibibytes()} GiB`,
      rds('FreeStorageSpace', 'Minimum'), thresholds.databaseFreeStorage.toBytes(), below, 1);
    alarm('DatabaseFreeableMemory', `Supabase database ${identifier}: freeable memory below ${thresholds.databaseFreeableMemory.toMebibytes()} MiB`,
      rds('FreeableMemory', 'Minimum'), thresholds.databaseFreeableMemory.toBytes(), below);
    alarm('DatabaseConnections', `Supabase database ${identifier}: more than ${thresholds.databaseConnections} connections`,
      rds('DatabaseConnections', 'Maximum'), thresholds.databaseConnections, above);
    alarm('DatabaseReadLatency', `Supabase database ${identifier}: read latency above ${thresholds.databaseReadLatency.toMilliseconds()} ms`,
      rds('ReadLatency', 'Average'), thresholds.databaseReadLatency.toMilliseconds() / 1000, above);
    alarm('DatabaseWriteLatency', `Supabase database ${identifier}: write latency above ${thresholds.databaseWriteLatency.toMilliseconds()} ms`,
      rds('WriteLatency', 'Average'), thresholds.databaseWriteLatency.toMilliseconds() / 1000, above);
    if (props.database.replicaSourceArn) {
      // A replica that stops reporting its lag has stopped replicating: missing data is an alarm too.
      alarm('DatabaseReplicaLag', `Supabase read replica ${identifier}: more than ${thresholds.databaseReplicaLag.toMilliseconds() / 1000} s behind its primary`,
        rds('ReplicaLag', 'Maximum'), thresholds.databaseReplicaLag.toMilliseconds() / 1000, above, 3, cloudwatch.TreatMissingData.BREACHING);
    }

    const alb = props.loadBalancer;
    if (alb) {
      const perPeriod = { period: FIVE_MINUTES, statistic: 'Sum' };
      alarm('Api5xx', `Supabase API: more than ${thresholds.api5xxPercent} % of requests answered with a 5xx`, new cloudwatch.MathExpression({
        expression: 'IF(requests > 0, 100 * (FILL(elb, 0) + FILL(target, 0)) / requests, 0)',
        usingMetrics: {
          requests: alb.metrics.requestCount(perPeriod),
          elb: alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, perPeriod),
          target: alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, perPeriod),
        },
        label: '5xx (%)',
        period: FIVE_MINUTES,
      }), thresholds.api5xxPercent, above);
      alarm('ApiResponseTime', `Supabase API: 95th-percentile response time above ${thresholds.apiResponseTime.toMilliseconds()} ms`,
        alb.metrics.targetResponseTime({ period: FIVE_MINUTES, statistic: 'p95' }), thresholds.apiResponseTime.toMilliseconds() / 1000, above);
    }

    const insights = (metricName: string, statistic: string) => new cloudwatch.Metric({
      namespace: 'ContainerInsights', metricName, dimensionsMap: { ClusterName: clusterName }, statistic, period: FIVE_MINUTES,
    });
    if (this.addon) {
      alarm('FailedNodes', `Supabase cluster ${clusterName}: more than ${thresholds.failedNodes} nodes failing`,
        insights('cluster_failed_node_count', 'Maximum'), thresholds.failedNodes, above, 1);
      const maxNodes = props.cluster.nodeGroups
        .map((group) => (group.node.defaultChild as eks.CfnNodegroup).scalingConfig as eks.CfnNodegroup.ScalingConfigProperty)
        .reduce((sum, config) => sum + (config.maxSize ?? 0), 0);
      const capacity = Math.ceil(maxNodes * thresholds.nodeCapacityPercent / 100);
      alarm('NodeGroupsAtCapacity', `Supabase cluster ${clusterName}: ${capacity} nodes or more, ${thresholds.nodeCapacityPercent} % of the node groups' maximum (${maxNodes})`,
        insights('cluster_node_count', 'Maximum'), capacity, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
      alarm('PodsPending', `Supabase cluster ${clusterName}: more than ${thresholds.podsPending} pods cannot be scheduled`,
        insights('pod_status_pending', 'Average'), thresholds.podsPending, above);
      alarm('PodsNotReady', `Supabase cluster ${clusterName}: more than ${thresholds.podsNotReady} running pods are not ready`, new cloudwatch.MathExpression({
        expression: 'running - ready',
        usingMetrics: { running: insights('pod_status_running', 'Average'), ready: insights('pod_status_ready', 'Average') },
        label: 'running pods not ready',
        period: FIVE_MINUTES,
      }), thresholds.podsNotReady, above);
      alarm('CrashLoops', `Supabase cluster ${clusterName}: more than ${thresholds.crashLoopingContainers} containers crash-looping`,
        insights('pod_container_status_waiting_reason_crash_loop_back_off', 'Maximum'), thresholds.crashLoopingContainers, above);
    }

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
      Annotations.of(this).addWarningV2('cdk-supabase-on-aws:observability-imported-topic',
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
    const role = serviceAccountRole(cluster, `${this.node.id}CloudWatchAgentRole`, namespace, account);
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

interface ResolvedThresholds {
  readonly databaseCpuPercent: number;
  readonly databaseFreeStorage: Size;
  readonly databaseFreeableMemory: Size;
  readonly databaseConnections: number;
  readonly databaseReadLatency: Duration;
  readonly databaseWriteLatency: Duration;
  readonly databaseReplicaLag: Duration;
  readonly api5xxPercent: number;
  readonly apiResponseTime: Duration;
  readonly failedNodes: number;
  readonly nodeCapacityPercent: number;
  readonly podsPending: number;
  readonly podsNotReady: number;
  readonly crashLoopingContainers: number;
}

function validateThresholds(scope: Construct, t: SupabaseAlarmThresholds): ResolvedThresholds {
  const cpu = t.databaseCpuPercent ?? 80;
  if (!Token.isUnresolved(cpu) && !(cpu > 0 && cpu < 100)) {
    throw new Error(`${scope.node.path}: \`thresholds.databaseCpuPercent\` must be between 0 and 100 (exclusive), got ${cpu}. Use e.g. 80.`);
  }
  const api5xx = t.api5xxPercent ?? 5;
  if (!Token.isUnresolved(api5xx) && !(api5xx > 0 && api5xx < 100)) {
    throw new Error(`${scope.node.path}: \`thresholds.api5xxPercent\` must be between 0 and 100 (exclusive), got ${api5xx}. Use e.g. 5.`);
  }
  const counts = {
    failedNodes: t.failedNodes ?? 0,
    podsPending: t.podsPending ?? 0,
    podsNotReady: t.podsNotReady ?? 0,
    crashLoopingContainers: t.crashLoopingContainers ?? 0,
  };
  for (const [name, value] of Object.entries(counts)) {
    if (!Token.isUnresolved(value) && !(Number.isInteger(value) && value >= 0)) {
      throw new Error(`${scope.node.path}: \`thresholds.${name}\` must be a whole number of at least 0, got ${value}.`);
    }
  }
  const nodeCapacity = t.nodeCapacityPercent ?? 100;
  if (!Token.isUnresolved(nodeCapacity) && !(nodeCapacity > 0 && nodeCapacity <= 100)) {
    throw new Error(`${scope.node.path}: \`thresholds.nodeCapacityPercent\` must be above 0 and at most 100, got ${nodeCapacity}. Use e.g. 90.`);
  }
  const connections = t.databaseConnections ?? 320;
  if (!Token.isUnresolved(connections) && !(Number.isInteger(connections) && connections > 0)) {
    throw new Error(`${scope.node.path}: \`thresholds.databaseConnections\` must be a positive whole number, got ${connections}. Use about 80 % of the instance's max_connections.`);
  }
  const durations = {
    databaseReadLatency: t.databaseReadLatency,
    databaseWriteLatency: t.databaseWriteLatency,
    databaseReplicaLag: t.databaseReplicaLag,
    apiResponseTime: t.apiResponseTime,
  };
  for (const [name, value] of Object.entries(durations)) {
    if (value && !value.isUnresolved() && value.toMilliseconds() <= 0) {
      throw new Error(`${scope.node.path}: \`thresholds.${name}\` must be longer than zero, got ${value.toHumanString()}.`);
    }
  }
  return {
    databaseCpuPercent: cpu,
    databaseFreeStorage: t.databaseFreeStorage ?? Size.gibibytes(10),
    databaseFreeableMemory: t.databaseFreeableMemory ?? Size.mebibytes(256),
    databaseConnections: connections,
    databaseReadLatency: t.databaseReadLatency ?? Duration.millis(20),
    databaseWriteLatency: t.databaseWriteLatency ?? Duration.millis(50),
    databaseReplicaLag: t.databaseReplicaLag ?? Duration.minutes(5),
    api5xxPercent: api5xx,
    apiResponseTime: t.apiResponseTime ?? Duration.seconds(2),
    nodeCapacityPercent: nodeCapacity,
    ...counts,
  };
}
