/**
 * The steps of the bootstrap (./sql.ts runs them), each reading the catalog and changing only what differs from
 * the tables in ./roles.ts; the points cited are those of the RDS checklist in sql.ts's header.
 */
import type { Client } from 'pg';
import { REALTIME_ROLE, installRealtimeSchema } from './realtime-schema';
import {
  AUTHENTICATOR_ROLES,
  DEFAULT_PRIVILEGE_GRANTEES,
  DEFAULT_PRIVILEGE_GRANTORS,
  DEFAULT_PRIVILEGE_KINDS,
  MASTER,
  MEMBERSHIPS,
  ROLES,
  ROLE_SETTINGS,
  SCHEMAS,
  SCHEMA_GRANTS,
} from './roles';
import { isScramVerifier, scramSha256Verifier } from './scram';
import type { BootstrapLogin, BootstrapOptions } from './sql';

/** The publication Realtime's postgres_changes reads (00000000000000-initial-schema.sql: empty). */
export const REALTIME_PUBLICATION = 'supabase_realtime';

/** Quotes an SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The state shared by the steps. */
export interface Context {
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

export async function one<T extends Record<string, unknown>>(client: Client, sql: string, params: unknown[] = []): Promise<T | undefined> {
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
