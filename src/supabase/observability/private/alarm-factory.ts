import {
  Duration,
  Size,
  Token,
  aws_cloudwatch as cloudwatch,
  aws_eks_v2 as eks,
  aws_elasticloadbalancingv2 as elbv2,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SupabaseCluster } from '../../../eks/supabase-cluster';
import { SupabaseDatabase } from '../../../rds/supabase-database';
import { SupabaseStorage } from '../../../storage/supabase-storage';
import { SupabaseAlarmThresholds } from '../thresholds';

const FIVE_MINUTES = Duration.minutes(5);
const ONE_MINUTE = Duration.minutes(1);
const above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
const below = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;
/** Sparse metrics (published only when something happens): no data is no trouble, and lets the alarm recover. */
const SPARSE = cloudwatch.TreatMissingData.NOT_BREACHING;

/** The thresholds with their defaults. */
export type ResolvedThresholds = Required<SupabaseAlarmThresholds>;

/** How an alarm evaluates: `datapoints` of the last `periods` periods beyond the threshold; no data as `missing`. */
interface Evaluation {
  readonly periods?: number;
  readonly datapoints?: number;
  readonly missing?: cloudwatch.TreatMissingData;
}

/** Makes the alarms of one construct, each notifying `action` when it fires and when it recovers. */
export class AlarmFactory {
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(private readonly scope: Construct, private readonly action: cloudwatch.IAlarmAction) {}

  public add(id: string, description: string, metric: cloudwatch.IMetric, threshold: number,
    comparisonOperator: cloudwatch.ComparisonOperator, evaluation: Evaluation = {}): cloudwatch.Alarm {
    const periods = evaluation.periods ?? 3;
    const alarm = new cloudwatch.Alarm(this.scope, id, {
      alarmDescription: description,
      metric,
      threshold,
      comparisonOperator,
      evaluationPeriods: periods,
      datapointsToAlarm: evaluation.datapoints ?? periods,
      treatMissingData: evaluation.missing ?? cloudwatch.TreatMissingData.MISSING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }
}

/** A metric of the database instance (`AWS/RDS`, five-minute periods). */
export function rdsMetric(database: SupabaseDatabase, metricName: string, statistic: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/RDS', metricName, dimensionsMap: { DBInstanceIdentifier: database.instanceIdentifier }, statistic, period: FIVE_MINUTES,
  });
}

/** A Container Insights metric of the whole cluster (`ClusterName` alone). */
export function insightsMetric(cluster: SupabaseCluster, metricName: string, statistic: string, period = FIVE_MINUTES): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: 'ContainerInsights', metricName, dimensionsMap: { ClusterName: cluster.clusterName }, statistic, period });
}

/** The database instance's alarms, and a replica's lag. */
export function addDatabaseAlarms(f: AlarmFactory, database: SupabaseDatabase, t: ResolvedThresholds): void {
  const id = database.instanceIdentifier;
  const rds = (name: string, statistic: string) => rdsMetric(database, name, statistic);
  f.add('DatabaseCpu', `Supabase database ${id}: CPU above ${t.databaseCpuPercent} %`, rds('CPUUtilization', 'Average'), t.databaseCpuPercent, above);
  f.add('DatabaseFreeStorage', `Supabase database ${id}: free storage below ${t.databaseFreeStorage.toGibibytes()} GiB`,
    rds('FreeStorageSpace', 'Minimum'), t.databaseFreeStorage.toBytes(), below, { periods: 1 });
  f.add('DatabaseFreeableMemory', `Supabase database ${id}: freeable memory below ${t.databaseFreeableMemory.toMebibytes()} MiB`,
    rds('FreeableMemory', 'Minimum'), t.databaseFreeableMemory.toBytes(), below);
  f.add('DatabaseConnections', `Supabase database ${id}: more than ${t.databaseConnections} connections`,
    rds('DatabaseConnections', 'Maximum'), t.databaseConnections, above);
  f.add('DatabaseReadLatency', `Supabase database ${id}: read latency above ${t.databaseReadLatency.toMilliseconds()} ms`,
    rds('ReadLatency', 'Average'), t.databaseReadLatency.toMilliseconds() / 1000, above);
  f.add('DatabaseWriteLatency', `Supabase database ${id}: write latency above ${t.databaseWriteLatency.toMilliseconds()} ms`,
    rds('WriteLatency', 'Average'), t.databaseWriteLatency.toMilliseconds() / 1000, above);
  if (database.replicaSourceArn) {
    // RDS reports -1 when it cannot determine the lag (a replica in error, or not yet caught up): counted as a day.
    // A replica that stops reporting has stopped replicating: no data fires too.
    f.add('DatabaseReplicaLag', `Supabase read replica ${id}: more than ${t.databaseReplicaLag.toSeconds()} s behind its primary, or its lag unknown`,
      new cloudwatch.MathExpression({
        expression: 'IF(lag < 0, 86400, lag)',
        usingMetrics: { lag: rds('ReplicaLag', 'Maximum') },
        label: 'replica lag (s; unknown counted as a day)',
        period: FIVE_MINUTES,
      }), t.databaseReplicaLag.toSeconds(), above, { missing: cloudwatch.TreatMissingData.BREACHING });
  }
}

/** The RDS Proxy's alarms (its `ProxyName` dimension): connections it cannot open, clients it refuses, slow borrowing. */
export function addProxyAlarms(f: AlarmFactory, database: SupabaseDatabase, t: ResolvedThresholds): void {
  const proxy = database.proxy;
  if (!proxy) {
    return;
  }
  const metric = (metricName: string, statistic: string) => new cloudwatch.Metric({
    namespace: 'AWS/RDS', metricName, dimensionsMap: { ProxyName: proxy.dbProxyName }, statistic, period: FIVE_MINUTES,
  });
  f.add('ProxyConnectionsSetupFailed', `Supabase RDS Proxy ${proxy.dbProxyName}: it failed to open connections to the database`,
    metric('DatabaseConnectionsSetupFailed', 'Sum'), 0, above, { periods: 1, missing: SPARSE });
  f.add('ProxyClientAuthFailures', `Supabase RDS Proxy ${proxy.dbProxyName}: clients refused (authentication or TLS) for 15 minutes`,
    metric('ClientConnectionsSetupFailedAuth', 'Sum'), 0, above, { missing: SPARSE });
  f.add('ProxyBorrowLatency', `Supabase RDS Proxy ${proxy.dbProxyName}: getting a database connection takes more than ${t.proxyBorrowLatency.toMilliseconds()} ms`,
    metric('DatabaseConnectionsBorrowLatency', 'Average'), t.proxyBorrowLatency.toMilliseconds() * 1000, above, { missing: SPARSE });
}

/** The API's alarms at the load balancer: no healthy Kong pod, the 5xx share, the p95 response time. */
export function addApiAlarms(f: AlarmFactory, alb: elbv2.IApplicationLoadBalancer, targetGroup: elbv2.IApplicationTargetGroup | undefined,
  t: ResolvedThresholds): void {
  if (targetGroup) {
    // With no healthy target the load balancer answers 503 itself, and RequestCount (only requests with a target) is
    // not reported: the 5xx share alone cannot see a full outage. No data (no target registered at all) fires too.
    f.add('ApiUnavailable', 'Supabase API: no healthy Kong pod behind the load balancer for 3 minutes',
      targetGroup.metrics.healthyHostCount({ period: ONE_MINUTE, statistic: 'Minimum' }), 1, below, { missing: cloudwatch.TreatMissingData.BREACHING });
  }
  const sum = { period: FIVE_MINUTES, statistic: 'Sum' };
  const errors = new cloudwatch.MathExpression({
    expression: 'FILL(elb, 0) + FILL(target, 0)',
    usingMetrics: {
      elb: alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, sum),
      target: alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, sum),
    },
    period: FIVE_MINUTES,
  });
  // Missing counts as zero: 5xx without a counted request (the load balancer's own 503s) are 100 %, and quiet periods
  // are 0 %, so the alarm recovers.
  f.add('Api5xx', `Supabase API: more than ${t.api5xxPercent} % of requests answered with a 5xx`, new cloudwatch.MathExpression({
    expression: 'IF(FILL(requests, 0) > errors, 100 * errors / FILL(requests, 0), IF(errors > 0, 100, 0))',
    usingMetrics: { requests: alb.metrics.requestCount(sum), errors },
    label: '5xx (%)',
    period: FIVE_MINUTES,
  }), t.api5xxPercent, above, { missing: SPARSE });
  f.add('ApiResponseTime', `Supabase API: 95th-percentile response time above ${t.apiResponseTime.toMilliseconds()} ms`,
    alb.metrics.targetResponseTime({ period: FIVE_MINUTES, statistic: 'p95' }), t.apiResponseTime.toMilliseconds() / 1000, above, { missing: SPARSE });
}

/**
 * The cluster's alarms, from Container Insights (one record per pod or node per minute at the `ClusterName`
 * dimension, so their one-minute Sum is a count; `cluster_*` metrics are one value per minute from the agent's
 * leader).
 */
export function addClusterAlarms(f: AlarmFactory, cluster: SupabaseCluster, t: ResolvedThresholds): void {
  const name = cluster.clusterName;
  const perMinute = (metricName: string, statistic: string) => insightsMetric(cluster, metricName, statistic, ONE_MINUTE);
  const fifteenMinutes = { periods: 15, missing: SPARSE };
  f.add('MetricsHeartbeat', `Supabase cluster ${name}: Container Insights has reported nothing for 5 minutes, so the cluster alarms cannot see it`,
    perMinute('cluster_node_count', 'SampleCount'), 1, below, { periods: 5, missing: cloudwatch.TreatMissingData.BREACHING });
  // Memory, disk or PID pressure, an unavailable network, or a kubelet that stopped reporting (conditions Unknown).
  f.add('FailedNodes', `Supabase cluster ${name}: more than ${t.failedNodes} nodes failing`,
    insightsMetric(cluster, 'cluster_failed_node_count', 'Maximum'), t.failedNodes, above, { periods: 1, missing: SPARSE });
  f.add('NodesNotReady', `Supabase cluster ${name}: more than ${t.failedNodes} nodes NotReady for 5 minutes`, new cloudwatch.MathExpression({
    expression: 'nodes - ready',
    usingMetrics: { nodes: perMinute('cluster_node_count', 'Maximum'), ready: perMinute('node_status_condition_ready', 'Sum') },
    label: 'nodes not ready',
    period: ONE_MINUTE,
  }), t.failedNodes, above, { periods: 5, missing: SPARSE });
  const maxNodes = cluster.nodeGroups
    .map((group) => (group.node.defaultChild as eks.CfnNodegroup).scalingConfig as eks.CfnNodegroup.ScalingConfigProperty)
    .reduce((total, config) => total + (config.maxSize ?? 0), 0);
  const capacity = Math.ceil(maxNodes * t.nodeCapacityPercent / 100);
  f.add('NodeGroupsAtCapacity', `Supabase cluster ${name}: ${capacity} nodes or more, ${t.nodeCapacityPercent} % of the node groups' maximum (${maxNodes})`,
    insightsMetric(cluster, 'cluster_node_count', 'Maximum'), capacity, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
  f.add('PodsPending', `Supabase cluster ${name}: more than ${t.podsPending} pods cannot be scheduled`,
    perMinute('pod_status_pending', 'Sum'), t.podsPending, above, fifteenMinutes);
  f.add('PodsNotReady', `Supabase cluster ${name}: more than ${t.podsNotReady} running pods are not ready`, new cloudwatch.MathExpression({
    expression: 'running - ready',
    usingMetrics: { running: perMinute('pod_status_running', 'Sum'), ready: perMinute('pod_status_ready', 'Sum') },
    label: 'running pods not ready',
    period: ONE_MINUTE,
  }), t.podsNotReady, above, fifteenMinutes);
  f.add('CrashLoops', `Supabase cluster ${name}: more than ${t.crashLoopingContainers} containers crash-looping`,
    perMinute('pod_container_status_waiting_reason_crash_loop_back_off', 'Sum'), t.crashLoopingContainers, above, fifteenMinutes);
}

/**
 * Storage replication: failed operations where the bucket replicates (published in its region), the latency where
 * a bucket is replicated into (published in that region).
 */
export function addStorageAlarms(f: AlarmFactory, storage: SupabaseStorage, t: ResolvedThresholds): void {
  const metric = (metricName: string, statistic: string, dimensionsMap: Record<string, string>) => new cloudwatch.Metric({
    namespace: 'AWS/S3', metricName, dimensionsMap, statistic, period: FIVE_MINUTES,
  });
  const rule = SupabaseStorage.REPLICATION_RULE_ID;
  const destination = storage.replicationDestination;
  if (destination) {
    f.add('StorageReplicationFailed', `Supabase Storage: objects of ${storage.bucket.bucketName} failed to replicate to ${destination.bucketName}`,
      metric('OperationsFailedReplication', 'Sum', { SourceBucket: storage.bucket.bucketName, DestinationBucket: destination.bucketName, RuleId: rule }),
      0, above, { periods: 1, missing: SPARSE });
  }
  const source = storage.replicationSource;
  if (source) {
    f.add('StorageReplicationLatency', `Supabase Storage: objects take more than ${t.storageReplicationLatency.toMinutes()} minutes to arrive from ${source}`,
      metric('ReplicationLatency', 'Maximum', { SourceBucket: source, DestinationBucket: storage.bucket.bucketName, RuleId: rule }),
      t.storageReplicationLatency.toSeconds(), above, { missing: SPARSE });
  }
}

/** The thresholds with their defaults, each checked (tokens are skipped). */
export function resolveThresholds(scope: Construct, t: SupabaseAlarmThresholds): ResolvedThresholds {
  const fail = (prop: string, message: string) => {
    throw new Error(`${scope.node.path}: \`thresholds.${prop}\` ${message}`);
  };
  const percent = (prop: string, value: number, max: 'exclusive' | 'inclusive', example: number) => {
    if (!Token.isUnresolved(value) && !(value > 0 && (max === 'exclusive' ? value < 100 : value <= 100))) {
      fail(prop, max === 'exclusive' ? `must be between 0 and 100 (exclusive), got ${value}. Use e.g. ${example}.`
        : `must be above 0 and at most 100, got ${value}. Use e.g. ${example}.`);
    }
    return value;
  };
  const count = (prop: string, value: number) => {
    if (!Token.isUnresolved(value) && !(Number.isInteger(value) && value >= 0)) {
      fail(prop, `must be a whole number of at least 0, got ${value}.`);
    }
    return value;
  };
  const duration = (prop: string, value: Duration) => {
    if (!value.isUnresolved() && value.toMilliseconds() <= 0) {
      fail(prop, `must be longer than zero, got ${value.toHumanString()}.`);
    }
    return value;
  };
  const connections = t.databaseConnections ?? 320;
  if (!Token.isUnresolved(connections) && !(Number.isInteger(connections) && connections > 0)) {
    fail('databaseConnections', `must be a positive whole number, got ${connections}. Use about 80 % of the instance's max_connections.`);
  }
  return {
    databaseCpuPercent: percent('databaseCpuPercent', t.databaseCpuPercent ?? 80, 'exclusive', 80),
    databaseFreeStorage: t.databaseFreeStorage ?? Size.gibibytes(10),
    databaseFreeableMemory: t.databaseFreeableMemory ?? Size.mebibytes(256),
    databaseConnections: connections,
    databaseReadLatency: duration('databaseReadLatency', t.databaseReadLatency ?? Duration.millis(20)),
    databaseWriteLatency: duration('databaseWriteLatency', t.databaseWriteLatency ?? Duration.millis(50)),
    databaseReplicaLag: duration('databaseReplicaLag', t.databaseReplicaLag ?? Duration.minutes(10)),
    proxyBorrowLatency: duration('proxyBorrowLatency', t.proxyBorrowLatency ?? Duration.millis(100)),
    api5xxPercent: percent('api5xxPercent', t.api5xxPercent ?? 5, 'exclusive', 5),
    apiResponseTime: duration('apiResponseTime', t.apiResponseTime ?? Duration.seconds(2)),
    failedNodes: count('failedNodes', t.failedNodes ?? 0),
    nodeCapacityPercent: percent('nodeCapacityPercent', t.nodeCapacityPercent ?? 100, 'inclusive', 90),
    podsPending: count('podsPending', t.podsPending ?? 0),
    podsNotReady: count('podsNotReady', t.podsNotReady ?? 0),
    crashLoopingContainers: count('crashLoopingContainers', t.crashLoopingContainers ?? 0),
    storageReplicationLatency: duration('storageReplicationLatency', t.storageReplicationLatency ?? Duration.minutes(15)),
  };
}
