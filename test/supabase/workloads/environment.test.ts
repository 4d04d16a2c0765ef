/**
 * The escape hatch (`environment`): further variables per service, plain into the Deployment, secret ones through
 * External Secrets into `supabase-<service>-env`; the override rule, and the errors and warnings.
 */
import { App, SecretValue, Stack, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { SupabaseAuthProvider, SupabaseOnAws, SupabaseServiceEnvironments } from '../../../src';
import { WARNINGS } from '../../../src/private/warnings';
import { USER_ENVIRONMENT_ANNOTATION } from '../../../src/supabase/workloads/private/extra-env';
import { buildParts, buildWorkloads } from '../fixture';
import { secretLeaks } from '../secret-leaks';

const MANIFEST = 'Custom::AWSCDK-EKS-KubernetesResource';
const SITE = 'https://app.example.com';
/** The value of the user's secret: it must reach no manifest. */
const HOOK_SECRET = 'v1,whsec_c2VjcmV0LXZhbHVlLW9mLXRoZS1ob29r';

type Environments = (stack: Stack) => SupabaseServiceEnvironments;

function build(environment: Environments, overrides: (stack: Stack) => Parameters<typeof buildWorkloads>[0] = () => ({})) {
  const parts = buildParts();
  const built = buildWorkloads({ auth: { siteUrl: SITE }, ...overrides(parts.stack), environment: environment(parts.stack) }, parts);
  const objects = built.workloads.charts.flatMap((c) => Testing.synth(c) as any[]);
  const deployment = (name: string) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
  const container = (name: string) => deployment(name).spec.template.spec.containers[0];
  const env = (name: string) => Object.fromEntries(container(name).env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
  const envNames = (name: string) => container(name).env.map((e: any) => e.name);
  const externalSecret = (name: string) => objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === name);
  return { ...built, objects, deployment, env, envNames, externalSecret };
}

const secret = (stack: Stack, id: string, name: string) => secretsmanager.Secret.fromSecretNameV2(stack, id, name);
const fromOwnSecret = (service: string, key: string) => ({ secretKeyRef: { name: `supabase-${service}-env`, key } });

describe('further variables of every service', () => {
  const built = build((stack) => ({
    kong: {
      variables: [{ name: 'KONG_NGINX_WORKER_PROCESSES', value: '4', override: true }, { name: 'KONG_LOG_LEVEL', value: 'warn' }],
      secretVariables: [{ name: 'KONG_LICENSE_DATA', secret: secret(stack, 'KongLicense', 'kong/license') }],
    },
    auth: {
      variables: [{ name: 'GOTRUE_PASSWORD_MIN_LENGTH', value: '12' }, { name: 'GOTRUE_SECURITY_REFRESH_TOKEN_ROTATION_ENABLED', value: 'false' }],
      secretVariables: [
        { name: 'GOTRUE_HOOK_SEND_EMAIL_SECRETS', secret: new secretsmanager.Secret(stack, 'HookSecret', { secretStringValue: SecretValue.unsafePlainText(HOOK_SECRET) }) },
        // Replaces the client secret the Google provider would read, from another secret.
        { name: 'GOTRUE_EXTERNAL_GOOGLE_SECRET', secret: secret(stack, 'GoogleOverride', 'oauth/google-rotated'), field: 'secret', override: true },
      ],
    },
    rest: {
      variables: [{ name: 'PGRST_DB_POOL', value: '20' }, { name: 'PGRST_DB_MAX_ROWS', value: '250', override: true }],
      secretVariables: [{ name: 'PGRST_DB_URI', secret: secret(stack, 'RestUri', 'rest/uri'), field: 'uri', override: true }],
    },
    realtime: { variables: [{ name: 'LOG_LEVEL', value: 'info' }] },
    storage: { variables: [{ name: 'UPLOAD_SIGNED_URL_EXPIRATION_TIME', value: '300' }] },
    imgproxy: { variables: [{ name: 'IMGPROXY_QUALITY', value: '70' }] },
    meta: { variables: [{ name: 'PG_META_MAX_RESULT_SIZE_MB', value: '10' }] },
    studio: { secretVariables: [{ name: 'OPENAI_API_KEY', secret: secret(stack, 'OpenAi', 'studio/openai') }] },
    functions: { variables: [{ name: 'MY_FEATURE_FLAG', value: 'on' }] },
  }), (stack) => ({
    auth: {
      siteUrl: SITE,
      externalProviders: [
        { provider: SupabaseAuthProvider.GOOGLE, clientId: 'google-client', clientSecret: secret(stack, 'Google', 'oauth/google') },
        { provider: SupabaseAuthProvider.GITHUB, clientId: 'Iv1.github', clientSecret: secret(stack, 'GitHub', 'oauth/github') },
      ],
    },
    functions: true,
    images: { functions: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/functions:1.0.0' },
  }));
  const { stack, env, envNames, deployment, externalSecret, workloads } = built;
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, any>;

  test('each service gets its plain variables in its Deployment', () => {
    expect(env('kong')).toMatchObject({ KONG_LOG_LEVEL: 'warn' });
    expect(env('auth')).toMatchObject({ GOTRUE_PASSWORD_MIN_LENGTH: '12', GOTRUE_SECURITY_REFRESH_TOKEN_ROTATION_ENABLED: 'false' });
    expect(env('rest')).toMatchObject({ PGRST_DB_POOL: '20' });
    expect(env('realtime')).toMatchObject({ LOG_LEVEL: 'info' });
    expect(env('storage')).toMatchObject({ UPLOAD_SIGNED_URL_EXPIRATION_TIME: '300' });
    expect(env('imgproxy')).toMatchObject({ IMGPROXY_QUALITY: '70' });
    expect(env('meta')).toMatchObject({ PG_META_MAX_RESULT_SIZE_MB: '10' });
    expect(env('functions')).toMatchObject({ MY_FEATURE_FLAG: 'on' });
    // The library's own variables stay.
    expect(env('rest')).toMatchObject({ PGRST_DB_ANON_ROLE: 'anon', PGRST_JWT_SECRET: { secretKeyRef: { name: 'supabase-jwt', key: 'jwt-secret' } } });
  });

  test('each secret variable comes from the service\'s own Secret, never as a value', () => {
    expect(env('kong').KONG_LICENSE_DATA).toEqual(fromOwnSecret('kong', 'KONG_LICENSE_DATA'));
    expect(env('auth').GOTRUE_HOOK_SEND_EMAIL_SECRETS).toEqual(fromOwnSecret('auth', 'GOTRUE_HOOK_SEND_EMAIL_SECRETS'));
    expect(env('studio').OPENAI_API_KEY).toEqual(fromOwnSecret('studio', 'OPENAI_API_KEY'));
  });

  test('an override replaces the library\'s value in place, plain or from a Secret, and the variable is set once', () => {
    expect(env('kong').KONG_NGINX_WORKER_PROCESSES).toBe('4');
    expect(env('rest').PGRST_DB_MAX_ROWS).toBe('250');
    // The connection URI now comes from the user's secret, through supabase-rest-env, not from supabase-db-rest.
    expect(env('rest').PGRST_DB_URI).toEqual(fromOwnSecret('rest', 'PGRST_DB_URI'));
    expect(env('auth').GOTRUE_EXTERNAL_GOOGLE_SECRET).toEqual(fromOwnSecret('auth', 'GOTRUE_EXTERNAL_GOOGLE_SECRET'));
    for (const service of ['kong', 'auth', 'rest']) {
      const names = envNames(service);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  test('the Deployment names the variables the library no longer manages', () => {
    expect(deployment('rest').metadata.annotations).toEqual({ [USER_ENVIRONMENT_ANNOTATION]: 'PGRST_DB_POOL,PGRST_DB_MAX_ROWS,PGRST_DB_URI' });
    expect(deployment('studio').metadata.annotations).toEqual({ [USER_ENVIRONMENT_ANNOTATION]: 'OPENAI_API_KEY' });
  });

  test('External Secrets copies each secret variable into the service\'s Secret; the user\'s replaces the library\'s', () => {
    const data = (name: string) => Object.fromEntries(stack.resolve(externalSecret(name).spec.data).map((d: any) => [d.secretKey, d.remoteRef]));
    const rest = data('supabase-rest-env');
    expect(Object.keys(rest)).toEqual(['PGRST_DB_URI']);
    expect(rest.PGRST_DB_URI.property).toBe('uri');
    expect(JSON.stringify(rest.PGRST_DB_URI.key)).toContain(':secret:rest/uri');
    const auth = data('supabase-auth-env');
    expect(Object.keys(auth).sort()).toEqual(['GOTRUE_EXTERNAL_GITHUB_SECRET', 'GOTRUE_EXTERNAL_GOOGLE_SECRET', 'GOTRUE_HOOK_SEND_EMAIL_SECRETS']);
    expect(JSON.stringify(auth.GOTRUE_EXTERNAL_GOOGLE_SECRET.key)).toContain(':secret:oauth/google-rotated');
    expect(auth.GOTRUE_EXTERNAL_GOOGLE_SECRET.property).toBe('secret');
    expect(auth.GOTRUE_HOOK_SEND_EMAIL_SECRETS.property).toBeUndefined();
    expect(Object.keys(data('supabase-kong-env'))).toEqual(['KONG_LICENSE_DATA']);
    expect(Object.keys(data('supabase-studio-env'))).toEqual(['OPENAI_API_KEY']);
    // A service without secret variables gets no Secret of its own.
    expect(externalSecret('supabase-meta-env')).toBeUndefined();
  });

  test('the operator\'s role may read the user\'s secrets (and no longer needs the replaced one), before the Secrets manifest', () => {
    const role = workloads.node.scope!.node.findChild('Cluster').node.findChild('ExternalSecretsServiceAccount').node.findChild('Role');
    const roleId = stack.getLogicalId(role.node.defaultChild as any);
    const policies = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: any) => ref.Ref === roleId));
    const statements = JSON.stringify(policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => [s.Action].flat().includes('secretsmanager:GetSecretValue')));
    for (const name of ['kong/license', 'rest/uri', 'studio/openai', 'oauth/google-rotated', 'oauth/github']) {
      expect(statements).toContain(`:secret:${name}-??????`);
    }
    expect(statements).not.toContain(':secret:oauth/google-??????');
    expect(statements).toContain(stack.getLogicalId(stack.node.findChild('HookSecret').node.defaultChild as any));
    const secretsManifest = Object.entries(resources).find(([k, r]) => r.Type === MANIFEST && k.startsWith('SupabaseSecrets'))![1];
    const grants = policies.filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes(':secret:studio/openai')).map(([k]) => k);
    expect(grants.length).toBeGreaterThan(0);
    expect(secretsManifest.DependsOn).toEqual(expect.arrayContaining(grants));
  });

  test('no manifest carries the secret\'s value or another secret value', () => {
    const manifests = Object.values(template.findResources(MANIFEST)).map((r: any) => JSON.stringify(r.Properties.Manifest));
    expect(manifests.some((m) => m.includes('PGRST_DB_POOL'))).toBe(true);
    for (const manifest of manifests) {
      expect(manifest).not.toContain(HOOK_SECRET);
      expect(secretLeaks(manifest)).toEqual([]);
    }
  });

  test('each override is a warning naming the variable, and nothing else warns', () => {
    const annotations = Annotations.fromStack(stack);
    for (const [at, name, service] of [['environment.kong.variables[0]', 'KONG_NGINX_WORKER_PROCESSES', 'kong'], ['environment.rest.variables[1]', 'PGRST_DB_MAX_ROWS', 'rest'],
      ['environment.rest.secretVariables[0]', 'PGRST_DB_URI', 'rest'], ['environment.auth.secretVariables[1]', 'GOTRUE_EXTERNAL_GOOGLE_SECRET', 'auth']]) {
      annotations.hasWarning('/Test/Supabase', Match.stringLikeRegexp(
        `\`${at.replace(/[[\]]/g, '\\$&')}\` overrides ${name}, which the library sets for ${service}: the library no longer manages it.*\\[ack: ${WARNINGS.workloadsEnvironmentOverride}\\]`));
    }
    expect(annotations.findWarning('*', Match.stringLikeRegexp('override-unused|is not deployed'))).toEqual([]);
  });
});

describe('warnings', () => {
  test('`override` on a variable the library does not set, and variables of a service that is not deployed', () => {
    const { stack, env, deployment } = build(() => ({
      rest: { variables: [{ name: 'PGRST_DB_POOL', value: '20', override: true }] },
      functions: { variables: [{ name: 'MY_FLAG', value: 'on' }] },
      imgproxy: { variables: [{ name: 'IMGPROXY_QUALITY', value: '70' }] },
    }), () => ({ storageApi: { imageTransformation: false } }));
    expect(env('rest').PGRST_DB_POOL).toBe('20');
    expect(deployment('functions')).toBeUndefined();
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/Test/Supabase', Match.stringLikeRegexp(
      `\`environment.rest.variables\\[0\\].override\` is true, but the library does not set PGRST_DB_POOL for rest: probably a typo or a stale setting.*${WARNINGS.workloadsEnvironmentOverrideUnused}`));
    annotations.hasWarning('/Test/Supabase', Match.stringLikeRegexp('`environment.functions` sets MY_FLAG, but functions is not deployed \\(`functions` is false\\)'));
    annotations.hasWarning('/Test/Supabase', Match.stringLikeRegexp('`environment.imgproxy` sets IMGPROXY_QUALITY, but imgproxy is not deployed \\(`storageApi.imageTransformation` is false\\)'));
    expect(annotations.findWarning('*', Match.stringLikeRegexp(WARNINGS.workloadsEnvironmentOverride + '\\]'))).toEqual([]);
  });

  test('none without `environment`, and no annotation on the Deployments', () => {
    const { stack, objects } = build(() => ({}));
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('environment'))).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Deployment' && o.metadata.annotations)).toEqual([]);
    expect(objects.filter((o) => o.kind === 'ExternalSecret' && /^supabase-.*-env$/.test(o.metadata.name))).toEqual([]);
  });
});

describe('errors', () => {
  test.each<[string, Environments, RegExp]>([
    ['an invalid name', () => ({ rest: { variables: [{ name: 'PGRST-DB-POOL', value: '20' }] } }),
      /`environment.rest.variables\[0\].name` is "PGRST-DB-POOL", which is not a variable name\. Use letters, digits and underscores/],
    ['a name starting with a digit', (s) => ({ studio: { secretVariables: [{ name: '1KEY', secret: secret(s, 'A', 'a') }] } }),
      /`environment.studio.secretVariables\[0\].name` is "1KEY", which is not a variable name/],
    ['a name twice in variables', () => ({ rest: { variables: [{ name: 'PGRST_DB_POOL', value: '1' }, { name: 'PGRST_DB_POOL', value: '2' }] } }),
      /`environment.rest.variables\[1\].name` is 'PGRST_DB_POOL', which `environment.rest.variables\[0\]` already sets\. Give each variable once/],
    ['a name twice in secretVariables', (s) => ({ auth: { secretVariables: [{ name: 'A_SECRET', secret: secret(s, 'A', 'a') }, { name: 'A_SECRET', secret: secret(s, 'B', 'b') }] } }),
      /`environment.auth.secretVariables\[1\].name` is 'A_SECRET', which `environment.auth.secretVariables\[0\]` already sets/],
    ['a name in both lists', (s) => ({ kong: { variables: [{ name: 'KONG_X', value: '1' }], secretVariables: [{ name: 'KONG_X', secret: secret(s, 'A', 'a') }] } }),
      /`environment.kong.secretVariables\[0\].name` is 'KONG_X', which `environment.kong.variables\[0\]` already sets/],
    ['a plain variable the library sets, without override', () => ({ rest: { variables: [{ name: 'PGRST_DB_MAX_ROWS', value: '5' }] } }),
      /`environment.rest.variables\[0\].name` is 'PGRST_DB_MAX_ROWS', which the library sets for rest itself\. Use the typed setting if there is one; otherwise set `override: true`/],
    ['a library variable from a Secret, without override', (s) => ({ auth: { secretVariables: [{ name: 'GOTRUE_DB_DATABASE_URL', secret: secret(s, 'A', 'a') }] } }),
      /`environment.auth.secretVariables\[0\].name` is 'GOTRUE_DB_DATABASE_URL', which the library sets for auth itself/],
    ['a password as a plain value', () => ({ auth: { variables: [{ name: 'GOTRUE_SMTP_PASSWORD', value: 'hunter2hunter2' }] } }),
      /`environment.auth.variables\[0\].name` is 'GOTRUE_SMTP_PASSWORD', which looks like a secret .*Store the value in Secrets Manager and give it in `environment.auth.secretVariables` instead/],
    ['a secret as a plain value', () => ({ auth: { variables: [{ name: 'GOTRUE_HOOK_SEND_EMAIL_SECRETS', value: 'v1,whsec_abc' }] } }), /looks like a secret/],
    ['a token as a plain value', () => ({ auth: { variables: [{ name: 'GOTRUE_SMS_TWILIO_AUTH_TOKEN', value: 'abc123' }] } }), /looks like a secret/],
    ['a key as a plain value', () => ({ studio: { variables: [{ name: 'openai_api_key', value: 'sk-abc' }] } }), /looks like a secret/],
    ['no secret', () => ({ studio: { secretVariables: [{ name: 'OPENAI_API_KEY' } as any] } }),
      /`environment.studio.secretVariables\[0\].secret` of OPENAI_API_KEY is not set\. Pass the Secrets Manager secret/],
    ['an empty JSON field', (s) => ({ studio: { secretVariables: [{ name: 'OPENAI_API_KEY', secret: secret(s, 'A', 'a'), field: ' ' }] } }),
      /`environment.studio.secretVariables\[0\].field` of OPENAI_API_KEY is empty/],
  ])('rejects %s', (_, environment, message) => {
    expect(() => build(environment)).toThrow(message);
  });

  test('the secret-looking error never repeats the value', () => {
    expect(() => build(() => ({ auth: { variables: [{ name: 'GOTRUE_SMTP_PASSWORD', value: 'hunter2hunter2' }] } }))).toThrow(/^(?!.*hunter2hunter2)/s);
  });

  test('a secret-looking name with a switch or a number as its value is not a secret', () => {
    const { env } = build(() => ({ auth: { variables: [{ name: 'GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL', value: '10' }, { name: 'GOTRUE_MAILER_NOTIFICATIONS_PASSWORD_CHANGED_ENABLED', value: 'true' }] } }));
    expect(env('auth')).toMatchObject({ GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL: '10', GOTRUE_MAILER_NOTIFICATIONS_PASSWORD_CHANGED_ENABLED: 'true' });
  });
});

describe('SupabaseOnAws', () => {
  test('passes `environment` on to the services', () => {
    const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
    new SupabaseOnAws(stack, 'Supabase', {
      publicUrl: 'https://supabase.example.com',
      auth: { siteUrl: SITE },
      networkProps: { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] },
      environment: { rest: { variables: [{ name: 'PGRST_DB_POOL', value: '20' }] } },
    });
    const manifests = Object.entries(Template.fromStack(stack).findResources(MANIFEST));
    const rest = manifests.find(([k]) => k.startsWith('SupabaseWorkloadsRest'))![1];
    expect(JSON.stringify(rest.Properties.Manifest)).toContain('{\\"name\\":\\"PGRST_DB_POOL\\",\\"value\\":\\"20\\"}');
  });
});
