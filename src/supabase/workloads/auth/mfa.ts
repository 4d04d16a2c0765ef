import { Duration } from 'aws-cdk-lib';

/**
 * The switches of one multi-factor authentication (MFA) factor type in Auth: whether users may enroll new factors of
 * the type, and whether factors of the type are accepted at sign-in. Giving the type's settings turns both on unless
 * you say otherwise; `enroll: false, verify: true` phases a type out (enrolled users keep signing in with it).
 */
export interface SupabaseMfaFactorSettings {
  /**
   * Whether users may enroll new factors of this type (`GOTRUE_MFA_<TYPE>_ENROLL_ENABLED`).
   *
   * @default true
   */
  readonly enroll?: boolean;

  /**
   * Whether factors of this type may be challenged and verified (`GOTRUE_MFA_<TYPE>_VERIFY_ENABLED`).
   *
   * @default true
   */
  readonly verify?: boolean;
}

/**
 * Phone (SMS) MFA factors. Auth sends the codes through its SMS provider or its send-SMS hook: configure one of
 * them too, or the challenges fail at run time.
 */
export interface SupabaseMfaPhoneSettings extends SupabaseMfaFactorSettings {
  /**
   * The length of the codes sent (`GOTRUE_MFA_PHONE_OTP_LENGTH`), from 6 to 10 digits.
   *
   * @default 6
   */
  readonly otpLength?: number;

  /**
   * The text of the SMS (`GOTRUE_MFA_PHONE_TEMPLATE`), a Go template that must contain `{{ .Code }}`.
   *
   * @default 'Your code is {{ .Code }}'
   */
  readonly template?: string;

  /**
   * The shortest time between two codes sent to the same factor (`GOTRUE_MFA_PHONE_MAX_FREQUENCY`).
   *
   * @default Duration.minutes(1)
   */
  readonly maxFrequency?: Duration;
}

/**
 * WebAuthn MFA factors (security keys, platform authenticators). The relying party is your application, the site
 * where the browser runs `supabase.auth.mfa` (`GOTRUE_WEBAUTHN_RP_*`, shared with Auth's passkeys).
 */
export interface SupabaseMfaWebAuthnSettings extends SupabaseMfaFactorSettings {
  /**
   * The relying party id (`GOTRUE_WEBAUTHN_RP_ID`): a domain name without scheme or port, which the host of every
   * origin in `relyingPartyOrigins` is, or ends with (e.g. `example.com` for `https://app.example.com`). A factor
   * registered under one id works only under that id: choose it once.
   *
   * @default - the host of `siteUrl`
   */
  readonly relyingPartyId?: string;

  /**
   * The name authenticators show for your application (`GOTRUE_WEBAUTHN_RP_DISPLAY_NAME`).
   *
   * @default - the relying party id
   */
  readonly relyingPartyName?: string;

  /**
   * The origins (scheme, host and port, no path) your application runs WebAuthn from (`GOTRUE_WEBAUTHN_RP_ORIGINS`):
   * https, or http only for localhost.
   *
   * @default - the origin of `siteUrl`
   */
  readonly relyingPartyOrigins?: string[];
}

/**
 * Multi-factor authentication of Auth (`GOTRUE_MFA_*`): which factor types users may enroll and verify, and the
 * limits of enrollment and challenges. The rate of challenges and verifications is in `rateLimits`.
 */
export interface SupabaseMfaSettings {
  /**
   * Time-based one-time passwords (authenticator apps), on in Auth by default.
   *
   * @default - enroll and verify on
   */
  readonly totp?: SupabaseMfaFactorSettings;

  /**
   * Codes by SMS to a phone number; needs an SMS provider or the send-SMS hook.
   *
   * @default - off
   */
  readonly phone?: SupabaseMfaPhoneSettings;

  /**
   * WebAuthn (security keys, platform authenticators).
   *
   * @default - off
   */
  readonly webAuthn?: SupabaseMfaWebAuthnSettings;

  /**
   * The most factors one user may have, verified or not (`GOTRUE_MFA_MAX_ENROLLED_FACTORS`); at least 1.
   *
   * @default 10
   */
  readonly maxEnrolledFactors?: number;

  /**
   * The most verified factors one user may have (`GOTRUE_MFA_MAX_VERIFIED_FACTORS`); at least 1.
   *
   * @default 10
   */
  readonly maxVerifiedFactors?: number;

  /**
   * How long a challenge may be verified after it is issued (`GOTRUE_MFA_CHALLENGE_EXPIRY_DURATION`), whole seconds,
   * at least 5 minutes (Auth raises anything shorter to 5 minutes).
   *
   * @default Duration.minutes(5)
   */
  readonly challengeExpiry?: Duration;

  /**
   * How long an enrolled factor may stay unverified before Auth deletes it (`GOTRUE_MFA_FACTOR_EXPIRY_DURATION`),
   * at least 5 minutes.
   *
   * @default Duration.minutes(5)
   */
  readonly unverifiedFactorExpiry?: Duration;
}
