import { aws_cloudwatch as cloudwatch, aws_eks_v2 as eks } from 'aws-cdk-lib';
import { AlarmFactory, FIVE_MINUTES, ONE_MINUTE, SPARSE, above, below } from './alarm-factory';
import { ResolvedThresholds } from './resolve-thresholds';
import { SupabaseCluster } from '../../../eks/supabase-cluster';

/** A Container Insights metric of the whole cluster (`ClusterName` alone). */
export function insightsMetric(cluster: SupabaseCluster, metricName: string, statistic: string, period = FIVE_MINUTES): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: 'ContainerInsights', metricName, dimensionsMap: { ClusterName: cluster.clusterName }, statistic, period });
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
