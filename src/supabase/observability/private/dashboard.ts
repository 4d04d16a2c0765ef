import { Duration, aws_cloudwatch as cloudwatch, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FIVE_MINUTES } from './alarm-factory';
import { insightsMetric } from './cluster-alarms';
import { rdsMetric } from './database-alarms';
import type { SupabaseObservabilityProps } from '../observability-props';

/**
 * The dashboard: the alarms' states, then the API, the database, the cluster (with Container Insights) and the
 * Storage bucket.
 */
export function addDashboard(scope: Construct, props: SupabaseObservabilityProps, alarms: cloudwatch.Alarm[],
  containerInsights: boolean): cloudwatch.Dashboard {
  const rds = (name: string, statistic: string) => rdsMetric(props.database, name, statistic);
  const insights = (name: string, statistic: string) => insightsMetric(props.cluster, name, statistic);

  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', {
    dashboardName: props.dashboardName ?? `Supabase-${props.cluster.clusterName}`.slice(0, 255),
    defaultInterval: Duration.hours(3),
  });
  const graph = (title: string, metrics: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
    new cloudwatch.GraphWidget({ title, left: metrics, right, width: 8, height: 6 });
  dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24, height: 3 }));
  const alb = props.loadBalancer;
  if (alb) {
    const sum = { period: FIVE_MINUTES, statistic: 'Sum' };
    dashboard.addWidgets(
      graph('API requests', [alb.metrics.requestCount(sum)]),
      graph('API errors', [alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, sum), alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, sum),
        alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_4XX_COUNT, sum)]),
      graph('API response time (s)', [alb.metrics.targetResponseTime({ period: FIVE_MINUTES, statistic: 'p50' }),
        alb.metrics.targetResponseTime({ period: FIVE_MINUTES, statistic: 'p95' })]),
    );
  }
  dashboard.addWidgets(
    graph('Database CPU (%) and connections', [rds('CPUUtilization', 'Average')], [rds('DatabaseConnections', 'Maximum')]),
    graph('Database free storage and memory (bytes)', [rds('FreeStorageSpace', 'Minimum'), rds('FreeableMemory', 'Minimum')]),
    graph('Database latency (s)', [rds('ReadLatency', 'Average'), rds('WriteLatency', 'Average'),
      ...(props.database.replicaSourceArn ? [rds('ReplicaLag', 'Maximum')] : [])]),
  );
  if (containerInsights) {
    dashboard.addWidgets(
      graph('Cluster nodes', [insights('cluster_node_count', 'Maximum'), insights('cluster_failed_node_count', 'Maximum')]),
      graph('Cluster pods', [insights('pod_status_running', 'Average'), insights('pod_status_ready', 'Average'),
        insights('pod_status_pending', 'Average'), insights('pod_container_status_waiting_reason_crash_loop_back_off', 'Maximum')]),
      graph('Node CPU and memory (%)', [insights('node_cpu_utilization', 'Average'), insights('node_memory_utilization', 'Average')]),
    );
  }
  const storage = props.storage;
  if (storage) {
    const s3 = (metricName: string, storageType: string) => new cloudwatch.Metric({
      namespace: 'AWS/S3',
      metricName,
      statistic: 'Average',
      period: Duration.days(1),
      dimensionsMap: { BucketName: storage.bucket.bucketName, StorageType: storageType },
    });
    dashboard.addWidgets(
      graph('Storage bucket size (bytes, daily)', [s3('BucketSizeBytes', 'StandardStorage')]),
      graph('Storage objects (daily)', [s3('NumberOfObjects', 'AllStorageTypes')]),
    );
  }
  return dashboard;
}
