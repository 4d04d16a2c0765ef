import { Duration, Size, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { configError } from '../../../private/errors';
import { SupabaseAlarmThresholds } from '../thresholds';

/** The thresholds with their defaults. */
export type ResolvedThresholds = Required<SupabaseAlarmThresholds>;

/** The thresholds with their defaults, each checked (tokens are skipped). */
export function resolveThresholds(scope: Construct, t: SupabaseAlarmThresholds): ResolvedThresholds {
  const fail = (prop: string, message: string) => {
    throw configError(scope, `\`thresholds.${prop}\` ${message}`);
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
