/** Class 5: service settings: names, credentials, image references, limits, schemas. */
import { Duration, Size, Stack, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { SupabaseSecrets } from '../../../src';
import { BadInput } from '../bad-input';
import { supabaseWith } from '../stacks';

/** A row on SupabaseOnAws's `prop`, built with the quick start and `props`. */
function onSupabase(prop: string, value: string, props: Record<string, any>, error: string): BadInput {
  return { construct: 'SupabaseOnAws', class: 'service', prop, value, build: supabaseWith(props), error };
}

/** A row on SupabaseSecrets's `prop`, built with `props` (a function of the stack, for the SMTP password secret). */
function onSecrets(prop: string, value: string, props: (stack: Stack) => Record<string, any>, error: string): BadInput {
  return {
    construct: 'SupabaseSecrets',
    class: 'service',
    prop,
    value,
    error,
    build: (stack) => { new SupabaseSecrets(stack, 'Secrets', props(stack) as any); },
  };
}

/** Valid SMTP settings with `changes` on top. */
function smtp(stack: Stack, changes: Record<string, any>) {
  return {
    smtp: {
      host: 'email-smtp.eu-west-1.amazonaws.com',
      user: 'AKIAIOSFODNN7EXAMPLE',
      password: secretsmanager.Secret.fromSecretNameV2(stack, 'SmtpPassword', 'supabase/smtp'),
      adminEmail: 'no-reply@example.com',
      ...changes,
    },
  };
}

export const SERVICE_CASES: BadInput[] = [
  onSupabase('images.auth', "'Supabase/gotrue:v2.196.0'", { images: { auth: 'Supabase/gotrue:v2.196.0' } }, 'whose repository has upper-case letters'),
  onSupabase('images.rest', "'postgrest/postgrest: v14.17'", { images: { rest: 'postgrest/postgrest: v14.17' } }, 'which contains whitespace'),
  onSupabase('images.kong', "'kong/kong:'", { images: { kong: 'kong/kong:' } }, 'with an empty tag'),
  onSupabase('images.storage', "''", { images: { storage: '' } }, 'it must be an image reference'),
  onSupabase('images.kong', "'kong/kong:latest'", { images: { kong: 'kong/kong:latest' } }, 'uses the moving tag latest'),
  onSupabase('images.auth', "'supabase/gotrue'", { images: { auth: 'supabase/gotrue' } }, 'has no tag'),
  onSupabase('storageApi.fileSizeLimit', 'Size.bytes(0)', { storageApi: { fileSizeLimit: Size.bytes(0) } }, 'a whole number of bytes, at least one'),
  onSupabase('rest.maxRows', '0', { rest: { maxRows: 0 } }, 'a whole number of rows, at least 1'),
  onSupabase('rest.schemas', '[]', { rest: { schemas: [] } }, 'PostgREST needs at least one schema'),
  onSupabase('rest.schemas', "['public', 'my-api']", { rest: { schemas: ['public', 'my-api'] } }, 'which is not a schema name PostgREST can use'),
  onSupabase('rest.extraSearchPath', "['public', 'public']", { rest: { extraSearchPath: ['public', 'public'] } }, "lists 'public' twice"),
  onSupabase('auth.jwtExpiry', 'Duration.seconds(0)', { auth: { siteUrl: 'https://app.example.com', jwtExpiry: Duration.seconds(0) } },
    'a whole number of seconds, at least one'),
  onSupabase('auth.jwtExpiry', 'Duration.millis(1500)', { auth: { siteUrl: 'https://app.example.com', jwtExpiry: Duration.millis(1500) } },
    'a whole number of seconds, at least one'),
  onSupabase('studio.projectName', "'  '", { studio: { projectName: '  ' } }, 'Give a name'),
  onSupabase('scaling.auth', '{ minReplicas: 5, maxReplicas: 3 }', { scaling: { auth: { minReplicas: 5, maxReplicas: 3 } } },
    'is greater than `maxReplicas`'),
  onSupabase('scaling.rest.minReplicas', '0', { scaling: { rest: { minReplicas: 0 } } }, 'must be a whole number of at least 1'),
  onSupabase('scaling.kong.targetCpuUtilization', '0', { scaling: { kong: { targetCpuUtilization: 0 } } }, 'must be a percentage from 1 to 100'),
  onSupabase('scaling.studio.minReplicas', '2', { scaling: { studio: { minReplicas: 2 } } }, 'which one pod mounts at a time'),
  onSupabase('functions', 'true', { functions: true }, '`images.functions` is not set'),
  onSecrets('dashboardUsername', "''", () => ({ dashboardUsername: '' }), 'the gateway stops at start without a user name'),
  onSecrets('dashboardUsername', "'admin:ops'", () => ({ dashboardUsername: 'admin:ops' }), "splits the user name from the password at the first ':'"),
  onSecrets('dashboardUsername', "'studio admin'", () => ({ dashboardUsername: 'studio admin' }), 'whitespace or a control character'),
  onSecrets('smtp.host', "''", (stack) => smtp(stack, { host: '' }), 'Auth sends every email through this server'),
  onSecrets('smtp.host', "'smtp://email-smtp.eu-west-1.amazonaws.com'", (stack) => smtp(stack, { host: 'smtp://email-smtp.eu-west-1.amazonaws.com' }),
    'which has a scheme'),
  onSecrets('smtp.host', "'email-smtp.eu-west-1.amazonaws.com:587'", (stack) => smtp(stack, { host: 'email-smtp.eu-west-1.amazonaws.com:587' }),
    'which has a port (set `smtp.port`)'),
  onSecrets('smtp.port', '70000', (stack) => smtp(stack, { port: 70000 }), 'which is not a TCP port'),
  onSecrets('smtp.user', "' '", (stack) => smtp(stack, { user: ' ' }), 'Give the SMTP user name exactly'),
  onSecrets('smtp.adminEmail', "'no-reply'", (stack) => smtp(stack, { adminEmail: 'no-reply' }), 'is not an email address'),
  onSecrets('sesSmtp.adminEmail', "'no-reply@'", () => ({ sesSmtp: { adminEmail: 'no-reply@' } }), 'is not an email address'),
  onSecrets('smtp.senderName', "''", (stack) => smtp(stack, { senderName: '' }), 'must be a non-blank single line'),
  onSecrets('signingKeys.standby', "['key-1'] (with inUse 'key-1')", () => ({ signingKeys: { inUse: 'key-1', standby: ['key-1'] } }),
    "repeats 'key-1', already in `signingKeys.inUse`; a key is in one state at a time"),
  onSecrets('signingKeys.inUse', "'Key 2027'", () => ({ signingKeys: { inUse: 'Key 2027' } }), 'which is not a key label'),
  onSecrets('signingKeys.secretApiKeys', "['billing-worker']", () => ({ signingKeys: { secretApiKeys: ['billing-worker'] } }),
    'which is not a secret API key name'),
  onSecrets('signingKeys.secretApiKeys', '[]', () => ({ signingKeys: { secretApiKeys: [] } }), 'is empty; Studio and Edge Functions need a secret key'),
];
