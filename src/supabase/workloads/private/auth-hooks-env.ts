import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AuthEnvironment } from './auth-providers-env';
import { SecretEnvSource } from './secret-env';
import { parseUrl } from './validation';
import { configError } from '../../../private/errors';
import { SupabaseAuthHook, SupabaseAuthHooks } from '../auth/hooks';

/**
 * Every hook of Auth v2.196.0 (HookConfiguration in internal/conf/configuration.go), by its prop and the word
 * envconfig makes of the field's name under `GOTRUE_HOOK_` (split_words: `MFAVerificationAttempt` ->
 * `MFA_VERIFICATION_ATTEMPT`).
 */
export const AUTH_HOOK_KINDS: readonly { readonly prop: keyof SupabaseAuthHooks; readonly env: string }[] = [
  { prop: 'customAccessToken', env: 'CUSTOM_ACCESS_TOKEN' },
  { prop: 'sendSms', env: 'SEND_SMS' },
  { prop: 'sendEmail', env: 'SEND_EMAIL' },
  { prop: 'mfaVerificationAttempt', env: 'MFA_VERIFICATION_ATTEMPT' },
  { prop: 'passwordVerificationAttempt', env: 'PASSWORD_VERIFICATION_ATTEMPT' },
  { prop: 'beforeUserCreated', env: 'BEFORE_USER_CREATED' },
  { prop: 'afterUserCreated', env: 'AFTER_USER_CREATED' },
];

/** The variable that holds a hook's signing secrets (`envconfig:"secrets"`). */
export function authHookSecretsVariable(env: string): string {
  return `GOTRUE_HOOK_${env}_SECRETS`;
}

/** Auth's pattern for a schema or function name (postgresNamesRegexp in internal/conf/configuration.go). */
const POSTGRES_NAME = '[a-zA-Z_][a-zA-Z0-9_]{0,62}';
const PG_FUNCTION_URI = new RegExp(`^pg-functions://postgres/(${POSTGRES_NAME})/(${POSTGRES_NAME})$`);

/** The hosts for which Auth accepts http: nothing listens there in the Auth pod. */
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]', 'host.docker.internal'];

/**
 * The variables of Auth's hooks (`GOTRUE_HOOK_<KIND>_ENABLED`, `_URI`, and `_SECRETS` from Secrets Manager), after
 * checking each hook. `prop` names the hooks in error messages.
 */
export function authHooksEnv(scope: Construct, prop: string, hooks: SupabaseAuthHooks | undefined): AuthEnvironment {
  const plain: Record<string, string> = {};
  const secrets: SecretEnvSource[] = [];
  if (!hooks) {
    return { plain, secrets };
  }
  const known = AUTH_HOOK_KINDS.map((k) => k.prop as string);
  const unknown = Object.keys(hooks).filter((k) => !known.includes(k) && (hooks as any)[k] !== undefined);
  if (unknown.length > 0) {
    throw configError(scope, `\`${prop}.${unknown[0]}\` is not a hook of Auth v2.196.0. Use one of: ${known.join(', ')}.`);
  }
  for (const kind of AUTH_HOOK_KINDS) {
    const hook = hooks[kind.prop];
    if (hook === undefined) continue;
    const at = `${prop}.${kind.prop}`;
    const postgres = validateHook(scope, at, hook);
    const env = `GOTRUE_HOOK_${kind.env}`;
    plain[`${env}_ENABLED`] = 'true';
    plain[`${env}_URI`] = hook.uri;
    if (!postgres) {
      secrets.push({ name: authHookSecretsVariable(kind.env), secret: hook.secret!, field: hook.secretField, prop: `${at}.secret` });
    }
  }
  return { plain, secrets };
}

/**
 * Throws unless the hook is one Auth accepts and can reach; returns whether it is a Postgres function (else https,
 * with a secret). A URI that is a token is taken as https when a secret comes with it.
 */
function validateHook(scope: Construct, at: string, hook: SupabaseAuthHook): boolean {
  if (!(hook instanceof SupabaseAuthHook)) {
    throw configError(scope, `\`${at}\` is ${JSON.stringify(hook)}, which is not a SupabaseAuthHook. Make it with SupabaseAuthHook.postgresFunction(schema, functionName), SupabaseAuthHook.https(url, secret) or SupabaseAuthHook.fromUri(uri, secret).`);
  }
  const uri = hook.uri;
  const postgres = !Token.isUnresolved(uri) && uri.startsWith('pg-functions:');
  if (postgres) {
    if (!PG_FUNCTION_URI.test(uri)) {
      throw configError(scope, `\`${at}\` is '${uri}'. A Postgres function hook is pg-functions://postgres/<schema>/<function>, each name of letters, digits and underscores, not starting with a digit, at most 63 characters (what Auth accepts), e.g. SupabaseAuthHook.postgresFunction('public', 'custom_access_token_hook').`);
    }
    if (hook.secret) {
      throw configError(scope, `\`${at}\` is the Postgres function '${uri}' with a secret. Auth calls a Postgres function in its own database connection and signs nothing: remove the secret.`);
    }
    return true;
  }
  if (!Token.isUnresolved(uri)) {
    validateHttpsUri(scope, at, uri);
  }
  if (!hook.secret) {
    throw configError(scope, `\`${at}\` is the https hook '${uri}' without a secret. Auth signs each call with the hook's secret and the endpoint must check the signature: create one ('v1,whsec_' + base64 of 32 random bytes) in Secrets Manager and pass it, e.g. SupabaseAuthHook.https(url, Secret.fromSecretNameV2(this, 'HookSecret', 'supabase/auth-hook')).`);
  }
  if (hook.secretField !== undefined && !Token.isUnresolved(hook.secretField) && hook.secretField.trim() === '') {
    throw configError(scope, `\`${at}\` has an empty secretField. Name the secret's JSON field that holds the signing secret, or leave it out to use the whole secret string.`);
  }
  return false;
}

/** Throws unless `uri` is an https URL Auth calls and its network policy lets through (port 443). */
function validateHttpsUri(scope: Construct, at: string, uri: string) {
  const url = parseUrl(uri);
  // Auth dispatches on the URI's literal prefix (`https:`), so the scheme must be lowercase.
  if (!url || !/^https?:\/\//.test(uri) || /\s/.test(uri) || !url.hostname) {
    throw configError(scope, `\`${at}\` is '${uri}'. A hook is an https URL (lowercase https://, no spaces) or a Postgres function (pg-functions://postgres/<schema>/<function>), e.g. SupabaseAuthHook.https('https://hooks.example.com/auth', secret).`);
  }
  if (url.username || url.password || url.search) {
    // The value is not repeated: what follows the host or the path may be a key.
    throw configError(scope, `\`${at}\` is a URL of ${url.host} with ${url.search ? 'a query' : 'credentials'}. It must have neither: the URL is a plain variable of the Auth Deployment, so a key in it would be in the manifest. Authenticate with the hook's signing secret instead.`);
  }
  if (url.protocol === 'http:' || LOOPBACK_HOSTS.includes(url.hostname)) {
    throw configError(scope, `\`${at}\` is '${uri}'. Auth accepts http only for a loopback host, and nothing else listens in the Auth pod: give an https URL of your endpoint.`);
  }
  if (url.port !== '') {
    throw configError(scope, `\`${at}\` is '${uri}', on port ${url.port}. The Auth pods' network policy lets HTTPS out on port 443 only: serve the hook on 443.`);
  }
  if (url.hash) {
    throw configError(scope, `\`${at}\` is '${uri}'. Remove the fragment: it is never sent to the endpoint.`);
  }
}
