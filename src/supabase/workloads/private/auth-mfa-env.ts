import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkGoTemplateLine, checkText, checkWholeNumber, numberEnv, wholeSeconds } from './auth-values';
import { parseUrl } from './validation';
import { configError } from '../../../private/errors';
import { SupabaseMfaFactorSettings, SupabaseMfaSettings, SupabaseMfaWebAuthnSettings } from '../auth/mfa';

/** Auth's shortest challenge and unverified-factor lifetime: it raises anything shorter to this. */
const MFA_MIN_EXPIRY_SECONDS = 300;

/**
 * The variables of Auth's multi-factor authentication (`GOTRUE_MFA_*`, and `GOTRUE_WEBAUTHN_RP_*` for WebAuthn
 * factors), after checking them. `prop` names the settings in error messages; `siteUrl` gives WebAuthn's defaults.
 */
export function mfaEnv(scope: Construct, prop: string, mfa: SupabaseMfaSettings | undefined, siteUrl: string): Record<string, string> {
  const env: Record<string, string> = {};
  if (!mfa) {
    return env;
  }
  const factor = (key: 'totp' | 'phone' | 'webAuthn', name: string, settings: SupabaseMfaFactorSettings) => {
    const enroll = settings.enroll ?? true;
    const verify = settings.verify ?? true;
    if (enroll === true && verify === false) {
      throw configError(scope, `\`${prop}.${key}\` lets users enroll but not verify: a factor is verified once to complete its enrollment, so no enrollment could complete. Set verify: true, or enroll: false to phase the factor type out.`);
    }
    env[`GOTRUE_MFA_${name}_ENROLL_ENABLED`] = String(enroll);
    env[`GOTRUE_MFA_${name}_VERIFY_ENABLED`] = String(verify);
  };
  if (mfa.totp) {
    factor('totp', 'TOTP', mfa.totp);
  }
  if (mfa.phone) {
    const phone = mfa.phone;
    factor('phone', 'PHONE', phone);
    if (phone.otpLength !== undefined) {
      checkWholeNumber(scope, `${prop}.phone.otpLength`, phone.otpLength, 6, 10, 'Auth sends 6-digit codes for any other length.');
      env.GOTRUE_MFA_PHONE_OTP_LENGTH = numberEnv(phone.otpLength);
    }
    if (phone.template !== undefined) {
      checkGoTemplateLine(scope, `${prop}.phone.template`, phone.template, 'Your example.com code is {{ .Code }}', 'does not start');
      if (!Token.isUnresolved(phone.template) && !/\{\{\s*\.Code\s*\}\}/.test(phone.template)) {
        throw configError(scope, `\`${prop}.phone.template\` is '${phone.template}', which does not contain {{ .Code }}: the SMS would not carry the code. E.g. 'Your example.com code is {{ .Code }}'.`);
      }
      env.GOTRUE_MFA_PHONE_TEMPLATE = phone.template;
    }
    if (phone.maxFrequency !== undefined) {
      env.GOTRUE_MFA_PHONE_MAX_FREQUENCY = `${wholeSeconds(scope, `${prop}.phone.maxFrequency`, phone.maxFrequency, 1, 'Auth reads 0 as its default of one minute.')}s`;
    }
  }
  if (mfa.webAuthn) {
    factor('webAuthn', 'WEB_AUTHN', mfa.webAuthn);
    Object.assign(env, relyingPartyEnv(scope, `${prop}.webAuthn`, mfa.webAuthn, siteUrl));
  }
  if (mfa.maxEnrolledFactors !== undefined) {
    checkWholeNumber(scope, `${prop}.maxEnrolledFactors`, mfa.maxEnrolledFactors, 1, undefined, 'with 0 no user could enroll a factor (turn enrollment off per factor type instead).');
    env.GOTRUE_MFA_MAX_ENROLLED_FACTORS = numberEnv(mfa.maxEnrolledFactors);
  }
  if (mfa.maxVerifiedFactors !== undefined) {
    checkWholeNumber(scope, `${prop}.maxVerifiedFactors`, mfa.maxVerifiedFactors, 1, undefined, 'with 0 no user could verify a factor (turn enrollment off per factor type instead).');
    env.GOTRUE_MFA_MAX_VERIFIED_FACTORS = numberEnv(mfa.maxVerifiedFactors);
  }
  if (mfa.challengeExpiry !== undefined) {
    // A number of seconds (float64 in Auth), not a Go duration.
    env.GOTRUE_MFA_CHALLENGE_EXPIRY_DURATION = wholeSeconds(scope, `${prop}.challengeExpiry`, mfa.challengeExpiry, MFA_MIN_EXPIRY_SECONDS,
      'Auth raises a shorter expiry to 5 minutes.');
  }
  if (mfa.unverifiedFactorExpiry !== undefined) {
    env.GOTRUE_MFA_FACTOR_EXPIRY_DURATION = `${wholeSeconds(scope, `${prop}.unverifiedFactorExpiry`, mfa.unverifiedFactorExpiry, MFA_MIN_EXPIRY_SECONDS,
      'Auth raises a shorter expiry to 5 minutes.')}s`;
  }
  return env;
}

/** WebAuthn's relying party (`GOTRUE_WEBAUTHN_RP_*`): the given values, or the site URL's host and origin. */
function relyingPartyEnv(scope: Construct, prop: string, w: SupabaseMfaWebAuthnSettings, siteUrl: string): Record<string, string> {
  const site = Token.isUnresolved(siteUrl) ? undefined : new URL(siteUrl);
  if (!site && (w.relyingPartyId === undefined || w.relyingPartyOrigins === undefined)) {
    throw configError(scope, `\`${prop}\` needs \`relyingPartyId\` and \`relyingPartyOrigins\`: \`siteUrl\` is a token, so its host is not known at synth time. Give them, e.g. relyingPartyId: 'example.com', relyingPartyOrigins: ['https://app.example.com'].`);
  }
  const id = w.relyingPartyId ?? site!.hostname;
  const name = w.relyingPartyName ?? id;
  const origins = w.relyingPartyOrigins ?? [site!.origin];
  checkText(scope, `${prop}.relyingPartyName`, name, 'Give the name authenticators show, e.g. \'Example\'.');
  if (!Token.isUnresolved(id) && !/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(id)) {
    throw configError(scope, `\`${prop}.relyingPartyId\` is '${id}'; it must be a lower-case domain name without scheme, port or path, e.g. 'example.com'.`);
  }
  if (!Array.isArray(origins) || origins.length === 0) {
    throw configError(scope, `\`${prop}.relyingPartyOrigins\` is empty. Give the origins your application runs WebAuthn from, e.g. ['https://app.example.com'], or leave it out for the origin of siteUrl.`);
  }
  origins.forEach((origin, i) => checkOrigin(scope, `${prop}.relyingPartyOrigins[${i}]`, origin, id));
  return {
    GOTRUE_WEBAUTHN_RP_ID: id,
    GOTRUE_WEBAUTHN_RP_DISPLAY_NAME: name,
    GOTRUE_WEBAUTHN_RP_ORIGINS: origins.join(','),
  };
}

/** Throws unless `value` is an https origin (http on localhost) whose host is the relying party id or under it. */
function checkOrigin(scope: Construct, prop: string, value: string, id: string) {
  if (Token.isUnresolved(value)) {
    return;
  }
  const url = parseUrl(value);
  const localhost = url?.hostname === 'localhost';
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && localhost)) || url.origin !== value) {
    throw configError(scope, `\`${prop}\` is '${value}'; it must be an origin: https (http only on localhost), a host and an optional port, without path or trailing slash, e.g. 'https://app.example.com'.`);
  }
  if (!Token.isUnresolved(id) && url.hostname !== id && !url.hostname.endsWith(`.${id}`)) {
    throw configError(scope, `\`${prop}\` is '${value}', whose host is neither the relying party id '${id}' nor under it: browsers refuse WebAuthn there. Use an origin under '${id}', or set relyingPartyId to a domain both share.`);
  }
}
