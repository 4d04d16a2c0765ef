import { Duration, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';

/**
 * A CAPTCHA service that Supabase Auth checks tokens with: the two the pinned Auth (v2.196.0) supports. Use the
 * static members, e.g. `SupabaseCaptchaProvider.TURNSTILE`.
 */
export class SupabaseCaptchaProvider {
  /** hCaptcha (Auth calls `https://hcaptcha.com/siteverify`). */
  public static readonly HCAPTCHA = new SupabaseCaptchaProvider('hcaptcha');
  /** Cloudflare Turnstile (Auth calls `https://challenges.cloudflare.com/turnstile/v0/siteverify`). */
  public static readonly TURNSTILE = new SupabaseCaptchaProvider('turnstile');

  /** Every provider. */
  public static all(): SupabaseCaptchaProvider[] {
    return [SupabaseCaptchaProvider.HCAPTCHA, SupabaseCaptchaProvider.TURNSTILE];
  }

  private constructor(
    /** The provider's name in Auth's settings (`GOTRUE_SECURITY_CAPTCHA_PROVIDER`), e.g. `turnstile`. */
    public readonly name: string,
  ) {}
}

/**
 * CAPTCHA protection of Auth's sign-up, sign-in, one-time code, password recovery and resend endpoints: clients
 * pass the widget's token as `options.captchaToken`, and Auth checks it with the provider. The secret key stays in
 * Secrets Manager: External Secrets Operator delivers it into the Auth pods' Secret; the operator's role is granted
 * read access to it.
 */
export interface SupabaseCaptchaSettings {
  /** The provider (`GOTRUE_SECURITY_CAPTCHA_PROVIDER`), e.g. `SupabaseCaptchaProvider.HCAPTCHA`. */
  readonly provider: SupabaseCaptchaProvider;

  /** The secret holding the provider's secret key (`GOTRUE_SECURITY_CAPTCHA_SECRET`). */
  readonly secret: secretsmanager.ISecret;

  /**
   * The JSON field of `secret` that holds the secret key.
   *
   * @default - the whole secret string
   */
  readonly secretField?: string;

  /**
   * How long Auth waits for the provider's answer (`GOTRUE_SECURITY_CAPTCHA_TIMEOUT`), less than the gateway's 60
   * seconds.
   *
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
}
