/**
 * The Supabase defaults of the database's parameter group, with the reason for each: the one table that the
 * parameter group is built from and that docs/database.md shows (test/rds/parameters.test.ts keeps them equal).
 */

/** What a default's value depends on. */
export interface DefaultParameterSettings {
  /** Whether `pg_cron` is preloaded (`pgCron`). */
  readonly pgCron: boolean;
  /** The database the services use (`databaseName`). */
  readonly databaseName: string;
}

/** A default parameter, its value and why Supabase wants it. */
export interface DefaultParameter {
  readonly name: string;
  /** The value, or how it follows from the settings (undefined: the parameter is left out). */
  readonly value: string | ((settings: DefaultParameterSettings) => string | undefined);
  /** The value as the docs show it, when it depends on the settings. */
  readonly shown?: string;
  readonly reason: string;
}

/** The defaults, in the parameter group's order. */
export const DEFAULT_PARAMETERS: readonly DefaultParameter[] = [
  {
    name: 'rds.logical_replication',
    value: '1',
    reason: 'Realtime streams changes through logical replication (`wal_level = logical`). Static: a reboot when changed on a running instance.',
  },
  {
    name: 'rds.force_ssl',
    value: '1',
    reason: 'Every connection is encrypted; the services connect with `sslmode=require` or `verify-full`.',
  },
  {
    name: 'password_encryption',
    value: 'scram-sha-256',
    reason: 'Passwords are stored as SCRAM verifiers, never MD5.',
  },
  {
    name: 'shared_preload_libraries',
    value: ({ pgCron }) => (pgCron ? 'pg_stat_statements,pg_cron' : 'pg_stat_statements'),
    shown: '`pg_stat_statements` (`,pg_cron` with `pgCron`)',
    reason: 'Query statistics for Studio and Performance Insights; pg_cron must be preloaded. Static.',
  },
  {
    name: 'cron.database_name',
    value: ({ pgCron, databaseName }) => (pgCron ? databaseName : undefined),
    shown: '`databaseName` (with `pgCron` only)',
    reason: 'pg_cron\'s jobs live in Supabase\'s database. Static.',
  },
  {
    name: 'max_replication_slots',
    value: '10',
    reason: 'One logical slot for Realtime (two while a Realtime pod replaces another), one for a cross-region read replica, room for a CDC consumer or a second replica. Static.',
  },
  {
    name: 'max_wal_senders',
    value: '20',
    reason: 'One WAL sender per slot consumer plus streams that use no slot; keep a read replica\'s value at least this high, as PostgreSQL requires of a standby. Static.',
  },
  {
    name: 'log_min_duration_statement',
    value: '1000',
    reason: 'Logs statements that take over one second (slow queries) to the exported `postgresql` log.',
  },
  {
    name: 'log_connections',
    value: '1',
    reason: 'Logs each connection\'s user and database: an audit trail of who logs in; the services use connection pools, so it stays small.',
  },
];

/** The default parameters for `settings`, by name, in the table's order. */
export function defaultParameters(settings: DefaultParameterSettings): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const { name, value } of DEFAULT_PARAMETERS) {
    const resolved = typeof value === 'string' ? value : value(settings);
    if (resolved !== undefined) {
      parameters[name] = resolved;
    }
  }
  return parameters;
}

/** The defaults as a markdown table (parameter, value, why), as docs/database.md shows them. */
export function renderDefaultParametersTable(): string {
  const rows = DEFAULT_PARAMETERS.map(({ name, value, shown, reason }) =>
    `| \`${name}\` | ${shown ?? `\`${value}\``} | ${reason} |`);
  return ['| parameter | value | why |', '|---|---|---|', ...rows].join('\n');
}
