/**
 * The signing keys and opaque API keys as the services receive them (issue #23): each service's variables under
 * upstream's names, from the signing keys' Secret; the gateway's consumers and translation; nothing of the keys in a
 * manifest or the template.
 */
import { execFileSync } from 'node:child_process';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { SupabaseSecrets } from '../../../src';
import { realtimeStartScript } from '../../../src/supabase/workloads/charts/realtime-chart';
import { buildParts, buildWorkloads } from '../fixture';
import { secretLeaks } from '../secret-leaks';

interface K8sObject { kind: string; metadata: { name: string }; spec?: any; data?: Record<string, string> }

function synth(signingKeys?: { secretApiKeys?: string[] }) {
  const parts = buildParts();
  const secrets = new SupabaseSecrets(parts.stack, 'SecretsWithKeys', { secretNamePrefix: 'supabase/keys', signingKeys });
  const { workloads, stack } = buildWorkloads({
    secrets,
    functions: true,
    images: { functions: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/functions:1.0.0' },
  }, parts);
  const objects = workloads.charts.flatMap((c) => Testing.synth(c) as K8sObject[]);
  return { objects, template: Template.fromStack(stack), secrets, stack };
}

const { objects, template, secrets, stack } = synth({ secretApiKeys: ['default', 'billing'] });
const find = (kind: string, name: string) => objects.filter((o) => o.kind === kind && o.metadata.name === name)[0];
/** A container's variables: plain values, and [Secret, key] for those from a Secret. */
const envOf = (name: string): Record<string, any> => Object.fromEntries(find('Deployment', name).spec.template.spec.containers[0].env
  .map((e: any) => {
    const ref = e.valueFrom?.secretKeyRef;
    return [e.name, e.value !== undefined ? e.value : ref && [ref.name, ref.key]];
  }));
const fromKeys = (key: string) => ['supabase-signing-keys', key];

describe('with signingKeys', () => {
  test('the External Secret takes every field the services read from the signing keys\' secret', () => {
    const es = find('ExternalSecret', 'supabase-signing-keys');
    expect(es.spec.data).toEqual([
      ['jwt-keys', 'jwtKeys'], ['jwks', 'jwks'], ['public-jwks', 'publicJwks'], ['publishable-key', 'publishableKey'],
      ['publishable-keys', 'publishableKeys'], ['secret-keys', 'secretKeys'], ['secret-key-default', 'secretKey_default'],
      ['secret-key-billing', 'secretKey_billing'], ['anon-key-asymmetric', 'anonKeyAsymmetric'],
      ['service-role-key-asymmetric', 'serviceRoleKeyAsymmetric'],
    ].map(([secretKey, property]) => ({ secretKey, remoteRef: { key: expect.anything(), property } })));
    expect(stack.resolve(es.spec.data[0].remoteRef.key)).toEqual({ Ref: expect.stringMatching(/^SecretsWithKeysSigningKeys[0-9A-F]{8}$/) });
  });

  test('each service gets the upstream variable for the new keys, the legacy ones stay', () => {
    expect(envOf('auth')).toMatchObject({ GOTRUE_JWT_KEYS: fromKeys('jwt-keys'), GOTRUE_JWT_SECRET: ['supabase-jwt', 'jwt-secret'] });
    expect(envOf('rest').PGRST_JWT_SECRET).toEqual(fromKeys('jwks'));
    expect(envOf('realtime')).toMatchObject({ API_JWT_JWKS: fromKeys('public-jwks'), API_JWT_SECRET: ['supabase-jwt', 'jwt-secret'] });
    expect(envOf('storage')).toMatchObject({ JWT_JWKS: fromKeys('jwks'), AUTH_JWT_SECRET: ['supabase-jwt', 'jwt-secret'] });
    expect(envOf('functions')).toMatchObject({
      SUPABASE_JWKS: fromKeys('jwks'),
      SUPABASE_PUBLISHABLE_KEYS: fromKeys('publishable-keys'),
      SUPABASE_SECRET_KEYS: fromKeys('secret-keys'),
      SUPABASE_ANON_KEY: ['supabase-api-keys', 'anon-key'],
    });
    // Studio lists them on its API Keys page (and calls the gateway with the legacy keys, which stay on).
    expect(envOf('studio')).toMatchObject({
      SUPABASE_PUBLISHABLE_KEY: fromKeys('publishable-key'),
      SUPABASE_SECRET_KEY: fromKeys('secret-key-default'),
      SUPABASE_SERVICE_KEY: ['supabase-api-keys', 'service-role-key'],
    });
    expect(envOf('kong')).toMatchObject({
      SUPABASE_ANON_KEY: ['supabase-api-keys', 'anon-key'],
      SUPABASE_SERVICE_KEY: ['supabase-api-keys', 'service-role-key'],
      SUPABASE_PUBLISHABLE_KEY: fromKeys('publishable-key'),
      SUPABASE_SECRET_KEY_DEFAULT: fromKeys('secret-key-default'),
      SUPABASE_SECRET_KEY_BILLING: fromKeys('secret-key-billing'),
      ANON_KEY_ASYMMETRIC: fromKeys('anon-key-asymmetric'),
      SERVICE_ROLE_KEY_ASYMMETRIC: fromKeys('service-role-key-asymmetric'),
      KONG_PLUGINS: expect.stringMatching(/,pre-function$/),
    });
  });

  test('the gateway: both kinds of key are credentials, the keyed routes and Storage translate, the start script needs every key', () => {
    const config = JSON.parse(find('ConfigMap', 'kong-template').data!['kong.yml']);
    const consumer = (name: string) => config.consumers.find((c: any) => c.username === name).keyauth_credentials.map((c: any) => c.key);
    expect(consumer('anon')).toEqual(['${SUPABASE_ANON_KEY}', '${SUPABASE_PUBLISHABLE_KEY}']);
    expect(consumer('service_role')).toEqual(['${SUPABASE_SERVICE_KEY}', '${SUPABASE_SECRET_KEY_DEFAULT}', '${SUPABASE_SECRET_KEY_BILLING}']);
    const translating = config.services.filter((s: any) => s.plugins.some((p: any) => p.name === 'pre-function')).map((s: any) => s.name);
    expect(translating).toEqual(['auth-v1', 'rest-v1', 'rest-v1-openapi', 'graphql-v1', 'realtime-v1-ws', 'realtime-v1-rest', 'storage-v1', 'functions-v1']);
    const functions = config.services.find((s: any) => s.name === 'functions-v1').plugins.find((p: any) => p.name === 'pre-function');
    expect(functions.config.access[0]).toContain('kong.service.request.set_header("sb-api-key", jwt)');
    const ws = config.services.find((s: any) => s.name === 'realtime-v1-ws').plugins.find((p: any) => p.name === 'pre-function');
    expect(ws.config.access[0]).toContain('x-api-key');
    const command = find('Deployment', 'kong').spec.template.spec.containers[0].command[2];
    for (const name of ['SUPABASE_PUBLISHABLE_KEY', 'SUPABASE_SECRET_KEY_DEFAULT', 'SUPABASE_SECRET_KEY_BILLING', 'ANON_KEY_ASYMMETRIC', 'SERVICE_ROLE_KEY_ASYMMETRIC']) {
      expect(command).toContain(`: "\${${name}:?is not set}"`);
    }
  });

  test("Realtime's tenant carries the published keys as an object (jq, as in the image)", () => {
    const script = realtimeStartScript(4000, true);
    const program = /jq -n --arg id realtime-dev '([^']+)'/.exec(script)![1];
    const jwks = { keys: [{ kty: 'EC', kid: 'k1', crv: 'P-256', x: 'x', y: 'y' }] };
    const body = JSON.parse(execFileSync('jq', ['-n', '--arg', 'id', 'realtime-dev', program], {
      env: { PATH: process.env.PATH, API_JWT_SECRET: 's', API_JWT_JWKS: JSON.stringify(jwks), DB_PORT: '5432' }, encoding: 'utf8',
    }));
    expect(body.tenant.jwt_jwks).toEqual(jwks);
    expect(body.tenant.jwt_secret).toBe('s');
    expect(realtimeStartScript(4000)).not.toContain('jwt_jwks');
  });

  test('no key in a manifest or the template', () => {
    expect(secretLeaks(JSON.stringify(objects))).toEqual([]);
    expect(secretLeaks(JSON.stringify(template.toJSON()))).toEqual([]);
    expect(secrets.secretApiKeyNames).toEqual(['default', 'billing']);
  });
});

describe('without signingKeys', () => {
  const off = synth();
  test('no signing keys\' Secret, no new variable, the legacy gateway', () => {
    const text = JSON.stringify(off.objects);
    expect(text).not.toMatch(/supabase-signing-keys|GOTRUE_JWT_KEYS|JWT_JWKS|API_JWT_JWKS|pre-function|PUBLISHABLE/);
    expect(off.secrets.signingKeys).toBeUndefined();
    expect(off.secrets.secretApiKeyNames).toEqual([]);
  });
});
