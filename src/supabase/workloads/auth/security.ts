import { Duration } from 'aws-cdk-lib';

/**
 * Auth's password policy and the handling of refresh tokens and password changes.
 */
export interface SupabaseAuthSecuritySettings {
  /**
   * The shortest password Auth accepts at sign-up and password change (`GOTRUE_PASSWORD_MIN_LENGTH`), from 6 to 72
   * characters (Auth never accepts less than 6, nor passwords longer than 72 bytes, bcrypt's limit).
   *
   * @default 6
   */
  readonly minPasswordLength?: number;

  /**
   * Character sets a password must contain at least one character of each (`GOTRUE_PASSWORD_REQUIRED_CHARACTERS`),
   * e.g. `['abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789']`. Existing passwords keep
   * working; Auth checks new ones.
   *
   * @default - none
   */
  readonly passwordRequiredCharacters?: string[];

  /**
   * Whether presenting a refresh token that was already exchanged, after `refreshTokenReuseInterval`, revokes every
   * refresh token of that session (`GOTRUE_SECURITY_REFRESH_TOKEN_ROTATION_ENABLED`): a stolen token then ends the
   * session. Auth issues a new refresh token at every refresh either way.
   *
   * @default true
   */
  readonly refreshTokenRotation?: boolean;

  /**
   * How long a refresh token that was just exchanged may be exchanged again, for clients that refresh concurrently
   * or lost the answer (`GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL`), whole seconds.
   *
   * @default Duration.seconds(0)
   */
  readonly refreshTokenReuseInterval?: Duration;

  /**
   * Whether a password change in a session older than 24 hours needs a reauthentication code
   * (`GOTRUE_SECURITY_UPDATE_PASSWORD_REQUIRE_REAUTHENTICATION`; "secure password change"): the client calls
   * `supabase.auth.reauthenticate()`, which emails (or texts) the code, and passes it as `nonce`.
   *
   * @default false
   */
  readonly passwordChangeRequiresReauthentication?: boolean;

  /**
   * Whether a password change needs the current password, except in a recovery session
   * (`GOTRUE_SECURITY_UPDATE_PASSWORD_REQUIRE_CURRENT_PASSWORD`).
   *
   * @default false
   */
  readonly passwordChangeRequiresCurrentPassword?: boolean;
}
