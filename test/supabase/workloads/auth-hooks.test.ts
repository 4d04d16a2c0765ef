import { Stack, aws_lambda as lambda, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { SupabaseAuthHook, SupabaseAuthHooks } from '../../../src';
import { AUTH_HOOK_KINDS } from '../../../src/supabase/workloads/private/auth-hooks-env';
import { buildParts, buildWorkloads } from '../fixture';
import { secretLeaks } from '../secret-leaks';

const MANIFEST = 'Custom::AWSCDK-EKS-KubernetesResource';
const SITE = 'https://app.example.com';

function synth(hooks: (stack: Stack) => SupabaseAuthHooks | undefined) {
  const parts = buildParts();
  const built = buildWorkloads({ auth: { siteUrl: SITE, hooks: hooks(parts.stack) } }, parts);
  const objects = built.workloads.charts.flatMap((c) => Testing.synth(c) as any[]);
  const auth = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'auth').spec.template.spec.containers[0];
  const env: Record<string, any> = Object.fromEntries(auth.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
  return { ...built, objects, env };
}

/** Two Postgres functions (one by its URI), an https hook with a JSON field and one by URI with the whole secret. */
function withHooks() {
  return synth((stack) => ({
    customAccessToken: SupabaseAuthHook.postgresFunction('public', 'custom_access_token_hook'),
    beforeUserCreated: SupabaseAuthHook.fromUri('pg-functions://postgres/hooks/before_user_created'),
    sendEmail: SupabaseAuthHook.https('https://hooks.example.com/send-email',
      secretsmanager.Secret.fromSecretNameV2(stack, 'EmailHook', 'hooks/send-email'), 'signingSecret'),
    sendSms: SupabaseAuthHook.fromUri('https://sms.example.com/',
      secretsmanager.Secret.fromSecretNameV2(stack, 'SmsHook', 'hooks/send-sms')),
  }));
}

describe('Auth hooks', () => {
  const { stack, objects, env } = withHooks();
  const template = Template.fromStack(stack);

  test('each hook is enabled with its URI, as Auth reads them; the other kinds are left off', () => {
    expect(env.GOTRUE_HOOK_CUSTOM_ACCESS_TOKEN_ENABLED).toBe('true');
    expect(env.GOTRUE_HOOK_CUSTOM_ACCESS_TOKEN_URI).toBe('pg-functions://postgres/public/custom_access_token_hook');
    expect(env.GOTRUE_HOOK_BEFORE_USER_CREATED_ENABLED).toBe('true');
    expect(env.GOTRUE_HOOK_BEFORE_USER_CREATED_URI).toBe('pg-functions://postgres/hooks/before_user_created');
    expect(env.GOTRUE_HOOK_SEND_EMAIL_ENABLED).toBe('true');
    expect(env.GOTRUE_HOOK_SEND_EMAIL_URI).toBe('https://hooks.example.com/send-email');
    expect(env.GOTRUE_HOOK_SEND_SMS_ENABLED).toBe('true');
    expect(env.GOTRUE_HOOK_SEND_SMS_URI).toBe('https://sms.example.com/');
    expect(Object.keys(env).filter((k) => /^GOTRUE_HOOK_(MFA|PASSWORD|AFTER)_/.test(k))).toEqual([]);
  });

  test('an https hook\'s signing secrets come from the Auth pods\' own Secret; a Postgres function has none', () => {
    for (const kind of ['SEND_EMAIL', 'SEND_SMS']) {
      expect(env[`GOTRUE_HOOK_${kind}_SECRETS`]).toEqual({ secretKeyRef: { name: 'supabase-auth-env', key: `GOTRUE_HOOK_${kind}_SECRETS` } });
    }
    expect(env.GOTRUE_HOOK_CUSTOM_ACCESS_TOKEN_SECRETS).toBeUndefined();
    expect(env.GOTRUE_HOOK_BEFORE_USER_CREATED_SECRETS).toBeUndefined();
  });

  test('External Secrets copies each signing secret from Secrets Manager into supabase-auth-env', () => {
    const externalSecret = objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'supabase-auth-env');
    const data = stack.resolve(externalSecret.spec.data);
    const byKey = Object.fromEntries(data.map((d: any) => [d.secretKey, d.remoteRef]));
    expect(Object.keys(byKey).sort()).toEqual(['GOTRUE_HOOK_SEND_EMAIL_SECRETS', 'GOTRUE_HOOK_SEND_SMS_SECRETS']);
    expect(byKey.GOTRUE_HOOK_SEND_EMAIL_SECRETS.property).toBe('signingSecret');
    expect(JSON.stringify(byKey.GOTRUE_HOOK_SEND_EMAIL_SECRETS.key)).toContain(':secret:hooks/send-email');
    expect(byKey.GOTRUE_HOOK_SEND_SMS_SECRETS.property).toBeUndefined();
    expect(JSON.stringify(byKey.GOTRUE_HOOK_SEND_SMS_SECRETS.key)).toContain(':secret:hooks/send-sms');
  });

  test('the operator\'s role may read the signing secrets', () => {
    const statements = JSON.stringify(Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => [s.Action].flat().includes('secretsmanager:GetSecretValue')));
    expect(statements).toContain(':secret:hooks/send-email-??????');
    expect(statements).toContain(':secret:hooks/send-sms-??????');
  });

  test('no manifest carries a signing secret or another secret value', () => {
    for (const manifest of Object.values(template.findResources(MANIFEST)).map((r: any) => JSON.stringify(r.Properties.Manifest))) {
      expect(secretLeaks(manifest)).toEqual([]);
    }
    // The scan would see one.
    expect(secretLeaks(JSON.stringify({ env: [{ name: 'GOTRUE_HOOK_SEND_EMAIL_SECRETS', value: 'v1,abc' }] }))).toHaveLength(1);
    expect(secretLeaks(JSON.stringify({ data: 'v1,whsec_dGhpcyBpcyBub3QgYSByZWFsIHNlY3JldA==' }))).toHaveLength(1);
  });

  test('Auth may reach https hooks: its network policy lets TCP 443 out to any address', () => {
    const policy = objects.find((o) => o.kind === 'NetworkPolicy' && o.spec.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'auth');
    const anywhere443 = policy.spec.egress.filter((rule: any) => rule.to?.some((peer: any) => peer.ipBlock?.cidr === '0.0.0.0/0' && !peer.ipBlock.except)
      && rule.ports?.some((p: any) => p.port === 443 && p.protocol === 'TCP'));
    expect(anywhere443).toHaveLength(1);
  });
});

describe('Auth hook kinds', () => {
  test('every hook of Auth v2.196.0 (HookConfiguration), each with the variables envconfig reads', () => {
    const secret = (stack: Stack, id: string) => secretsmanager.Secret.fromSecretNameV2(stack, id, `hooks/${id}`);
    const { env } = synth((stack) => Object.fromEntries(AUTH_HOOK_KINDS.map((k) => [k.prop,
      SupabaseAuthHook.https(`https://hooks.example.com/${k.prop}`, secret(stack, k.prop))])));
    const names = Object.keys(env).filter((k) => k.startsWith('GOTRUE_HOOK_')).sort();
    const kinds = ['AFTER_USER_CREATED', 'BEFORE_USER_CREATED', 'CUSTOM_ACCESS_TOKEN', 'MFA_VERIFICATION_ATTEMPT',
      'PASSWORD_VERIFICATION_ATTEMPT', 'SEND_EMAIL', 'SEND_SMS'];
    expect(names).toEqual(kinds.flatMap((k) => [`GOTRUE_HOOK_${k}_ENABLED`, `GOTRUE_HOOK_${k}_SECRETS`, `GOTRUE_HOOK_${k}_URI`]));
    expect(env.GOTRUE_HOOK_MFA_VERIFICATION_ATTEMPT_URI).toBe('https://hooks.example.com/mfaVerificationAttempt');
  });

  test('a URL that is a token (a Lambda function URL) is taken as https, unchecked', () => {
    const { env, stack } = synth((s) => {
      const fn = new lambda.Function(s, 'Hook', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({});') });
      const url = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
      return { customAccessToken: SupabaseAuthHook.https(url.url, secretsmanager.Secret.fromSecretNameV2(s, 'S', 'hooks/token')) };
    });
    expect(JSON.stringify(stack.resolve(env.GOTRUE_HOOK_CUSTOM_ACCESS_TOKEN_URI))).toContain('FunctionUrl');
    expect(env.GOTRUE_HOOK_CUSTOM_ACCESS_TOKEN_SECRETS.secretKeyRef.name).toBe('supabase-auth-env');
  });

  test('without hooks, no GOTRUE_HOOK_ variable', () => {
    const { env } = synth(() => undefined);
    expect(Object.keys(env).filter((k) => k.startsWith('GOTRUE_HOOK_'))).toEqual([]);
  });
});

describe('Auth hook validation', () => {
  const secret = (stack: Stack) => secretsmanager.Secret.fromSecretNameV2(stack, 'S', 'hooks/x');
  const https = (url: string) => (s: Stack) => SupabaseAuthHook.https(url, secret(s));

  test.each([
    ['a schema Auth would not accept', () => SupabaseAuthHook.postgresFunction('my-schema', 'hook'),
      /`auth.hooks.customAccessToken` is 'pg-functions:\/\/postgres\/my-schema\/hook'\. A Postgres function hook is pg-functions:\/\/postgres\/<schema>\/<function>/],
    ['a function name starting with a digit', () => SupabaseAuthHook.postgresFunction('public', '1hook'), /letters, digits and underscores, not starting with a digit/],
    ['a function name over 63 characters', () => SupabaseAuthHook.postgresFunction('public', 'h'.repeat(64)), /at most 63 characters/],
    ['a schema with a slash', () => SupabaseAuthHook.postgresFunction('public/x', 'hook'), /is 'pg-functions:\/\/postgres\/public\/x\/hook'\. A Postgres function hook/],
    ['a Postgres URI without its function', () => SupabaseAuthHook.fromUri('pg-functions://postgres/public'), /A Postgres function hook is/],
    ['a Postgres URI on another host', () => SupabaseAuthHook.fromUri('pg-functions://db/public/hook'), /A Postgres function hook is/],
    ['a Postgres function with a secret', (s: Stack) => SupabaseAuthHook.fromUri('pg-functions://postgres/public/hook', secret(s)),
      /is the Postgres function 'pg-functions:\/\/postgres\/public\/hook' with a secret\. .*remove the secret/],
    ['an https hook without a secret', () => SupabaseAuthHook.fromUri('https://hooks.example.com/x'),
      /`auth.hooks.customAccessToken` is the https hook 'https:\/\/hooks.example.com\/x' without a secret\. .*'v1,whsec_' \+ base64 of 32 random bytes/],
    ['an empty secretField', (s: Stack) => SupabaseAuthHook.https('https://hooks.example.com/x', secret(s), ' '), /has an empty secretField/],
    ['http, even on localhost', https('http://localhost:9000/hook'), /Auth accepts http only for a loopback host, and nothing else listens in the Auth pod/],
    ['http elsewhere', https('http://hooks.example.com/hook'), /Auth accepts http only for a loopback host/],
    ['https on the loopback', https('https://127.0.0.1/hook'), /nothing else listens in the Auth pod/],
    ['an uppercase scheme, which Auth accepts but cannot call', https('HTTPS://hooks.example.com/x'), /A hook is an https URL \(lowercase https:\/\//],
    ['another scheme', https('grpc://hooks.example.com'), /A hook is an https URL/],
    ['an URL with spaces', https('https://hooks.example.com/x '), /A hook is an https URL \(lowercase https:\/\/, no spaces\)/],
    ['a port other than 443', https('https://hooks.example.com:8443/x'), /on port 8443\. The Auth pods' network policy lets HTTPS out on port 443 only/],
    ['a query, without repeating it', https('https://hooks.example.com/x?code=k3y'), /is a URL of hooks.example.com with a query\. .*signing secret instead\.$/],
    ['credentials, without repeating them', https('https://u:p4ss@hooks.example.com/x'), /is a URL of hooks.example.com with credentials\./],
    ['a fragment', https('https://hooks.example.com/x#a'), /Remove the fragment/],
    ['a plain object instead of SupabaseAuthHook', () => ({ uri: 'https://hooks.example.com' }), /is \{"uri":"https:\/\/hooks.example.com"\}, which is not a SupabaseAuthHook/],
  ])('rejects %s', (_, hook, message) => {
    const parts = buildParts();
    let error: unknown;
    try {
      buildWorkloads({ auth: { siteUrl: SITE, hooks: { customAccessToken: (hook as any)(parts.stack) } } }, parts);
    } catch (e) {
      error = e;
    }
    expect(String(error)).toMatch(message);
    // A query or credentials may hold a key: the message does not repeat them.
    expect(String(error)).not.toMatch(/k3y|p4ss/);
  });

  test('rejects a hook Auth does not have, naming the known ones', () => {
    const parts = buildParts();
    expect(() => buildWorkloads({ auth: { siteUrl: SITE, hooks: { customAccessTokenHook: SupabaseAuthHook.postgresFunction('public', 'h') } as any } }, parts))
      .toThrow(/`auth.hooks.customAccessTokenHook` is not a hook of Auth v2.196.0\. Use one of: customAccessToken, sendSms, sendEmail/);
  });
});
