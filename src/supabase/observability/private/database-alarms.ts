import { aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { AlarmFactory, FIVE_MINUTES, above, below } from './alarm-factory';
import { ResolvedThresholds } from './resolve-thresholds';
import { SupabaseDatabase } from '../../../rds/supabase-database';

/**
 * A metric of the database instance (`AWS/RDS`, five-minute periods). Not `instance.metric()`: that names the
 * instance by its `Ref`, and a replica's alarms name it by `instanceIdentifier` so as not to import it.
 */
export function rdsMetric(database: SupabaseDatabase, metricName: string, statistic: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/RDS', metricName, dimensionsMap: { DBInstanceIdentifier: database.instanceIdentifier }, statistic, period: FIVE_MINUTES,
  });
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
