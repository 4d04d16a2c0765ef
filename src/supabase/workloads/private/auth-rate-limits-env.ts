import { Construct } from 'constructs';
import { checkNonNegative, checkWholeNumber, numberEnv } from './auth-values';
import { configError } from '../../../private/errors';
import { SupabaseAuthRateLimits } from '../auth/rate-limits';

/**
 * The header Auth takes the client's address from, for its per-client limits: Kong sets it to the address it found
 * in `X-Forwarded-For` behind the load balancer (whose subnets it trusts), which the client cannot forge. Auth reads
 * the first value of `X-Forwarded-For` itself, which the client can.
 */
export const CLIENT_ADDRESS_HEADER = 'X-Real-IP';

/** The limits for all users together. */
const GLOBAL_LIMITS: [keyof SupabaseAuthRateLimits, string][] = [
  ['emailsSent', 'GOTRUE_RATE_LIMIT_EMAIL_SENT'],
  ['smsSent', 'GOTRUE_RATE_LIMIT_SMS_SENT'],
];

/** The limits per client address, which Auth applies only with `GOTRUE_RATE_LIMIT_HEADER`. */
const PER_CLIENT_LIMITS: [keyof SupabaseAuthRateLimits, string][] = [
  ['tokenRefresh', 'GOTRUE_RATE_LIMIT_TOKEN_REFRESH'],
  ['verify', 'GOTRUE_RATE_LIMIT_VERIFY'],
  ['otp', 'GOTRUE_RATE_LIMIT_OTP'],
  ['anonymousUsers', 'GOTRUE_RATE_LIMIT_ANONYMOUS_USERS'],
  ['sso', 'GOTRUE_RATE_LIMIT_SSO'],
  ['mfaChallengeAndVerify', 'GOTRUE_MFA_RATE_LIMIT_CHALLENGE_AND_VERIFY'],
];

/**
 * The variables of Auth's rate limits, after checking them: each limit that is set, and the client address header
 * when a per-client limit is set. `prop` names the settings in error messages.
 */
export function rateLimitsEnv(scope: Construct, prop: string, limits: SupabaseAuthRateLimits | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, name] of GLOBAL_LIMITS) {
    const value = limits?.[key];
    if (value !== undefined) {
      checkWholeNumber(scope, `${prop}.${key}`, value, 0, undefined, 'Auth counts whole messages per hour and drops a fraction.');
      env[name] = numberEnv(value);
    }
  }
  for (const [key, name] of PER_CLIENT_LIMITS) {
    const value = limits?.[key];
    if (value !== undefined) {
      checkNonNegative(scope, `${prop}.${key}`, value);
      env[name] = numberEnv(value);
    }
  }
  if (perClientRateLimits(limits).length > 0) {
    env.GOTRUE_RATE_LIMIT_HEADER = CLIENT_ADDRESS_HEADER;
  }
  return env;
}

/** The per-client limits that are set. */
export function perClientRateLimits(limits: SupabaseAuthRateLimits | undefined): string[] {
  return PER_CLIENT_LIMITS.map(([key]) => key).filter((key) => limits?.[key] !== undefined);
}

/**
 * Throws when per-client limits are set for a deployment behind CloudFront: the gateway sees the distribution's
 * addresses there, so Auth would count every client of one edge server together.
 */
export function rejectPerClientRateLimitsBehindCdn(scope: Construct, prop: string, limits: SupabaseAuthRateLimits | undefined) {
  const set = perClientRateLimits(limits);
  if (set.length > 0) {
    throw configError(scope, `\`${prop}.${set[0]}\` is set together with \`cdn\`. Behind CloudFront the gateway sees the distribution's addresses, not the clients', so Auth would count all clients of one edge server together and refuse them together. Leave the per-client limits (${PER_CLIENT_LIMITS.map(([key]) => key).join(', ')}) out and use rate-based rules in the web ACL of \`cdn.webAclArn\`, which sees each client.`);
  }
}
