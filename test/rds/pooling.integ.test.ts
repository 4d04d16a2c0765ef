/**
 * The pooled request patterns of PostgREST and the Storage API, with the settings the library gives them behind the
 * RDS Proxy, run through a real transaction pooler: PgBouncer (Debian's package, installed when missing) in
 * transaction mode, with TLS required from clients, in front of a bootstrapped PostgreSQL 18 (./pg-harness.ts).
 *
 * PgBouncer stands in for RDS Proxy's multiplexing: each transaction may run on another server connection, so
 * what a client leaves on, or expects from, a session breaks or leaks. With `default_pool_size = 1` every client
 * of a login shares one server connection, which makes that deterministic. RDS Proxy differs where it pins a
 * session instead of failing (named prepared statements, LISTEN, session SET): those cost pooling there but work;
 * here they fail, which is what shows a setting that must not be used through the proxy.
 *
 * The settings come from the library: PostgREST's prepared statements from the REST chart's environment, Storage's
 * pool from the Storage chart's DATABASE_POOL_URL, and the connection URLs from the ExternalSecret templates, rendered
 * as External Secrets Operator would.
 */
import { execFileSync, spawn, spawnSync, ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { Client, ClientConfig } from 'pg';
import { parse as parseConnectionString } from 'pg-connection-string';
import { DATABASE, MASTER_USER, PgHarness, freePort } from './pg-harness';
import { LOGIN_ROLES, bootstrapDatabase } from '../../src/rds/bootstrap';
import { K8S_SECRETS } from '../../src/supabase/workloads/charts/secrets-chart';
import { renderEsoTemplate } from '../supabase/eso-template';
import { buildParts, buildWorkloads } from '../supabase/fixture';
import { externalSecretTemplate, secretsChartObjects } from '../supabase/secrets-chart-fixture';

jest.setTimeout(300_000);

const PGBOUNCER = '/usr/sbin/pgbouncer';
const MASTER_PASSWORD = `master-${randomBytes(12).toString('hex')}`;
const PASSWORDS: Record<string, string> = Object.fromEntries(LOGIN_ROLES.map((u) => [u, `${u}-${randomBytes(12).toString('hex')}`]));
const USER_A = '11111111-1111-1111-1111-111111111111';
const USER_B = '22222222-2222-2222-2222-222222222222';

/** What the library sets for the pooled services (read from the charts of a deployment with a proxy). */
function librarySettings() {
  const { workloads } = buildWorkloads({}, buildParts(undefined, { proxy: {} }));
  const objects = workloads.charts.flatMap((c) => Testing.synth(c) as any[]);
  const env = (name: string) => Object.fromEntries(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name)
    .spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
  return {
    /** PostgREST's db-prepared-statements (default true). */
    restPreparedStatements: env('rest').PGRST_DB_PREPARED_STATEMENTS !== 'false',
    /** Whether the Storage API runs its request pool on DATABASE_POOL_URL (an external pool). */
    storageExternalPool: env('storage').DATABASE_POOL_URL !== undefined,
  };
}

/** The connection URLs the ExternalSecrets render for a pooler at 127.0.0.1:`port`. */
function pooledUrls(port: number): { rest: string; storagePool: string } {
  const objects = secretsChartObjects('eu-west-1', { pooledHost: '127.0.0.1', functions: false });
  const templates = (name: string) => externalSecretTemplate(objects, name);
  const fields = (username: string) => ({ username, password: PASSWORDS[username], host: 'db.invalid', port: String(port), dbname: DATABASE });
  return {
    rest: renderEsoTemplate(templates(K8S_SECRETS.dbRest).uri, fields('authenticator')),
    storagePool: renderEsoTemplate(templates(K8S_SECRETS.dbStorage)['pool-url'], fields('supabase_storage_admin')),
  };
}

async function waitForPort(port: number, log: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (open) {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`PgBouncer did not listen on ${port}: ${fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : 'no log'}`);
}

/** PgBouncer in transaction mode in front of `pg`, TLS required from clients, one server connection per login. */
class Bouncer {
  public static async start(pg: PgHarness): Promise<Bouncer> {
    if (!fs.existsSync(PGBOUNCER)) {
      if (process.getuid?.() !== 0) {
        throw new Error(`PgBouncer is not installed (${PGBOUNCER}) and the tests do not run as root: install it with \`apt-get install -y pgbouncer\`.`);
      }
      execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'pgbouncer'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: 'ignore' });
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'supabase-pgbouncer-'));
    const port = await freePort();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    // Plain-text passwords (of throwaway roles) let PgBouncer answer SCRAM from clients and log in to the server.
    fs.writeFileSync(path.join(dir, 'userlist.txt'), Object.entries(PASSWORDS).map(([u, p]) => `"${u}" "${p}"`).join('\n') + '\n');
    const log = path.join(dir, 'pgbouncer.log');
    fs.writeFileSync(path.join(dir, 'pgbouncer.ini'), [
      '[databases]',
      `${DATABASE} = host=127.0.0.1 port=${pg.port} dbname=${DATABASE}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = scram-sha-256',
      `auth_file = ${path.join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      'default_pool_size = 1',
      'max_client_conn = 100',
      'client_tls_sslmode = require',
      `client_tls_key_file = ${path.join(dir, 'key.pem')}`,
      `client_tls_cert_file = ${path.join(dir, 'cert.pem')}`,
      `logfile = ${log}`,
      `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'));
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      execFileSync('chown', ['-R', 'postgres:', dir]); // PgBouncer refuses to run as root
    }
    const [file, args] = asRoot ? ['runuser', ['-u', 'postgres', '--', PGBOUNCER, path.join(dir, 'pgbouncer.ini')]] : [PGBOUNCER, [path.join(dir, 'pgbouncer.ini')]];
    const child = spawn(file, args, { stdio: 'ignore' });
    await waitForPort(port, log);
    return new Bouncer(child, dir, port);
  }

  private constructor(private readonly child: ChildProcess, private readonly dir: string, public readonly port: number) {}

  public stop(): void {
    const pid = Number(fs.readFileSync(path.join(this.dir, 'pgbouncer.pid'), 'utf8'));
    spawnSync('kill', ['-TERM', String(pid)]);
    this.child.kill('SIGTERM');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One PostgREST request as PostgREST 14 runs it: the transaction-local settings, then the query, in one transaction. */
async function postgrestRequest(client: Client, preparedStatements: boolean, role: string, sub?: string) {
  const claims = JSON.stringify(sub ? { role, sub } : { role });
  const named = (name: string, q: { text: string; values: unknown[] }) => (preparedStatements ? { ...q, name } : q);
  await client.query('BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY');
  try {
    await client.query(named('pgrst_settings', {
      text: 'select set_config(\'search_path\', $1, true), set_config(\'role\', $2, true), set_config(\'request.jwt.claims\', $3, true), '
        + 'set_config(\'request.method\', $4, true), set_config(\'request.path\', $5, true)',
      values: ['"public", "extensions"', role, claims, 'GET', '/todos'],
    }));
    const rows = await client.query(named('pgrst_todos', { text: 'select title, current_user as who from todos order by title', values: [] }));
    await client.query('COMMIT');
    return { titles: rows.rows.map((r) => r.title), who: rows.rows[0]?.who };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** One Storage API request: its transaction-local scope, then an unqualified query on `objects` (search_path). */
async function storageRequest(client: Client, externalPool: boolean, sub: string) {
  await client.query('BEGIN');
  try {
    const claims = JSON.stringify({ role: 'authenticated', sub });
    await client.query('SELECT set_config(\'role\', $1, true), set_config(\'request.jwt.claim.role\', $1, true), '
      + 'set_config(\'request.jwt.claim.sub\', $2, true), set_config(\'request.jwt.claims\', $3, true)', ['authenticated', sub, claims]);
    if (externalPool) {
      // With DATABASE_POOL_URL the API sets search_path per transaction, not per connection.
      await client.query('SELECT set_config(\'search_path\', $1, true)', ['storage, public, extensions']);
    }
    const rows = await client.query('select name from objects order by name');
    await client.query('COMMIT');
    return rows.rows.map((r) => r.name);
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

describe('the pooled services\' request patterns through PgBouncer in transaction mode (PostgreSQL 18)', () => {
  const settings = librarySettings();
  let pg: PgHarness;
  let bouncer: Bouncer;
  let urls: { rest: string; storagePool: string };
  const clients: Client[] = [];

  /** A client of the pooler with a connection URL the library renders (plus node-postgres's own options). */
  async function connect(url: string, extra: Partial<ClientConfig> = {}): Promise<Client> {
    const config = parseConnectionString(url) as ClientConfig;
    // libpq's sslmode=require (PostgREST): encrypted, the certificate not verified; `no-verify` (Storage) says so.
    const client = new Client({ ...config, ssl: { rejectUnauthorized: false }, ...extra } as ClientConfig);
    await client.connect();
    clients.push(client);
    return client;
  }

  async function serverConnectionsOf(user: string): Promise<number> {
    const su = await pg.superuser();
    try {
      return Number((await su.query('select count(*) from pg_stat_activity where usename = $1', [user])).rows[0].count);
    } finally {
      await su.end();
    }
  }

  beforeAll(async () => {
    pg = await PgHarness.start(18, MASTER_PASSWORD);
    const master = await pg.connect(MASTER_USER, MASTER_PASSWORD);
    try {
      await pg.emulateRdsBypassRls();
      await bootstrapDatabase(master, pg.bootstrapOptions(PASSWORDS));
      // An API table under RLS: public rows for everyone, own rows for their owner.
      await master.query(`create table public.todos (title text primary key, owner uuid);
        alter table public.todos enable row level security;
        create policy read_public on public.todos for select to anon, authenticated using (owner is null);
        create policy read_own on public.todos for select to authenticated
          using (owner = (nullif(current_setting('request.jwt.claims', true), '')::json ->> 'sub')::uuid);
        grant select on public.todos to anon, authenticated;
        insert into public.todos values ('public', null), ('a', '${USER_A}'), ('b', '${USER_B}');`);
    } finally {
      await master.end();
    }
    // A stand-in for storage.objects, made by its owner as the Storage API's migrations make it.
    const storage = await pg.connect('supabase_storage_admin', PASSWORDS.supabase_storage_admin);
    try {
      await storage.query(`create table storage.objects (name text primary key, owner uuid);
        alter table storage.objects enable row level security;
        create policy own_objects on storage.objects for select to authenticated
          using (owner = (current_setting('request.jwt.claims', true)::json ->> 'sub')::uuid);
        grant select on storage.objects to authenticated;
        insert into storage.objects values ('a.png', '${USER_A}'), ('b.png', '${USER_B}');`);
    } finally {
      await storage.end();
    }
    bouncer = await Bouncer.start(pg);
    urls = pooledUrls(bouncer.port);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    bouncer?.stop();
    await pg?.stop();
  });

  test('the library turns PostgREST\'s prepared statements off and gives the Storage API a pool URL', () => {
    expect(settings).toEqual({ restPreparedStatements: false, storageExternalPool: true });
    expect(parseConnectionString(urls.rest)).toMatchObject({ host: '127.0.0.1', port: String(bouncer.port), user: 'authenticator' });
    expect(parseConnectionString(urls.storagePool)).toMatchObject({ host: '127.0.0.1', user: 'supabase_storage_admin' });
  });

  test('PostgREST: interleaved requests of three clients on one server connection, each with its own role and claims, nothing left behind', async () => {
    const [c1, c2, c3] = await Promise.all([connect(urls.rest), connect(urls.rest), connect(urls.rest)]);
    for (let round = 0; round < 3; round++) {
      expect(await postgrestRequest(c1, settings.restPreparedStatements, 'anon')).toEqual({ titles: ['public'], who: 'anon' });
      expect(await postgrestRequest(c2, settings.restPreparedStatements, 'authenticated', USER_A)).toEqual({ titles: ['a', 'public'], who: 'authenticated' });
      expect(await postgrestRequest(c3, settings.restPreparedStatements, 'authenticated', USER_B)).toEqual({ titles: ['b', 'public'], who: 'authenticated' });
      // The next transaction, on the same server connection, starts clean: no role, no claims.
      const probe = await c1.query('select current_user as who, current_setting(\'request.jwt.claims\', true) as claims');
      expect(probe.rows[0].who).toBe('authenticator');
      expect([null, '']).toContain(probe.rows[0].claims);
    }
    expect(await serverConnectionsOf('authenticator')).toBe(1);
  });

  test('PostgREST with its default prepared statements breaks under transaction pooling (the setting matters)', async () => {
    const outcomes: string[] = [];
    for (const client of await Promise.all([connect(urls.rest), connect(urls.rest)])) {
      outcomes.push(await postgrestRequest(client, true, 'anon').then(() => 'ok', (e: Error) => e.message));
    }
    // The second client's statement names meet the first client's on the shared server connection.
    expect(outcomes[1]).toMatch(/prepared statement "pgrst_\w+" already exists/);
  });

  test('Storage: interleaved requests of two clients on the pool URL see their own objects through RLS', async () => {
    const [c1, c2] = await Promise.all([connect(urls.storagePool), connect(urls.storagePool)]);
    for (let round = 0; round < 3; round++) {
      expect(await storageRequest(c1, settings.storageExternalPool, USER_A)).toEqual(['a.png']);
      expect(await storageRequest(c2, settings.storageExternalPool, USER_B)).toEqual(['b.png']);
    }
    const probe = await c1.query('select current_user as who, current_setting(\'search_path\') as path');
    // The next transaction has the login's own search_path (the bootstrap's `storage`), not the requests' settings.
    expect(probe.rows[0]).toEqual({ who: 'supabase_storage_admin', path: 'storage' });
    expect(await serverConnectionsOf('supabase_storage_admin')).toBe(1);
  });

  test('Storage without a pool URL (search_path set per connection at start-up) breaks under transaction pooling', async () => {
    // What the Storage API does without DATABASE_POOL_URL: search_path as a start-up option of each connection.
    await expect(connect(urls.storagePool, { options: '-c search_path=storage,public,extensions' } as any)
      .then((c) => storageRequest(c, false, USER_A))).rejects.toThrow(/unsupported startup parameter: options/);
  });
});
