/**
 * Integration tests of the database bootstrap on real PostgreSQL 15 and 18 (the library's default engine major,
 * RDS 18.3), set up like Amazon RDS by ./pg-harness.ts (read its comment for what the emulation covers and what
 * it cannot). Each test names the point of /work/shared/supabase-services.md ("What a bootstrap on RDS must get
 * right") it proves.
 */
import { randomBytes } from 'node:crypto';
import { JWK, SignJWT, createLocalJWKSet, importJWK, jwtVerify } from 'jose';
import { Client } from 'pg';
import { MASTER_USER, PgHarness } from './pg-harness';
import { generateSigningKey, signInternalKey, verificationJwks } from '../../src/private/lambda/signing-keys';
import {
  BootstrapOptions,
  BootstrapStepError,
  LOGIN_ROLES,
  PREEMPTED_REALTIME_MIGRATIONS,
  REALTIME_ROLE,
  bootstrapDatabase,
} from '../../src/rds/bootstrap';

jest.setTimeout(300_000);

const MAJORS = [15, 18];
/** A marker in every password, so that a leak is found whatever the password. */
const MARKER = `pw${randomBytes(6).toString('hex')}`;
const MASTER_PASSWORD = `${MARKER}-master-${randomBytes(12).toString('hex')}`;
const PASSWORDS: Record<string, string> = Object.fromEntries(
  LOGIN_ROLES.map((username) => [username, `${MARKER}-${username}-${randomBytes(12).toString('hex')}`]));

const LEGACY_JWT_SECRET = randomBytes(32).toString('hex');
const USER_A = '11111111-1111-1111-1111-111111111111';
const USER_B = '22222222-2222-2222-2222-222222222222';

/** The roles the bootstrap manages, with their expected attributes. */
const EXPECTED_ROLES: Record<string, { login: boolean; inherit: boolean; createrole: boolean; createdb: boolean; bypassrls: boolean }> = {
  anon: { login: false, inherit: false, createrole: false, createdb: false, bypassrls: false },
  authenticated: { login: false, inherit: false, createrole: false, createdb: false, bypassrls: false },
  service_role: { login: false, inherit: false, createrole: false, createdb: false, bypassrls: true },
  authenticator: { login: true, inherit: false, createrole: false, createdb: false, bypassrls: false },
  supabase_auth_admin: { login: true, inherit: false, createrole: true, createdb: false, bypassrls: false },
  supabase_storage_admin: { login: true, inherit: false, createrole: true, createdb: false, bypassrls: false },
  supabase_admin: { login: true, inherit: true, createrole: false, createdb: false, bypassrls: false },
  supabase_realtime_admin: { login: false, inherit: false, createrole: false, createdb: false, bypassrls: false },
  dashboard_user: { login: false, inherit: true, createrole: false, createdb: false, bypassrls: false },
  postgres: { login: true, inherit: true, createrole: true, createdb: true, bypassrls: false },
};

describe.each(MAJORS)('bootstrap on PostgreSQL %i', (major) => {
  let pg: PgHarness;
  let master: Client;
  /** Every statement text (and parameter) the master connection sent, bootstrap and tests alike. */
  const sent: string[] = [];
  let refusal: unknown;
  let rolesAfterRefusal: string[] = [];
  let firstChanges: string[] = [];

  const options = (overrides: Partial<BootstrapOptions> = {}): BootstrapOptions => pg.bootstrapOptions(PASSWORDS, overrides);

  /** Runs `fn` with a connection as `user` (with its password), then closes it. */
  async function as<T>(user: string, fn: (c: Client) => Promise<T>): Promise<T> {
    const client = await pg.connect(user, user === MASTER_USER ? MASTER_PASSWORD : PASSWORDS[user]);
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  async function asSuperuser<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    const client = await pg.superuser();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  /** The catalog state a second run must not change. */
  async function snapshot(): Promise<Record<string, unknown[]>> {
    return asSuperuser(async (su) => {
      const q = async (sql: string) => (await su.query(sql)).rows;
      return {
        roles: await q(`select rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication,
            rolbypassrls, rolconnlimit, rolpassword from pg_authid order by rolname`),
        members: await q(`select r.rolname as role, m.rolname as member, g.rolname as grantor, a.admin_option
            ${major >= 16 ? ', a.inherit_option, a.set_option' : ''}
          from pg_auth_members a join pg_roles r on r.oid = a.roleid join pg_roles m on m.oid = a.member
            join pg_roles g on g.oid = a.grantor order by 1, 2, 3`),
        namespaces: await q('select nspname, pg_get_userbyid(nspowner) as owner, nspacl::text as acl from pg_namespace order by 1'),
        defaultAcl: await q(`select pg_get_userbyid(defaclrole) as role, defaclnamespace::regnamespace::text as schema,
            defaclobjtype, defaclacl::text as acl from pg_default_acl order by 1, 2, 3`),
        settings: await q('select setdatabase, setrole::regrole::text as role, setconfig from pg_db_role_setting order by 1, 2'),
        database: await q('select datname, pg_get_userbyid(datdba) as owner, datacl::text as acl from pg_database order by 1'),
        extensions: await q('select extname, extnamespace::regnamespace::text as schema, extversion from pg_extension order by 1'),
        publications: await q('select pubname, pg_get_userbyid(pubowner) as owner from pg_publication order by 1'),
        realtimeFunctions: await q(`select p.oid::regprocedure::text as fn, pg_get_userbyid(p.proowner) as owner, md5(p.prosrc) as src,
            p.proconfig, p.proacl::text as acl from pg_proc p where p.pronamespace = 'realtime'::regnamespace order by 1`),
        realtimeMigrations: await q('select version, inserted_at from realtime.schema_migrations order by 1'),
      };
    });
  }

  beforeAll(async () => {
    pg = await PgHarness.start(major, MASTER_PASSWORD);
    master = await pg.connect(MASTER_USER, MASTER_PASSWORD);
    const query = master.query.bind(master) as (...args: unknown[]) => unknown;
    (master as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const [first, second] = args;
      sent.push(typeof first === 'string' ? first : String((first as { text?: string })?.text));
      if (Array.isArray(second)) sent.push(JSON.stringify(second));
      return query(...args);
    };
    // First attempt on a stock server: the master may not give BYPASSRLS (point 2).
    try {
      await bootstrapDatabase(master, options());
    } catch (e) {
      refusal = e;
    }
    rolesAfterRefusal = (await master.query<{ rolname: string }>(
      'select rolname from pg_roles where rolname = any($1::text[])', [Object.keys(EXPECTED_ROLES)])).rows.map((r) => r.rolname);
    // Then as RDS would be if it lets the master create service_role with BYPASSRLS.
    await pg.emulateRdsBypassRls();
    firstChanges = await bootstrapDatabase(master, options());
  });

  afterAll(async () => {
    await master?.end();
    await pg?.stop();
  });

  test('point 2: without a way to give BYPASSRLS the bootstrap stops, naming the step and the engine version, and changes nothing', () => {
    expect(refusal).toBeInstanceOf(BootstrapStepError);
    const error = refusal as BootstrapStepError;
    expect(error.step).toBe('roles');
    expect(error.message).toContain("step 'roles'");
    expect(error.message).toContain(`PostgreSQL ${major}.`);
    expect(error.message).toContain('BYPASSRLS');
    expect(error.message).toContain('service_role');
    expect(error.message).not.toContain(MARKER);
    expect(rolesAfterRefusal).toEqual([]);
  });

  test('the first run reports what it created', () => {
    expect(firstChanges).toEqual(expect.arrayContaining([
      'created role anon',
      'created role authenticator',
      'created schema auth owned by supabase_auth_admin',
      'created publication supabase_realtime',
      'set the password of authenticator',
    ]));
    expect(firstChanges.join('\n')).not.toContain(MARKER);
  });

  test('points 2, 4: every role exists with its exact attributes', async () => {
    const rows = (await master.query(`select rolname, rolsuper, rolreplication, rolcanlogin, rolinherit, rolcreaterole,
        rolcreatedb, rolbypassrls from pg_roles where rolname = any($1::text[])`, [Object.keys(EXPECTED_ROLES)])).rows;
    const actual = Object.fromEntries(rows.map((r) => [r.rolname, {
      login: r.rolcanlogin, inherit: r.rolinherit, createrole: r.rolcreaterole, createdb: r.rolcreatedb, bypassrls: r.rolbypassrls,
    }]));
    expect(actual).toEqual(EXPECTED_ROLES);
  });

  test('point 1: no role the bootstrap manages, nor the master, is SUPERUSER or has REPLICATION', async () => {
    const rows = (await master.query('select rolname from pg_roles where rolname = any($1::text[]) and (rolsuper or rolreplication)',
      [[...Object.keys(EXPECTED_ROLES), MASTER_USER]])).rows;
    expect(rows).toEqual([]);
  });

  test('points 1, 8, 10: memberships', async () => {
    const members = async (role: string) => (await master.query<{ rolname: string }>(
      `select m.rolname from pg_auth_members a join pg_roles r on r.oid = a.roleid join pg_roles m on m.oid = a.member
       where r.rolname = $1 order by 1`, [role])).rows.map((r) => r.rolname);
    for (const apiRole of ['anon', 'authenticated', 'service_role']) {
      expect(await members(apiRole)).toEqual(expect.arrayContaining(['authenticator']));
    }
    // On 16+ the master holds ADMIN OPTION (only) on every role it created; it may not switch to authenticator.
    expect((await members('authenticator')).filter((m) => m !== MASTER_USER)).toEqual(['supabase_storage_admin']);
    if (major >= 16) {
      const masterRow = await master.query(`select bool_or(a.admin_option) as admin, bool_or(a.set_option) as set,
        bool_or(a.inherit_option) as inherit from pg_auth_members a where a.roleid = 'authenticator'::regrole and a.member = $1::regrole`, [MASTER_USER]);
      expect(masterRow.rows[0]).toEqual({ admin: true, set: false, inherit: false });
    }
    expect(await members('rds_replication')).toEqual(expect.arrayContaining([REALTIME_ROLE]));
    expect(await members('supabase_realtime_admin')).toEqual(expect.arrayContaining([REALTIME_ROLE]));
    expect(await members('rds_superuser')).toEqual(expect.arrayContaining(['postgres', MASTER_USER]));
    // Realtime's role may pass supabase_realtime_admin on (its migration grants it to postgres).
    const admin = await master.query(`select bool_or(a.admin_option) as admin from pg_auth_members a
      where a.roleid = 'supabase_realtime_admin'::regrole and a.member = $1::regrole`, [REALTIME_ROLE]);
    expect(admin.rows[0].admin).toBe(true);
  });

  test('points 5, 10: schema owners', async () => {
    const rows = (await master.query(`select nspname, pg_get_userbyid(nspowner) as owner from pg_namespace
      where nspname = any($1::text[]) order by 1`, [['auth', 'storage', 'realtime', '_realtime', 'extensions', 'graphql_public']])).rows;
    expect(Object.fromEntries(rows.map((r) => [r.nspname, r.owner]))).toEqual({
      _realtime: REALTIME_ROLE,
      auth: 'supabase_auth_admin',
      extensions: MASTER_USER,
      graphql_public: MASTER_USER,
      realtime: REALTIME_ROLE,
      storage: 'supabase_storage_admin',
    });
    // Point 5: nothing is pre-created inside the service-owned schemas.
    const inside = await master.query(`select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname in ('auth', 'storage')`);
    expect(inside.rows[0].n).toBe(0);
  });

  test('point 6 and timeouts: supabase_auth_admin search_path = auth; anon 3s, authenticated 8s', async () => {
    expect(await as('supabase_auth_admin', async (c) => (await c.query('show search_path')).rows[0].search_path)).toBe('auth');
    const settings = (await master.query(`select setrole::regrole::text as role, setconfig from pg_db_role_setting
      where setdatabase = 0 and setrole::regrole::text in ('anon', 'authenticated', 'supabase_auth_admin')`)).rows;
    const byRole = Object.fromEntries(settings.map((r) => [r.role, r.setconfig]));
    expect(byRole.anon).toContain('statement_timeout=3s');
    expect(byRole.authenticated).toContain('statement_timeout=8s');
    expect(byRole.supabase_auth_admin).toContain('search_path=auth');
  });

  test('points 7, 8: anon, authenticated and service_role have USAGE on auth and storage', async () => {
    for (const schema of ['auth', 'storage', 'extensions', 'public', 'graphql_public']) {
      for (const grantee of ['anon', 'authenticated', 'service_role']) {
        const ok = await master.query('select has_schema_privilege($1, $2, \'USAGE\') as ok', [grantee, schema]);
        expect([schema, grantee, ok.rows[0].ok]).toEqual([schema, grantee, true]);
      }
    }
  });

  test('default privileges in public: tables, sequences and functions to anon, authenticated, service_role', async () => {
    const rows = (await master.query(`select pg_get_userbyid(d.defaclrole) as grantor, d.defaclobjtype as type,
        pg_get_userbyid(a.grantee) as grantee, array_agg(a.privilege_type::text order by 1) as privileges
      from pg_default_acl d, aclexplode(d.defaclacl) a where d.defaclnamespace = 'public'::regnamespace
      group by 1, 2, 3`)).rows;
    for (const grantor of [MASTER_USER, 'postgres']) {
      for (const grantee of ['anon', 'authenticated', 'service_role']) {
        const of = (type: string) => rows.find((r) => r.grantor === grantor && r.grantee === grantee && r.type === type)?.privileges ?? [];
        expect(of('r')).toEqual(expect.arrayContaining(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']));
        expect(of('S')).toEqual(expect.arrayContaining(['USAGE', 'SELECT', 'UPDATE']));
        expect(of('f')).toEqual(['EXECUTE']);
      }
    }
  });

  test('extensions uuid-ossp and pgcrypto live in schema extensions; publication supabase_realtime exists', async () => {
    const ext = (await master.query(`select extname, extnamespace::regnamespace::text as schema from pg_extension
      where extname in ('uuid-ossp', 'pgcrypto') order by 1`)).rows;
    expect(ext).toEqual([{ extname: 'pgcrypto', schema: 'extensions' }, { extname: 'uuid-ossp', schema: 'extensions' }]);
    expect((await master.query('select extensions.uuid_generate_v4() is not null as ok')).rows[0].ok).toBe(true);
    const pub = (await master.query(`select pg_get_userbyid(pubowner) as owner, puballtables from pg_publication
      where pubname = 'supabase_realtime'`)).rows;
    expect(pub).toEqual([{ owner: 'postgres', puballtables: false }]);
  });

  test('point 9: authenticator can SET ROLE to anon, authenticated, service_role and to nothing else', async () => {
    await as('authenticator', async (c) => {
      for (const target of ['anon', 'authenticated', 'service_role']) {
        await c.query(`set role ${target}`);
        expect((await c.query('select current_user as u')).rows[0].u).toBe(target);
        await c.query('reset role');
      }
      for (const target of ['postgres', 'supabase_admin', MASTER_USER, 'supabase_auth_admin', 'supabase_storage_admin',
        'supabase_realtime_admin', 'rds_superuser', 'rds_replication', 'dashboard_user']) {
        await expect(c.query(`set role ${target}`)).rejects.toThrow(/permission denied/);
      }
    });
  });

  describe('row-level security as the services use it', () => {
    beforeAll(async () => {
      // A table a developer creates as the master: the default privileges give the API roles access.
      await master.query('create table public.todos (id bigserial primary key, owner uuid not null, title text not null)');
      await master.query('alter table public.todos enable row level security');
      await master.query(`create policy own_todos on public.todos for all to authenticated
        using (owner = (current_setting('request.jwt.claims', true)::json->>'sub')::uuid)
        with check (owner = (current_setting('request.jwt.claims', true)::json->>'sub')::uuid)`);
      await master.query('insert into public.todos (owner, title) values ($1, \'a1\'), ($1, \'a2\'), ($2, \'b1\')', [USER_A, USER_B]);
    });

    test("PostgREST's per-request pattern as authenticator returns only the user's rows; service_role bypasses RLS", async () => {
      await as('authenticator', async (c) => {
        await c.query('begin');
        await c.query('set local role authenticated');
        await c.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify({ sub: USER_A, role: 'authenticated' })]);
        expect((await c.query('select title from public.todos order by title')).rows.map((r) => r.title)).toEqual(['a1', 'a2']);
        await c.query('insert into public.todos (owner, title) values ($1, \'a3\')', [USER_A]);
        await expect(c.query('insert into public.todos (owner, title) values ($1, \'forged\')', [USER_B])).rejects.toThrow(/row-level security/);
        await c.query('rollback');

        await c.query('begin');
        await c.query('set local role anon');
        expect((await c.query('select count(*)::int as n from public.todos')).rows[0].n).toBe(0);
        await c.query('rollback');

        await c.query('begin');
        await c.query('set local role service_role');
        expect((await c.query('select count(*)::int as n from public.todos')).rows[0].n).toBe(3);
        await c.query('rollback');
      });
    });

    test('issue 23: tokens under the signing keys verify against the verifiers\' JWKS as PostgREST checks them (kid, alg, exp), and their role decides the rows', async () => {
      const key = await generateSigningKey();
      const jwks = verificationJwks({ inUse: key, standby: [], previouslyUsed: [] }, LEGACY_JWT_SECRET);
      const now = Math.floor(Date.now() / 1000);
      // What Auth signs for a user (GOTRUE_JWT_KEYS), and the gateway's internal keys for the opaque API keys.
      const session = await new SignJWT({ sub: USER_A, role: 'authenticated', aud: 'authenticated' })
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: key.kid }).setIssuedAt(now).setExpirationTime(now + 3600)
        .sign(await importJWK({ ...key, alg: 'ES256' } as JWK, 'ES256'));
      const tokens = {
        session,
        anon: await signInternalKey('anon', key, 'supabase', now, 3600),
        service: await signInternalKey('service_role', key, 'supabase', now, 3600),
      };
      // PostgREST's check: the key of the token's kid in PGRST_JWT_SECRET (the JWKS), the algorithm, exp.
      const published = createLocalJWKSet({ keys: jwks.keys.filter((k) => k.kty === 'EC') });
      const rows: Record<string, number> = {};
      for (const [name, token] of Object.entries(tokens)) {
        const { payload } = await jwtVerify(token, published, { algorithms: ['ES256'] });
        await as('authenticator', async (c) => {
          await c.query('begin');
          await c.query(`set local role ${(await c.query('select quote_ident($1) as r', [payload.role])).rows[0].r}`);
          await c.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(payload)]);
          rows[name] = (await c.query('select count(*)::int as n from public.todos')).rows[0].n;
          await c.query('rollback');
        });
      }
      expect(rows).toEqual({ session: 2, anon: 0, service: 3 });
      // The legacy anon key (HS256, no kid) verifies through the set's oct key while the legacy keys are on.
      const legacy = await new SignJWT({ role: 'anon' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setExpirationTime(now + 3600)
        .sign(new TextEncoder().encode(LEGACY_JWT_SECRET));
      const oct = jwks.keys.find((k) => k.kty === 'oct')!;
      await expect(jwtVerify(legacy, await importJWK(oct, 'HS256'))).resolves.toMatchObject({ payload: { role: 'anon' } });
      // A token under a key the set does not hold is refused before any role is taken.
      const stranger = await signInternalKey('service_role', await generateSigningKey(), 'supabase', now, 3600);
      await expect(jwtVerify(stranger, published)).rejects.toThrow(/no applicable key found/);
    });

    test("storage-api's pattern: supabase_storage_admin switches with set_config('role', 'authenticated', true)", async () => {
      await as('supabase_storage_admin', async (c) => {
        await c.query('begin');
        await c.query("select set_config('role', 'authenticated', true)");
        await c.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify({ sub: USER_B, role: 'authenticated' })]);
        expect((await c.query('select current_user as u')).rows[0].u).toBe('authenticated');
        expect((await c.query('select title from public.todos')).rows.map((r) => r.title)).toEqual(['b1']);
        await c.query('rollback');
        await expect(c.query("select set_config('role', 'postgres', true)")).rejects.toThrow(/permission denied/);
      });
    });
  });

  test('docs/auth.md: a Postgres function hook, created as Studio\'s postgres login and granted as documented, is callable by Auth only', async () => {
    // What docs/auth.md ("Auth hooks") tells a team to run in Studio's SQL editor (the postgres login).
    await as('postgres', async (c) => {
      await c.query('create table public.hook_user_roles (user_id uuid primary key, role text not null)');
      await c.query(`create function public.custom_access_token_hook(event jsonb) returns jsonb language plpgsql
        set search_path = '' as $$ begin
          return jsonb_set(event, '{claims,app_role}',
            to_jsonb((select r.role from public.hook_user_roles r where r.user_id = (event->>'user_id')::uuid)));
        end $$`);
      await c.query('insert into public.hook_user_roles values ($1, \'editor\')', [USER_A]);
      await c.query('grant execute on function public.custom_access_token_hook(jsonb) to supabase_auth_admin');
      await c.query('revoke execute on function public.custom_access_token_hook(jsonb) from anon, authenticated, public');
      await c.query('grant select on table public.hook_user_roles to supabase_auth_admin');
    });
    const event = JSON.stringify({ user_id: USER_A, claims: { sub: USER_A, role: 'authenticated' } });
    // As Auth calls it (internal/hooks/v0hooks: quoted names, a transaction with a 2 s statement timeout), in its own
    // login whose search_path is auth.
    await as('supabase_auth_admin', async (c) => {
      await c.query('begin');
      await c.query("set local statement_timeout to '2s'");
      const result = await c.query('select "public"."custom_access_token_hook"($1::jsonb) as claims', [event]);
      expect(result.rows[0].claims.claims.app_role).toBe('editor');
      await c.query('rollback');
    });
    // Not an RPC of the REST API: the roles PostgREST switches to may not execute it.
    await as('authenticator', async (c) => {
      for (const role of ['anon', 'authenticated']) {
        await c.query('begin');
        await c.query(`set local role ${role}`);
        await expect(c.query('select public.custom_access_token_hook($1::jsonb)', [event])).rejects.toThrow(/permission denied for function custom_access_token_hook/);
        await c.query('rollback');
      }
    });
  });

  test("point 5: supabase_auth_admin runs GoTrue's first steps in auth; supabase_storage_admin creates tables in storage", async () => {
    await as('supabase_auth_admin', async (c) => {
      // GoTrue's migrator creates its table unqualified (point 6), then the first migration defines auth.uid().
      await c.query('create table if not exists schema_migrations (version varchar(14) primary key)');
      expect((await c.query("select to_regclass('auth.schema_migrations') is not null as ok")).rows[0].ok).toBe(true);
      await c.query('create table auth.users (id uuid primary key, email text)');
      await c.query(`create or replace function auth.uid() returns uuid language sql stable as $$
        select nullif(current_setting('request.jwt.claims', true)::json->>'sub', '')::uuid $$`);
      await c.query(`create or replace function auth.uid() returns uuid language sql stable as $$
        select coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
          nullif(current_setting('request.jwt.claims', true), '')::json->>'sub')::uuid $$`);
    });
    // Point 7: an API role calls auth.uid().
    await as('authenticator', async (c) => {
      await c.query('begin');
      await c.query('set local role authenticated');
      await c.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify({ sub: USER_A })]);
      expect((await c.query('select auth.uid() as uid')).rows[0].uid).toBe(USER_A);
      await c.query('rollback');
    });
    await as('supabase_storage_admin', async (c) => {
      await c.query('create table storage.buckets (id text primary key, name text not null)');
      await c.query(`create or replace function storage.foldername(name text) returns text[] language sql immutable as $$
        select (string_to_array(name, '/'))[1:array_length(string_to_array(name, '/'), 1) - 1] $$`);
      expect((await c.query("select storage.foldername('a/b/c.png') as f")).rows[0].f).toEqual(['a', 'b']);
    });
  });

  describe('point 10: Realtime', () => {
    test('the pre-empted migrations are recorded and the functions exist, owned by the Realtime role, without SET log_min_messages', async () => {
      const versions = await as(REALTIME_ROLE, async (c) =>
        (await c.query('select version::text as v from realtime.schema_migrations order by 1')).rows.map((r) => r.v));
      expect(versions).toEqual([...PREEMPTED_REALTIME_MIGRATIONS].sort());
      const table = await master.query("select pg_get_userbyid(relowner) as owner from pg_class where oid = 'realtime.schema_migrations'::regclass");
      expect(table.rows[0].owner).toBe(REALTIME_ROLE);
      const fns = (await master.query(`select p.oid::regprocedure::text as fn, pg_get_userbyid(p.proowner) as owner, p.proconfig
        from pg_proc p where p.pronamespace = 'realtime'::regnamespace order by 1`)).rows;
      expect(fns).toEqual([
        { fn: 'realtime.list_changes(name,name,integer,integer)', owner: REALTIME_ROLE, proconfig: null },
        { fn: 'realtime.quote_wal2json(regclass)', owner: REALTIME_ROLE, proconfig: null },
        { fn: 'realtime.wal2json_escape_identifier(text)', owner: REALTIME_ROLE, proconfig: null },
      ]);
      const result = (await master.query('select pg_get_function_result(\'realtime.list_changes(name,name,integer,integer)\'::regprocedure) as r')).rows[0].r;
      expect(result).toBe('TABLE(wal jsonb, is_rls_enabled boolean, subscription_ids uuid[], errors text[], slot_changes_count bigint)');
    });

    test('quote_wal2json escapes names as wal2json add-tables wants, called by the Realtime role', async () => {
      await master.query('create table public."odd.name, x\\y" (id int primary key)');
      await as(REALTIME_ROLE, async (c) => {
        const quoted = (await c.query(`select realtime.quote_wal2json('public."odd.name, x\\y"'::regclass) as q,
          realtime.quote_wal2json('public.todos'::regclass) as plain`)).rows[0];
        expect(quoted.q).toBe('public.odd\\.name\\,\\ x\\\\y');
        expect(quoted.plain).toBe('public.todos');
      });
    });

    test('the Realtime role can do what its own migrations and runtime do on RDS (as a non-superuser)', async () => {
      await as(REALTIME_ROLE, async (c) => {
        await c.query('begin');
        // priv/repo/seeds_before_migration.exs and the control plane (DB_AFTER_CONNECT_QUERY).
        await c.query('create schema if not exists realtime');
        await c.query('set local search_path to _realtime');
        await c.query('create table tenants_probe (id uuid primary key)');
        // Tenant migrations: types, tables, triggers, RLS, moving ownership, granting supabase_realtime_admin.
        await c.query("create type realtime.action_probe as enum ('INSERT', 'UPDATE', 'DELETE')");
        await c.query(`create table realtime.messages_probe (id uuid not null default gen_random_uuid(), topic text,
          inserted_at timestamp not null default now(), primary key (id, inserted_at)) partition by range (inserted_at)`);
        await c.query(`create table realtime.messages_probe_2026 partition of realtime.messages_probe
          for values from ('2026-01-01') to ('2027-01-01')`);
        await c.query('alter table realtime.messages_probe enable row level security');
        await c.query('grant select, insert on realtime.messages_probe to authenticated, anon');
        // 20240401105812_create_realtime_admin_and_move_ownership grants this before it moves anything.
        await c.query('grant all privileges on schema realtime to supabase_realtime_admin');
        await c.query('alter table realtime.messages_probe owner to supabase_realtime_admin');
        await c.query('alter type realtime.action_probe owner to supabase_realtime_admin');
        await c.query('alter function realtime.list_changes(name, name, integer, integer) owner to supabase_realtime_admin');
        await c.query('alter function realtime.quote_wal2json(regclass) owner to supabase_realtime_admin');
        // Replacing a function supabase_realtime_admin owns (inherited ownership).
        await c.query(`create or replace function realtime.quote_wal2json(entity regclass) returns text language sql immutable strict
          as $$ select realtime.wal2json_escape_identifier(n.nspname::text) || '.' || realtime.wal2json_escape_identifier(c.relname::text)
          from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = entity $$`);
        await c.query('grant supabase_realtime_admin to postgres');
        await c.query('revoke all on realtime.schema_migrations from postgres, dashboard_user, anon, authenticated, service_role, supabase_realtime_admin');
        // Broadcast from the database: a publication on realtime.messages (CREATE on the database, table ownership).
        await c.query('create publication supabase_realtime_messages_probe for table realtime.messages_probe');
        // apply_rls switches to the subscriber's role.
        await c.query("select set_config('role', 'authenticated', true)");
        expect((await c.query('select current_user as u')).rows[0].u).toBe('authenticated');
        await c.query('rollback');
      });
    });

    test('a non-superuser cannot create a function with SET log_min_messages: why the bootstrap leaves it out', async () => {
      await as(REALTIME_ROLE, async (c) => {
        await expect(c.query(`create function realtime.log_probe() returns int language sql
          set log_min_messages to 'fatal' as 'select 1'`)).rejects.toMatchObject({ code: '42501' });
      });
    });

    test('point 1: the Realtime role creates and drops a logical replication slot through rds_replication', async () => {
      await as(REALTIME_ROLE, async (c) => {
        // Stock PostgreSQL checks the REPLICATION attribute of the current role; RDS accepts rds_replication
        // members. The harness emulates that by letting the member act as rds_replication (see pg-harness.ts).
        await expect(c.query("select pg_create_logical_replication_slot('realtime_probe', 'pgoutput')")).rejects.toThrow(/replication/i);
        await c.query('set role rds_replication');
        const slot = await c.query("select slot_name from pg_create_logical_replication_slot('supabase_realtime_probe', 'pgoutput')");
        expect(slot.rows[0].slot_name).toBe('supabase_realtime_probe');
        const changes = await c.query(`select count(*)::int as n from pg_logical_slot_peek_binary_changes('supabase_realtime_probe', null, null,
          'proto_version', '1', 'publication_names', 'supabase_realtime')`);
        expect(changes.rows[0].n).toBeGreaterThanOrEqual(0);
        await c.query("select pg_drop_replication_slot('supabase_realtime_probe')");
        await c.query('reset role');
      });
    });
  });

  test('point 13: no event trigger is installed; PostgREST reloads its schema cache on NOTIFY pgrst', async () => {
    expect((await master.query('select count(*)::int as n from pg_event_trigger')).rows[0].n).toBe(0);
    await as('authenticator', async (c) => {
      const received = new Promise<string | undefined>((resolve) => c.on('notification', (n) => resolve(n.payload)));
      await c.query('listen pgrst');
      await master.query("notify pgrst, 'reload schema'");
      expect(await received).toBe('reload schema');
    });
  });

  test('point 12: every login works with its password; no plaintext password in the SQL sent or in the server log', async () => {
    for (const username of LOGIN_ROLES) {
      expect(await as(username, async (c) => (await c.query('select current_user as u')).rows[0].u)).toBe(username);
    }
    const passwordStatements = sent.filter((s) => /password/i.test(s));
    expect(passwordStatements.length).toBeGreaterThanOrEqual(LOGIN_ROLES.length);
    for (const statement of passwordStatements) {
      expect(statement).toMatch(/^alter role "[a-z_]+" with password 'SCRAM-SHA-256\$4096:[^']+'$/);
    }
    expect(sent.join('\n')).not.toContain(MARKER);
    const log = pg.serverLog();
    expect(log).toContain('SCRAM-SHA-256$4096:'); // the statements are logged (log_statement = all)...
    expect(log).not.toContain(MARKER); // ...without any password
  });

  test('point 11: a second run changes nothing and loses no row', async () => {
    await master.query('insert into public.todos (owner, title) values ($1, \'between runs\')', [USER_B]);
    const before = await snapshot();
    const rowsBefore = (await master.query('select * from public.todos order by id')).rows;
    const changes = await bootstrapDatabase(master, options());
    expect(changes).toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect((await master.query('select * from public.todos order by id')).rows).toEqual(rowsBefore);
    expect(rowsBefore.map((r) => r.title)).toContain('between runs');
  });

  test('point 12: a password that no longer works is set again, and only that one', async () => {
    await asSuperuser((su) => su.query("alter role authenticator password 'SCRAM-SHA-256$4096:c2FsdHNhbHRzYWx0c2FsdA==$YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=:YmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmI='"));
    await expect(as('authenticator', async () => undefined)).rejects.toMatchObject({ code: '28P01' });
    expect(await bootstrapDatabase(master, options())).toEqual(['set the password of authenticator']);
    expect(await as('authenticator', async (c) => (await c.query('select current_user as u')).rows[0].u)).toBe('authenticator');
    expect(await bootstrapDatabase(master, options())).toEqual([]);
  });

  test('a failing step raises an error naming the step, without a password, and leaves the database as it was', async () => {
    const before = await snapshot();
    // PostGIS is not installed on the test server (and no non-superuser may create it in stock PostgreSQL).
    const failure = await bootstrapDatabase(master, options({ postgis: true })).then(() => undefined, (e) => e);
    expect(failure).toBeInstanceOf(BootstrapStepError);
    expect(failure.step).toBe('extensions');
    expect(failure.message).toMatch(/^Supabase bootstrap step 'extensions' failed: .*postgis/);
    expect(failure.message).not.toContain(MARKER);
    expect(await snapshot()).toEqual(before);
  });

  test('preflight: a wrong master user or an unknown login is refused before anything runs', async () => {
    await expect(bootstrapDatabase(master, options({ masterUser: 'someone_else' }))).rejects.toThrow(/step 'preflight'.*not as the master user/);
    await expect(bootstrapDatabase(master, options({ logins: [{ username: 'anon', password: 'x' }] })))
      .rejects.toThrow(/step 'preflight'.*'anon' is not a login role/);
  });
});
