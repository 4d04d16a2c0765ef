import { Construct } from 'constructs';
import { emailEnv } from './auth-email-env';
import { mfaEnv } from './auth-mfa-env';
import { AuthEnvironment } from './auth-providers-env';
import { rateLimitsEnv } from './auth-rate-limits-env';
import { securityEnv } from './auth-security-env';
import { configError } from '../../../private/errors';
import { SupabaseAuthSettings } from '../settings';

/**
 * Auth's account protection, all plain values: multi-factor authentication (`auth.mfa`), rate limits
 * (`auth.rateLimits`), emails (`auth.email`), the password policy and refresh tokens (`auth.security`).
 */
export function accountEnv(scope: Construct, s: SupabaseAuthSettings): AuthEnvironment {
  // Auth sends phone factors' codes through the SMS provider, or the send-SMS hook instead of it.
  const phone = s.mfa?.phone;
  if (phone && ((phone.enroll ?? true) || (phone.verify ?? true)) && !s.sms && !s.hooks?.sendSms) {
    throw configError(scope, '`auth.mfa.phone` turns phone factors on, but neither `auth.sms` nor `auth.hooks.sendSms` is set: every challenge would fail with "Unable to get SMS provider". Set `auth.sms` (e.g. SupabaseSmsProvider.twilio({ ... })) or a send-SMS hook, or leave `auth.mfa.phone` out.');
  }
  return {
    plain: {
      ...mfaEnv(scope, 'auth.mfa', s.mfa, s.siteUrl),
      ...rateLimitsEnv(scope, 'auth.rateLimits', s.rateLimits),
      ...emailEnv(scope, 'auth.email', s.email),
      ...securityEnv(scope, 'auth.security', s.security),
    },
    secrets: [],
  };
}
