import { aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { AlarmFactory, FIVE_MINUTES, SPARSE, above } from './alarm-factory';
import { ResolvedThresholds } from './resolve-thresholds';
import { SupabaseStorage } from '../../../storage/supabase-storage';

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
