import { App, Duration, Fn, Stack, Token, aws_certificatemanager as acm } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { SupabaseAuthHook, SupabaseAuthSettings, SupabaseOnAws } from '../../../src';
import { authFeatureEnv } from '../../../src/supabase/workloads/private/auth-env';
import { rejectPerClientRateLimitsBehindCdn } from '../../../src/supabase/workloads/private/auth-rate-limits-env';
import { buildWorkloads } from '../fixture';
import { secretLeaks } from '../secret-leaks';

const SITE = 'https://app.example.com';
const MANIFEST = 'Custom::AWSCDK-EKS-KubernetesResource';

/** Phone factors need something that sends their codes: a send-SMS hook here (its variables are not this file's). */
const SEND_SMS = { sendSms: SupabaseAuthHook.postgresFunction('public', 'send_sms') };
const withoutHooks = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('GOTRUE_HOOK_')));

/** Every variable of the features of this file, by the settings that set it. */
const SETTINGS: SupabaseAuthSettings = {
  siteUrl: SITE,
  hooks: SEND_SMS,
  mfa: {
    totp: { enroll: false, verify: true },
    phone: { otpLength: 8, template: 'Your Example code is {{ .Code }}', maxFrequency: Duration.seconds(90) },
    webAuthn: { relyingPartyId: 'example.com', relyingPartyName: 'Example', relyingPartyOrigins: ['https://app.example.com', 'https://admin.example.com'] },
    maxEnrolledFactors: 4,
    maxVerifiedFactors: 3,
    challengeExpiry: Duration.minutes(10),
    unverifiedFactorExpiry: Duration.minutes(15),
  },
  rateLimits: { emailsSent: 100, smsSent: 20, tokenRefresh: 300, verify: 60, otp: 10, anonymousUsers: 5, sso: 15, mfaChallengeAndVerify: 8 },
  email: {
    confirmation: { subject: 'Confirm your Example account', templateUrl: 'https://templates.example.com/confirmation.html' },
    recovery: { templateUrl: 'https://templates.example.com/recovery.html?v=2' },
    magicLink: { subject: 'Your sign-in link to Example' },
    reauthentication: { subject: '{{ .Token }} is your Example code' },
    passwordChangedNotification: { subject: 'Your Example password changed' },
    mfaFactorEnrolledNotification: { enabled: false, templateUrl: 'https://templates.example.com/mfa-enrolled.html' },
    secureEmailChange: false,
    otpExpiry: Duration.hours(2),
    otpLength: 8,
  },
  security: {
    minPasswordLength: 12,
    passwordRequiredCharacters: ['abcdefghijklmnopqrstuvwxyz', '0123456789', '!:?'],
    refreshTokenRotation: true,
    refreshTokenReuseInterval: Duration.seconds(10),
    passwordChangeRequiresReauthentication: true,
    passwordChangeRequiresCurrentPassword: false,
  },
};

function synth(auth: SupabaseAuthSettings) {
  const built = buildWorkloads({ auth });
  const objects = built.workloads.charts.flatMap((c) => Testing.synth(c) as any[]);
  const container = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'auth').spec.template.spec.containers[0];
  const env: Record<string, any> = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
  return { ...built, objects, env };
}

/** The variables this feature may render: none of them is set unless the settings ask for it. */
const FEATURE_VARIABLES = /^(GOTRUE_MFA_|GOTRUE_WEBAUTHN_|GOTRUE_RATE_LIMIT_|GOTRUE_MAILER_(SUBJECTS|TEMPLATES|NOTIFICATIONS|SECURE|OTP)_|GOTRUE_PASSWORD_|GOTRUE_SECURITY_)/;

describe('Auth with MFA, rate limits, emails and a password policy', () => {
  const { stack, env, objects } = synth(SETTINGS);

  test('MFA: each factor type\'s switches, the phone codes, the limits and expiries', () => {
    expect(env.GOTRUE_MFA_TOTP_ENROLL_ENABLED).toBe('false');
    expect(env.GOTRUE_MFA_TOTP_VERIFY_ENABLED).toBe('true');
    expect(env.GOTRUE_MFA_PHONE_ENROLL_ENABLED).toBe('true');
    expect(env.GOTRUE_MFA_PHONE_VERIFY_ENABLED).toBe('true');
    expect(env.GOTRUE_MFA_PHONE_OTP_LENGTH).toBe('8');
    expect(env.GOTRUE_MFA_PHONE_TEMPLATE).toBe('Your Example code is {{ .Code }}');
    expect(env.GOTRUE_MFA_PHONE_MAX_FREQUENCY).toBe('90s');
    expect(env.GOTRUE_MFA_WEB_AUTHN_ENROLL_ENABLED).toBe('true');
    expect(env.GOTRUE_MFA_WEB_AUTHN_VERIFY_ENABLED).toBe('true');
    expect(env.GOTRUE_WEBAUTHN_RP_ID).toBe('example.com');
    expect(env.GOTRUE_WEBAUTHN_RP_DISPLAY_NAME).toBe('Example');
    expect(env.GOTRUE_WEBAUTHN_RP_ORIGINS).toBe('https://app.example.com,https://admin.example.com');
    expect(env.GOTRUE_MFA_MAX_ENROLLED_FACTORS).toBe('4');
    expect(env.GOTRUE_MFA_MAX_VERIFIED_FACTORS).toBe('3');
    // A number of seconds for the challenge, a Go duration for the factor.
    expect(env.GOTRUE_MFA_CHALLENGE_EXPIRY_DURATION).toBe('600');
    expect(env.GOTRUE_MFA_FACTOR_EXPIRY_DURATION).toBe('900s');
  });

  test('rate limits: each limit, and the client address header Kong sets', () => {
    expect(env.GOTRUE_RATE_LIMIT_EMAIL_SENT).toBe('100');
    expect(env.GOTRUE_RATE_LIMIT_SMS_SENT).toBe('20');
    expect(env.GOTRUE_RATE_LIMIT_TOKEN_REFRESH).toBe('300');
    expect(env.GOTRUE_RATE_LIMIT_VERIFY).toBe('60');
    expect(env.GOTRUE_RATE_LIMIT_OTP).toBe('10');
    expect(env.GOTRUE_RATE_LIMIT_ANONYMOUS_USERS).toBe('5');
    expect(env.GOTRUE_RATE_LIMIT_SSO).toBe('15');
    expect(env.GOTRUE_MFA_RATE_LIMIT_CHALLENGE_AND_VERIFY).toBe('8');
    expect(env.GOTRUE_RATE_LIMIT_HEADER).toBe('X-Real-IP');
  });

  test('emails: subjects and template URLs per email, notifications, email change and codes', () => {
    expect(env.GOTRUE_MAILER_SUBJECTS_CONFIRMATION).toBe('Confirm your Example account');
    expect(env.GOTRUE_MAILER_TEMPLATES_CONFIRMATION).toBe('https://templates.example.com/confirmation.html');
    expect(env.GOTRUE_MAILER_TEMPLATES_RECOVERY).toBe('https://templates.example.com/recovery.html?v=2');
    expect(env.GOTRUE_MAILER_SUBJECTS_MAGIC_LINK).toBe('Your sign-in link to Example');
    expect(env.GOTRUE_MAILER_SUBJECTS_REAUTHENTICATION).toBe('{{ .Token }} is your Example code');
    expect(env.GOTRUE_MAILER_NOTIFICATIONS_PASSWORD_CHANGED_ENABLED).toBe('true');
    expect(env.GOTRUE_MAILER_SUBJECTS_PASSWORD_CHANGED_NOTIFICATION).toBe('Your Example password changed');
    expect(env.GOTRUE_MAILER_NOTIFICATIONS_MFA_FACTOR_ENROLLED_ENABLED).toBe('false');
    expect(env.GOTRUE_MAILER_TEMPLATES_MFA_FACTOR_ENROLLED_NOTIFICATION).toBe('https://templates.example.com/mfa-enrolled.html');
    expect(env.GOTRUE_MAILER_SECURE_EMAIL_CHANGE_ENABLED).toBe('false');
    expect(env.GOTRUE_MAILER_OTP_EXP).toBe('7200');
    expect(env.GOTRUE_MAILER_OTP_LENGTH).toBe('8');
    // What is not set stays Auth's: no subject of its own for the recovery, no invite, no other notification.
    expect(Object.keys(env).filter((k) => /^GOTRUE_MAILER_(SUBJECTS_RECOVERY|(SUBJECTS|TEMPLATES)_INVITE|NOTIFICATIONS_(EMAIL|PHONE|IDENTITY)\w*)$/.test(k))).toEqual([]);
    // The link paths stay the chart's.
    expect(env.GOTRUE_MAILER_URLPATHS_CONFIRMATION).toBe('/auth/v1/verify');
  });

  test('security: the password policy, refresh tokens and password changes', () => {
    expect(env.GOTRUE_PASSWORD_MIN_LENGTH).toBe('12');
    // Sets separated by ':', a ':' inside a set escaped (and moved to its end: Auth's parser takes one per set).
    expect(env.GOTRUE_PASSWORD_REQUIRED_CHARACTERS).toBe('abcdefghijklmnopqrstuvwxyz:0123456789:!?\\:');
    expect(env.GOTRUE_SECURITY_REFRESH_TOKEN_ROTATION_ENABLED).toBe('true');
    expect(env.GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL).toBe('10');
    expect(env.GOTRUE_SECURITY_UPDATE_PASSWORD_REQUIRE_REAUTHENTICATION).toBe('true');
    expect(env.GOTRUE_SECURITY_UPDATE_PASSWORD_REQUIRE_CURRENT_PASSWORD).toBe('false');
  });

  test('all of it is plain configuration: no Secret, nothing secret in the manifests', () => {
    // The one switch whose name looks like a password is not one; a password under that name still would be.
    expect(secretLeaks(JSON.stringify({ env: [{ name: 'GOTRUE_SECURITY_UPDATE_PASSWORD_REQUIRE_CURRENT_PASSWORD', value: 'false' }] }))).toEqual([]);
    expect(secretLeaks(JSON.stringify({ env: [{ name: 'GOTRUE_SMTP_PASSWORD', value: 'false' }] }))).toHaveLength(1);
    expect(Object.entries(env).filter(([k, v]) => FEATURE_VARIABLES.test(k) && typeof v !== 'string')).toEqual([]);
    expect(objects.filter((o) => o.metadata?.name === 'supabase-auth-env')).toEqual([]);
    for (const r of Object.values(Template.fromStack(stack).findResources(MANIFEST))) {
      expect(secretLeaks(JSON.stringify((r as any).Properties.Manifest))).toEqual([]);
    }
  });

  test('the template URLs are reachable: Auth\'s egress is open on 443 to any address, and not on 80', () => {
    const policy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'auth').spec;
    const anywhere = policy.egress.filter((r: any) => r.to.some((p: any) => p.ipBlock?.cidr === '0.0.0.0/0')).flatMap((r: any) => r.ports.map((p: any) => p.port));
    expect(anywhere).toContain(443);
    expect(anywhere).not.toContain(80);
  });
});

describe('Auth without these settings', () => {
  test('renders none of their variables: Auth keeps its defaults', () => {
    const { env } = synth({ siteUrl: SITE });
    expect(Object.keys(env).filter((k) => FEATURE_VARIABLES.test(k))).toEqual([]);
  });
});

describe('defaults of the settings', () => {
  const env = (auth: Omit<SupabaseAuthSettings, 'siteUrl'>, siteUrl = SITE) =>
    withoutHooks(authFeatureEnv(new Stack(), { settings: { siteUrl, hooks: SEND_SMS, ...auth }, publicUrl: 'https://api.example.com' }).plain);

  test('a factor type given without switches is enrolled and verified', () => {
    expect(env({ mfa: { phone: {} } })).toEqual({ GOTRUE_MFA_PHONE_ENROLL_ENABLED: 'true', GOTRUE_MFA_PHONE_VERIFY_ENABLED: 'true' });
  });

  test('WebAuthn\'s relying party is the site by default', () => {
    expect(env({ mfa: { webAuthn: {} } }, 'https://app.example.com:8443/welcome')).toEqual({
      GOTRUE_MFA_WEB_AUTHN_ENROLL_ENABLED: 'true',
      GOTRUE_MFA_WEB_AUTHN_VERIFY_ENABLED: 'true',
      GOTRUE_WEBAUTHN_RP_ID: 'app.example.com',
      GOTRUE_WEBAUTHN_RP_DISPLAY_NAME: 'app.example.com',
      GOTRUE_WEBAUTHN_RP_ORIGINS: 'https://app.example.com:8443',
    });
  });

  test('limits for all users alone leave the per-client limits off (no client address header)', () => {
    expect(env({ rateLimits: { emailsSent: 0, smsSent: 2 } })).toEqual({ GOTRUE_RATE_LIMIT_EMAIL_SENT: '0', GOTRUE_RATE_LIMIT_SMS_SENT: '2' });
    expect(env({ rateLimits: { tokenRefresh: 2.5 } }).GOTRUE_RATE_LIMIT_TOKEN_REFRESH).toBe('2.5');
    expect(env({ rateLimits: { verify: 10 } })).toEqual({ GOTRUE_RATE_LIMIT_VERIFY: '10', GOTRUE_RATE_LIMIT_HEADER: 'X-Real-IP' });
  });

  test('a notification given without `enabled` is sent', () => {
    expect(env({ email: { identityLinkedNotification: {} } })).toEqual({ GOTRUE_MAILER_NOTIFICATIONS_IDENTITY_LINKED_ENABLED: 'true' });
  });
});

describe('validation', () => {
  const build = (auth: Omit<SupabaseAuthSettings, 'siteUrl'>, siteUrl = SITE) => () =>
    authFeatureEnv(new Stack(), { settings: { siteUrl, hooks: SEND_SMS, ...auth }, publicUrl: 'https://api.example.com' });

  test('phone factors without an SMS provider or a send-SMS hook', () => {
    expect(() => authFeatureEnv(new Stack(), { settings: { siteUrl: SITE, mfa: { phone: {} } }, publicUrl: 'https://api.example.com' }))
      .toThrow(/`auth.mfa.phone` turns phone factors on, but neither `auth.sms` nor `auth.hooks.sendSms` is set/);
    // Phasing phone factors out still sends codes to the enrolled ones; only both switches off needs nothing.
    const phone = (enroll: boolean, verify: boolean) => () => authFeatureEnv(new Stack(), { settings: { siteUrl: SITE, mfa: { phone: { enroll, verify } } }, publicUrl: 'https://api.example.com' });
    expect(phone(false, true)).toThrow(/turns phone factors on/);
    expect(phone(false, false)).not.toThrow();
  });

  test.each([
    ['enrollment without verification', { mfa: { totp: { verify: false } } }, /`auth.mfa.totp` lets users enroll but not verify/],
    ['a phone code of 5 digits', { mfa: { phone: { otpLength: 5 } } }, /`auth.mfa.phone.otpLength` is 5; it must be a whole number from 6 to 10: Auth sends 6-digit codes/],
    ['a phone code of 11 digits', { mfa: { phone: { otpLength: 11 } } }, /`auth.mfa.phone.otpLength` is 11/],
    ['an SMS text without the code', { mfa: { phone: { template: 'Your code is ready' } } }, /`auth.mfa.phone.template` is 'Your code is ready', which does not contain \{\{ \.Code \}\}/],
    ['an SMS text Auth cannot parse', { mfa: { phone: { template: 'Code: {{ .Code }' } } }, /do not pair up: Auth reads it as a Go template and does not start/],
    ['a phone code frequency of 0', { mfa: { phone: { maxFrequency: Duration.seconds(0) } } }, /`auth.mfa.phone.maxFrequency` is 0 seconds; it must be whole seconds, at least 1 second/],
    ['no enrolled factor', { mfa: { maxEnrolledFactors: 0 } }, /`auth.mfa.maxEnrolledFactors` is 0; it must be a whole number of at least 1/],
    ['a fraction of a verified factor', { mfa: { maxVerifiedFactors: 1.5 } }, /`auth.mfa.maxVerifiedFactors` is 1.5/],
    ['a challenge expiry under 5 minutes', { mfa: { challengeExpiry: Duration.minutes(2) } }, /`auth.mfa.challengeExpiry` is 2 minutes; it must be whole seconds, at least 5 minutes: Auth raises a shorter expiry/],
    ['a challenge expiry in fractions of seconds', { mfa: { challengeExpiry: Duration.millis(300500) } }, /`auth.mfa.challengeExpiry` is 5 minutes 500 millis; it must be whole seconds/],
    ['an unverified factor expiry under 5 minutes', { mfa: { unverifiedFactorExpiry: Duration.seconds(299) } }, /`auth.mfa.unverifiedFactorExpiry` is 4 minutes 59 seconds/],
    ['a relying party id with a scheme', { mfa: { webAuthn: { relyingPartyId: 'https://example.com' } } }, /`auth.mfa.webAuthn.relyingPartyId` is 'https:\/\/example.com'; it must be a lower-case domain name/],
    ['an origin outside the relying party', { mfa: { webAuthn: { relyingPartyId: 'example.com', relyingPartyOrigins: ['https://example.org'] } } },
      /`auth.mfa.webAuthn.relyingPartyOrigins\[0\]` is 'https:\/\/example.org', whose host is neither the relying party id 'example.com' nor under it/],
    ['an origin with a path', { mfa: { webAuthn: { relyingPartyOrigins: ['https://app.example.com/'] } } }, /`auth.mfa.webAuthn.relyingPartyOrigins\[0\]` is 'https:\/\/app.example.com\/'; it must be an origin/],
    ['an http origin that is not localhost', { mfa: { webAuthn: { relyingPartyOrigins: ['http://app.example.com'] } } }, /https \(http only on localhost\)/],
    ['no origin', { mfa: { webAuthn: { relyingPartyOrigins: [] } } }, /`auth.mfa.webAuthn.relyingPartyOrigins` is empty/],
    ['a blank relying party name', { mfa: { webAuthn: { relyingPartyName: ' ' } } }, /`auth.mfa.webAuthn.relyingPartyName` is " "/],
    ['a negative email limit', { rateLimits: { emailsSent: -1 } }, /`auth.rateLimits.emailsSent` is -1; it must be a whole number of at least 0/],
    ['a fraction of an SMS', { rateLimits: { smsSent: 2.5 } }, /`auth.rateLimits.smsSent` is 2.5; it must be a whole number of at least 0: Auth counts whole messages per hour/],
    ['a negative per-client limit', { rateLimits: { verify: -5 } }, /`auth.rateLimits.verify` is -5; it must be a number of at least 0/],
    ['an infinite token limit', { rateLimits: { tokenRefresh: Infinity } }, /`auth.rateLimits.tokenRefresh` is Infinity; it must be a number of at least 0/],
    ['a rate limit given as text', { rateLimits: { otp: '30' as any } }, /`auth.rateLimits.otp` is "30"; it must be a number/],
    ['a template URL over http', { email: { confirmation: { templateUrl: 'http://templates.example.com/c.html' } } },
      /`auth.email.confirmation.templateUrl` is "http:\/\/templates.example.com\/c.html"; it must be an absolute https URL on port 443.*plain http is not opened/],
    ['a relative template URL', { email: { invite: { templateUrl: '/templates/invite.html' } } }, /`auth.email.invite.templateUrl` is "\/templates\/invite.html"; it must be an absolute https URL/],
    ['a template URL on another port', { email: { recovery: { templateUrl: 'https://templates.example.com:8443/r.html' } } }, /`auth.email.recovery.templateUrl` .* on port 443/],
    ['a notification template URL over http', { email: { emailChangedNotification: { templateUrl: 'http://x.example.com/n.html' } } }, /`auth.email.emailChangedNotification.templateUrl`/],
    ['a subject on two lines', { email: { magicLink: { subject: 'Sign in\nnow' } } }, /`auth.email.magicLink.subject` spans several lines/],
    ['a blank subject', { email: { emailChange: { subject: '' } } }, /`auth.email.emailChange.subject` is ""/],
    ['a subject Auth cannot parse', { email: { reauthentication: { subject: '{{ .Token is your code' } } }, /sends its default subject and body when it cannot parse it/],
    ['an email code of 4 digits', { email: { otpLength: 4 } }, /`auth.email.otpLength` is 4; it must be a whole number from 6 to 10/],
    ['an email code expiry of 0', { email: { otpExpiry: Duration.seconds(0) } }, /`auth.email.otpExpiry` is 0 seconds; it must be whole seconds, at least 1 second: Auth reads 0 as its default of one day/],
    ['a minimum password length of 4', { security: { minPasswordLength: 4 } }, /`auth.security.minPasswordLength` is 4; it must be a whole number from 6 to 72: Auth raises anything below 6/],
    ['a minimum password length over 72', { security: { minPasswordLength: 80 } }, /`auth.security.minPasswordLength` is 80/],
    ['no required character set', { security: { passwordRequiredCharacters: [] } }, /`auth.security.passwordRequiredCharacters` is empty/],
    ['an empty required character set', { security: { passwordRequiredCharacters: ['abc', ''] } }, /`auth.security.passwordRequiredCharacters\[1\]` is ""/],
    ['a reuse interval in fractions of seconds', { security: { refreshTokenReuseInterval: Duration.millis(1500) } }, /`auth.security.refreshTokenReuseInterval` is 1 second 500 millis; it must be whole seconds, at least 0/],
  ])('rejects %s', (_, auth, message) => {
    expect(build(auth as any)).toThrow(message);
  });

  test('WebAuthn needs its relying party given when the site URL is a token, and then takes it', () => {
    const siteUrl = Fn.importValue('SiteUrl');
    expect(build({ mfa: { webAuthn: {} } }, siteUrl)).toThrow(/`auth.mfa.webAuthn` needs `relyingPartyId` and `relyingPartyOrigins`: `siteUrl` is a token/);
    const given = build({ mfa: { webAuthn: { relyingPartyId: 'example.com', relyingPartyOrigins: ['https://app.example.com'] } } }, siteUrl)();
    expect(given.plain.GOTRUE_WEBAUTHN_RP_ID).toBe('example.com');
  });

  test('values that are tokens until deployment are not checked', () => {
    const stack = new Stack();
    const limit = Token.asNumber(Fn.importValue('Limit'));
    const env = authFeatureEnv(stack, {
      settings: { siteUrl: SITE, rateLimits: { tokenRefresh: limit }, email: { invite: { templateUrl: Fn.importValue('InviteTemplate') } } },
      publicUrl: 'https://api.example.com',
    }).plain;
    expect(stack.resolve(env.GOTRUE_RATE_LIMIT_TOKEN_REFRESH)).toEqual({ 'Fn::ImportValue': 'Limit' });
    expect(stack.resolve(env.GOTRUE_MAILER_TEMPLATES_INVITE)).toEqual({ 'Fn::ImportValue': 'InviteTemplate' });
  });
});

describe('per-client rate limits behind CloudFront', () => {
  const build = (rateLimits: SupabaseAuthSettings['rateLimits']) => () => {
    const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
    new SupabaseOnAws(stack, 'Supabase', {
      publicUrl: 'https://supabase.example.com',
      auth: { siteUrl: SITE, rateLimits },
      certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc'),
      cdn: { certificate: acm.Certificate.fromCertificateArn(stack, 'CdnCertificate', 'arn:aws:acm:us-east-1:123456789012:certificate/def') },
      networkProps: { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] },
    });
  };

  test('are rejected: Auth would count the clients of one edge server together', () => {
    expect(build({ emailsSent: 10, sso: 5 })).toThrow(/`auth.rateLimits.sso` is set together with `cdn`\. Behind CloudFront the gateway sees the distribution's addresses.*rate-based rules in the web ACL of `cdn.webAclArn`/);
  });

  test('limits for all users together are accepted', () => {
    expect(() => rejectPerClientRateLimitsBehindCdn(new Stack(), 'auth.rateLimits', { emailsSent: 10, smsSent: 5 })).not.toThrow();
    expect(() => rejectPerClientRateLimitsBehindCdn(new Stack(), 'auth.rateLimits', undefined)).not.toThrow();
  });
});
