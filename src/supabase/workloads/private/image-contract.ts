import { AUTH_HOOK_KINDS, authHookSecretsVariable } from './auth-hooks-env';
import { SupabaseAuthProvider } from '../auth/external-providers';
import { DEFAULT_IMAGES, SupabaseImages } from '../images';

/**
 * What the library relies on in each pinned image, read from the image's own build files (the sources named in each
 * entry; `../shared/image-facts.md` in the project's reference material has the line numbers). The charts run every
 * image non-root with a read-only root filesystem, so a wrong fact here is a pod that cannot start: a volume over
 * the program's own libraries, a path it writes that is read-only, a probe on a port it does not serve, a command
 * its shell does not have. The deployment contract test holds every rendered Deployment of every example against
 * this table.
 *
 * When an image tag changes, this table is the one place to re-check.
 */
export interface ImageContract {
  /** The image these facts were read for (the default of {@link SupabaseImages}). */
  readonly image: string;
  /** The numeric user and group the pod runs as: the image's own non-root user where it has a numbered one. */
  readonly user: number;
  readonly group: number;
  /** The user the image declares, as its Dockerfile says. */
  readonly imageUser: string;
  /**
   * Directories that hold the program, its libraries or its data files: no volume may be mounted on one of them or
   * on a directory above one (the program would vanish behind it).
   */
  readonly programDirectories: string[];
  /** The paths the program writes to at run time: each must be on a writable volume. */
  readonly writes: WrittenPath[];
  /**
   * The executables the image has (names looked up on its PATH, or absolute paths): a command or exec probe may use
   * only these, besides the shell's own built-ins.
   */
  readonly tools: string[];
  /** Where the program answers health checks (HTTP) or accepts connections (TCP, no path). */
  readonly endpoints: Endpoint[];
  /**
   * The variables the program, or the library's start command in that image, reads that the library takes from
   * Kubernetes Secrets (a name ending in `*` stands for every name it starts). A Secret value given to a container
   * under any other name is one it does not use.
   */
  readonly secretEnv: string[];
  /** Where the facts come from. */
  readonly sources: string[];
}

/** A path the program writes to: a fixed one, or one a variable moves (with the image's default when unset). */
export interface WrittenPath {
  readonly path?: string;
  readonly env?: string;
  readonly default?: string;
  /** The path is a file, so its directory must be writable. */
  readonly file?: boolean;
  readonly why: string;
}

/**
 * Where an endpoint listens: a fixed address, or one a variable or command-line option sets. An address is
 * `host:port`, `:port` or `port`; without a default, nothing listens unless it is set.
 */
export interface ListenAddress {
  readonly env?: string;
  readonly option?: string;
  readonly default?: string;
}

/** An HTTP health endpoint (with a path) or a TCP port (without). */
export interface Endpoint {
  readonly path?: string;
  readonly listen: ListenAddress;
}

/** A service's container, as named in {@link SupabaseImages}. */
export type SupabaseService = keyof SupabaseImages;

/** What every Debian, Ubuntu or Alpine (busybox) based image has on its PATH. */
const BASE_TOOLS = ['sh', '/bin/sh', 'cat', 'cp', 'env', 'head', 'id', 'ls', 'mkdir', 'mv', 'rm', 'sleep', 'test', 'touch'];
/** The system's own directories, in every image. */
const SYSTEM_DIRECTORIES = ['/bin', '/sbin', '/lib', '/usr/bin', '/usr/sbin', '/usr/lib', '/etc'];
/** Every container gets a writable /tmp (Kong's CLI, Node.js and Erlang temporary files, edge-runtime workers). */
const TMP: WrittenPath = { env: 'TMPDIR', default: '/tmp', why: 'temporary files' };

/** The contract of each service's pinned image. */
export const IMAGE_CONTRACTS: Record<SupabaseService, ImageContract> = {
  kong: {
    image: DEFAULT_IMAGES.kong,
    user: 1001,
    group: 1001,
    imageUser: 'kong (uid 1001, gid 1001 in the Ubuntu 24.04 image, where the base image\'s ubuntu user is 1000)',
    programDirectories: [
      ...SYSTEM_DIRECTORIES,
      // Not only the default prefix: lib/ holds Kong's own OpenSSL (libssl.so.3, libcrypto.so.3), which nginx and the
      // Lua C modules load through their runpath, and gui/ and include/ are program files too.
      '/usr/local/kong',
      '/usr/local/openresty',
      '/usr/local/lib',
      '/usr/local/share',
      '/usr/local/etc/luarocks',
      '/usr/local/bin',
      '/etc/kong',
    ],
    writes: [
      { env: 'KONG_PREFIX', default: '/usr/local/kong', why: 'kong prepare writes nginx.conf, pids/, sockets/, ssl/, the LMDB file and request-body temp files into the prefix' },
      { path: '/tmp', why: 'kong and kong-health are resty scripts, which make /tmp/resty_* prefixes' },
      { env: 'KONG_DECLARATIVE_CONFIG', file: true, why: 'the library\'s start command renders the declarative configuration there' },
    ],
    tools: [...BASE_TOOLS, 'bash', 'awk', 'perl', 'kong', 'kong-health', 'resty', '/entrypoint.sh'],
    endpoints: [
      { path: '/status', listen: { env: 'KONG_STATUS_LISTEN', default: '127.0.0.1:8007' } },
      { path: '/status/ready', listen: { env: 'KONG_STATUS_LISTEN', default: '127.0.0.1:8007' } },
      { listen: { env: 'KONG_PROXY_LISTEN', default: '0.0.0.0:8000' } },
    ],
    // The library's start command renders these into the declarative configuration (SUPABASE_SECRET_KEY_<NAME> for
    // each secret API key).
    secretEnv: ['SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_KEY', 'DASHBOARD_USERNAME', 'DASHBOARD_PASSWORD',
      'SUPABASE_PUBLISHABLE_KEY', 'SUPABASE_SECRET_KEY_*', 'ANON_KEY_ASYMMETRIC', 'SERVICE_ROLE_KEY_ASYMMETRIC'],
    sources: [
      'Kong/kong@3.9.3:build/dockerfiles/deb.Dockerfile (KONG_PREFIX, USER kong, /entrypoint.sh)',
      'Kong/kong@3.9.3:scripts/explain_manifest/fixtures/ubuntu-24.04-amd64.txt (files under /usr/local/kong, nginx runpath)',
      'Kong/kong@3.9.3:kong/templates/kong_defaults.lua (prefix, status_listen 127.0.0.1:8007)',
      'Kong/charts@kong-3.4.1:charts/kong (KONG_PREFIX=/kong_prefix/ and /tmp on emptyDirs)',
      'supabase/supabase docker/volumes/api/kong-entrypoint.sh (awk in kong/kong:3.9.3)',
    ],
  },
  auth: {
    image: DEFAULT_IMAGES.auth,
    user: 1000,
    group: 1000,
    imageUser: 'supabase (uid 1000)',
    programDirectories: [...SYSTEM_DIRECTORIES, '/usr/local/bin', '/usr/local/etc/auth'],
    // GoTrue writes no file (only GOTRUE_LOG_FILE, which is not set).
    writes: [TMP],
    tools: [...BASE_TOOLS, 'wget', 'auth', 'gotrue'],
    endpoints: [{ path: '/health', listen: { env: 'GOTRUE_API_PORT', default: '8081' } }],
    secretEnv: [
      'GOTRUE_DB_DATABASE_URL', 'GOTRUE_JWT_SECRET', 'GOTRUE_SMTP_PASS',
      // JWTConfiguration.Keys (internal/conf/configuration.go, decoded by internal/conf/jwk.go).
      'GOTRUE_JWT_KEYS',
      // SAMLConfiguration.PrivateKey (internal/conf/saml.go).
      'GOTRUE_SAML_PRIVATE_KEY',
      // OAuthProviderConfiguration.Secret of each provider in Auth's ProviderConfiguration.
      ...SupabaseAuthProvider.all().map((p) => `GOTRUE_EXTERNAL_${p.name.toUpperCase()}_SECRET`),
      // ExtensibilityPointConfiguration.HTTPHookSecrets of each hook in Auth's HookConfiguration.
      ...AUTH_HOOK_KINDS.map((k) => authHookSecretsVariable(k.env)),
      // The credentials of SmsProviderConfiguration's providers, and CaptchaConfiguration.Secret.
      'GOTRUE_SMS_TWILIO_AUTH_TOKEN', 'GOTRUE_SMS_TWILIO_VERIFY_AUTH_TOKEN', 'GOTRUE_SMS_MESSAGEBIRD_ACCESS_KEY',
      'GOTRUE_SMS_TEXTLOCAL_API_KEY', 'GOTRUE_SMS_VONAGE_API_SECRET', 'GOTRUE_SECURITY_CAPTCHA_SECRET',
    ],
    sources: ['supabase/auth@v2.196.0:Dockerfile', 'supabase/auth@v2.196.0:internal/conf/configuration.go', 'supabase/auth@v2.196.0:internal/api/api.go'],
  },
  rest: {
    image: DEFAULT_IMAGES.rest,
    user: 1000,
    group: 1000,
    imageUser: '1000',
    programDirectories: [...SYSTEM_DIRECTORIES],
    writes: [TMP],
    // The amd64 image is the static binary alone: no shell, no tools.
    tools: ['postgrest', '/bin/postgrest'],
    endpoints: [
      { listen: { env: 'PGRST_SERVER_PORT', default: '3000' } },
      // The admin server runs only when its port is set.
      { path: '/live', listen: { env: 'PGRST_ADMIN_SERVER_PORT' } },
      { path: '/ready', listen: { env: 'PGRST_ADMIN_SERVER_PORT' } },
    ],
    secretEnv: ['PGRST_DB_URI', 'PGRST_JWT_SECRET'],
    sources: ['PostgREST/postgrest@v14.17:nix/tools/docker/default.nix', 'PostgREST/postgrest@v14.17:src/PostgREST/Admin.hs'],
  },
  realtime: {
    image: DEFAULT_IMAGES.realtime,
    user: 65534,
    group: 65534,
    imageUser: 'none (root); /app belongs to nobody (65534), whom run.sh runs the migrations as',
    programDirectories: [...SYSTEM_DIRECTORIES, '/app', '/app/bin', '/app/lib', '/app/releases'],
    writes: [
      { env: 'RELEASE_TMP', default: '/app/tmp', why: 'every start and eval of the release copies sys.config there' },
      { env: 'ERL_CRASH_DUMP', default: '/app/erl_crash.dump', file: true, why: 'the Erlang VM\'s crash dump (run.sh would move it to /tmp)' },
      TMP,
    ],
    tools: [...BASE_TOOLS, 'bash', '/bin/bash', 'curl', 'jq', 'tini', '/usr/bin/tini', 'openssl', '/app/bin/migrate', '/app/bin/server', '/app/bin/realtime'],
    endpoints: [
      { path: '/healthcheck', listen: { env: 'PORT', default: '4000' } },
      { path: '/api/tenants/realtime-dev/health', listen: { env: 'PORT', default: '4000' } },
      // The Erlang distribution (epmd, the distribution port and gen_rpc) between the pods.
      { listen: { default: '4369' } },
    ],
    secretEnv: ['DB_HOST', 'DB_PORT', 'DB_USER', 'DB_PASSWORD', 'DB_NAME', 'DB_ENC_KEY', 'API_JWT_SECRET', 'METRICS_JWT_SECRET',
      'SECRET_KEY_BASE', 'RELEASE_COOKIE',
      // The library's start command and probes: the tenant API takes any JWT signed with API_JWT_SECRET; the
      // tenant's published keys (lib/realtime/api/tenant.ex: jwt_jwks).
      'ANON_KEY', 'API_JWT_JWKS'],
    sources: ['supabase/realtime@v2.129.8:Dockerfile', 'supabase/realtime@v2.129.8:run.sh', 'supabase/realtime@v2.129.8:lib/realtime_web/router.ex',
      'elixir-lang/elixir@v1.19.5:lib/mix/lib/mix/tasks/release.init.ex (RELEASE_TMP)'],
  },
  storage: {
    image: DEFAULT_IMAGES.storage,
    user: 1000,
    group: 1000,
    imageUser: 'none (root); the node base image has node (uid 1000)',
    programDirectories: [...SYSTEM_DIRECTORIES, '/app', '/usr/local/bin', '/usr/local/lib'],
    // With the S3 backend, resumable-upload parts and large S3-protocol bodies are spooled to os.tmpdir().
    writes: [TMP],
    tools: [...BASE_TOOLS, 'wget', 'node'],
    endpoints: [{ path: '/status', listen: { env: 'SERVER_PORT', default: '5000' } }],
    secretEnv: ['ANON_KEY', 'SERVICE_KEY', 'AUTH_JWT_SECRET', 'DATABASE_URL', 'DATABASE_POOL_URL', 'JWT_JWKS'],
    sources: ['supabase/storage@v1.70.6:Dockerfile', 'supabase/storage@v1.70.6:src/config.ts', 'supabase/storage@v1.70.6:src/http/routes/tus/index.ts'],
  },
  imgproxy: {
    image: DEFAULT_IMAGES.imgproxy,
    user: 999,
    group: 999,
    imageUser: '999 (imgproxy)',
    programDirectories: [...SYSTEM_DIRECTORIES, '/opt/imgproxy', '/usr/local/bin'],
    writes: [{ path: '/var/cache/fontconfig', why: 'fontconfig\'s cache (text in SVGs)' }, TMP],
    tools: [...BASE_TOOLS, 'bash', 'imgproxy', 'entrypoint.sh'],
    endpoints: [{ path: '/health', listen: { env: 'IMGPROXY_BIND', default: ':8080' } }],
    secretEnv: [],
    sources: ['imgproxy/imgproxy@v3.31.4:docker/Dockerfile', 'imgproxy/imgproxy@v3.31.4:config/config.go'],
  },
  meta: {
    image: DEFAULT_IMAGES.meta,
    user: 1000,
    group: 1000,
    imageUser: 'none (root); the node base image has node (uid 1000)',
    programDirectories: [...SYSTEM_DIRECTORIES, '/usr/src/app', '/usr/local/bin', '/usr/local/lib'],
    writes: [TMP],
    tools: [...BASE_TOOLS, 'bash', 'node'],
    endpoints: [{ path: '/health', listen: { env: 'PG_META_PORT', default: '8080' } }],
    secretEnv: ['PG_META_DB_HOST', 'PG_META_DB_PORT', 'PG_META_DB_NAME', 'PG_META_DB_USER', 'PG_META_DB_PASSWORD', 'CRYPTO_KEY'],
    sources: ['supabase/postgres-meta@v0.98.0:Dockerfile', '@supabase/postgres-meta@0.99.0 (npm): dist/server/constants.js'],
  },
  studio: {
    image: DEFAULT_IMAGES.studio,
    user: 1000,
    group: 1000,
    imageUser: 'none (root); the node base image has node (uid 1000)',
    programDirectories: [...SYSTEM_DIRECTORIES, '/app', '/app/apps/studio', '/usr/local/bin', '/usr/local/lib'],
    writes: [
      { path: '/app/apps/studio/.next/cache', why: 'Next.js\'s image optimisation cache' },
      { env: 'SNIPPETS_MANAGEMENT_FOLDER', default: '/app/apps/studio/snippets', why: 'saved SQL snippets (relative to the server\'s directory by default)' },
      TMP,
    ],
    tools: [...BASE_TOOLS, 'bash', 'node'],
    endpoints: [{ path: '/api/platform/profile', listen: { env: 'PORT', default: '3000' } }],
    secretEnv: ['POSTGRES_HOST', 'POSTGRES_PORT', 'POSTGRES_DB', 'POSTGRES_PASSWORD', 'PG_META_CRYPTO_KEY', 'SUPABASE_ANON_KEY',
      'SUPABASE_SERVICE_KEY', 'AUTH_JWT_SECRET',
      // The API Keys page of self-hosted Studio lists them (apps/studio/lib/api/self-hosted/api-keys.ts).
      'SUPABASE_PUBLISHABLE_KEY', 'SUPABASE_SECRET_KEY'],
    sources: ['supabase/supabase@07a67b38:apps/studio/Dockerfile', 'supabase/supabase@1497d4bb:apps/studio/lib/api/snippets.constants.ts'],
  },
  functions: {
    image: DEFAULT_IMAGES.functions,
    user: 1000,
    group: 1000,
    imageUser: 'none (root)',
    // A team's image adds its functions here, on top of the edge runtime.
    programDirectories: [...SYSTEM_DIRECTORIES, '/usr/local/bin', '/home/deno/functions'],
    writes: [
      { env: 'DENO_DIR', default: '/root/.cache/deno', why: 'the module cache ($HOME/.cache/deno)' },
      TMP,
    ],
    tools: [...BASE_TOOLS, 'bash', 'edge-runtime'],
    endpoints: [{ listen: { option: '--port', env: 'EDGE_RUNTIME_PORT', default: '9000' } }],
    // The functions' own code reads the keys (the runtime passes its environment on to the user workers).
    secretEnv: ['JWT_SECRET', 'SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_ROLE_KEY', 'SUPABASE_DB_URL', 'REDIS_URL',
      'SUPABASE_JWKS', 'SUPABASE_PUBLISHABLE_KEYS', 'SUPABASE_SECRET_KEYS'],
    sources: ['supabase/edge-runtime@v1.74.0:Dockerfile', 'supabase/edge-runtime@v1.74.0:cli/src/flags.rs', 'supabase/edge-runtime@v1.74.0:deno/cache/deno_dir.rs'],
  },
};

/** Whether `contract` lists `name` among the variables the image reads from Secrets. */
export function readsSecretEnv(contract: ImageContract, name: string): boolean {
  return contract.secretEnv.some((v) => (v.endsWith('*') ? name.startsWith(v.slice(0, -1)) : v === name));
}

/** The numeric user and group a service's pods run as. */
export function imageUser(service: SupabaseService): { user: number; group: number } {
  const { user, group } = IMAGE_CONTRACTS[service];
  return { user, group };
}
