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
import { REALTIME_ADMIN_ROLE, REALTIME_ROLE, installRealtimeSchema } from './realtime-schema';
import { isScramVerifier, scramSha256Verifier } from './scram';

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

/** Role attributes the bootstrap manages. Every role is NOSUPERUSER and NOREPLICATION (point 1). */
interface RoleSpec {
  readonly name: string;
  readonly login: boolean;
  readonly inherit: boolean;
  readonly createrole: boolean;
  readonly createdb: boolean;
  readonly bypassrls: boolean;
  readonly why: string;
}

const role = (name: string, attrs: Partial<Omit<RoleSpec, 'name' | 'why'>>, why: string): RoleSpec => ({
  name, login: false, inherit: false, createrole: false, createdb: false, bypassrls: false, ...attrs, why,
});

/** The roles, in creation order: service_role first, so a refused BYPASSRLS stops the bootstrap before anything. */
export const ROLES: readonly RoleSpec[] = [
  role('service_role', { bypassrls: true }, '00000000000000-initial-schema.sql: NOLOGIN NOINHERIT BYPASSRLS'),
  role('anon', {}, '00000000000000-initial-schema.sql: NOLOGIN NOINHERIT'),
  role('authenticated', {}, '00000000000000-initial-schema.sql: NOLOGIN NOINHERIT'),
  role('authenticator', { login: true }, '00000000000000-initial-schema.sql: PostgREST login, LOGIN NOINHERIT'),
  role('supabase_auth_admin', { login: true, createrole: true }, '00000000000001-auth-schema.sql: NOINHERIT CREATEROLE LOGIN NOREPLICATION'),
  role('supabase_storage_admin', { login: true, createrole: true }, '00000000000002-storage-schema.sql: NOINHERIT CREATEROLE LOGIN NOREPLICATION'),
  role(REALTIME_ADMIN_ROLE, {}, 'realtime 20240401105812_create_realtime_admin_and_move_ownership: NOINHERIT NOLOGIN NOREPLICATION'),
  // Upstream supabase_admin is a superuser (00000000000000-initial-schema.sql); here it is only Realtime's login,
  // and it inherits supabase_realtime_admin so it keeps owning what its migrations move to that role.
  role(REALTIME_ROLE, { login: true, inherit: true }, 'Realtime login (DB_USER); not a superuser on RDS'),
  // 00000000000003-post-setup.sql gives dashboard_user CREATEDB CREATEROLE REPLICATION; no service logs in as it
  // here, so it exists (Realtime's and GoTrue's grants name it) without attributes.
  role('dashboard_user', { inherit: true }, '00000000000003-post-setup.sql: referenced by grants'),
  // 10000000000000_demote-postgres.sql: NOSUPERUSER CREATEDB CREATEROLE LOGIN (REPLICATION BYPASSRLS left out);
  // GoTrue 20240612123726_enable_rls_update_grants.up.sql, storage 0046/0049 and Realtime grant to it (point 4).
  role('postgres', { login: true, inherit: true, createrole: true, createdb: true }, 'postgres-meta/Studio login (point 4)'),
];

/** The roles that log in, which the caller may give passwords for. */
export const LOGIN_ROLES: readonly string[] = ROLES.filter((r) => r.login).map((r) => r.name);

/** A membership: `member` is granted `role`. Options apply on PostgreSQL 16+ (15 has no INHERIT/SET options). */
interface MembershipSpec {
  readonly role: string;
  readonly member: string;
  readonly admin?: boolean;
  readonly inherit: boolean;
  readonly why: string;
}

const MASTER = '$master';

/** Memberships, in grant order. `$master` stands for the master user. */
export const MEMBERSHIPS: readonly MembershipSpec[] = [
  // Point 3: a CREATEROLE non-superuser gets only ADMIN OPTION on the roles it creates (16+; nothing on 15), so it
  // cannot create a schema for them, give them objects or set their default privileges until it can SET ROLE.
  { role: 'supabase_auth_admin', member: MASTER, inherit: false, why: 'CREATE SCHEMA auth AUTHORIZATION supabase_auth_admin' },
  { role: 'supabase_storage_admin', member: MASTER, inherit: false, why: 'CREATE SCHEMA storage AUTHORIZATION supabase_storage_admin' },
  { role: REALTIME_ROLE, member: MASTER, inherit: false, why: 'schemas realtime and _realtime, Realtime functions' },
  // Inherited, so the master may also manage what postgres owns (e.g. add its tables to publication supabase_realtime).
  { role: 'postgres', member: MASTER, inherit: true, why: 'ALTER DEFAULT PRIVILEGES FOR ROLE postgres, publication owner' },
  // 00000000000000-initial-schema.sql: PostgREST switches from authenticator to the request's role.
  { role: 'anon', member: 'authenticator', inherit: false, why: 'PostgREST SET ROLE' },
  { role: 'authenticated', member: 'authenticator', inherit: false, why: 'PostgREST SET ROLE' },
  { role: 'service_role', member: 'authenticator', inherit: false, why: 'PostgREST SET ROLE' },
  // 20231013070755_grant_authenticator_to_supabase_storage_admin.sql (point 8): storage-api runs
  // set_config('role', <request role>, true) as supabase_storage_admin.
  { role: 'authenticator', member: 'supabase_storage_admin', inherit: false, why: "storage-api set_config('role', ...)" },
  // Point 1: logical replication on RDS is granted through rds_replication, never the REPLICATION attribute.
  { role: 'rds_replication', member: REALTIME_ROLE, inherit: true, why: 'Realtime replication slot' },
  // Realtime 20240401105812 runs GRANT supabase_realtime_admin TO postgres, which needs ADMIN OPTION (16+), and
  // 20260707120000 moves objects to supabase_realtime_admin, which needs SET (16+) or membership (15).
  { role: REALTIME_ADMIN_ROLE, member: REALTIME_ROLE, admin: true, inherit: true, why: 'Realtime migrations' },
  // realtime tenant_db_dump_17.sql: apply_rls switches to the subscriber's role, reached through this membership.
  { role: 'anon', member: REALTIME_ADMIN_ROLE, inherit: false, why: 'Realtime apply_rls' },
  { role: 'authenticated', member: REALTIME_ADMIN_ROLE, inherit: false, why: 'Realtime apply_rls' },
  { role: 'service_role', member: REALTIME_ADMIN_ROLE, inherit: false, why: 'Realtime apply_rls' },
  // postgres-meta/Studio: like the master (rds_superuser), 20230201083204_grant_auth_roles_to_postgres.sql and
  // 20220609081115_grant-supabase-auth-admin-and-supabase-storage-admin-to-postgres.sql.
  { role: 'rds_superuser', member: 'postgres', inherit: true, why: 'Studio administers the database like the master' },
  { role: 'anon', member: 'postgres', inherit: true, why: '20230201083204_grant_auth_roles_to_postgres.sql' },
  { role: 'authenticated', member: 'postgres', inherit: true, why: '20230201083204_grant_auth_roles_to_postgres.sql' },
  { role: 'service_role', member: 'postgres', inherit: true, why: '20230201083204_grant_auth_roles_to_postgres.sql' },
  { role: 'supabase_auth_admin', member: 'postgres', inherit: true, why: '20220609081115 (auth triggers)' },
  { role: 'supabase_storage_admin', member: 'postgres', inherit: true, why: '20220609081115 (storage policies)' },
];

/** The only roles authenticator may switch to (point 9). */
export const AUTHENTICATOR_ROLES: readonly string[] = ['anon', 'authenticated', 'service_role'];

/** Schemas and their owners. `$master` stands for the master user. */
export const SCHEMAS: readonly { readonly name: string; readonly owner: string; readonly why: string }[] = [
  { name: 'extensions', owner: MASTER, why: '00000000000000-initial-schema.sql: extension namespacing' },
  // Point 5: only the schema; GoTrue's migrations create everything in it (its first one does
  // `create or replace function auth.uid()`, which fails when another role owns it).
  { name: 'auth', owner: 'supabase_auth_admin', why: 'GoTrue migrations' },
  { name: 'storage', owner: 'supabase_storage_admin', why: 'storage-api tenant migrations' },
  { name: 'realtime', owner: REALTIME_ROLE, why: '20211118015519_create-realtime-schema.sql, Realtime tenant migrations' },
  { name: '_realtime', owner: REALTIME_ROLE, why: 'Realtime control plane (DB_AFTER_CONNECT_QUERY=SET search_path TO _realtime)' },
  { name: 'graphql_public', owner: MASTER, why: 'PostgREST PGRST_DB_SCHEMAS includes graphql_public' },
];

/** Per-role settings (`ALTER ROLE ... SET`), with the value as pg_db_role_setting stores it. */
export const ROLE_SETTINGS: readonly { readonly role: string; readonly name: string; readonly value: string; readonly why: string }[] = [
  // Point 6: GoTrue's migrator creates schema_migrations unqualified, and PUBLIC has no CREATE on public (PG15+).
  { role: 'supabase_auth_admin', name: 'search_path', value: 'auth', why: '00000000000001-auth-schema.sql' },
  { role: 'supabase_auth_admin', name: 'idle_in_transaction_session_timeout', value: '60000', why: '20220322085208_gotrue-session-limit.sql' },
  { role: 'supabase_storage_admin', name: 'search_path', value: 'storage', why: '00000000000002-storage-schema.sql' },
  { role: 'anon', name: 'statement_timeout', value: '3s', why: '00000000000000-initial-schema.sql' },
  { role: 'authenticated', name: 'statement_timeout', value: '8s', why: '00000000000000-initial-schema.sql' },
  { role: 'authenticator', name: 'statement_timeout', value: '8s', why: '20221028101028_set_authenticator_timeout.sql' },
  { role: 'authenticator', name: 'lock_timeout', value: '8s', why: '20231130133139_set_lock_timeout_to_authenticator_role.sql' },
  { role: 'postgres', name: 'search_path', value: '"$user", public, extensions', why: '00000000000003-post-setup.sql' },
];

/** Schema privileges: grantees that need USAGE (and CREATE where listed). Granted as the schema's owner. */
const SCHEMA_GRANTS: readonly { readonly schema: string; readonly privilege: 'USAGE' | 'CREATE'; readonly grantees: readonly string[]; readonly why: string }[] = [
  { schema: 'public', privilege: 'USAGE', grantees: ['anon', 'authenticated', 'service_role', 'postgres'], why: '00000000000000-initial-schema.sql' },
  { schema: 'public', privilege: 'CREATE', grantees: ['postgres'], why: 'Studio creates tables in public (PG15+ gives PUBLIC no CREATE)' },
  { schema: 'extensions', privilege: 'USAGE', grantees: ['anon', 'authenticated', 'service_role', 'postgres'], why: '00000000000000-initial-schema.sql' },
  { schema: 'extensions', privilege: 'CREATE', grantees: ['postgres'], why: 'Studio enables extensions into schema extensions' },
  { schema: 'graphql_public', privilege: 'USAGE', grantees: ['anon', 'authenticated', 'service_role'], why: 'PostgREST exposes graphql_public' },
  // Point 7: auth.uid()/auth.jwt() in policies and RPCs; GoTrue's migrations do not grant it.
  { schema: 'auth', privilege: 'USAGE', grantees: ['anon', 'authenticated', 'service_role'], why: '00000000000001-auth-schema.sql' },
  // Point 8: storage-api with DB_INSTALL_ROLES unset grants nothing itself.
  { schema: 'storage', privilege: 'USAGE', grantees: ['anon', 'authenticated', 'service_role'], why: '00000000000002-storage-schema.sql' },
  { schema: 'realtime', privilege: 'USAGE', grantees: ['anon', 'authenticated', 'service_role', 'postgres'], why: 'realtime 20231204144023_set_required_grants' },
];

/** Default privileges in schema `public` (00000000000000-initial-schema.sql), for objects these roles create. */
const DEFAULT_PRIVILEGE_GRANTORS: readonly string[] = [MASTER, 'postgres'];
const DEFAULT_PRIVILEGE_GRANTEES: readonly string[] = ['anon', 'authenticated', 'service_role'];
/** pg_default_acl.defaclobjtype, the ALTER DEFAULT PRIVILEGES object kind, and the privileges `ALL` must include. */
const DEFAULT_PRIVILEGE_KINDS: readonly { readonly objtype: string; readonly kind: string; readonly required: readonly string[] }[] = [
  { objtype: 'r', kind: 'TABLES', required: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'] },
  { objtype: 'S', kind: 'SEQUENCES', required: ['USAGE', 'SELECT', 'UPDATE'] },
  { objtype: 'f', kind: 'FUNCTIONS', required: ['EXECUTE'] },
];

/** The publication Realtime's postgres_changes reads (00000000000000-initial-schema.sql: empty). */
export const REALTIME_PUBLICATION = 'supabase_realtime';

/** Quotes an SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The state shared by the steps. */
interface Context {
  readonly client: Client;
  readonly options: BootstrapOptions;
  readonly versionNum: number;
  readonly version: string;
  /** PostgreSQL 16+: CREATEROLE, ADMIN/INHERIT/SET membership and BYPASSRLS rules changed. */
  readonly pg16: boolean;
}

function resolve(ctx: Context, name: string): string {
  return name === MASTER ? ctx.options.masterUser : name;
}

async function one<T extends Record<string, unknown>>(client: Client, sql: string, params: unknown[] = []): Promise<T | undefined> {
  const result = await client.query<T>(sql, params);
  return result.rows[0];
}

/** Step `roles`: every role, with its attributes (points 1, 2, 4). */
async function roles(ctx: Context): Promise<string[]> {
  const changes: string[] = [];
  for (const spec of ROLES) {
    const found = await one<{
      rolsuper: boolean;
      rolreplication: boolean;
      rolcanlogin: boolean;
      rolinherit: boolean;
      rolcreaterole: boolean;
      rolcreatedb: boolean;
      rolbypassrls: boolean;
    }>(ctx.client, 'select rolsuper, rolreplication, rolcanlogin, rolinherit, rolcreaterole, rolcreatedb, rolbypassrls from pg_catalog.pg_roles where rolname = $1', [spec.name]);
    const wanted: [string, boolean, boolean | undefined][] = [
      ['SUPERUSER', false, found?.rolsuper],
      ['REPLICATION', false, found?.rolreplication],
      ['LOGIN', spec.login, found?.rolcanlogin],
      ['INHERIT', spec.inherit, found?.rolinherit],
      ['CREATEROLE', spec.createrole, found?.rolcreaterole],
      ['CREATEDB', spec.createdb, found?.rolcreatedb],
      ['BYPASSRLS', spec.bypassrls, found?.rolbypassrls],
    ];
    const clause = (attrs: typeof wanted) => attrs.map(([attr, on]) => (on ? attr : `NO${attr}`)).join(' ');
    try {
      if (!found) {
        await ctx.client.query(`create role ${ident(spec.name)} with ${clause(wanted)}`);
        changes.push(`created role ${spec.name}`);
      } else {
        const differing = wanted.filter(([, on, current]) => on !== current);
        if (differing.length > 0) {
          await ctx.client.query(`alter role ${ident(spec.name)} with ${clause(differing)}`);
          changes.push(`altered role ${spec.name}: ${clause(differing)}`);
        }
      }
    } catch (e) {
      if (spec.bypassrls && (e as { code?: string }).code === '42501') {
        // Point 2: PostgreSQL 15 lets only superusers give BYPASSRLS, 16+ only roles that have it; RDS may or may
        // not make an exception for rds_superuser. Never leave a service_role that silently respects RLS.
        throw new Error(`PostgreSQL ${ctx.version} (server_version_num ${ctx.versionNum}) refused to give role ${spec.name} `
          + `the BYPASSRLS attribute when asked by the master user ${ctx.options.masterUser} (${(e as Error).message}). `
          + 'Supabase\'s service_role must bypass row-level security; create it once as a role that may grant BYPASSRLS '
          + `(CREATE ROLE ${spec.name} NOLOGIN NOINHERIT BYPASSRLS) and run the bootstrap again.`);
      }
      throw e;
    }
  }
  return changes;
}

/** Step `memberships`: role grants (points 1, 3, 8, 9, 10). */
async function memberships(ctx: Context): Promise<string[]> {
  const changes: string[] = [];
  for (const spec of MEMBERSHIPS) {
    const roleName = resolve(ctx, spec.role);
    const member = resolve(ctx, spec.member);
    const current = await one<{ n: number; admin: boolean; inherit: boolean; set: boolean }>(ctx.client,
      `select count(*)::int as n, coalesce(bool_or(m.admin_option), false) as admin,
         ${ctx.pg16 ? 'coalesce(bool_or(m.inherit_option), false)' : 'false'} as inherit,
         ${ctx.pg16 ? 'coalesce(bool_or(m.set_option), false)' : 'false'} as set
       from pg_catalog.pg_auth_members m
       where m.roleid = (select oid from pg_catalog.pg_roles where rolname = $1)
         and m.member = (select oid from pg_catalog.pg_roles where rolname = $2)`, [roleName, member]);
    const n = current?.n ?? 0;
    const needsAdmin = spec.admin === true && !current?.admin;
    // On 16+, "at least" semantics: a missing SET or (wanted) INHERIT option is added, never taken away.
    const needs16 = ctx.pg16 && n > 0 && (!current?.set || (spec.inherit && !current?.inherit));
    if (n > 0 && !needsAdmin && !needs16) {
      continue;
    }
    const options: string[] = [];
    if (ctx.pg16) {
      options.push(`inherit ${spec.inherit ? 'true' : 'false'}`, 'set true');
      if (spec.admin) options.push('admin true');
    } else if (spec.admin) {
      options.push('admin option');
    }
    await ctx.client.query(`grant ${ident(roleName)} to ${ident(member)}${options.length ? ` with ${options.join(', ')}` : ''}`);
    changes.push(`granted ${roleName} to ${member}${options.length ? ` (${options.join(', ')})` : ''}`);
  }

  // Point 9: authenticator must reach anon, authenticated and service_role and nothing else (upstream once
  // granted it supabase_admin, revoked in 20221103090837_revoke_admin.sql; storage's DB_INSTALL_ROLES grants it
  // postgres).
  const extra = await ctx.client.query<{ rolname: string }>(
    `select distinct r.rolname from pg_catalog.pg_auth_members m
       join pg_catalog.pg_roles r on r.oid = m.roleid
     where m.member = (select oid from pg_catalog.pg_roles where rolname = 'authenticator')
       and r.rolname <> all($1::text[])`, [AUTHENTICATOR_ROLES]);
  for (const { rolname } of extra.rows) {
    await ctx.client.query(`revoke ${ident(rolname)} from authenticator`);
    const still = await one<{ n: number }>(ctx.client,
      `select count(*)::int as n from pg_catalog.pg_auth_members m
       where m.roleid = (select oid from pg_catalog.pg_roles where rolname = $1)
         and m.member = (select oid from pg_catalog.pg_roles where rolname = 'authenticator')`, [rolname]);
    if ((still?.n ?? 0) > 0) {
      throw new Error(`authenticator is a member of ${rolname} (granted by another role) and the master could not revoke it; `
        + `PostgREST could switch to ${rolname}. Revoke it as the grantor and run the bootstrap again.`);
    }
    changes.push(`revoked ${rolname} from authenticator`);
  }
  return changes;
}

/** Step `schemas`: the schemas and their owners (points 5, 10). */
async function schemas(ctx: Context): Promise<string[]> {
  const changes: string[] = [];
  for (const spec of SCHEMAS) {
    const owner = resolve(ctx, spec.owner);
    const found = await one<{ owner: string }>(ctx.client,
      'select pg_catalog.pg_get_userbyid(nspowner)::text as owner from pg_catalog.pg_namespace where nspname = $1', [spec.name]);
    if (!found) {
      await ctx.client.query(`create schema ${ident(spec.name)} authorization ${ident(owner)}`);
      changes.push(`created schema ${spec.name} owned by ${owner}`);
    } else if (found.owner !== owner) {
      // Only the schema changes hands; objects in it keep their owners.
      await ctx.client.query(`alter schema ${ident(spec.name)} owner to ${ident(owner)}`);
      changes.push(`changed owner of schema ${spec.name} from ${found.owner} to ${owner}`);
    }
  }
  return changes;
}

/** Step `database`: CREATE on the database for Realtime (publications) and postgres (Studio) (point 10). */
async function database(ctx: Context): Promise<string[]> {
  const changes: string[] = [];
  for (const grantee of [REALTIME_ROLE, 'postgres']) {
    const ok = await one<{ ok: boolean }>(ctx.client,
      "select pg_catalog.has_database_privilege($1, pg_catalog.current_database(), 'CREATE') as ok", [grantee]);
    if (!ok?.ok) {
      await ctx.client.query(`grant create on database ${ident(ctx.options.databaseName)} to ${ident(grantee)}`);
      changes.push(`granted CREATE on database ${ctx.options.databaseName} to ${grantee}`);
    }
  }
  return changes;
}

/** Step `settings`: per-role settings (point 6, statement timeouts). */
async function settings(ctx: Context): Promise<string[]> {
  const changes: string[] = [];
  for (const spec of ROLE_SETTINGS) {
    const row = await one<{ config: string[] | null }>(ctx.client,
      `select s.setconfig as config from pg_catalog.pg_db_role_setting s
       where s.setdatabase = 0 and s.setrole = (select oid from pg_catalog.pg_roles where rolname = $1)`, [spec.role]);
    const current = (row?.config ?? []).find((c) => c.startsWith(`${spec.name}=`))?.slice(spec.name.length + 1);
    if (current !== spec.value) {
      const value = spec.name === 'search_path' ? spec.value : `'${spec.value.replace(/'/g, "''")}'`;
      await ctx.client.query(`alter role ${ident(spec.role)} set ${spec.name} = ${value}`);
      changes.push(`set ${spec.name} = ${spec.value} for role ${spec.role}`);
    }
  }
  return changes;
}

/** Step `grants`: schema privileges, each granted by the schema's owner (points 7, 8). */
async function grants(ctx: Context): Promise<string[]> {
  const changes: string[] = [];
  for (const spec of SCHEMA_GRANTS) {
    const owner = await one<{ owner: string }>(ctx.client,
      'select pg_catalog.pg_get_userbyid(nspowner)::text as owner from pg_catalog.pg_namespace where nspname = $1', [spec.schema]);
    if (!owner) {
      throw new Error(`schema ${spec.schema} does not exist`);
    }
    const missing: string[] = [];
    for (const grantee of spec.grantees) {
      const ok = await one<{ ok: boolean }>(ctx.client, 'select pg_catalog.has_schema_privilege($1, $2, $3) as ok', [grantee, spec.schema, spec.privilege]);
      if (!ok?.ok) missing.push(grantee);
    }
    if (missing.length === 0) continue;
    // public belongs to pg_database_owner, whose privileges the master (the database owner) has.
    const asOwner = owner.owner !== ctx.options.masterUser && owner.owner !== 'pg_database_owner';
    if (asOwner) await ctx.client.query(`set local role ${ident(owner.owner)}`);
    await ctx.client.query(`grant ${spec.privilege.toLowerCase()} on schema ${ident(spec.schema)} to ${missing.map(ident).join(', ')}`);
    if (asOwner) await ctx.client.query('reset role');
    changes.push(`granted ${spec.privilege} on schema ${spec.schema} to ${missing.join(', ')}`);
  }
  return changes;
}

/** Step `default-privileges`: what anon, authenticated and service_role get on new objects in public. */
async function defaultPrivileges(ctx: Context): Promise<string[]> {
  const changes: string[] = [];
  for (const grantorName of DEFAULT_PRIVILEGE_GRANTORS) {
    const grantor = resolve(ctx, grantorName);
    for (const kind of DEFAULT_PRIVILEGE_KINDS) {
      const rows = await ctx.client.query<{ grantee: string; privileges: string[] }>(
        `select pg_catalog.pg_get_userbyid(a.grantee)::text as grantee, array_agg(a.privilege_type::text) as privileges
         from pg_catalog.pg_default_acl d, pg_catalog.aclexplode(d.defaclacl) a
         where d.defaclrole = (select oid from pg_catalog.pg_roles where rolname = $1)
           and d.defaclnamespace = 'public'::regnamespace and d.defaclobjtype = $2
         group by a.grantee`, [grantor, kind.objtype]);
      const missing = DEFAULT_PRIVILEGE_GRANTEES.filter((grantee) => {
        const have = rows.rows.find((r) => r.grantee === grantee)?.privileges ?? [];
        return kind.required.some((p) => !have.includes(p));
      });
      if (missing.length === 0) continue;
      await ctx.client.query(`alter default privileges for role ${ident(grantor)} in schema public `
        + `grant all on ${kind.kind.toLowerCase()} to ${missing.map(ident).join(', ')}`);
      changes.push(`default privileges: ${kind.kind.toLowerCase()} created by ${grantor} in public granted to ${missing.join(', ')}`);
    }
  }
  return changes;
}

/** Step `extensions`: uuid-ossp and pgcrypto in schema extensions; PostGIS and pg_cron on request. */
async function extensions(ctx: Context): Promise<string[]> {
  const changes: string[] = [];
  const wanted: { name: string; schema?: string }[] = [
    // 00000000000000-initial-schema.sql; both are trusted extensions, so the master may create them.
    { name: 'uuid-ossp', schema: 'extensions' },
    { name: 'pgcrypto', schema: 'extensions' },
  ];
  if (ctx.options.postgis) wanted.push({ name: 'postgis', schema: 'extensions' });
  // pg_cron always lives in its own schema `cron`, in the database named by cron.database_name.
  if (ctx.options.pgCron) wanted.push({ name: 'pg_cron' });
  for (const ext of wanted) {
    const found = await one<{ schema: string }>(ctx.client,
      'select n.nspname::text as schema from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace where e.extname = $1', [ext.name]);
    if (found) continue; // an extension already installed elsewhere stays where it is: code may refer to it there.
    await ctx.client.query(`create extension ${ident(ext.name)}${ext.schema ? ` with schema ${ident(ext.schema)}` : ''}`);
    changes.push(`created extension ${ext.name}${ext.schema ? ` in schema ${ext.schema}` : ''}`);
  }
  if (ctx.options.pgCron) {
    // 00000000000003-post-setup.sql (grant_pg_cron_access): postgres, Studio's login, uses schema cron.
    const ok = await one<{ ok: boolean }>(ctx.client, "select pg_catalog.has_schema_privilege('postgres', 'cron', 'USAGE') as ok");
    if (!ok?.ok) {
      await ctx.client.query('grant usage on schema cron to postgres');
      changes.push('granted USAGE on schema cron to postgres');
    }
  }
  return changes;
}

/** Step `publication`: the publication Realtime reads, owned by postgres so Studio can add tables to it. */
async function publication(ctx: Context): Promise<string[]> {
  const changes: string[] = [];
  const found = await one<{ owner: string }>(ctx.client,
    'select pg_catalog.pg_get_userbyid(pubowner)::text as owner from pg_catalog.pg_publication where pubname = $1', [REALTIME_PUBLICATION]);
  if (!found) {
    await ctx.client.query(`create publication ${ident(REALTIME_PUBLICATION)}`);
    changes.push(`created publication ${REALTIME_PUBLICATION}`);
  }
  if (found?.owner !== 'postgres') {
    await ctx.client.query(`alter publication ${ident(REALTIME_PUBLICATION)} owner to postgres`);
    changes.push(`changed owner of publication ${REALTIME_PUBLICATION} to postgres`);
  }
  return changes;
}

/** Step `realtime`: see realtime-schema.ts (point 10). */
async function realtime(ctx: Context): Promise<string[]> {
  return installRealtimeSchema(ctx.client, REALTIME_ROLE);
}

/**
 * Step `passwords` (point 12): for each login, log in with its password; only when that fails with "password
 * authentication failed" set a SCRAM-SHA-256 verifier computed here, and log in again to prove it.
 */
async function passwords(ctx: Context): Promise<string[]> {
  const changes: string[] = [];
  for (const login of ctx.options.logins) {
    if (await canLogIn(ctx, login)) continue;
    const verifier = scramSha256Verifier(login.password);
    if (!isScramVerifier(verifier)) {
      throw new Error(`internal error: the verifier for ${login.username} is malformed`);
    }
    await ctx.client.query(`alter role ${ident(login.username)} with password '${verifier}'`);
    if (!(await canLogIn(ctx, login))) {
      throw new Error(`the password of ${login.username} was set, but logging in with it still fails`);
    }
    changes.push(`set the password of ${login.username}`);
  }
  return changes;
}

/** PostgreSQL's SQLSTATE for a failed password authentication. */
const INVALID_PASSWORD = '28P01';

async function canLogIn(ctx: Context, login: BootstrapLogin): Promise<boolean> {
  let client: Client;
  try {
    client = await ctx.options.connectAs(login.username, login.password);
  } catch (e) {
    if ((e as { code?: string }).code === INVALID_PASSWORD) {
      return false;
    }
    throw new Error(`cannot log in as ${login.username} for a reason other than its password: ${(e as Error).message}`);
  }
  await client.end();
  return true;
}

/** A named step; all but `passwords` run in a transaction of their own. */
interface Step {
  readonly name: string;
  readonly transactional: boolean;
  readonly run: (ctx: Context) => Promise<string[]>;
}

/** The steps, in order. */
export const STEPS: readonly Step[] = [
  { name: 'roles', transactional: true, run: roles },
  { name: 'memberships', transactional: true, run: memberships },
  { name: 'schemas', transactional: true, run: schemas },
  { name: 'database', transactional: true, run: database },
  { name: 'settings', transactional: true, run: settings },
  { name: 'grants', transactional: true, run: grants },
  { name: 'default-privileges', transactional: true, run: defaultPrivileges },
  { name: 'extensions', transactional: true, run: extensions },
  { name: 'publication', transactional: true, run: publication },
  { name: 'realtime', transactional: true, run: realtime },
  { name: 'passwords', transactional: false, run: passwords },
];

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
