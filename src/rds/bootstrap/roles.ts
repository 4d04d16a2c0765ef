/**
 * The roles, memberships, schemas, role settings and grants the bootstrap (./sql.ts) makes, in one place: each
 * entry cites the upstream file (supabase/postgres `migrations/db/`) or the point of the RDS checklist that needs it.
 * The construct's service logins and reserved role names (../logins.ts) are derived from {@link ROLES}.
 * No AWS and no `pg` dependency: the construct and the Lambda handler both import it.
 */
import { REALTIME_ADMIN_ROLE, REALTIME_ROLE } from './realtime-schema';

/** Role attributes the bootstrap manages. Every role is NOSUPERUSER and NOREPLICATION (point 1). */
export interface RoleSpec {
  readonly name: string;
  readonly login: boolean;
  readonly inherit: boolean;
  readonly createrole: boolean;
  readonly createdb: boolean;
  readonly bypassrls: boolean;
  readonly why: string;
  /** For the login of a Supabase service: the construct's secret for it (see ../logins.ts). */
  readonly service?: ServiceLoginSpec;
}

/** The service that logs in as a role, as the construct names its secret. */
export interface ServiceLoginSpec {
  /** Construct id prefix of the login's secret, and the stem of its member name (`Auth` -> `authSecret`). */
  readonly id: string;
  /** Which service uses it; becomes the secret's description. */
  readonly description: string;
}

const role = (name: string, attrs: Partial<Omit<RoleSpec, 'name' | 'why'>>, why: string): RoleSpec => ({
  name, login: false, inherit: false, createrole: false, createdb: false, bypassrls: false, ...attrs, why,
});

/** The roles, in creation order: service_role first, so a refused BYPASSRLS stops the bootstrap before anything. */
export const ROLES: readonly RoleSpec[] = [
  role('service_role', { bypassrls: true }, '00000000000000-initial-schema.sql: NOLOGIN NOINHERIT BYPASSRLS'),
  role('anon', {}, '00000000000000-initial-schema.sql: NOLOGIN NOINHERIT'),
  role('authenticated', {}, '00000000000000-initial-schema.sql: NOLOGIN NOINHERIT'),
  role('authenticator', {
    login: true,
    service: { id: 'Rest', description: 'Supabase REST (PostgREST): switches to anon, authenticated or service_role per request' },
  }, '00000000000000-initial-schema.sql: PostgREST login, LOGIN NOINHERIT'),
  role('supabase_auth_admin', {
    login: true,
    createrole: true,
    service: { id: 'Auth', description: 'Supabase Auth (GoTrue): owns schema auth and runs its migrations there' },
  }, '00000000000001-auth-schema.sql: NOINHERIT CREATEROLE LOGIN NOREPLICATION'),
  role('supabase_storage_admin', {
    login: true,
    createrole: true,
    service: { id: 'Storage', description: 'Supabase Storage API: owns schema storage and runs its migrations there' },
  }, '00000000000002-storage-schema.sql: NOINHERIT CREATEROLE LOGIN NOREPLICATION'),
  role(REALTIME_ADMIN_ROLE, {}, 'realtime 20240401105812_create_realtime_admin_and_move_ownership: NOINHERIT NOLOGIN NOREPLICATION'),
  // Upstream supabase_admin is a superuser (00000000000000-initial-schema.sql); here it is only Realtime's login,
  // and it inherits supabase_realtime_admin so it keeps owning what its migrations move to that role.
  role(REALTIME_ROLE, {
    login: true,
    inherit: true,
    service: { id: 'Realtime', description: 'Supabase Realtime: logical replication through rds_replication (not a superuser on RDS)' },
  }, 'Realtime login (DB_USER); not a superuser on RDS'),
  // 00000000000003-post-setup.sql gives dashboard_user CREATEDB CREATEROLE REPLICATION; no service logs in as it
  // here, so it exists (Realtime's and GoTrue's grants name it) without attributes.
  role('dashboard_user', { inherit: true }, '00000000000003-post-setup.sql: referenced by grants'),
  // 10000000000000_demote-postgres.sql: NOSUPERUSER CREATEDB CREATEROLE LOGIN (REPLICATION BYPASSRLS left out);
  // GoTrue 20240612123726_enable_rls_update_grants.up.sql, storage 0046/0049 and Realtime grant to it (point 4).
  role('postgres', {
    login: true,
    inherit: true,
    createrole: true,
    createdb: true,
    service: { id: 'Meta', description: 'Supabase postgres-meta and Studio (a member of rds_superuser, never the RDS master user)' },
  }, 'postgres-meta/Studio login (point 4)'),
];

/** The roles that log in, which the caller may give passwords for. */
export const LOGIN_ROLES: readonly string[] = ROLES.filter((r) => r.login).map((r) => r.name);

/** A membership: `member` is granted `role`. Options apply on PostgreSQL 16+ (15 has no INHERIT/SET options). */
export interface MembershipSpec {
  readonly role: string;
  readonly member: string;
  readonly admin?: boolean;
  readonly inherit: boolean;
  readonly why: string;
}

/** Stands for the master user in the tables below. */
export const MASTER = '$master';

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
export const SCHEMA_GRANTS: readonly { readonly schema: string; readonly privilege: 'USAGE' | 'CREATE'; readonly grantees: readonly string[]; readonly why: string }[] = [
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
export const DEFAULT_PRIVILEGE_GRANTORS: readonly string[] = [MASTER, 'postgres'];
export const DEFAULT_PRIVILEGE_GRANTEES: readonly string[] = ['anon', 'authenticated', 'service_role'];
/** pg_default_acl.defaclobjtype, the ALTER DEFAULT PRIVILEGES object kind, and the privileges `ALL` must include. */
export const DEFAULT_PRIVILEGE_KINDS: readonly { readonly objtype: string; readonly kind: string; readonly required: readonly string[] }[] = [
  { objtype: 'r', kind: 'TABLES', required: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'] },
  { objtype: 'S', kind: 'SEQUENCES', required: ['USAGE', 'SELECT', 'UPDATE'] },
  { objtype: 'f', kind: 'FUNCTIONS', required: ['EXECUTE'] },
];
