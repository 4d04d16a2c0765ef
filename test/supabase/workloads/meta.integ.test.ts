/**
 * Integration test: the real postgres-meta server (the npm package of the image's version, 0.99.0) with exactly the
 * environment the library renders for its pod, against a throwaway PostgreSQL that, like RDS with
 * `rds.force_ssl = 1`, accepts TCP connections over TLS only, with a self-signed certificate (../rds/pg-harness.ts,
 * option `tls`). It runs on PostgreSQL 15 and 18 (the library's default engine major).
 *
 * postgres-meta has two ways to reach the database, and both must end up encrypted:
 * 1. the default connection, which it builds from PG_META_DB_* and PG_META_DB_SSL_MODE
 *    (node_modules/@supabase/postgres-meta/dist/server/constants.js, `PG_CONNECTION`); every request without the
 *    `x-connection-encrypted` header uses it, e.g. the gateway's admin-only `/pg/` route;
 * 2. a connection string per request, AES-encrypted (crypto-js) in the `x-connection-encrypted` header and decrypted
 *    with CRYPTO_KEY (dist/server/routes/index.js, the `onRequest` hook): what Studio sends.
 *
 * dist/lib/db.js `init` takes `sslmode` out of the connection string: `disable` turns TLS off, any other value
 * turns it on with `rejectUnauthorized = (sslmode === 'verify-full')`; without `sslmode` it leaves `ssl` unset
 * (DEFAULT_POOL_CONFIG.ssl, undefined without PG_META_DB_SSL_ROOT_CERT), and node-postgres then reads PGSSLMODE
 * (node_modules/@supabase/postgres-meta/node_modules/pg/lib/connection-parameters.js, pg 8.21.1,
 * `readSSLConfigFromEnvironment`: `no-verify` gives {rejectUnauthorized: false}; `require`, `verify-ca` and
 * `verify-full` give `true`, i.e. verification against Node's CA list; unset gives no TLS at all).
 *
 * Studio's connection string carries no `sslmode` (see {@link studioConnectionString}), so path 2 depends on the
 * PGSSLMODE of postgres-meta's pod; path 1 on PG_META_DB_SSL_MODE.
 *
 * The environment: the charts are synthesized with the test fixture; postgres-meta's container env and Studio's are
 * taken as rendered. Plain values are used as they are; every `secretKeyRef` is resolved by materialising the
 * ExternalSecret of that Secret as External Secrets Operator would (its data, or its template rendered by
 * ./eso-template.ts) from a login secret `{ username: 'postgres', password, host: '127.0.0.1', port, dbname:
 * 'postgres' }` (in the cluster the host is the RDS endpoint; here the harness's loopback address) and a test crypto
 * key. The one override is PG_META_PORT (a free port instead of 8080, and the admin app on the next one);
 * PG_META_HOST stays unset, as in the pod (the server listens on all interfaces). What the
 * image adds outside the pod spec (its Dockerfile's `ENV PG_META_PORT=8080`, replaced by the chart's value, and
 * `CMD npm run start`, i.e. `node dist/server/server.js`) is reproduced by running that file directly.
 *
 * The controls run the same harness with one change each, to prove that the test can fail: PGSSLMODE removed
 * (Studio's path goes out unencrypted and the server refuses it), PG_META_DB_SSL_MODE=verify-full (the default
 * path verifies, and the self-signed certificate is not trusted) and PGSSLMODE=require (node-postgres's `require`
 * verifies too, unlike libpq's).
 *
 * What this cannot prove: the RDS certificate chain and RDS's own force_ssl implementation (the harness emulates it
 * with `hostssl` lines; RDS's exact refusal message is not verified); Studio itself (its connection string is built
 * here the way its source builds it, not by running the image); the RDS Proxy in front of postgres-meta when one is
 * configured (this test uses the deployment without a proxy).
 *
 * No password, crypto key or encrypted header is ever printed: server logs that go into a failure message are
 * redacted first.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import CryptoJS from 'crypto-js';
import { Client } from 'pg';
import { LOGIN_ROLES, bootstrapDatabase } from '../../../src/rds/bootstrap';
import { K8S_SECRETS } from '../../../src/supabase/workloads/charts/secrets-chart';
import { DATABASE, MASTER_USER, PgHarness, freePort } from '../../rds/pg-harness';
import { renderEsoTemplate } from '../eso-template';
import { buildWorkloads } from '../fixture';

jest.setTimeout(300_000);

const MAJORS = [15, 18];
const META_PACKAGE = path.dirname(require.resolve('@supabase/postgres-meta/package.json'));
const META_SERVER = path.join(META_PACKAGE, 'dist', 'server', 'server.js');
const META_VERSION: string = JSON.parse(fs.readFileSync(path.join(META_PACKAGE, 'package.json'), 'utf8')).version;

/** Letters and digits, as the library generates them (its connection strings carry them unescaped). */
const secret = (bytes: number) => randomBytes(bytes).toString('hex');
const MASTER_PASSWORD = secret(16);
const PASSWORDS: Record<string, string> = Object.fromEntries(LOGIN_ROLES.map((u) => [u, secret(16)]));
const CRYPTO_KEY = secret(16);
/** Everything that must never reach the console; encrypted headers are added as they are made. */
const SECRETS = new Set<string>([MASTER_PASSWORD, CRYPTO_KEY, ...Object.values(PASSWORDS)]);

function redact(text: string): string {
  let out = text;
  for (const s of SECRETS) {
    out = out.split(s).join('<redacted>');
  }
  // The server log holds the SCRAM verifiers the bootstrap sets: not passwords, but derived from them.
  return out.replace(/SCRAM-SHA-256\$[^'\s]+/g, 'SCRAM-SHA-256$<redacted>');
}

// ---------------------------------------------------------------------------------------------------------------
// The library's rendering
// ---------------------------------------------------------------------------------------------------------------

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

/** The charts of the deployment with the least configuration (no proxy, no replica), synthesized once. */
const OBJECTS: any[] = buildWorkloads().workloads.charts.flatMap((c) => Testing.synth(c) as any[]);

function deploymentContainer(name: string): any {
  const found = OBJECTS.filter((o) => o.kind === 'Deployment' && o.metadata.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one Deployment ${name}, found ${found.length}`);
  }
  return found[0].spec.template.spec.containers[0];
}

function externalSecret(name: string): any {
  const found = OBJECTS.filter((o) => o.kind === 'ExternalSecret' && o.metadata.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one ExternalSecret ${name}, found ${found.length}`);
  }
  return found[0];
}

/**
 * The Kubernetes Secret an ExternalSecret makes from `source` (the JSON fields of its Secrets Manager secret), for
 * the shapes the library uses: `data` entries that each read one property, or `dataFrom` with `extract` (every
 * field), shaped by a v2 template when there is one (which then replaces the data, ESO's default merge policy).
 */
function materialise(es: any, source: Record<string, string>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const from of es.spec.dataFrom ?? []) {
    if (!from.extract || Object.keys(from).length !== 1) {
      throw new Error(`${es.metadata.name}: unsupported dataFrom ${JSON.stringify(from)}`);
    }
    Object.assign(fields, source);
  }
  for (const d of es.spec.data ?? []) {
    const property = d.remoteRef?.property;
    if (property === undefined || source[property] === undefined) {
      throw new Error(`${es.metadata.name}: ${d.secretKey} reads ${property ?? 'the whole secret'}, which the test's source lacks`);
    }
    fields[d.secretKey] = source[property];
  }
  const template = es.spec.target.template;
  if (!template) {
    return fields;
  }
  if (template.engineVersion !== 'v2') {
    throw new Error(`${es.metadata.name}: template engine ${template.engineVersion}`);
  }
  return Object.fromEntries(Object.entries(template.data as Record<string, string>).map(([k, t]) => [k, renderEsoTemplate(t, fields)]));
}

/**
 * A container's env as the pod gets it: plain values as they are, `secretKeyRef`s from `secrets`. A reference to a
 * Secret the test does not materialise stays unresolved (null) and fails whoever reads it; any other `valueFrom`
 * fails at once.
 */
function resolveEnv(env: EnvVar[], secrets: Record<string, Record<string, string>>): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const e of env) {
    if (out.has(e.name)) {
      throw new Error(`${e.name} is set twice`);
    }
    if (e.value !== undefined) {
      out.set(e.name, e.value);
    } else if (e.valueFrom?.secretKeyRef && Object.keys(e.valueFrom).length === 1) {
      const { name, key } = e.valueFrom.secretKeyRef;
      if (secrets[name] === undefined) {
        out.set(e.name, null);
      } else if (secrets[name][key] === undefined) {
        throw new Error(`${e.name} reads ${name}/${key}, which the ExternalSecret does not make`);
      } else {
        out.set(e.name, secrets[name][key]);
      }
    } else {
      throw new Error(`${e.name}: unsupported env source ${JSON.stringify(e.valueFrom ?? {})}`);
    }
  }
  return out;
}

/** A variable of a resolved env, or undefined when unset; reading an unresolved reference fails. */
function reader(env: Map<string, string | null>, container: string): (name: string) => string | undefined {
  return (name) => {
    const value = env.get(name);
    if (value === null) {
      throw new Error(`${container}'s ${name} comes from a Secret this test does not materialise`);
    }
    return value;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Studio
// ---------------------------------------------------------------------------------------------------------------

/**
 * The connection string self-hosted Studio encrypts into `x-connection-encrypted` for its queries (read-write).
 *
 * Source: supabase/supabase `apps/studio/lib/api/self-hosted/constants.ts` (POSTGRES_PORT =
 * parseInt(env.POSTGRES_PORT || '5432'), POSTGRES_HOST = env.POSTGRES_HOST || 'db', POSTGRES_DATABASE =
 * env.POSTGRES_DB || 'postgres', POSTGRES_PASSWORD = env.POSTGRES_PASSWORD || 'postgres', POSTGRES_USER_READ_WRITE =
 * env.POSTGRES_USER_READ_WRITE || 'supabase_admin', ENCRYPTION_KEY = env.PG_META_CRYPTO_KEY || 'SAMPLE_KEY') and
 * `apps/studio/lib/api/self-hosted/util.ts` (`getConnectionString({ readOnly })` returns
 * `postgresql://${user}:${POSTGRES_PASSWORD}@${POSTGRES_HOST}:${POSTGRES_PORT}/${POSTGRES_DATABASE}`, no `sslmode`,
 * nothing escaped; `encryptString` is `crypto.AES.encrypt(s, ENCRYPTION_KEY).toString()` with crypto-js), used by
 * `apps/studio/lib/api/self-hosted/query.ts` (`executeQuery`: POST `${pgMetaUrl}/query` with the header), as stored
 * in the code index (the upstream `util.test.ts` expects `postgresql://admin_user:testpass@localhost:5432/testdb`).
 * The exact commit of image tag 2026.09.07-sha-7996410 could not be read (the repository is too large to fetch
 * here); an `sslmode` from a POSTGRES_SSL variable exists only in supabase/supabase pull request #41833, still
 * open when indexed, so it is not assumed. The library does not set POSTGRES_SSL either.
 */
function studioConnectionString(env: (name: string) => string | undefined): string {
  const port = parseInt(env('POSTGRES_PORT') || '5432', 10);
  const host = env('POSTGRES_HOST') || 'db';
  const database = env('POSTGRES_DB') || 'postgres';
  const password = env('POSTGRES_PASSWORD') || 'postgres';
  const user = env('POSTGRES_USER_READ_WRITE') || 'supabase_admin';
  return `postgresql://${user}:${password}@${host}:${port}/${database}`;
}

/** Studio's `encryptString` (crypto-js, the same 4.2.0 postgres-meta decrypts with). */
function studioEncrypt(env: (name: string) => string | undefined, text: string): string {
  const encrypted = CryptoJS.AES.encrypt(text, env('PG_META_CRYPTO_KEY') || 'SAMPLE_KEY').toString();
  SECRETS.add(encrypted);
  return encrypted;
}

// ---------------------------------------------------------------------------------------------------------------
// postgres-meta
// ---------------------------------------------------------------------------------------------------------------

/** A free port whose successor is free too (postgres-meta's admin app listens on PG_META_PORT + 1). */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await freePort();
    const nextFree = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port + 1, () => server.close(() => resolve(true)));
    });
    if (nextFree) {
      return port;
    }
  }
  throw new Error('no free pair of ports');
}

interface QueryResponse {
  status: number;
  body: any;
}

/** A running postgres-meta server; its output is kept for failure messages. */
class MetaServer {
  public static async start(label: string, env: Record<string, string>): Promise<MetaServer> {
    // Exactly `env`: nothing of the test process's environment (a PGSSLMODE there would change the result).
    const child = spawn(process.execPath, [META_SERVER], { cwd: META_PACKAGE, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new MetaServer(label, child, Number(env.PG_META_PORT));
    try {
      await server.waitForHealth();
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  private stdout = '';
  private stderr = '';
  private exit: string | undefined;

  private constructor(public readonly label: string, private readonly child: ChildProcess, public readonly port: number) {
    child.stdout!.on('data', (d) => { this.stdout += d; });
    child.stderr!.on('data', (d) => { this.stderr += d; });
    child.on('exit', (code, signal) => { this.exit = `exited (${code ?? signal})`; });
  }

  /** Its output so far, redacted. */
  public logs(): string {
    return redact(`--- postgres-meta "${this.label}" on port ${this.port}${this.exit ? `, ${this.exit}` : ''}\n`
      + `--- stdout:\n${this.stdout}\n--- stderr:\n${this.stderr}`);
  }

  private async waitForHealth(): Promise<void> {
    const deadline = Date.now() + 60_000;
    let last = '';
    while (Date.now() < deadline && !this.exit) {
      try {
        const res = await fetch(`http://127.0.0.1:${this.port}/health`);
        if (res.status === 200) {
          return;
        }
        last = `status ${res.status}`;
      } catch (e) {
        last = (e as Error).message;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`postgres-meta "${this.label}" did not answer /health (${last})\n${this.logs()}`);
  }

  /** POST /query, with Studio's encrypted connection string in `x-connection-encrypted` when given. */
  public async query(sql: string, encryptedConnection?: string): Promise<QueryResponse> {
    const res = await fetch(`http://127.0.0.1:${this.port}/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(encryptedConnection ? { 'x-connection-encrypted': encryptedConnection } : {}) },
      body: JSON.stringify({ query: sql }),
    });
    const text = await res.text();
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: res.status, body };
  }

  public async stop(): Promise<void> {
    if (this.exit) {
      return;
    }
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/** The probe: whether this session is encrypted, and as whom. */
const PROBE = 'select ssl, current_user from pg_stat_ssl where pid = pg_backend_pid()';

describe('the rendered postgres-meta and Studio environments', () => {
  test('postgres-meta runs the image\'s version, its command, and reads the Secrets this test materialises', () => {
    const meta = deploymentContainer('meta');
    // The npm package under test is the server the image runs.
    expect(meta.image).toBe(`supabase/postgres-meta:v${META_VERSION}`);
    // The image's own command (npm run start: node dist/server/server.js); no envFrom beside the env.
    expect(meta.command).toBeUndefined();
    expect(meta.args).toBeUndefined();
    expect(meta.envFrom).toBeUndefined();
    const refs = (meta.env as EnvVar[]).filter((e) => e.valueFrom).map((e) => e.valueFrom!.secretKeyRef?.name);
    expect(new Set(refs)).toEqual(new Set([K8S_SECRETS.dbMeta, K8S_SECRETS.metaCrypto]));
    expect(deploymentContainer('studio').envFrom).toBeUndefined();
  });
});

describe.each(MAJORS)('postgres-meta over TLS on PostgreSQL %i (TLS only, like rds.force_ssl = 1)', (major) => {
  let pg: PgHarness;
  let metaEnv: Record<string, string>;
  let studioEnv: (name: string) => string | undefined;
  const servers: Record<string, MetaServer> = {};
  /** Where the PostgreSQL log stood when the postgres-meta servers started (a failure shows what came after). */
  let logMark = 0;

  /** Runs `fn`; a failure carries the (redacted) output of the servers involved and the PostgreSQL log. */
  async function withLogs(involved: MetaServer[], fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      const err = e as Error;
      const wrapped = new Error(`${redact(err.message)}\n${involved.map((s) => s.logs()).join('\n')}\n`
        + `--- PostgreSQL ${major} log since the postgres-meta servers started (tail):\n${redact(pg.serverLog().slice(logMark).slice(-6000))}`);
      wrapped.stack = `${wrapped.message}\n${redact((err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).join('\n'))}`;
      throw wrapped;
    }
  }

  /** Studio's encrypted connection string, built from Studio's rendered env. */
  const studioHeader = () => studioEncrypt(studioEnv, studioConnectionString(studioEnv));

  beforeAll(async () => {
    pg = await PgHarness.start(major, MASTER_PASSWORD, { tls: true });
    const master = await pg.connect(MASTER_USER, MASTER_PASSWORD);
    try {
      await pg.emulateRdsBypassRls();
      await bootstrapDatabase(master, pg.bootstrapOptions(PASSWORDS));
    } finally {
      await master.end();
    }

    // The Secrets as External Secrets Operator makes them from the login and crypto-key secrets.
    const login = { username: 'postgres', password: PASSWORDS.postgres, host: '127.0.0.1', port: String(pg.port), dbname: DATABASE };
    const secrets = {
      [K8S_SECRETS.dbMeta]: materialise(externalSecret(K8S_SECRETS.dbMeta), login),
      [K8S_SECRETS.metaCrypto]: materialise(externalSecret(K8S_SECRETS.metaCrypto), { cryptoKey: CRYPTO_KEY }),
    };
    const meta = resolveEnv(deploymentContainer('meta').env, secrets);
    const unresolved = [...meta].filter(([, v]) => v === null).map(([k]) => k);
    if (unresolved.length > 0) {
      throw new Error(`postgres-meta's env reads Secrets the test does not materialise: ${unresolved.join(', ')}`);
    }
    // The one override: a free port on this machine instead of the pod's 8080.
    metaEnv = { ...Object.fromEntries(meta) as Record<string, string>, PG_META_PORT: String(await freePortPair()) };
    studioEnv = reader(resolveEnv(deploymentContainer('studio').env, secrets), 'Studio');

    logMark = pg.serverLog().length;
    const variants: Record<string, Record<string, string>> = {
      rendered: {},
      withoutPgsslmode: { PGSSLMODE: '' },
      verifyFull: { PG_META_DB_SSL_MODE: 'verify-full' },
      pgsslmodeRequire: { PGSSLMODE: 'require' },
    };
    for (const [label, change] of Object.entries(variants)) {
      const env: Record<string, string> = { ...metaEnv, PG_META_PORT: label === 'rendered' ? metaEnv.PG_META_PORT : String(await freePortPair()) };
      for (const [k, v] of Object.entries(change)) {
        if (v === '') {
          delete env[k];
        } else {
          env[k] = v;
        }
      }
      servers[label] = await MetaServer.start(label, env);
    }
  });

  afterAll(async () => {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
    await pg?.stop();
  });

  test('the harness refuses TCP without TLS (emulating rds.force_ssl = 1) and serves TLS verified against its certificate', async () => {
    const plain = new Client({ ...pg.config('postgres', PASSWORDS.postgres), ssl: false });
    await expect(plain.connect()).rejects.toThrow(
      'no pg_hba.conf entry for host "127.0.0.1", user "postgres", database "postgres", no encryption');
    const tls = await pg.connect('postgres', PASSWORDS.postgres);
    try {
      expect((await tls.query(PROBE)).rows).toEqual([{ ssl: true, current_user: 'postgres' }]);
    } finally {
      await tls.end();
    }
  });

  test('the rendered env names the harness\'s login, and Studio\'s connection string carries no sslmode', () => {
    expect(metaEnv.PG_META_DB_HOST).toBe('127.0.0.1');
    expect(metaEnv.PG_META_DB_PORT).toBe(String(pg.port));
    expect(metaEnv.PG_META_DB_USER).toBe('postgres');
    expect(metaEnv.CRYPTO_KEY === CRYPTO_KEY).toBe(true); // compared without printing it
    expect(studioEnv('PG_META_CRYPTO_KEY') === CRYPTO_KEY).toBe(true);
    // Studio's connection string: the login's host, port, database and user, no sslmode.
    const url = new URL(studioConnectionString(studioEnv));
    expect({ host: url.hostname, port: url.port, db: url.pathname, user: url.username, query: url.search })
      .toEqual({ host: '127.0.0.1', port: String(pg.port), db: '/postgres', user: 'postgres', query: '' });
    expect(url.password === PASSWORDS.postgres).toBe(true);
  });

  test('the default connection (the gateway\'s admin-only /pg/ route) is encrypted, as postgres', async () => {
    const server = servers.rendered;
    await withLogs([server], async () => {
      const res = await server.query(PROBE);
      expect(res).toEqual({ status: 200, body: [{ ssl: true, current_user: 'postgres' }] });
    });
  });

  test('Studio\'s connection (x-connection-encrypted, built from Studio\'s rendered env) is encrypted, as postgres', async () => {
    const server = servers.rendered;
    await withLogs([server], async () => {
      const res = await server.query(PROBE, studioHeader());
      expect(res).toEqual({ status: 200, body: [{ ssl: true, current_user: 'postgres' }] });
    });
  });

  test('control: without PGSSLMODE, Studio\'s connection goes out unencrypted and the server refuses it', async () => {
    const server = servers.withoutPgsslmode;
    expect(metaEnv.PGSSLMODE).toBeDefined(); // the rendered env sets it: removing it is the change under test
    await withLogs([server], async () => {
      const studio = await server.query(PROBE, studioHeader());
      expect(studio.status).toBe(400);
      expect(studio.body).toMatchObject({
        code: '28000',
        message: 'no pg_hba.conf entry for host "127.0.0.1", user "postgres", database "postgres", no encryption',
      });
      // The same server's default connection, which names its sslmode, is unaffected: the header made the difference.
      expect(await server.query(PROBE)).toEqual({ status: 200, body: [{ ssl: true, current_user: 'postgres' }] });
    });
  });

  test('control: with PG_META_DB_SSL_MODE=verify-full the default connection rejects the self-signed certificate', async () => {
    const server = servers.verifyFull;
    await withLogs([server], async () => {
      const res = await server.query(PROBE);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' });
      // Studio's connection (PGSSLMODE=no-verify) still works on that server.
      expect(await server.query(PROBE, studioHeader())).toEqual({ status: 200, body: [{ ssl: true, current_user: 'postgres' }] });
    });
  });

  test('control: PGSSLMODE=require makes node-postgres verify (unlike libpq), so Studio\'s connection fails on an untrusted certificate', async () => {
    const server = servers.pgsslmodeRequire;
    await withLogs([server], async () => {
      const res = await server.query(PROBE, studioHeader());
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' });
      // The default connection names its own sslmode (require: encrypted, not verified) and ignores PGSSLMODE.
      expect(await server.query(PROBE)).toEqual({ status: 200, body: [{ ssl: true, current_user: 'postgres' }] });
    });
  });
});
