import { KongApiKeys, TranslationTarget, apiKeyConsumers, apiKeyTranslationPlugin, apiKeyVariables } from './kong-api-keys';
import { FUNCTIONS_REQUEST_TIMEOUT_MS, PORTS } from '../../private/ports';

/**
 * Where Auth is served under the public URL, and so the path of its JWT issuer (`GOTRUE_JWT_ISSUER`): its OAuth
 * server metadata is at `/.well-known/oauth-authorization-server` followed by this path (RFC 8414).
 */
export const AUTH_ISSUER_PATH = '/auth/v1';

/**
 * The variables the gateway's entrypoint substitutes into the declarative configuration at start, from the
 * pod's environment (which reads them from Secrets): the API keys it accepts and the dashboard's credentials. They
 * never appear in the ConfigMap.
 */
export function kongTemplateVariables(apiKeys: KongApiKeys | undefined): string[] {
  return [...apiKeyVariables(apiKeys), 'DASHBOARD_USERNAME', 'DASHBOARD_PASSWORD'];
}

const placeholder = (name: string) => `\${${name}}`;

export interface KongConfigOptions {
  /** Whether Edge Functions are deployed (`/functions/v1/`). */
  readonly functions: boolean;
  /** The Service name Realtime is reached under: its first label is the tenant id. */
  readonly realtimeHost: string;
  /** The opaque API keys, when the deployment has them (`signingKeys`); the legacy keys only otherwise. */
  readonly apiKeys?: KongApiKeys;
}

type Plugin = { name: string; config?: Record<string, unknown> };

const cors: Plugin = { name: 'cors' };
const keyAuth = (hideCredentials: boolean): Plugin => ({ name: 'key-auth', config: { hide_credentials: hideCredentials } });
const acl = (...allow: string[]): Plugin => ({ name: 'acl', config: { hide_groups_header: true, allow } });
const forbidden: Plugin = { name: 'request-termination', config: { status_code: 403, message: 'Forbidden' } };

/** The routes of self-hosted Supabase's gateway (0.8.1), as Kong 3.9 declarative configuration (format 3.0). */
export function kongDeclarativeConfig(options: KongConfigOptions): Record<string, unknown> {
  // With opaque keys, each route that forwards a key translates it into its internal JWT first.
  const translated = (target: TranslationTarget = 'authorization') => (options.apiKeys ? [apiKeyTranslationPlugin(options.apiKeys, target)] : []);
  const auth = `http://auth:${PORTS.auth}`;
  const rest = `http://rest:${PORTS.rest}`;
  const realtime = `${options.realtimeHost}:${PORTS.realtime}`;
  const open = (name: string, path: string) => ({
    name: `auth-v1-open-${name}`,
    url: `${auth}${path}`,
    routes: [{ name: `auth-v1-open-${name}`, strip_path: true, paths: [`/auth/v1${path}`] }],
    plugins: [cors],
  });
  const services: Record<string, unknown>[] = [
    // Auth endpoints reached from emails, browsers and identity providers, without an API key.
    open('verify', '/verify'),
    open('callback', '/callback'),
    open('authorize', '/authorize'),
    open('jwks', '/.well-known/jwks.json'),
    open('sso-acs', '/sso/saml/acs'),
    open('sso-metadata', '/sso/saml/metadata'),
    {
      // OAuth 2.1 server discovery (RFC 8414) for the issuer <publicUrl>/auth/v1, as upstream's gateway derives it.
      name: 'well-known-oauth',
      url: `${auth}/.well-known/oauth-authorization-server`,
      routes: [{ name: 'well-known-oauth', strip_path: true, paths: [`/.well-known/oauth-authorization-server${AUTH_ISSUER_PATH}`] }],
      plugins: [cors],
    },
    {
      name: 'auth-v1',
      url: `${auth}/`,
      routes: [{ name: 'auth-v1-all', strip_path: true, paths: ['/auth/v1/'] }],
      plugins: [cors, ...translated(), keyAuth(false), acl('admin', 'anon')],
    },
    {
      name: 'rest-v1',
      url: `${rest}/`,
      routes: [{ name: 'rest-v1-all', strip_path: true, paths: ['/rest/v1/'] }],
      plugins: [cors, ...translated(), keyAuth(true), acl('admin', 'anon')],
    },
    {
      // The OpenAPI description of every exposed table: service_role only.
      name: 'rest-v1-openapi',
      url: `${rest}/`,
      routes: [{ name: 'rest-v1-openapi', strip_path: true, paths: ['~/rest/v1/$'], regex_priority: 100 }],
      plugins: [cors, ...translated(), keyAuth(true), acl('admin')],
    },
    {
      name: 'graphql-v1',
      url: `${rest}/rpc/graphql`,
      routes: [{ name: 'graphql-v1-all', strip_path: true, paths: ['/graphql/v1'] }],
      plugins: [
        cors,
        ...translated(),
        keyAuth(true),
        { name: 'request-transformer', config: { add: { headers: ['Content-Profile:graphql_public'] } } },
        acl('admin', 'anon'),
      ],
    },
    {
      name: 'realtime-v1-ws',
      url: `http://${realtime}/socket`,
      protocol: 'ws',
      routes: [{ name: 'realtime-v1-ws', strip_path: true, paths: ['/realtime/v1/'] }],
      plugins: [cors, ...translated('webSocket'), keyAuth(false), acl('admin', 'anon')],
    },
    {
      name: 'realtime-v1-rest',
      url: `http://${realtime}/api`,
      protocol: 'http',
      routes: [{ name: 'realtime-v1-rest', strip_path: true, paths: ['/realtime/v1/api'] }],
      plugins: [cors, ...translated(), keyAuth(false), acl('admin', 'anon')],
    },
    {
      // Tenant management and the API description stay inside the cluster.
      name: 'realtime-v1-blocked',
      url: `http://${realtime}/api`,
      routes: [{ name: 'realtime-v1-blocked', strip_path: true, paths: ['/realtime/v1/api/tenants', '/realtime/v1/api/openapi'] }],
      plugins: [forbidden],
    },
    {
      // Signed URLs carry their own token, so Storage checks keys itself.
      name: 'storage-v1',
      url: `http://storage:${PORTS.storage}/`,
      routes: [{ name: 'storage-v1-all', strip_path: true, paths: ['/storage/v1/'] }],
      plugins: [cors, ...translated()],
    },
    ...(options.functions ? [{
      name: 'functions-v1',
      url: `http://functions:${PORTS.functions}/`,
      read_timeout: FUNCTIONS_REQUEST_TIMEOUT_MS + 10_000,
      routes: [{ name: 'functions-v1-all', strip_path: true, paths: ['/functions/v1/'] }],
      plugins: [cors, ...translated('functions')],
    }] : []),
    {
      name: 'meta',
      url: `http://meta:${PORTS.meta}/`,
      routes: [{ name: 'meta-all', strip_path: true, paths: ['/pg/'] }],
      plugins: [keyAuth(false), acl('admin')],
    },
    {
      name: 'mcp-blocked',
      url: `http://studio:${PORTS.studio}/`,
      routes: [{ name: 'mcp-blocked', strip_path: false, paths: ['/api/mcp', '/mcp'] }],
      plugins: [forbidden],
    },
    {
      // Studio, behind the dashboard's basic authentication.
      name: 'dashboard',
      url: `http://studio:${PORTS.studio}/`,
      routes: [{ name: 'dashboard-all', strip_path: true, paths: ['/'] }],
      plugins: [cors, { name: 'basic-auth', config: { hide_credentials: true } }],
    },
  ];
  return {
    _format_version: '3.0',
    _transform: true,
    consumers: [
      { username: 'DASHBOARD', basicauth_credentials: [{ username: placeholder('DASHBOARD_USERNAME'), password: placeholder('DASHBOARD_PASSWORD') }] },
      ...apiKeyConsumers(options.apiKeys),
    ],
    acls: [
      { consumer: 'anon', group: 'anon' },
      { consumer: 'service_role', group: 'admin' },
    ],
    services,
  };
}

/**
 * The gateway container's command: render the configuration template into Kong's writable prefix with the values
 * of the template variables from the environment (failing if one is unset), remove the pid files a previous run of
 * the container left in the prefix (as the init container of Kong's Helm chart does: `kong health` would check a
 * stale pid), then start Kong in the foreground through the image's entrypoint (`/entrypoint.sh` in kong/kong,
 * `/docker-entrypoint.sh` in the Docker library's kong), which runs `kong prepare` in `$KONG_PREFIX` and nginx.
 * awk replaces literal placeholders, so no character of a value is interpreted; `"` and `\` are escaped, because
 * the template is JSON.
 */
export function kongStartScript(templatePath: string, configPath: string, variables: string[]): string {
  const names = variables.join(' ');
  const render = [
    `awk -v names="${names}" 'BEGIN { n = split(names, vars, " ") }`,
    '{ for (i = 1; i <= n; i++) { p = "${" vars[i] "}"; v = ENVIRON[vars[i]]; gsub(/[\\\\"]/, "\\\\\\\\&", v);',
    `while ((j = index($0, p)) > 0) { $0 = substr($0, 1, j - 1) v substr($0, j + length(p)) } } print }' ${templatePath} > ${configPath}`,
  ].join(' ');
  return [
    'set -eu',
    ...['KONG_PREFIX', ...variables].map((v) => `: "\${${v}:?is not set}"`),
    render,
    'rm -rf "$KONG_PREFIX/pids"',
    'for entrypoint in /entrypoint.sh /docker-entrypoint.sh; do',
    '  if [ -x "$entrypoint" ]; then exec "$entrypoint" kong docker-start; fi',
    'done',
    'echo "no Kong entrypoint in the image" >&2',
    'exit 1',
  ].join('\n');
}
