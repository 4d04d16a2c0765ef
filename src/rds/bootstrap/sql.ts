/**
 * The database bootstrap for Supabase on Amazon RDS for PostgreSQL, with no AWS dependency: given a `pg.Client`
 * connected as the RDS master user, it makes the database ready for Auth (GoTrue), REST (PostgREST), Storage,
 * Realtime and postgres-meta/Studio.
 *
 * Self-hosted Supabase assumes its own image, initialised by a superuser (supabase/postgres
 * `migrations/db/init-scripts/*.sql` and `migrations/db/migrations/*.sql`). RDS has no superuser: the master is
 * `LOGIN NOSUPERUSER INHERIT CREATEDB CREATEROLE NOREPLICATION`, a member of `rds_superuser`. So this is not a
 * port of the upstream SQL but our own, statement by statement, each citing the upstream file that motivates it.
 *
 * Every step is idempotent: it reads the catalog, creates only what is missing, alters an attribute only when it
 * differs, never drops or truncates, and returns a short list of what it changed (no secret in it); a second run
 * returns an empty list. Each step but `passwords` runs in its own transaction, so a failed step leaves nothing
 * half done, and its error names the step.
 *
 * Left out on purpose (they do not port to RDS, and no service we run needs them):
 * - event triggers: PostgREST's `pgrst_ddl_watch`/`pgrst_drop_watch` (upstream
 *   20220126121436_finer-postgrest-triggers.sql) and the pg_cron/pg_net access triggers
 *   (00000000000003-post-setup.sql). PostgREST then does not reload its schema cache by itself after DDL: run
 *   `NOTIFY pgrst, 'reload schema'` after a migration (or send SIGUSR1 to PostgREST).
 * - anything altering `pg_catalog` (20240124080435_alter_lo_export_lo_import_owner.sql), `session_preload_libraries`
 *   and supautils (20220118070449_enable-safeupdate-postgrest.sql, 20220224211803_fix-postgrest-supautils.sql),
 *   pgsodium/vault, pg_graphql, pg_net and pgjwt (absent on RDS).
 * - `supabase_replication_admin` and `supabase_read_only_user` (00000000000000-initial-schema.sql): no service of
 *   this library logs in as them.
 * - `ALTER ROLE anon/authenticated/service_role INHERIT` (20230529180330_alter_api_roles_for_inherit.sql): it only
 *   served pgsodium's keyholder role; the API roles stay NOINHERIT, as PostgREST switches to them with SET ROLE.
 */
import type { Client } from 'pg';
import { LOGIN_ROLES, ROLES } from './roles';
import { STEPS, one } from './steps';
import type { Context } from './steps';

/** A service login and the password its secret holds. */
export interface BootstrapLogin {
  /** The PostgreSQL role, one of {@link LOGIN_ROLES}. */
  readonly username: string;
  /** The password; used to log in with and to compute a SCRAM verifier, never sent in SQL text. */
  readonly password: string;
}

/** Opens a short-lived connection to the same server and database as another role (to test a password). */
export type ConnectAs = (user: string, password: string) => Promise<Client>;

/** What the bootstrap needs besides the master connection. */
export interface BootstrapOptions {
  /** The master user's name; the client must be connected as this user. */
  readonly masterUser: string;
  /** The database the services use; the client must be connected to it. */
  readonly databaseName: string;
  /** Whether to create the PostGIS extension (in schema `extensions`). */
  readonly postgis: boolean;
  /** Whether to create the pg_cron extension (it must be preloaded and `cron.database_name` = this database). */
  readonly pgCron: boolean;
  /** The passwords of the login roles; a login missing here keeps whatever password it has. */
  readonly logins: readonly BootstrapLogin[];
  /** Opens a connection as a login role, to check whether its password already works. */
  readonly connectAs: ConnectAs;
}

/** A failed step: the message names the step; it never contains a password (the SQL we send never does). */
export class BootstrapStepError extends Error {
  /** SQLSTATE of the PostgreSQL error, when there is one. */
  public readonly code?: string;
  constructor(public readonly step: string, cause: unknown) {
    const e = cause as { message?: string; detail?: string; hint?: string; code?: string };
    const parts = [e?.message ?? String(cause)];
    if (e?.detail) parts.push(`detail: ${e.detail}`);
    if (e?.hint) parts.push(`hint: ${e.hint}`);
    super(`Supabase bootstrap step '${step}' failed: ${parts.join('; ')}`);
    this.name = 'BootstrapStepError';
    this.code = e?.code;
  }
}

async function checkOptions(client: Client, options: BootstrapOptions): Promise<Context> {
  const seen = new Set<string>();
  for (const login of options.logins) {
    if (!LOGIN_ROLES.includes(login.username)) {
      throw new Error(`'${login.username}' is not a login role of the bootstrap (${LOGIN_ROLES.join(', ')})`);
    }
    if (seen.has(login.username)) {
      throw new Error(`two passwords given for ${login.username}`);
    }
    if (login.password.length === 0) {
      throw new Error(`the password of ${login.username} is empty`);
    }
    seen.add(login.username);
  }
  if (ROLES.some((r) => r.name === options.masterUser) || options.masterUser.startsWith('rds')) {
    throw new Error(`the master user may not be named '${options.masterUser}': the bootstrap manages that role`);
  }
  const row = await one<{ user: string; db: string; num: string; version: string }>(client,
    "select current_user::text as user, pg_catalog.current_database()::text as db, current_setting('server_version_num') as num, current_setting('server_version') as version");
  if (row?.user !== options.masterUser) {
    throw new Error(`connected as '${row?.user}', not as the master user '${options.masterUser}'`);
  }
  if (row.db !== options.databaseName) {
    throw new Error(`connected to database '${row.db}', not '${options.databaseName}'`);
  }
  const versionNum = Number(row.num);
  if (versionNum < 150000) {
    throw new Error(`PostgreSQL ${row.version} is not supported: 15 or newer is required`);
  }
  return { client, options, versionNum, version: row.version, pg16: versionNum >= 160000 };
}

/**
 * Runs the bootstrap. The client must be connected as `options.masterUser` to `options.databaseName` and not be
 * inside a transaction. Returns what was changed (empty when nothing had to be); throws a
 * {@link BootstrapStepError} naming the failed step.
 */
export async function bootstrapDatabase(client: Client, options: BootstrapOptions): Promise<string[]> {
  let ctx: Context;
  try {
    ctx = await checkOptions(client, options);
  } catch (e) {
    throw new BootstrapStepError('preflight', e);
  }
  const changes: string[] = [];
  for (const step of STEPS) {
    try {
      if (step.transactional) await client.query('begin');
      changes.push(...await step.run(ctx));
      if (step.transactional) await client.query('commit');
    } catch (e) {
      if (step.transactional) await client.query('rollback').catch(() => undefined);
      throw new BootstrapStepError(step.name, e);
    }
  }
  return changes;
}
