import { RemovalPolicy } from 'aws-cdk-lib';

/**
 * The engine and version of the cache ({@link SupabaseCacheSettings.engine}).
 */
export class SupabaseCacheEngine {
  /** Valkey 8.0, the open-source successor of Redis OSS that ElastiCache offers at a lower price. */
  public static readonly VALKEY_8_0 = new SupabaseCacheEngine('valkey', '8.0');
  /** Redis OSS 7.1. */
  public static readonly REDIS_OSS_7_1 = new SupabaseCacheEngine('redis', '7.1');

  /**
   * Another version: `engine` is `valkey` or `redis` (Redis OSS), `version` an ElastiCache engine version of it
   * that supports in-transit encryption with an AUTH token (Valkey 7.2 or newer, Redis OSS 6 or newer).
   */
  public static of(engine: string, version: string): SupabaseCacheEngine {
    if (!['valkey', 'redis'].includes(engine)) {
      throw new Error(`SupabaseCacheEngine.of: engine '${engine}' is not one ElastiCache runs as a replication group with AUTH; use 'valkey' or 'redis' (Redis OSS).`);
    }
    return new SupabaseCacheEngine(engine, version);
  }

  private constructor(
    /** The ElastiCache engine name. */
    public readonly engine: string,
    /** The engine version. */
    public readonly version: string,
  ) {}
}

/**
 * An Amazon ElastiCache replication group (Valkey or Redis OSS) beside the cluster ({@link SupabaseOnAwsProps.cache}).
 * Supabase's own services do not use it: it is there for Edge Functions and a team's own services.
 */
export interface SupabaseCacheSettings {
  /**
   * The engine and version.
   *
   * @default SupabaseCacheEngine.VALKEY_8_0
   */
  readonly engine?: SupabaseCacheEngine;

  /**
   * The node type, e.g. `cache.t4g.small` or `cache.r7g.large`.
   *
   * @default 'cache.t4g.small'
   */
  readonly nodeType?: string;

  /**
   * The read replicas beside the primary (0 to 5). With one or more, the group spreads over the zones with
   * automatic failover (Multi-AZ).
   *
   * @default 1
   */
  readonly replicas?: number;

  /**
   * What happens to the cache's data when the group leaves the stack: RemovalPolicy.SNAPSHOT keeps a final
   * snapshot, DESTROY drops it, RETAIN keeps the group.
   *
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;
}
