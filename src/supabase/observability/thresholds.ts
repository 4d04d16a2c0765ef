import { Duration, Size } from 'aws-cdk-lib';

/**
 * Alarm thresholds of {@link SupabaseObservability}. Each names the statistic and unit it is compared with; most
 * alarms fire after 15 minutes beyond their threshold (docs/operations.md gives each alarm's period).
 */
export interface SupabaseAlarmThresholds {
  /** Average database CPU (`CPUUtilization`, percent). @default 80 */
  readonly databaseCpuPercent?: number;
  /** Free database storage below this (`FreeStorageSpace`, minimum). @default Size.gibibytes(10) */
  readonly databaseFreeStorage?: Size;
  /** Freeable database memory below this (`FreeableMemory`, minimum). @default Size.mebibytes(256) */
  readonly databaseFreeableMemory?: Size;
  /**
   * Open database connections (`DatabaseConnections`, maximum). Set it to about 80 % of your instance's
   * `max_connections` (RDS derives it from the instance's memory: about 410 on 4 GiB, 820 on 8 GiB).
   *
   * @default 320
   */
  readonly databaseConnections?: number;
  /** Average read latency (`ReadLatency`). @default Duration.millis(20) */
  readonly databaseReadLatency?: Duration;
  /** Average write latency (`WriteLatency`). @default Duration.millis(50) */
  readonly databaseWriteLatency?: Duration;
  /**
   * How far a read replica may fall behind its primary (`ReplicaLag`, maximum; only for a replica). On an idle
   * primary, RDS for PostgreSQL reports up to five minutes of lag until its next WAL switch, so keep it above that.
   *
   * @default Duration.minutes(10)
   */
  readonly databaseReplicaLag?: Duration;
  /**
   * How long the RDS Proxy may take to hand a request a database connection (`DatabaseConnectionsBorrowLatency`,
   * average; only with a proxy).
   *
   * @default Duration.millis(100)
   */
  readonly proxyBorrowLatency?: Duration;
  /** Share of API requests answered with a 5xx, by the load balancer or Kong (percent). @default 5 */
  readonly api5xxPercent?: number;
  /** The API's 95th-percentile response time, measured at the load balancer. @default Duration.seconds(2) */
  readonly apiResponseTime?: Duration;
  /** Failing or NotReady nodes tolerated (a count). @default 0 */
  readonly failedNodes?: number;
  /** How full the node groups may get, as a share of their total maximum size (percent). @default 100 */
  readonly nodeCapacityPercent?: number;
  /** Pending pods tolerated for 15 minutes (a count). @default 0 */
  readonly podsPending?: number;
  /** Running pods that may stay not ready for 15 minutes (a count). @default 0 */
  readonly podsNotReady?: number;
  /** Crash-looping containers tolerated for 15 minutes (a count). @default 0 */
  readonly crashLoopingContainers?: number;
  /**
   * How long an object may take to reach the disaster-recovery bucket (`ReplicationLatency`, maximum; only on the
   * bucket replicated into, whose `replicationSource` is set).
   *
   * @default Duration.minutes(15)
   */
  readonly storageReplicationLatency?: Duration;
}
