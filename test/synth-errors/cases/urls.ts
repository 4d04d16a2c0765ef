/** Class 1: URLs that become an issuer, a host or a link. */
import { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { SupabaseAuthHook, SupabaseAuthProvider, SupabaseStorage } from '../../../src';
import { BadInput } from '../bad-input';
import { supabaseWith } from '../stacks';

const APP = { siteUrl: 'https://app.example.com' };

/** A row on SupabaseOnAws's `prop`, built with the quick start and `props`. */
function onSupabase(prop: string, value: string, props: Record<string, any>, error: string): BadInput {
  return { construct: 'SupabaseOnAws', class: 'url', prop, value, build: supabaseWith(props), error };
}

export const URL_CASES: BadInput[] = [
  onSupabase('publicUrl', "'https://api.example.com/v1'", { publicUrl: 'https://api.example.com/v1' },
    "must be the gateway's origin without a path"),
  {
    construct: 'SupabaseOnAws',
    class: 'url',
    prop: 'certificate',
    value: 'undefined',
    build: supabaseWith({ certificate: undefined }),
    warning: { id: 'cdk-supabase-on-aws:workloads-http-only', text: 'HTTP' },
  },
  onSupabase('publicUrl', "'api.example.com'", { publicUrl: 'api.example.com' }, 'must be an absolute http(s) URL'),
  onSupabase('publicUrl', "'https://api.example.com/'", { publicUrl: 'https://api.example.com/' }, "must not end with '/'"),
  onSupabase('publicUrl', "'https://api.example.com:8443'", { publicUrl: 'https://api.example.com:8443' }, 'must not name a port'),
  onSupabase('publicUrl', "'https://api.example.com?project=prod'", { publicUrl: 'https://api.example.com?project=prod' },
    'must not have a query'),
  onSupabase('publicUrl', "'https://admin:secret@api.example.com'", { publicUrl: 'https://admin:secret@api.example.com' },
    'must not carry credentials'),
  onSupabase('publicUrl', "'http://api.example.com'", { publicUrl: 'http://api.example.com' },
    'but `certificate` is set'),
  onSupabase('auth.siteUrl', "'app.example.com'", { auth: { siteUrl: 'app.example.com' } }, 'must be an absolute http(s) URL'),
  onSupabase('auth.siteUrl', "'https://app.example.com/#/welcome'", { auth: { siteUrl: 'https://app.example.com/#/welcome' } },
    'must not have a fragment'),
  onSupabase('auth.siteUrl', "'https://preview:hunter2@app.example.com'", { auth: { siteUrl: 'https://preview:hunter2@app.example.com' } },
    'must not carry credentials'),
  onSupabase('auth.additionalRedirectUrls', "['https:app.example.com/callback']",
    { auth: { ...APP, additionalRedirectUrls: ['https:app.example.com/callback'] } }, 'must be an absolute URL pattern with a scheme'),
  onSupabase('auth.additionalRedirectUrls', "['app.example.com/callback']",
    { auth: { ...APP, additionalRedirectUrls: ['app.example.com/callback'] } }, 'must be an absolute URL pattern with a scheme'),
  onSupabase('auth.additionalRedirectUrls', "['https://a.example.com,https://b.example.com']",
    { auth: { ...APP, additionalRedirectUrls: ['https://a.example.com,https://b.example.com'] } }, 'which has a comma'),
  onSupabase('auth.additionalRedirectUrls', "['https://[ab.example.com/**']",
    { auth: { ...APP, additionalRedirectUrls: ['https://[ab.example.com/**'] } }, 'whose glob has an unclosed [ or {'),
  {
    construct: 'SupabaseOnAws',
    class: 'url',
    prop: 'auth.hooks.customAccessToken',
    value: "SupabaseAuthHook.https('http://hooks.example.com/token', secret)",
    build: (stack) => supabaseWith({ auth: { ...APP, hooks: { customAccessToken: SupabaseAuthHook.https('http://hooks.example.com/token', hookSecret(stack)) } } })(stack),
    error: 'Auth accepts http only for a loopback host',
  },
  {
    construct: 'SupabaseOnAws',
    class: 'url',
    prop: 'auth.hooks.sendEmail',
    value: "SupabaseAuthHook.https('https://hooks.example.com:8443/email', secret)",
    build: (stack) => supabaseWith({ auth: { ...APP, hooks: { sendEmail: SupabaseAuthHook.https('https://hooks.example.com:8443/email', hookSecret(stack)) } } })(stack),
    error: 'on port 8443',
  },
  onSupabase('auth.email.confirmation.templateUrl', "'http://templates.example.com/confirm.html'",
    { auth: { ...APP, email: { confirmation: { templateUrl: 'http://templates.example.com/confirm.html' } } } },
    'it must be an absolute https URL on port 443'),
  {
    construct: 'SupabaseOnAws',
    class: 'url',
    prop: 'auth.externalProviders[0].url',
    value: "'https://keycloak.example.com/realms/app/'",
    build: (stack) => supabaseWith({
      auth: {
        ...APP,
        externalProviders: [{
          provider: SupabaseAuthProvider.KEYCLOAK, clientId: 'supabase', clientSecret: hookSecret(stack), url: 'https://keycloak.example.com/realms/app/',
        }],
      },
    })(stack),
    error: 'it must be an https URL without a query, fragment or trailing slash',
  },
  onSupabase('auth.mfa.webAuthn.relyingPartyOrigins', "['https://app.example.com/']",
    { auth: { ...APP, mfa: { webAuthn: { enroll: true, verify: true, relyingPartyId: 'example.com', relyingPartyOrigins: ['https://app.example.com/'] } } } },
    'it must be an origin'),
  {
    construct: 'SupabaseStorage',
    class: 'url',
    prop: 'corsAllowedOrigins',
    value: "['https://app.example.com/']",
    build: (stack) => new SupabaseStorage(stack, 'Storage', { corsAllowedOrigins: ['https://app.example.com/'] }),
    error: 'is not an origin',
  },
];

function hookSecret(stack: any) {
  return secretsmanager.Secret.fromSecretNameV2(stack, 'HookSecret', 'supabase/auth-hook');
}
