import { Construct } from 'constructs';
import { emailEnv } from './auth-email-env';
import { mfaEnv } from './auth-mfa-env';
import { AuthEnvironment } from './auth-providers-env';
import { rateLimitsEnv } from './auth-rate-limits-env';
import { securityEnv } from './auth-security-env';
import { SupabaseAuthSettings } from '../settings';

/**
 * Auth's account protection, all plain values: multi-factor authentication (`auth.mfa`), rate limits
 * (`auth.rateLimits`), emails (`auth.email`), the password policy and refresh tokens (`auth.security`).
 */
export function accountEnv(scope: Construct, s: SupabaseAuthSettings): AuthEnvironment {
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
