/**
 * Supabase Realtime on Amazon RDS: what the bootstrap puts into schema `realtime` so that Realtime's own tenant
 * migrations succeed without a superuser.
 *
 * ## The problem
 * Realtime (pinned image `supabase/realtime:v2.134.10`) logs in as `supabase_admin`, which upstream is a superuser
 * (supabase/postgres `migrations/db/init-scripts/00000000000000-initial-schema.sql`). At start it migrates its
 * control-plane schema `_realtime` (priv/repo/migrations, plain tables) and then, for the tenant that
 * `SEED_SELF_HOST=true` seeds (priv/repo/seeds.exs: tenant `realtime-dev`, whose database settings are the same
 * `DB_*` variables), the tenant schema `realtime` (lib/realtime/tenants/migrations.ex):
 * - when the tenant has run no migration and `realtime.schema_migrations` is missing or empty it loads
 *   `priv/repo/tenant_db_dump_<major>.sql` (15 and 17 only; on 16 and 18 there is none) in one statement, which
 *   grants `SET ON PARAMETER log_min_messages` (in a DO block, when it creates supabase_realtime_admin) and creates
 *   `realtime.list_changes` with `SET log_min_messages TO 'fatal'`; if that fails, or there is no dump, it falls
 *   back to
 * - Ecto's migrator (`Ecto.Migrator.run(..., all: true, prefix: "realtime")`), which runs every migration whose
 *   version is not in `realtime.schema_migrations`. Three of them create `realtime.list_changes` with
 *   `SET log_min_messages TO 'fatal'` (20230328144023_create_list_changes_function,
 *   20260326120000_list_changes_with_slot_count, 20260528120000_wal2json_escape_special_chars).
 *
 * `log_min_messages` is a superuser parameter. PostgreSQL checks the right to set it when such a function is
 * created (`validate_option_array_item()`) and again at every call (`ProcessGUCArray()` under the caller's
 * rights), so on RDS, where no role is a superuser and nobody can `GRANT SET ON PARAMETER log_min_messages`, both
 * paths fail with "permission denied to set parameter" (supabase/realtime issue 1326, RDS 17.2). Everything else
 * in the migrations is ordinary DDL by the owner of schema `realtime`, plus `ALTER ... OWNER TO
 * supabase_realtime_admin` and `GRANT supabase_realtime_admin TO postgres`
 * (20240401105812_create_realtime_admin_and_move_ownership, 20260707120000_restrict_realtime_schema), which the
 * bootstrap makes possible by memberships (see sql.ts, step `memberships`).
 *
 * ## The decision
 * Realtime stays the owner of its schema and keeps migrating it itself; the bootstrap pre-empts only the
 * migrations that cannot run on RDS. Before Realtime first starts, the bootstrap, acting as the Realtime role (so
 * the objects belong to it exactly as if its migrator had made them):
 * 1. creates `realtime.schema_migrations` in Ecto's layout (`version bigint` primary key, `inserted_at
 *    timestamp(0)`), which is not empty afterwards, so Realtime never takes the dump path;
 * 2. creates, in their final form at the pinned commit, the three functions those migrations leave behind:
 *    `realtime.wal2json_escape_identifier(text)`, `realtime.quote_wal2json(regclass)` and
 *    `realtime.list_changes(name, name, integer, integer)`, the latter WITHOUT the `SET log_min_messages` clause;
 * 3. records as applied those three migrations and 20211116050929_create_realtime_quote_wal2json_function (which
 *    would otherwise replace the final `quote_wal2json` with its 2021 version, as nothing later would restore it).
 * Realtime then applies the other migrations itself, in order, and moves these functions to
 * `supabase_realtime_admin` in 20260707120000 like any other.
 *
 * Once `realtime.schema_migrations` holds any version the bootstrap did not write, Realtime manages the schema and
 * this step does nothing, ever again (it never replaces or drops a Realtime object).
 *
 * ## What is left out, and what it costs
 * - `SET log_min_messages TO 'fatal'` on `realtime.list_changes`, and `GRANT SET ON PARAMETER log_min_messages`.
 *   Upstream uses them to keep the messages raised while Realtime polls its replication slot (several times a
 *   second) out of the server log; on RDS such messages reach the `postgresql` log exported to CloudWatch Logs,
 *   at the instance's `log_min_messages` (default `warning`).
 * - The tenant dump (`tenant_db_dump_<major>.sql`): the migrator path is slower on the first start (about 80
 *   small migrations) but ends in the same schema.
 *
 * ## Limits
 * - Checked against what could be read: see {@link REALTIME_SCHEMA_CHECK}. Every tenant migration up to that
 *   release (the last, 20260709120000) was read for statements an RDS master cannot run; only the four below
 *   have any. The pinned image's own tag was not published in the sources available. If it carries a further
 *   migration that creates `list_changes` with `SET log_min_messages`, the tenant's migrations fail on Realtime's
 *   first start: the pods stay unready (their probes ask the tenant's health) and the log names the failure
 *   ("permission denied to set parameter \"log_min_messages\""); add that migration's version and the function's
 *   new form here. The pull requests open at that release (20260714120000_add_broadcast_storage,
 *   20260815120000_isolate_subscription_rls_errors, 20260815130000_hash_subscription_filters_index,
 *   20260815140000_validate_filter_operator_against_column_type) run as the schema's owner and do not touch
 *   `list_changes`, `quote_wal2json` or `wal2json_escape_identifier`.
 * - These functions are our own SQL written from the upstream migrations named above, not copies; they keep the
 *   upstream signatures, result columns and wal2json options, which Realtime's CDC poller depends on.
 * - Realtime's `apply_rls`, `subscription`, `messages`, ... appear only when Realtime runs; no Realtime server can
 *   run where this library is tested, so the integration tests prove the objects above and the privileges the
 *   migrator needs (ownership moves, role grants, publication creation, replication slot), not the migrator run.
 */
import type { Client } from 'pg';

/** The role Realtime logs in as (`DB_USER`); upstream's default, kept so Realtime's migrations find their names. */
export const REALTIME_ROLE = 'supabase_admin';
/** The role Realtime's migrations move their objects to (20240401105812, 20260707120000). */
export const REALTIME_ADMIN_ROLE = 'supabase_realtime_admin';

/**
 * What this file was checked against. `imageTag` is the Realtime image the library pins (`SupabaseImages.realtime`):
 * a test fails when the two differ, so that a new image is not pinned without its tenant migrations being read
 * for statements an RDS master cannot run.
 */
export const REALTIME_SCHEMA_CHECK = {
  /** The image tag this check stands for. */
  imageTag: 'v2.134.10',
  /** The newest release whose tenant migrations were read: every one of them, up to 20260709120000. */
  checkedRelease: 'v2.129.8',
  /** The source read (supabase/realtime at the tag v2.129.8; main at 833cf36c changes no migration). */
  source: 'supabase/realtime@2aa997873a5e0addd6b799945ed65c3407fc0d1a (v2.129.8)',
  /**
   * Why the image tag and the release read differ: the tags after v2.129.8 were not published in the sources
   * available to the check (2026-12-04).
   */
  gap: 'v2.130.0 to v2.134.10 not available to read; their open pull requests were read instead',
} as const;

/**
 * Tenant migrations (lib/realtime/tenants/repo/migrations) the bootstrap records as applied, because their
 * effect is installed by {@link REALTIME_FUNCTIONS} without the superuser-only part.
 */
export const PREEMPTED_REALTIME_MIGRATIONS: readonly string[] = [
  // 20211116050929_create_realtime_quote_wal2json_function: an older quote_wal2json, superseded by 20260528120000.
  '20211116050929',
  // 20230328144023_create_list_changes_function: list_changes with SET log_min_messages (superuser only).
  '20230328144023',
  // 20260326120000_list_changes_with_slot_count: list_changes (adds slot_changes_count), SET log_min_messages.
  '20260326120000',
  // 20260528120000_wal2json_escape_special_chars: wal2json_escape_identifier, quote_wal2json, list_changes with
  // SET log_min_messages.
  '20260528120000',
];

/** A function the bootstrap installs: its identity (for `to_regprocedure`) and its definition. */
export interface RealtimeFunction {
  readonly signature: string;
  readonly definition: string;
}

/**
 * The functions, in creation order. Written for this library from the migrations named in each comment.
 */
export const REALTIME_FUNCTIONS: readonly RealtimeFunction[] = [
  {
    // Motivated by 20260528120000_wal2json_escape_special_chars: wal2json's `add-tables` option separates tables
    // with `,` and schema from table with `.`, and takes `\` as its escape character; whitespace is escaped too.
    signature: 'realtime.wal2json_escape_identifier(text)',
    definition: String.raw`
create function realtime.wal2json_escape_identifier(name text)
returns text
language sql
immutable
strict
as $fn$
  select pg_catalog.regexp_replace(name, '[\\,.[:space:]]', '\\\&', 'g')
$fn$`,
  },
  {
    // Motivated by 20260528120000_wal2json_escape_special_chars (final form of the function first created in
    // 20211116050929): a table as wal2json's `add-tables` wants it, `<schema>.<table>`, each part escaped.
    signature: 'realtime.quote_wal2json(regclass)',
    definition: String.raw`
create function realtime.quote_wal2json(entity regclass)
returns text
language sql
immutable
strict
as $fn$
  select realtime.wal2json_escape_identifier(n.nspname::text) || '.' || realtime.wal2json_escape_identifier(c.relname::text)
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where c.oid = entity
$fn$`,
  },
  {
    // Motivated by 20260528120000_wal2json_escape_special_chars and 20260326120000_list_changes_with_slot_count:
    // Realtime's CDC poller (postgres_cdc_rls) calls this with its publication and slot. It reads at most
    // max_changes changes of the publication's tables from the wal2json slot (format 2, with primary keys,
    // timestamps and type oids, only the publication's actions), passes each to realtime.apply_rls (created later
    // by Realtime's own migrations, hence check_function_bodies = off at creation), returns the changes that match
    // a subscription, and reports in every row how many changes the slot gave (a single row of nulls with that
    // count when none matched). Upstream's `SET log_min_messages TO 'fatal'` is left out: see the top of the file.
    signature: 'realtime.list_changes(name,name,integer,integer)',
    definition: String.raw`
create function realtime.list_changes(publication name, slot_name name, max_changes integer, max_record_bytes integer)
returns table (wal jsonb, is_rls_enabled boolean, subscription_ids uuid[], errors text[], slot_changes_count bigint)
language sql
as $fn$
  with publication_filter as (
    select
      pg_catalog.concat_ws(
        ',',
        case when bool_or(p.pubinsert) then 'insert' end,
        case when bool_or(p.pubupdate) then 'update' end,
        case when bool_or(p.pubdelete) then 'delete' end
      ) as actions,
      coalesce(
        string_agg(realtime.quote_wal2json(pg_catalog.format('%I.%I', t.schemaname, t.tablename)::regclass), ',')
          filter (where t.tablename is not null),
        ''
      ) as tables
    from pg_catalog.pg_publication p
    left join pg_catalog.pg_publication_tables t on t.pubname = p.pubname
    where p.pubname = list_changes.publication
    group by p.pubname
    limit 1
  ),
  slot_changes as materialized (
    select c.data, f.tables
    from publication_filter f,
      pg_catalog.pg_logical_slot_get_changes(
        list_changes.slot_name, null, list_changes.max_changes,
        'include-pk', 'true',
        'include-transaction', 'false',
        'include-timestamp', 'true',
        'include-type-oids', 'true',
        'format-version', '2',
        'actions', f.actions,
        'add-tables', f.tables
      ) c
  ),
  slot_count as (
    select count(*)::bigint as n from slot_changes s where s.tables <> ''
  ),
  matched as (
    select r.wal, r.is_rls_enabled, r.subscription_ids, r.errors
    from slot_changes s,
      realtime.apply_rls(wal := s.data::jsonb, max_record_bytes := list_changes.max_record_bytes)
        r(wal, is_rls_enabled, subscription_ids, errors)
    where s.tables <> '' and r.subscription_ids[1] is not null
  )
  select m.wal, m.is_rls_enabled, m.subscription_ids, m.errors, sc.n
  from matched m cross join slot_count sc
  union all
  select null, null, null, null, sc.n
  from slot_count sc
  where not exists (select 1 from matched)
$fn$`,
  },
];

/** Quotes an SQL identifier. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Step `realtime`: installs what is described at the top of this file, inside the caller's transaction. Returns
 * the changes it made.
 *
 * @param client connected as the master user, inside a transaction; the master can `SET ROLE` to `realtimeRole`
 * @param realtimeRole the role Realtime logs in as; owner of schema `realtime`
 */
export async function installRealtimeSchema(client: Client, realtimeRole: string = REALTIME_ROLE): Promise<string[]> {
  const changes: string[] = [];
  // As the Realtime role from the start: on 16+ the master may SET ROLE to it but does not inherit its privileges.
  await client.query(`set local role ${ident(realtimeRole)}`);
  const exists = await client.query<{ table: string | null }>(
    "select pg_catalog.to_regclass('realtime.schema_migrations')::text as table");
  if (exists.rows[0].table !== null) {
    const versions = await client.query<{ version: string }>('select version::text as version from realtime.schema_migrations');
    const foreign = versions.rows.filter((r) => !PREEMPTED_REALTIME_MIGRATIONS.includes(r.version));
    if (foreign.length > 0) {
      // Realtime has migrated this tenant: the schema is Realtime's from now on.
      await client.query('reset role');
      return changes;
    }
  }

  // The bodies refer to realtime.apply_rls, which Realtime's own migrations create later.
  await client.query('set local check_function_bodies = off');
  if (exists.rows[0].table === null) {
    // Ecto's schema_migrations table (Ecto.Migration.SchemaMigration), as Realtime's migrator would create it.
    await client.query('create table realtime.schema_migrations (version bigint not null primary key, inserted_at timestamp(0) without time zone)');
    changes.push('created table realtime.schema_migrations');
  }
  for (const fn of REALTIME_FUNCTIONS) {
    const found = await client.query<{ oid: string | null }>('select pg_catalog.to_regprocedure($1)::text as oid', [fn.signature]);
    if (found.rows[0].oid === null) {
      await client.query(fn.definition);
      changes.push(`created function ${fn.signature}`);
    }
  }
  const inserted = await client.query<{ version: string }>(
    `insert into realtime.schema_migrations (version, inserted_at)
     select v::bigint, (now() at time zone 'utc')::timestamp(0) from unnest($1::text[]) as v
     on conflict (version) do nothing
     returning version::text as version`,
    [PREEMPTED_REALTIME_MIGRATIONS]);
  if (inserted.rows.length > 0) {
    changes.push(`recorded Realtime migrations ${inserted.rows.map((r) => r.version).sort().join(', ')} as applied`);
  }
  await client.query('reset role');
  return changes;
}
