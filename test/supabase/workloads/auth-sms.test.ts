import { Duration, Stack, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { SupabaseAuthHook, SupabaseAuthSettings, SupabaseSmsProvider } from '../../../src';
import { buildParts, buildWorkloads } from '../fixture';
import { secretLeaks } from '../secret-leaks';

const MANIFEST = 'Custom::AWSCDK-EKS-KubernetesResource';
const SITE = 'https://app.example.com';
const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';

/** Workloads with the Auth settings that `auth` makes in the stack. */
function build(auth: (stack: Stack) => Omit<SupabaseAuthSettings, 'siteUrl'>) {
  const parts = buildParts();
  const built = buildWorkloads({ auth: { siteUrl: SITE, ...auth(parts.stack) } }, parts);
  const objects = built.workloads.charts.flatMap((c) => Testing.synth(c) as any[]);
  const container = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'auth').spec.template.spec.containers[0];
  const env: Record<string, any> = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
  const externalSecret = objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'supabase-auth-env');
  const remoteRefs: Record<string, any> = externalSecret
    ? Object.fromEntries(parts.stack.resolve(externalSecret.spec.data).map((d: any) => [d.secretKey, d.remoteRef])) : {};
  return { ...built, objects, env, remoteRefs };
}

const secret = (stack: Stack, name: string) => secretsmanager.Secret.fromSecretNameV2(stack, name.replace(/\W/g, ''), name);
const smsEnvOf = (env: Record<string, any>) => Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('GOTRUE_SMS_') && k !== 'GOTRUE_SMS_AUTOCONFIRM'));
const fromAuthSecret = (key: string) => ({ secretKeyRef: { name: 'supabase-auth-env', key } });

describe('Auth with Twilio and every code setting', () => {
  const { stack, env, remoteRefs } = build((s) => ({
    phoneSignup: true,
    sms: {
      provider: SupabaseSmsProvider.twilio({
        accountSid: ACCOUNT_SID,
        messageServiceSid: '+15005550006',
        authToken: secret(s, 'sms/twilio'),
        authTokenField: 'authToken',
        whatsappContentSid: 'HX0123456789abcdef0123456789abcdef',
      }),
      otpLength: 8,
      otpExpiry: Duration.minutes(5),
      maxFrequency: Duration.seconds(30),
      template: 'Your Example code is {{ .Code }}',
    },
  }));

  test('the provider\'s identifiers and the code settings are plain variables, the auth token comes from the Secret', () => {
    expect(smsEnvOf(env)).toEqual({
      GOTRUE_SMS_PROVIDER: 'twilio',
      GOTRUE_SMS_TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      GOTRUE_SMS_TWILIO_MESSAGE_SERVICE_SID: '+15005550006',
      GOTRUE_SMS_TWILIO_CONTENT_SID: 'HX0123456789abcdef0123456789abcdef',
      GOTRUE_SMS_TWILIO_AUTH_TOKEN: fromAuthSecret('GOTRUE_SMS_TWILIO_AUTH_TOKEN'),
      GOTRUE_SMS_OTP_LENGTH: '8',
      GOTRUE_SMS_OTP_EXP: '300',
      GOTRUE_SMS_MAX_FREQUENCY: '30s',
      GOTRUE_SMS_TEMPLATE: 'Your Example code is {{ .Code }}',
    });
    expect(env.GOTRUE_EXTERNAL_PHONE_ENABLED).toBe('true');
  });

  test('External Secrets copies the auth token\'s JSON field, and the operator may read the secret', () => {
    expect(Object.keys(remoteRefs)).toEqual(['GOTRUE_SMS_TWILIO_AUTH_TOKEN']);
    expect(remoteRefs.GOTRUE_SMS_TWILIO_AUTH_TOKEN.property).toBe('authToken');
    expect(JSON.stringify(remoteRefs.GOTRUE_SMS_TWILIO_AUTH_TOKEN.key)).toContain(':secret:sms/twilio');
    const statements = JSON.stringify(Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((st: any) => [st.Action].flat().includes('secretsmanager:GetSecretValue')));
    expect(statements).toContain(':secret:sms/twilio-??????');
  });
});

describe.each([
  ['twilioVerify', (s: Stack) => SupabaseSmsProvider.twilioVerify({ accountSid: ACCOUNT_SID, verifyServiceSid: 'VA0123456789abcdef0123456789abcdef', authToken: secret(s, 'sms/verify') }),
    { GOTRUE_SMS_PROVIDER: 'twilio_verify', GOTRUE_SMS_TWILIO_VERIFY_ACCOUNT_SID: ACCOUNT_SID, GOTRUE_SMS_TWILIO_VERIFY_MESSAGE_SERVICE_SID: 'VA0123456789abcdef0123456789abcdef' },
    'GOTRUE_SMS_TWILIO_VERIFY_AUTH_TOKEN', 'sms/verify'],
  ['messagebird', (s: Stack) => SupabaseSmsProvider.messagebird({ originator: 'Example', accessKey: secret(s, 'sms/messagebird') }),
    { GOTRUE_SMS_PROVIDER: 'messagebird', GOTRUE_SMS_MESSAGEBIRD_ORIGINATOR: 'Example' }, 'GOTRUE_SMS_MESSAGEBIRD_ACCESS_KEY', 'sms/messagebird'],
  ['textlocal', (s: Stack) => SupabaseSmsProvider.textlocal({ sender: 'EXMPLE', apiKey: secret(s, 'sms/textlocal') }),
    { GOTRUE_SMS_PROVIDER: 'textlocal', GOTRUE_SMS_TEXTLOCAL_SENDER: 'EXMPLE' }, 'GOTRUE_SMS_TEXTLOCAL_API_KEY', 'sms/textlocal'],
  ['vonage', (s: Stack) => SupabaseSmsProvider.vonage({ from: 'Example', apiKey: 'a1b2c3d4', apiSecret: secret(s, 'sms/vonage'), apiSecretField: 'secret' }),
    { GOTRUE_SMS_PROVIDER: 'vonage', GOTRUE_SMS_VONAGE_FROM: 'Example', GOTRUE_SMS_VONAGE_API_KEY: 'a1b2c3d4' }, 'GOTRUE_SMS_VONAGE_API_SECRET', 'sms/vonage'],
])('Auth with %s', (_, provider, plain, credential, secretName) => {
  const { stack, env, remoteRefs } = build((s) => ({ phoneSignup: true, sms: { provider: provider(s) } }));

  test('renders the provider\'s variables, its credential from the Secret, and leaves the code settings to Auth', () => {
    expect(smsEnvOf(env)).toEqual({ ...plain, [credential]: fromAuthSecret(credential) });
  });

  test('External Secrets copies the credential, and no manifest carries a secret value', () => {
    expect(Object.keys(remoteRefs)).toEqual([credential]);
    expect(JSON.stringify(remoteRefs[credential].key)).toContain(`:secret:${secretName}`);
    for (const r of Object.values(Template.fromStack(stack).findResources(MANIFEST))) {
      expect(secretLeaks(JSON.stringify((r as any).Properties.Manifest))).toEqual([]);
    }
  });
});

describe('the leak scan', () => {
  test('finds an SMS credential given as a plain value, and lets Vonage\'s API key (an identifier) through', () => {
    const leak = (name: string) => secretLeaks(JSON.stringify({ env: [{ name, value: 'abc123' }] }));
    for (const name of ['GOTRUE_SMS_TWILIO_AUTH_TOKEN', 'GOTRUE_SMS_TWILIO_VERIFY_AUTH_TOKEN', 'GOTRUE_SMS_MESSAGEBIRD_ACCESS_KEY',
      'GOTRUE_SMS_TEXTLOCAL_API_KEY', 'GOTRUE_SMS_VONAGE_API_SECRET', 'GOTRUE_SECURITY_CAPTCHA_SECRET']) {
      expect(leak(name)).toEqual([`${name} as a plain value`]);
    }
    expect(leak('GOTRUE_SMS_VONAGE_API_KEY')).toEqual([]);
  });
});

describe('Auth\'s network policy', () => {
  test('lets Auth reach the SMS providers\' and CAPTCHA services\' HTTPS APIs (443 to any IPv4 address)', () => {
    const { objects } = build(() => ({}));
    const policy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'auth');
    expect(policy.spec.egress).toEqual(expect.arrayContaining([
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }] },
    ]));
  });
});

describe('phone sign-up and the SMS provider', () => {
  const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('auth.phoneSignup'));

  test('phone sign-up without a provider is an error: every sign-up would fail', () => {
    expect(() => build(() => ({ phoneSignup: true }))).toThrow(
      /`auth.phoneSignup` is true but `auth.sms` is not set: .*"Unable to get SMS provider".* Set `auth.sms` with a SupabaseSmsProvider.* or set `auth.smsAutoconfirm: true`/);
  });

  test('a send-SMS hook stands in for the provider: Auth calls it instead', () => {
    const { stack, env } = build(() => ({ phoneSignup: true, hooks: { sendSms: SupabaseAuthHook.postgresFunction('public', 'send_sms') } }));
    expect(warnings(stack)).toEqual([]);
    expect(env.GOTRUE_HOOK_SEND_SMS_ENABLED).toBe('true');
    expect(smsEnvOf(env)).toEqual({});
  });

  test('with smsAutoconfirm it is accepted with a warning: one-time codes still fail', () => {
    const { stack, env } = build(() => ({ phoneSignup: true, smsAutoconfirm: true }));
    expect(warnings(stack)).toHaveLength(1);
    expect(JSON.stringify(warnings(stack))).toContain('cdk-supabase-on-aws:auth-phone-without-sms-provider');
    expect(smsEnvOf(env)).toEqual({});
  });

  test('without phone sign-up or with a provider, no warning and no SMS variable unless configured', () => {
    const off = build(() => ({}));
    expect(warnings(off.stack)).toEqual([]);
    expect(smsEnvOf(off.env)).toEqual({});
    const on = build((s) => ({ phoneSignup: true, smsAutoconfirm: true, sms: { provider: SupabaseSmsProvider.textlocal({ sender: 'EXMPLE', apiKey: secret(s, 'sms/t') }) } }));
    expect(warnings(on.stack)).toEqual([]);
  });
});

describe('SMS validation', () => {
  const twilio = (s: Stack, props: Record<string, any> = {}) => SupabaseSmsProvider.twilio({ accountSid: ACCOUNT_SID, messageServiceSid: 'MG1', authToken: secret(s, 'sms/x'), ...props });
  test.each([
    ['a provider that is not a SupabaseSmsProvider', () => ({ provider: { name: 'twilio' } }),
      /`auth.sms.provider` is \{"name":"twilio"\}, which is not a SupabaseSmsProvider\. Use one of its static factories/],
    ['a missing credential', (s: Stack) => ({ provider: twilio(s, { authToken: undefined }) }),
      /`auth.sms.provider` \(SupabaseSmsProvider.twilio\) has no `authToken`, which twilio needs \(GOTRUE_SMS_TWILIO_AUTH_TOKEN\)\. Store it in Secrets Manager and pass it/],
    ['a missing Vonage API secret', () => ({ provider: SupabaseSmsProvider.vonage({ from: 'X', apiKey: 'k' } as any) }),
      /\(SupabaseSmsProvider.vonage\) has no `apiSecret`, which vonage needs \(GOTRUE_SMS_VONAGE_API_SECRET\)/],
    ['an empty JSON field', (s: Stack) => ({ provider: SupabaseSmsProvider.messagebird({ originator: 'X', accessKey: secret(s, 'sms/m'), accessKeyField: ' ' }) }),
      /\(SupabaseSmsProvider.messagebird\) has an empty `accessKeyField`/],
    ['an empty sender', (s: Stack) => ({ provider: SupabaseSmsProvider.textlocal({ sender: '', apiKey: secret(s, 'sms/t') }) }),
      /\(SupabaseSmsProvider.textlocal\) has `sender` ""; Auth needs it \(GOTRUE_SMS_TEXTLOCAL_SENDER\)/],
    ['a Twilio API key SID instead of the Account SID', (s: Stack) => ({ provider: twilio(s, { accountSid: 'SK0123456789abcdef0123456789abcdef' }) }),
      /has `accountSid` 'SK0123456789abcdef0123456789abcdef', which is not of the form .*e\.g\. 'AC0123/],
    ['a Messaging Service SID as the Verify Service SID', (s: Stack) => ({ provider: SupabaseSmsProvider.twilioVerify({ accountSid: ACCOUNT_SID, verifyServiceSid: 'MG0123456789abcdef0123456789abcdef', authToken: secret(s, 'sms/v') }) }),
      /\(SupabaseSmsProvider.twilioVerify\) has `verifyServiceSid` 'MG0123456789abcdef0123456789abcdef'/],
    ['a code of 4 digits', (s: Stack) => ({ provider: twilio(s), otpLength: 4 }),
      /`auth.sms.otpLength` is 4; Auth takes a whole number from 6 to 10/],
    ['a code of 11 digits', (s: Stack) => ({ provider: twilio(s), otpLength: 11 }), /`auth.sms.otpLength` is 11/],
    ['a code length with Twilio Verify', (s: Stack) => ({ provider: SupabaseSmsProvider.twilioVerify({ accountSid: ACCOUNT_SID, verifyServiceSid: 'VA0123456789abcdef0123456789abcdef', authToken: secret(s, 'sms/v') }), otpLength: 8 }),
      /`auth.sms.otpLength` is set, but Twilio Verify generates and words the codes itself/],
    ['an expiry of 0', (s: Stack) => ({ provider: twilio(s), otpExpiry: Duration.seconds(0) }),
      /`auth.sms.otpExpiry` is 0 seconds?; Auth takes a whole number of seconds, at least 1/],
    ['an expiry in fractions of a second', (s: Stack) => ({ provider: twilio(s), otpExpiry: Duration.millis(1500) }),
      /`auth.sms.otpExpiry` is .*whole number of seconds/],
    ['a frequency of 0 (Auth would use a minute)', (s: Stack) => ({ provider: twilio(s), maxFrequency: Duration.seconds(0) }),
      /`auth.sms.maxFrequency` is 0 seconds?; .*0 means its default/],
    ['a template without the code', (s: Stack) => ({ provider: twilio(s), template: 'Welcome!' }),
      /`auth.sms.template` is "Welcome!", which does not contain the code \(\{\{ \.Code \}\}\)/],
    ['a template with another field', (s: Stack) => ({ provider: twilio(s), template: '{{ .Code }} for {{ .Phone }}' }),
      /`auth.sms.template` uses \.Phone, but Auth fills the template with the code alone/],
    ['a template that does not parse', (s: Stack) => ({ provider: twilio(s), template: 'Code: {{ .Code }' }),
      /`auth.sms.template` is .*whose \{\{ and \}\} do not pair up: Auth would not start/],
  ])('rejects %s', (_, sms, message) => {
    expect(() => build((s) => ({ sms: (sms as any)(s) }))).toThrow(message);
  });
});
