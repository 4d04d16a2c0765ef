import { App, Stack, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { SupabaseAuthProvider, SupabaseExternalProvider, SupabaseOnAws } from '../../../src';
import { buildParts, buildWorkloads } from '../fixture';
import { secretLeaks } from '../secret-leaks';

const MANIFEST = 'Custom::AWSCDK-EKS-KubernetesResource';
const SITE = 'https://app.example.com';

/** Workloads with Google (a JSON field), GitHub (the whole secret), Keycloak (a realm) and Apple (no nonce check). */
function withProviders() {
  const parts = buildParts();
  const secret = (id: string, name: string) => secretsmanager.Secret.fromSecretNameV2(parts.stack, id, name);
  const providers: SupabaseExternalProvider[] = [
    { provider: SupabaseAuthProvider.GOOGLE, clientId: 'google-client.apps.googleusercontent.com', clientSecret: secret('Google', 'oauth/google'), clientSecretField: 'clientSecret' },
    { provider: SupabaseAuthProvider.GITHUB, clientId: 'Iv1.github', clientSecret: secret('GitHub', 'oauth/github') },
    { provider: SupabaseAuthProvider.KEYCLOAK, clientId: 'supabase', clientSecret: secret('Keycloak', 'oauth/keycloak'), url: 'https://keycloak.example.com/realms/acme' },
    { provider: SupabaseAuthProvider.APPLE, clientId: 'com.example.web', clientSecret: secret('Apple', 'oauth/apple'), skipNonceCheck: true, emailOptional: false },
  ];
  const built = buildWorkloads({ auth: { siteUrl: SITE, externalProviders: providers } }, parts);
  const objects = built.workloads.charts.flatMap((c) => Testing.synth(c) as any[]);
  return { ...built, objects };
}

describe('Auth\'s external sign-in providers', () => {
  const { stack, objects } = withProviders();
  const template = Template.fromStack(stack);
  const auth = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'auth').spec.template.spec.containers[0];
  const env = Object.fromEntries(auth.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

  test('each provider is enabled with its client id and the callback under the public URL', () => {
    for (const [name, clientId] of [['GOOGLE', 'google-client.apps.googleusercontent.com'], ['GITHUB', 'Iv1.github'], ['KEYCLOAK', 'supabase'], ['APPLE', 'com.example.web']]) {
      expect(env[`GOTRUE_EXTERNAL_${name}_ENABLED`]).toBe('true');
      expect(env[`GOTRUE_EXTERNAL_${name}_CLIENT_ID`]).toBe(clientId);
      expect(env[`GOTRUE_EXTERNAL_${name}_REDIRECT_URI`]).toBe('https://api.example.com/auth/v1/callback');
    }
    expect(env.GOTRUE_EXTERNAL_KEYCLOAK_URL).toBe('https://keycloak.example.com/realms/acme');
    expect(env.GOTRUE_EXTERNAL_APPLE_SKIP_NONCE_CHECK).toBe('true');
    expect(env.GOTRUE_EXTERNAL_APPLE_EMAIL_OPTIONAL).toBe('false');
    // What is not set is left to Auth's defaults.
    expect(Object.keys(env).filter((k) => /^GOTRUE_EXTERNAL_GOOGLE_(URL|SKIP_NONCE_CHECK|EMAIL_OPTIONAL)$/.test(k))).toEqual([]);
    expect(Object.keys(env).filter((k) => /^GOTRUE_EXTERNAL_(AZURE|GITLAB)_/.test(k))).toEqual([]);
  });

  test('each client secret comes from the Auth pods\' own Secret, never as a value', () => {
    for (const name of ['GOOGLE', 'GITHUB', 'KEYCLOAK', 'APPLE']) {
      expect(env[`GOTRUE_EXTERNAL_${name}_SECRET`]).toEqual({ secretKeyRef: { name: 'supabase-auth-env', key: `GOTRUE_EXTERNAL_${name}_SECRET` } });
    }
  });

  test('External Secrets copies each client secret from Secrets Manager into supabase-auth-env', () => {
    const externalSecret = objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'supabase-auth-env');
    expect(externalSecret.spec.target).toEqual({ name: 'supabase-auth-env', creationPolicy: 'Owner' });
    const data = stack.resolve(externalSecret.spec.data);
    const byKey = Object.fromEntries(data.map((d: any) => [d.secretKey, d.remoteRef]));
    expect(Object.keys(byKey).sort()).toEqual(['GOTRUE_EXTERNAL_APPLE_SECRET', 'GOTRUE_EXTERNAL_GITHUB_SECRET', 'GOTRUE_EXTERNAL_GOOGLE_SECRET', 'GOTRUE_EXTERNAL_KEYCLOAK_SECRET']);
    expect(byKey.GOTRUE_EXTERNAL_GOOGLE_SECRET).toEqual({ key: expect.anything(), property: 'clientSecret' });
    expect(JSON.stringify(byKey.GOTRUE_EXTERNAL_GOOGLE_SECRET.key)).toContain(':secret:oauth/google');
    // Without a field, the whole secret string.
    expect(byKey.GOTRUE_EXTERNAL_GITHUB_SECRET.property).toBeUndefined();
  });

  test('the operator\'s role may read the client secrets, and the Secrets manifest waits for that grant', () => {
    const resources = template.toJSON().Resources as Record<string, any>;
    const statements = JSON.stringify(Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => [s.Action].flat().includes('secretsmanager:GetSecretValue')));
    for (const name of ['google', 'github', 'keycloak', 'apple']) {
      expect(statements).toContain(`:secret:oauth/${name}-??????`);
    }
    const secretsManifest = Object.entries(resources).find(([k, r]) => r.Type === MANIFEST && k.startsWith('SupabaseSecrets'))![1];
    const policyIds = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::Policy'
      && JSON.stringify(r.Properties.PolicyDocument).includes(':secret:oauth/google')).map(([k]) => k);
    expect(secretsManifest.DependsOn).toEqual(expect.arrayContaining(policyIds));
  });

  test('no manifest carries a client secret or another secret value', () => {
    const manifests = Object.values(template.findResources(MANIFEST)).map((r: any) => JSON.stringify(r.Properties.Manifest));
    for (const manifest of manifests) {
      expect(secretLeaks(manifest)).toEqual([]);
    }
    expect(secretLeaks(JSON.stringify({ env: [{ name: 'GOTRUE_EXTERNAL_GOOGLE_SECRET', value: 'GOCSPX-abc' }] }))).toHaveLength(1);
  });
});

describe('every provider', () => {
  // All 25 at once (Keycloak with its realm): each enabled, with its callback, and its secret from supabase-auth-env.
  const parts = buildParts();
  const providers = SupabaseAuthProvider.all().map((provider, i) => ({
    provider,
    clientId: `client-${provider.name}`,
    clientSecret: secretsmanager.Secret.fromSecretNameV2(parts.stack, `Secret${i}`, `oauth/${provider.name}`),
    url: provider.requiresUrl ? 'https://keycloak.example.com/realms/acme' : undefined,
  }));
  const objects = buildWorkloads({ auth: { siteUrl: SITE, externalProviders: providers } }, parts)
    .workloads.charts.flatMap((c) => Testing.synth(c) as any[]);
  const auth = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'auth').spec.template.spec.containers[0];
  const env = Object.fromEntries(auth.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
  const data = parts.stack.resolve(objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'supabase-auth-env').spec.data);

  test.each(SupabaseAuthProvider.all().map((p) => [p.name.toUpperCase()]))('%s', (name) => {
    expect(env[`GOTRUE_EXTERNAL_${name}_ENABLED`]).toBe('true');
    expect(env[`GOTRUE_EXTERNAL_${name}_CLIENT_ID`]).toBe(`client-${name.toLowerCase()}`);
    expect(env[`GOTRUE_EXTERNAL_${name}_REDIRECT_URI`]).toBe('https://api.example.com/auth/v1/callback');
    expect(env[`GOTRUE_EXTERNAL_${name}_SECRET`]).toEqual({ secretKeyRef: { name: 'supabase-auth-env', key: `GOTRUE_EXTERNAL_${name}_SECRET` } });
    const entry = data.find((d: any) => d.secretKey === `GOTRUE_EXTERNAL_${name}_SECRET`);
    expect(JSON.stringify(entry.remoteRef.key)).toContain(`:secret:oauth/${name.toLowerCase()}`);
  });
});

describe('Auth without external providers', () => {
  test('renders no provider and no supabase-auth-env', () => {
    const objects = buildWorkloads().workloads.charts.flatMap((c) => Testing.synth(c) as any[]);
    const auth = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'auth').spec.template.spec.containers[0];
    expect(auth.env.map((e: any) => e.name).filter((n: string) => /^GOTRUE_EXTERNAL_(?!EMAIL|PHONE|ANONYMOUS)/.test(n))).toEqual([]);
    expect(objects.filter((o) => o.metadata?.name === 'supabase-auth-env')).toEqual([]);
  });
});

describe('SupabaseAuthProvider', () => {
  test('lists every provider of Auth v2.196.0 (internal/conf/configuration.go), each once', () => {
    expect(SupabaseAuthProvider.all().map((p) => p.name)).toEqual([
      'apple', 'azure', 'bitbucket', 'discord', 'facebook', 'figma', 'fly', 'github', 'gitlab', 'google', 'kakao', 'keycloak',
      'linkedin', 'linkedin_oidc', 'notion', 'slack', 'slack_oidc', 'snapchat', 'spotify', 'twitch', 'twitter',
      'vercel_marketplace', 'workos', 'x', 'zoom',
    ]);
    expect(SupabaseAuthProvider.all().filter((p) => p.requiresUrl)).toEqual([SupabaseAuthProvider.KEYCLOAK]);
  });
});

describe('Auth provider validation', () => {
  const parts = () => buildParts();
  const build = (providers: (stack: Stack) => any[]) => {
    const p = parts();
    return () => buildWorkloads({ auth: { siteUrl: SITE, externalProviders: providers(p.stack) } }, p);
  };
  const secret = (stack: Stack) => secretsmanager.Secret.fromSecretNameV2(stack, `S${stack.node.children.length}`, 'oauth/x');

  test.each([
    ['a provider given twice', (s: Stack) => [
      { provider: SupabaseAuthProvider.GOOGLE, clientId: 'a', clientSecret: secret(s) },
      { provider: SupabaseAuthProvider.GOOGLE, clientId: 'b', clientSecret: secret(s) },
    ], /`auth.externalProviders\[1\].provider` is google, which `auth.externalProviders\[0\]` already configures/],
    ['an empty client id', (s: Stack) => [{ provider: SupabaseAuthProvider.GITHUB, clientId: ' ', clientSecret: secret(s) }],
      /`auth.externalProviders\[0\].clientId` of github is " "\. Give the client id/],
    ['no client secret', () => [{ provider: SupabaseAuthProvider.GITHUB, clientId: 'abc' }],
      /`auth.externalProviders\[0\].clientSecret` of github is not set\. Store the provider's client secret in Secrets Manager/],
    ['Keycloak without its realm', (s: Stack) => [{ provider: SupabaseAuthProvider.KEYCLOAK, clientId: 'abc', clientSecret: secret(s) }],
      /`auth.externalProviders\[0\].url` is not set, but keycloak needs it/],
    ['a provider URL over http', (s: Stack) => [{ provider: SupabaseAuthProvider.GITLAB, clientId: 'abc', clientSecret: secret(s), url: 'http://gitlab.example.com' }],
      /`auth.externalProviders\[0\].url` is 'http:\/\/gitlab.example.com'; it must be an https URL/],
    ['a provider URL with a trailing slash', (s: Stack) => [{ provider: SupabaseAuthProvider.KEYCLOAK, clientId: 'abc', clientSecret: secret(s), url: 'https://kc.example.com/realms/a/' }],
      /without a query, fragment or trailing slash/],
    ['a provider by name instead of SupabaseAuthProvider', (s: Stack) => [{ provider: 'google', clientId: 'abc', clientSecret: secret(s) }],
      /`auth.externalProviders\[0\].provider` is "google", which is not a SupabaseAuthProvider\. Use one of its static members, e.g. SupabaseAuthProvider.GOOGLE/],
    ['an empty JSON field', (s: Stack) => [{ provider: SupabaseAuthProvider.GITHUB, clientId: 'abc', clientSecret: secret(s), clientSecretField: '' }],
      /`auth.externalProviders\[0\].clientSecretField` of github is empty/],
  ])('rejects %s', (_, providers, message) => {
    expect(build(providers as any)).toThrow(message);
  });
});

describe('SupabaseOnAws with external providers', () => {
  test('outputs the callback URL to register with the providers, and only then', () => {
    const outputsOf = (externalProviders?: (stack: Stack) => SupabaseExternalProvider[]) => {
      const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
      new SupabaseOnAws(stack, 'Supabase', {
        publicUrl: 'https://supabase.example.com',
        auth: { siteUrl: SITE, externalProviders: externalProviders?.(stack) },
        networkProps: { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] },
      });
      return Template.fromStack(stack).toJSON().Outputs as Record<string, any>;
    };
    const outputs = outputsOf((stack) => [{
      provider: SupabaseAuthProvider.GOOGLE, clientId: 'abc', clientSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'G', 'oauth/google'),
    }]);
    const callback = Object.entries(outputs).find(([k]) => k.startsWith('SupabaseAuthCallbackUrl'))![1];
    expect(callback.Value).toBe('https://supabase.example.com/auth/v1/callback');
    expect(callback.Description).toMatch(/Register this redirect URI/);
    expect(Object.keys(outputsOf()).filter((k) => k.includes('AuthCallbackUrl'))).toEqual([]);
  });
});
