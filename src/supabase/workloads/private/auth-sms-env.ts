import { Duration, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AuthEnvironment } from './auth-providers-env';
import { SecretEnvSource } from './secret-env';
import { configError } from '../../../private/errors';
import { WARNINGS, warn } from '../../../private/warnings';
import { SupabaseSmsProvider, SupabaseSmsSettings, _SmsProviderValue } from '../auth/sms';
import { SupabaseAuthSettings } from '../settings';

/** Auth's bounds of the code's length (shorter or longer is silently replaced by 6). */
const OTP_LENGTH = { min: 6, max: 10 };

/**
 * The variables of Auth's SMS provider and one-time codes (`GOTRUE_SMS_*`), after checking them; each credential
 * stays in Secrets Manager. Also checks that phone sign-up has something to send its codes with.
 */
export function smsEnv(scope: Construct, settings: SupabaseAuthSettings): AuthEnvironment {
  const sms = settings.sms;
  if (sms === undefined) {
    checkPhoneWithoutProvider(scope, settings);
    return { plain: {}, secrets: [] };
  }
  const prop = 'auth.sms';
  const provider = sms.provider;
  if (!(provider instanceof SupabaseSmsProvider)) {
    throw configError(scope, `\`${prop}.provider\` is ${JSON.stringify(provider ?? null)}, which is not a SupabaseSmsProvider. Use one of its static factories, e.g. SupabaseSmsProvider.twilio({ accountSid, messageServiceSid, authToken }).`);
  }
  const plain: Record<string, string> = { GOTRUE_SMS_PROVIDER: provider.name };
  const secrets: SecretEnvSource[] = [];
  const at = `\`${prop}.provider\` (SupabaseSmsProvider.${provider._factory})`;
  for (const v of provider._values) {
    if (v.fieldProp !== undefined) {
      secrets.push({ ...credential(scope, at, provider, v), prop: `${prop}.provider.${v.prop}` });
    } else if (v.value !== undefined || v.required) {
      plain[v.variable] = plainValue(scope, at, v);
    }
  }
  Object.assign(plain, codeSettings(scope, prop, sms));
  return { plain, secrets };
}

/**
 * Phone sign-up needs a provider or a send-SMS hook (which Auth calls instead of any provider); with
 * `smsAutoconfirm` only the codes fail.
 */
function checkPhoneWithoutProvider(scope: Construct, s: SupabaseAuthSettings) {
  if (!s.phoneSignup || s.hooks?.sendSms) {
    return;
  }
  if (!s.smsAutoconfirm) {
    throw configError(scope, '`auth.phoneSignup` is true but `auth.sms` is not set: Auth would accept phone sign-ups and answer each with "Unable to get SMS provider" (HTTP 500). Set `auth.sms` with a SupabaseSmsProvider, e.g. SupabaseSmsProvider.twilio({ ... }), or a send-SMS hook (`auth.hooks.sendSms`), or set `auth.smsAutoconfirm: true` to confirm phone sign-ups without a code.');
  }
  warn(scope, WARNINGS.authPhoneWithoutSms, '`auth.phoneSignup` and `auth.smsAutoconfirm` are true without `auth.sms`: phone sign-ups with a password are confirmed without a code, but one-time codes (signInWithOtp, resend, reauthentication) fail with "Unable to get SMS provider". Set `auth.sms` to send them.');
}

function credential(scope: Construct, at: string, provider: SupabaseSmsProvider, v: _SmsProviderValue): SecretEnvSource {
  if (v.secret === undefined) {
    throw configError(scope, `${at} has no \`${v.prop}\`, which ${provider.name} needs (${v.variable}). Store it in Secrets Manager and pass it, e.g. ${v.prop}: Secret.fromSecretNameV2(this, 'SmsCredential', 'supabase/sms/${provider.name}').`);
  }
  if (v.field !== undefined && !Token.isUnresolved(v.field) && v.field.trim() === '') {
    throw configError(scope, `${at} has an empty \`${v.fieldProp}\`. Name the JSON field of \`${v.prop}\` that holds it, or leave it out to use the whole secret string.`);
  }
  return { name: v.variable, secret: v.secret, field: v.field };
}

function plainValue(scope: Construct, at: string, v: _SmsProviderValue): string {
  const value = v.value;
  if (typeof value !== 'string' || (!Token.isUnresolved(value) && value.trim() === '')) {
    throw configError(scope, `${at} has \`${v.prop}\` ${JSON.stringify(value ?? null)}; Auth needs it (${v.variable}). Give the value from the provider's console${v.example ? `, e.g. '${v.example}'` : ''}.`);
  }
  if (v.pattern && !Token.isUnresolved(value) && !v.pattern.test(value)) {
    throw configError(scope, `${at} has \`${v.prop}\` '${value}', which is not of the form ${v.pattern.source}, e.g. '${v.example}'.`);
  }
  return value;
}

/** The codes' length, expiry, message and frequency, within Auth's bounds. */
function codeSettings(scope: Construct, prop: string, sms: SupabaseSmsSettings): Record<string, string> {
  const env: Record<string, string> = {};
  const verify = sms.provider.name === 'twilio_verify';
  if (verify && (sms.otpLength !== undefined || sms.template !== undefined)) {
    const given = sms.otpLength !== undefined ? 'otpLength' : 'template';
    throw configError(scope, `\`${prop}.${given}\` is set, but Twilio Verify generates and words the codes itself and Auth ignores it. Set the code's length and message in the Verify service's settings in Twilio's console, and remove \`${prop}.${given}\`.`);
  }
  if (sms.otpLength !== undefined) {
    const n = sms.otpLength;
    if (!Token.isUnresolved(n) && (!Number.isInteger(n) || n < OTP_LENGTH.min || n > OTP_LENGTH.max)) {
      throw configError(scope, `\`${prop}.otpLength\` is ${n}; Auth takes a whole number from ${OTP_LENGTH.min} to ${OTP_LENGTH.max} (any other value silently becomes 6).`);
    }
    env.GOTRUE_SMS_OTP_LENGTH = String(n);
  }
  if (sms.otpExpiry !== undefined) {
    env.GOTRUE_SMS_OTP_EXP = String(wholeSeconds(scope, `${prop}.otpExpiry`, sms.otpExpiry));
  }
  if (sms.maxFrequency !== undefined) {
    env.GOTRUE_SMS_MAX_FREQUENCY = `${wholeSeconds(scope, `${prop}.maxFrequency`, sms.maxFrequency)}s`;
  }
  if (sms.template !== undefined) {
    validateTemplate(scope, `${prop}.template`, sms.template);
    env.GOTRUE_SMS_TEMPLATE = sms.template;
  }
  return env;
}

/** A positive whole number of seconds: Auth reads 0 as its default, not as "none". Tokens are passed through. */
function wholeSeconds(scope: Construct, prop: string, d: Duration): string {
  if (d.isUnresolved()) {
    return d.toSeconds().toString();
  }
  const ms = d.toMilliseconds({ integral: false });
  if (ms < 1000 || ms % 1000 !== 0) {
    throw configError(scope, `\`${prop}\` is ${d.toHumanString()}; Auth takes a whole number of seconds, at least 1 (0 means its default). Use e.g. Duration.seconds(60).`);
  }
  return String(ms / 1000);
}

/**
 * Auth parses the template at start (a parse error stops it) and fills it with one field, `Code`, for each message
 * (any other field fails the message).
 */
function validateTemplate(scope: Construct, prop: string, template: string) {
  if (Token.isUnresolved(template)) {
    return;
  }
  const fix = 'Write the message with `{{ .Code }}` where the code goes, e.g. \'Your Example code is {{ .Code }}\'.';
  const opens = template.split('{{').length - 1;
  const closes = template.split('}}').length - 1;
  if (opens !== closes) {
    throw configError(scope, `\`${prop}\` is ${JSON.stringify(template)}, whose {{ and }} do not pair up: Auth would not start (a Go template parse error). ${fix}`);
  }
  const actions = [...template.matchAll(/\{\{(.*?)\}\}/gs)].map((m) => m[1]);
  const fields = actions.flatMap((a) => [...a.matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
  const unknown = fields.filter((f) => f !== 'Code');
  if (unknown.length > 0) {
    throw configError(scope, `\`${prop}\` uses .${unknown[0]}, but Auth fills the template with the code alone (.Code): every message would fail. ${fix}`);
  }
  if (!fields.includes('Code')) {
    throw configError(scope, `\`${prop}\` is ${JSON.stringify(template)}, which does not contain the code ({{ .Code }}): users would receive no code. ${fix}`);
  }
}
