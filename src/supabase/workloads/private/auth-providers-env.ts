import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SecretEnvSource } from './secret-env';
import { parseUrl } from './validation';
import { configError } from '../../../private/errors';
import { SupabaseAuthProvider, SupabaseExternalProvider } from '../auth/external-providers';

/** The path of Auth's OAuth callback under the public URL: what each provider redirects back to. */
export const AUTH_CALLBACK_PATH = '/auth/v1/callback';

/** Auth's variables of one feature: plain values, and values that stay in Secrets Manager. */
export interface AuthEnvironment {
  readonly plain: Record<string, string>;
  readonly secrets: SecretEnvSource[];
}

/**
 * The variables of Auth's external sign-in providers (`GOTRUE_EXTERNAL_<NAME>_*`), after checking them; each client
 * secret stays in Secrets Manager. `prop` names the list in error messages.
 */
export function externalProvidersEnv(
  scope: Construct, prop: string, providers: SupabaseExternalProvider[], publicUrl: string,
): AuthEnvironment {
  const plain: Record<string, string> = {};
  const secrets: SecretEnvSource[] = [];
  const seen = new Map<string, number>();
  providers.forEach((p, i) => {
    const at = `${prop}[${i}]`;
    if (!(p.provider instanceof SupabaseAuthProvider)) {
      throw configError(scope, `\`${at}.provider\` is ${JSON.stringify(p.provider)}, which is not a SupabaseAuthProvider. Use one of its static members, e.g. SupabaseAuthProvider.GOOGLE (known: ${SupabaseAuthProvider.all().map((x) => x.name).join(', ')}).`);
    }
    const name = p.provider.name;
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw configError(scope, `\`${at}.provider\` is ${name}, which \`${prop}[${earlier}]\` already configures. Auth takes one configuration per provider: remove one of them.`);
    }
    seen.set(name, i);
    if (typeof p.clientId !== 'string' || (!Token.isUnresolved(p.clientId) && p.clientId.trim() === '')) {
      throw configError(scope, `\`${at}.clientId\` of ${name} is ${JSON.stringify(p.clientId ?? null)}. Give the client id the provider issued for this application.`);
    }
    if (!p.clientSecret) {
      throw configError(scope, `\`${at}.clientSecret\` of ${name} is not set. Store the provider's client secret in Secrets Manager and pass it, e.g. Secret.fromSecretNameV2(this, 'GoogleSecret', 'supabase/google-client-secret').`);
    }
    if (p.clientSecretField !== undefined && !Token.isUnresolved(p.clientSecretField) && p.clientSecretField.trim() === '') {
      throw configError(scope, `\`${at}.clientSecretField\` of ${name} is empty. Name the secret's JSON field that holds the client secret, or leave it out to use the whole secret string.`);
    }
    if (p.url === undefined && p.provider.requiresUrl) {
      throw configError(scope, `\`${at}.url\` is not set, but ${name} needs it: Auth has no default ${name} server. Give the realm's URL, e.g. 'https://keycloak.example.com/realms/myrealm'.`);
    }
    if (p.url !== undefined) {
      validateProviderUrl(scope, `${at}.url`, p.url);
    }
    const env = `GOTRUE_EXTERNAL_${name.toUpperCase()}`;
    plain[`${env}_ENABLED`] = 'true';
    plain[`${env}_CLIENT_ID`] = p.clientId;
    plain[`${env}_REDIRECT_URI`] = `${publicUrl}${AUTH_CALLBACK_PATH}`;
    if (p.url !== undefined) {
      plain[`${env}_URL`] = p.url;
    }
    if (p.skipNonceCheck !== undefined) {
      plain[`${env}_SKIP_NONCE_CHECK`] = String(p.skipNonceCheck);
    }
    if (p.emailOptional !== undefined) {
      plain[`${env}_EMAIL_OPTIONAL`] = String(p.emailOptional);
    }
    secrets.push({ name: `${env}_SECRET`, secret: p.clientSecret, field: p.clientSecretField, prop: `${prop}[${i}].clientSecret` });
  });
  return { plain, secrets };
}

/** Throws unless `value` is an https URL without a query or fragment. Tokens are skipped. */
function validateProviderUrl(scope: Construct, prop: string, value: string) {
  if (Token.isUnresolved(value)) {
    return;
  }
  const url = parseUrl(value);
  if (!url || url.protocol !== 'https:' || !url.hostname || url.search || url.hash || value.endsWith('/')) {
    throw configError(scope, `\`${prop}\` is '${value}'; it must be an https URL without a query, fragment or trailing slash, e.g. 'https://keycloak.example.com/realms/myrealm'.`);
  }
}
