import { Duration, Stack, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { SupabaseCaptchaProvider, SupabaseCaptchaSettings } from '../../../src';
import { buildParts, buildWorkloads } from '../fixture';
import { secretLeaks } from '../secret-leaks';

const MANIFEST = 'Custom::AWSCDK-EKS-KubernetesResource';

/** Workloads with the CAPTCHA settings that `captcha` makes in the stack. */
function build(captcha?: (stack: Stack) => SupabaseCaptchaSettings) {
  const parts = buildParts();
  const built = buildWorkloads({ auth: { siteUrl: 'https://app.example.com', captcha: captcha?.(parts.stack) } }, parts);
  const objects = built.workloads.charts.flatMap((c) => Testing.synth(c) as any[]);
  const container = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'auth').spec.template.spec.containers[0];
  const env: Record<string, any> = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
  const captchaEnv = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('GOTRUE_SECURITY_CAPTCHA_')));
  return { ...built, objects, captchaEnv };
}

const secret = (stack: Stack) => secretsmanager.Secret.fromSecretNameV2(stack, 'Captcha', 'captcha/key');

describe('Auth with Turnstile', () => {
  const { stack, objects, captchaEnv } = build((s) => ({
    provider: SupabaseCaptchaProvider.TURNSTILE, secret: secret(s), secretField: 'secretKey', timeout: Duration.millis(2500),
  }));

  test('enables CAPTCHA with the provider and timeout, and reads the secret key from the Secret', () => {
    expect(captchaEnv).toEqual({
      GOTRUE_SECURITY_CAPTCHA_ENABLED: 'true',
      GOTRUE_SECURITY_CAPTCHA_PROVIDER: 'turnstile',
      GOTRUE_SECURITY_CAPTCHA_TIMEOUT: '2500ms',
      GOTRUE_SECURITY_CAPTCHA_SECRET: { secretKeyRef: { name: 'supabase-auth-env', key: 'GOTRUE_SECURITY_CAPTCHA_SECRET' } },
    });
  });

  test('External Secrets copies the secret key\'s JSON field; the operator may read it; no manifest carries it', () => {
    const externalSecret = objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'supabase-auth-env');
    const data = stack.resolve(externalSecret.spec.data);
    expect(data).toEqual([{ secretKey: 'GOTRUE_SECURITY_CAPTCHA_SECRET', remoteRef: { key: expect.anything(), property: 'secretKey' } }]);
    expect(JSON.stringify(data)).toContain(':secret:captcha/key');
    const template = Template.fromStack(stack);
    const statements = JSON.stringify(Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((st: any) => [st.Action].flat().includes('secretsmanager:GetSecretValue')));
    expect(statements).toContain(':secret:captcha/key-??????');
    for (const r of Object.values(template.findResources(MANIFEST))) {
      expect(secretLeaks(JSON.stringify((r as any).Properties.Manifest))).toEqual([]);
    }
  });
});

describe('Auth with hCaptcha and the defaults', () => {
  test('renders hcaptcha and a timeout in seconds; without a timeout or a field, Auth\'s 10 seconds and the whole secret string', () => {
    const { stack, objects, captchaEnv } = build((s) => ({
      provider: SupabaseCaptchaProvider.HCAPTCHA, secret: secret(s), timeout: Duration.seconds(5),
    }));
    expect(captchaEnv.GOTRUE_SECURITY_CAPTCHA_PROVIDER).toBe('hcaptcha');
    expect(captchaEnv.GOTRUE_SECURITY_CAPTCHA_TIMEOUT).toBe('5s');
    const externalSecret = objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'supabase-auth-env');
    expect(stack.resolve(externalSecret.spec.data)[0].remoteRef.property).toBeUndefined();
    const plain = build((s) => ({ provider: SupabaseCaptchaProvider.HCAPTCHA, secret: secret(s) })).captchaEnv;
    expect(Object.keys(plain).sort()).toEqual(['GOTRUE_SECURITY_CAPTCHA_ENABLED', 'GOTRUE_SECURITY_CAPTCHA_PROVIDER', 'GOTRUE_SECURITY_CAPTCHA_SECRET']);
  });

  test('without captcha, no CAPTCHA variable (Auth\'s default: off)', () => {
    expect(build().captchaEnv).toEqual({});
  });
});

test('SupabaseCaptchaProvider lists the providers of Auth v2.196.0 (CaptchaConfiguration.Validate)', () => {
  expect(SupabaseCaptchaProvider.all().map((p) => p.name)).toEqual(['hcaptcha', 'turnstile']);
});

describe('CAPTCHA validation', () => {
  test.each([
    ['a provider by name', (s: Stack) => ({ provider: 'turnstile', secret: secret(s) }),
      /`auth.captcha.provider` is "turnstile", which is not a SupabaseCaptchaProvider\. Use SupabaseCaptchaProvider.HCAPTCHA or SupabaseCaptchaProvider.TURNSTILE/],
    ['no secret', () => ({ provider: SupabaseCaptchaProvider.HCAPTCHA }),
      /`auth.captcha.secret` is not set; Auth does not start with CAPTCHA enabled and no secret key\. Store the hcaptcha secret key in Secrets Manager/],
    ['an empty JSON field', (s: Stack) => ({ provider: SupabaseCaptchaProvider.HCAPTCHA, secret: secret(s), secretField: '' }),
      /`auth.captcha.secretField` is empty/],
    ['a timeout of 0', (s: Stack) => ({ provider: SupabaseCaptchaProvider.HCAPTCHA, secret: secret(s), timeout: Duration.seconds(0) }),
      /`auth.captcha.timeout` is 0 seconds?; give a whole number of milliseconds above 0 \(0 means Auth's default of 10 seconds\)/],
    ['a timeout the gateway would cut', (s: Stack) => ({ provider: SupabaseCaptchaProvider.HCAPTCHA, secret: secret(s), timeout: Duration.minutes(1) }),
      /`auth.captcha.timeout` is 1 minute; .*under the gateway's 1 minute/],
  ])('rejects %s', (_, captcha, message) => {
    expect(() => build(captcha as any)).toThrow(message);
  });
});
