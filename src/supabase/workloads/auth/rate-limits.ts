/**
 * Auth's rate limits (`GOTRUE_RATE_LIMIT_*`). Each is a number of requests (or messages) of at least 0 in the window
 * its JSDoc names; the email and SMS limits are whole numbers. Every Auth pod counts on its own, in memory: with N pods, up to N times the limit passes.
 *
 * `emailsSent` and `smsSent` count for all users together. The other limits count per client address: Auth applies
 * them only when it knows the client's address, so setting any of them also sets `GOTRUE_RATE_LIMIT_HEADER` to
 * `X-Real-IP` (the client address the gateway found behind the load balancer), which turns on every per-client limit,
 * the ones you leave out with Auth's defaults. Behind `cdn`, the gateway sees CloudFront's addresses instead of the
 * clients': the per-client limits are then rejected; use rate-based rules of the distribution's web ACL.
 */
export interface SupabaseAuthRateLimits {
  /**
   * Emails Auth sends per hour, for all users together (`GOTRUE_RATE_LIMIT_EMAIL_SENT`): sign-up confirmations,
   * magic links, recoveries, email changes, invitations. 0 stops every email; with `mailerAutoconfirm` the other
   * values do not count.
   *
   * @default 30
   */
  readonly emailsSent?: number;

  /**
   * SMS Auth sends per hour, for all users together (`GOTRUE_RATE_LIMIT_SMS_SENT`). Not counted with
   * `smsAutoconfirm`.
   *
   * @default 30
   */
  readonly smsSent?: number;

  /**
   * Token requests per 5 minutes per client address (`GOTRUE_RATE_LIMIT_TOKEN_REFRESH`), bursts of 30: sign-in with a
   * password, refresh tokens, ID tokens and PKCE code exchanges (`/token`).
   *
   * @default 150
   */
  readonly tokenRefresh?: number;

  /**
   * Verifications per 5 minutes per client address (`GOTRUE_RATE_LIMIT_VERIFY`), bursts of 30: the links and codes
   * of emails and SMS (`/verify`).
   *
   * @default 30
   */
  readonly verify?: number;

  /**
   * One-time-password requests per 5 minutes per client address (`GOTRUE_RATE_LIMIT_OTP`), bursts of 30: `/otp`,
   * `/magiclink`, `/recover`, `/resend`, sign-ups with email or phone, and user updates (`PUT /user`).
   *
   * @default 30
   */
  readonly otp?: number;

  /**
   * Anonymous sign-ins per hour per client address (`GOTRUE_RATE_LIMIT_ANONYMOUS_USERS`).
   *
   * @default 30
   */
  readonly anonymousUsers?: number;

  /**
   * Single sign-on (SAML) requests per 5 minutes per client address (`GOTRUE_RATE_LIMIT_SSO`), bursts of 30.
   *
   * @default 30
   */
  readonly sso?: number;

  /**
   * MFA challenges, and MFA verifications, per minute per client address
   * (`GOTRUE_MFA_RATE_LIMIT_CHALLENGE_AND_VERIFY`), bursts of 30.
   *
   * @default 15
   */
  readonly mfaChallengeAndVerify?: number;
}
