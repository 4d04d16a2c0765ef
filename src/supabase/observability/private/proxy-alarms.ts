import { aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { AlarmFactory, FIVE_MINUTES, SPARSE, above } from './alarm-factory';
import { ResolvedThresholds } from './resolve-thresholds';
import { SupabaseDatabase } from '../../../rds/supabase-database';

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
