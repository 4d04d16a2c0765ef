/**
 * The gateway's side of the opaque API keys (issue #23). The services verify JWTs only, so the gateway translates an
 * opaque key into the internal ES256 JWT of its role, the way upstream's self-hosting gateway does since 0.8.x:
 *
 * - the publishable key is a credential of the `anon` consumer, each secret key one of `service_role`, next to the
 *   legacy JWT keys while those are on; key-auth and the ACLs treat them like the legacy keys;
 * - a `pre-function` (it runs before key-auth, which may hide the `apikey` header from the service) looks the request's
 *   `apikey` (header, or query argument as Realtime's WebSocket clients send it) up in a table of the opaque keys and,
 *   when it is one, sends the service `Authorization: Bearer <internal JWT>` unless the client sent its own JWT (a
 *   user's session): an absent `Authorization` or one carrying an opaque key (`Bearer sb_...`, what supabase-js sends
 *   before a user signs in) is replaced. Realtime's socket takes its token from `x-api-key` before the `apikey`
 *   argument, so the WebSocket route also gets `x-api-key`; the argument itself stays, since key-auth, which runs
 *   next, reads it (a rewritten argument would be refused there). An unknown or revoked
 *   key is left alone: key-auth refuses it, and Storage (no key-auth: signed URLs carry their own token) gets no JWT
 *   from it. On Edge Functions' route the JWT goes into `sb-api-key` instead (see {@link apiKeyTranslation}).
 *
 * The keys reach the Lua code as placeholders that the container's start script fills in from the environment
 * (Secrets): the ConfigMap holds none of them.
 */

/** The API keys the gateway accepts. */
export interface KongApiKeys {
  /** Whether the legacy anon and service_role JWT keys are still accepted. */
  readonly legacy: boolean;
  /** The names of the secret API keys (`sb_secret_...`), each translated to the service_role JWT. */
  readonly secretKeyNames: string[];
}

/** The variables of the legacy keys, as the gateway has always read them. */
export const LEGACY_KEY_VARIABLES = { anon: 'SUPABASE_ANON_KEY', serviceRole: 'SUPABASE_SERVICE_KEY' } as const;
/** The variables of the opaque keys and of the internal JWTs they translate to (upstream's names). */
export const OPAQUE_KEY_VARIABLES = {
  publishable: 'SUPABASE_PUBLISHABLE_KEY',
  anonInternal: 'ANON_KEY_ASYMMETRIC',
  serviceRoleInternal: 'SERVICE_ROLE_KEY_ASYMMETRIC',
} as const;

/** The variable of the secret key `name` (`SUPABASE_SECRET_KEY_DEFAULT` for `default`). */
export function secretKeyVariable(name: string): string {
  return `SUPABASE_SECRET_KEY_${name.toUpperCase()}`;
}

const placeholder = (name: string) => `\${${name}}`;

/** The template variables the API keys need, in the order the start script checks them. */
export function apiKeyVariables(keys: KongApiKeys | undefined): string[] {
  if (keys === undefined) {
    return [LEGACY_KEY_VARIABLES.anon, LEGACY_KEY_VARIABLES.serviceRole];
  }
  return [
    ...(keys.legacy ? [LEGACY_KEY_VARIABLES.anon, LEGACY_KEY_VARIABLES.serviceRole] : []),
    OPAQUE_KEY_VARIABLES.publishable,
    ...keys.secretKeyNames.map(secretKeyVariable),
    OPAQUE_KEY_VARIABLES.anonInternal,
    OPAQUE_KEY_VARIABLES.serviceRoleInternal,
  ];
}

/** The key-auth consumers `anon` and `service_role` with their credentials. */
export function apiKeyConsumers(keys: KongApiKeys | undefined): Record<string, unknown>[] {
  const legacy = keys === undefined || keys.legacy;
  const anon = [...(legacy ? [LEGACY_KEY_VARIABLES.anon] : []), ...(keys ? [OPAQUE_KEY_VARIABLES.publishable] : [])];
  const serviceRole = [...(legacy ? [LEGACY_KEY_VARIABLES.serviceRole] : []), ...(keys ? keys.secretKeyNames.map(secretKeyVariable) : [])];
  return [
    { username: 'anon', keyauth_credentials: anon.map((v) => ({ key: placeholder(v) })) },
    { username: 'service_role', keyauth_credentials: serviceRole.map((v) => ({ key: placeholder(v) })) },
  ];
}

/**
 * Where a route's translation puts the internal JWT: `Authorization` (the services that verify it), also
 * `x-api-key` for Realtime's socket, or only `sb-api-key` for Edge Functions.
 */
export type TranslationTarget = 'authorization' | 'webSocket' | 'functions';

/**
 * The Lua of the `pre-function` that translates an opaque key into its internal JWT (see the module's comment).
 * For Edge Functions, as upstream's gateway does since 0.8.x, `Authorization` is left alone (a user's session or the
 * opaque key itself) and the JWT goes into `sb-api-key`, which upstream's main function verifies when the bearer is
 * absent or an opaque key; a client's own `sb-api-key` is removed first, so that it cannot pose as the gateway's.
 */
export function apiKeyTranslation(keys: KongApiKeys, target: TranslationTarget): string {
  const entries = [
    [OPAQUE_KEY_VARIABLES.publishable, OPAQUE_KEY_VARIABLES.anonInternal],
    ...keys.secretKeyNames.map((name) => [secretKeyVariable(name), OPAQUE_KEY_VARIABLES.serviceRoleInternal]),
  ];
  const table = [
    'local internal = {',
    ...entries.map(([key, jwt]) => `  ["${placeholder(key)}"] = "${placeholder(jwt)}",`),
    '}',
  ];
  if (target === 'functions') {
    return [
      ...table,
      'kong.service.request.clear_header("sb-api-key")',
      'local key = kong.request.get_header("apikey")',
      'local authorization = kong.request.get_header("authorization")',
      'if type(key) ~= "string" and type(authorization) == "string" and string.lower(string.sub(authorization, 1, 10)) == "bearer sb_" then',
      '  key = string.sub(authorization, 8)',
      'end',
      'local jwt = type(key) == "string" and internal[key] or nil',
      'if jwt then',
      '  kong.service.request.set_header("sb-api-key", jwt)',
      'end',
    ].join('\n');
  }
  return [
    ...table,
    'local apikey = kong.request.get_header("apikey") or kong.request.get_query_arg("apikey")',
    'local jwt = type(apikey) == "string" and internal[apikey] or nil',
    'if jwt then',
    '  local authorization = kong.request.get_header("authorization")',
    '  if type(authorization) ~= "string" or string.lower(string.sub(authorization, 1, 10)) == "bearer sb_" then',
    '    kong.service.request.set_header("Authorization", "Bearer " .. jwt)',
    '  end',
    ...(target === 'webSocket' ? ['  kong.service.request.set_header("x-api-key", jwt)'] : []),
    'end',
  ].join('\n');
}

/** The `pre-function` plugin with the translation. */
export function apiKeyTranslationPlugin(keys: KongApiKeys, target: TranslationTarget): { name: string; config: Record<string, unknown> } {
  return { name: 'pre-function', config: { access: [apiKeyTranslation(keys, target)] } };
}
