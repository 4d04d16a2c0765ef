import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { SupabaseSecrets } from '../../../src';
import { kongDeclarativeConfig } from '../../../src/supabase/workloads/private/kong-config';
import { buildParts, buildWorkloads } from '../fixture';
import { secretLeaks } from '../secret-leaks';

const SITE = 'https://app.example.com';

function withSaml(saml: object | undefined, samlSigningKey = true) {
  const parts = buildParts();
  const secrets = new SupabaseSecrets(parts.stack, 'SamlSecrets', { secretNamePrefix: 'supabase/saml', samlSigningKey });
  const built = buildWorkloads({ secrets, auth: { siteUrl: SITE, saml } as any }, parts);
  const objects = built.workloads.charts.flatMap((c) => Testing.synth(c) as any[]);
  const auth = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'auth').spec.template.spec.containers[0];
  const env = Object.fromEntries(auth.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
  return { ...built, secrets, objects, env };
}

describe('Auth with SAML single sign-on', () => {
  const { stack, secrets, objects, env } = withSaml({ allowEncryptedAssertions: true, relayStateValidity: Duration.minutes(5) });

  test('is on, with its endpoints under the gateway\'s /auth/v1, which routes them without an API key', () => {
    expect(env.GOTRUE_SAML_ENABLED).toBe('true');
    expect(env.GOTRUE_SAML_EXTERNAL_URL).toBe('https://api.example.com/auth/v1');
    expect(env.GOTRUE_SAML_ALLOW_ENCRYPTED_ASSERTIONS).toBe('true');
    expect(env.GOTRUE_SAML_RELAY_STATE_VALIDITY_PERIOD).toBe('300s');
    // Auth appends sso/saml/acs and sso/saml/metadata to its external URL (internal/api/saml.go).
    const routes = JSON.stringify(kongDeclarativeConfig({ realtimeHost: 'realtime', functions: false } as any));
    for (const path of ['/sso/saml/acs', '/sso/saml/metadata']) {
      expect(routes).toContain(`"paths":["${new URL(env.GOTRUE_SAML_EXTERNAL_URL).pathname}${path}"]`);
    }
  });

  test('reads the generated signing key from supabase-auth-env, which External Secrets fills from the key\'s secret', () => {
    expect(env.GOTRUE_SAML_PRIVATE_KEY).toEqual({ secretKeyRef: { name: 'supabase-auth-env', key: 'GOTRUE_SAML_PRIVATE_KEY' } });
    const data = stack.resolve(objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'supabase-auth-env').spec.data);
    expect(data).toEqual([{
      secretKey: 'GOTRUE_SAML_PRIVATE_KEY',
      remoteRef: { key: stack.resolve(secrets.samlSigningKey!.secretArn), property: 'privateKey' },
    }]);
  });

  test('no manifest carries the key', () => {
    const manifests = Object.values(Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .map((r: any) => JSON.stringify(r.Properties.Manifest));
    for (const manifest of manifests) {
      expect(secretLeaks(manifest)).toEqual([]);
      expect(manifest).not.toMatch(/MII[A-Za-z0-9+/]{20}/);
    }
  });
});

describe('Auth without SAML', () => {
  test('a generated key alone turns nothing on', () => {
    const { env, objects } = withSaml(undefined);
    expect(Object.keys(env).filter((k) => k.startsWith('GOTRUE_SAML_'))).toEqual([]);
    expect(objects.filter((o) => o.metadata?.name === 'supabase-auth-env')).toEqual([]);
  });

  test.each([
    ['without a signing key', {}, false, /`auth.saml` is set, but the SupabaseSecrets has no SAML signing key. Pass `samlSigningKey: true` to SupabaseSecrets/],
    ['with a relay state validity of zero', { relayStateValidity: Duration.seconds(0) }, true, /`auth.saml.relayStateValidity` is 0 seconds; it must be positive/],
  ])('rejects SAML %s', (_, saml, key, message) => {
    expect(() => withSaml(saml, key)).toThrow(message);
  });
});
