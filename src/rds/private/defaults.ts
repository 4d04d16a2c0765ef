import { Duration, Size } from 'aws-cdk-lib';

/** The defaults of `SupabaseDatabase`'s props that both the construct and its validation use. */
export const DEFAULT_DATABASE_NAME = 'postgres';
export const DEFAULT_MASTER_USERNAME = 'supabase_master';
export const DEFAULT_ALLOCATED_STORAGE = Size.gibibytes(100);
export const DEFAULT_MAX_ALLOCATED_STORAGE = Size.gibibytes(500);
export const DEFAULT_BACKUP_RETENTION = Duration.days(7);
export const DEFAULT_MASTER_ROTATION = Duration.days(30);
export const DEFAULT_PROXY_MAX_CONNECTIONS_PERCENT = 75;
/** The window in which RDS takes the daily automated backup (UTC). */
export const DEFAULT_BACKUP_WINDOW = '03:00-04:00';
/** The weekly maintenance window (UTC), right after the backup window so the two never overlap. */
export const DEFAULT_MAINTENANCE_WINDOW = 'sun:04:00-sun:05:00';
