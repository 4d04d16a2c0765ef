import { Duration, Size } from 'aws-cdk-lib';
import { SupabaseCaptchaSettings } from './auth/captcha';
import { SupabaseEmailSettings } from './auth/emails';
import { SupabaseExternalProvider } from './auth/external-providers';
import { SupabaseAuthHooks } from './auth/hooks';
import { SupabaseMfaSettings } from './auth/mfa';
import { SupabaseAuthRateLimits } from './auth/rate-limits';
import { SupabaseSamlSettings } from './auth/saml';
import { SupabaseAuthSecuritySettings } from './auth/security';
import { SupabaseSmsSettings } from './auth/sms';

/**
 * Settings of Supabase Auth (GoTrue). SMTP comes from `SupabaseSecrets` (`smtp`).
 */
export interface SupabaseAuthSettings {
  /**
   * The URL of your application (`GOTRUE_SITE_URL`): where Auth sends users after they confirm an email or sign
   * in, unless a redirect URL from `additionalRedirectUrls` is asked for. An absolute http(s) URL.
   */
  readonly siteUrl: string;

  /**
   * Further URLs Auth may redirect to (`GOTRUE_URI_ALLOW_LIST`); wildcards as Auth accepts them, e.g.
   * `https://*.example.com/**`.
   *
   * @default - only `siteUrl`
   */
  readonly additionalRedirectUrls?: string[];

  /**
   * Whether new users may not sign up (`GOTRUE_DISABLE_SIGNUP`); administrators still create users with the
   * service_role key.
   *
   * @default false
   */
  readonly disableSignup?: boolean;

  /**
   * How long an access token (a user session's JWT) is valid (`GOTRUE_JWT_EXP`, PostgREST's
   * `PGRST_APP_SETTINGS_JWT_EXP`).
   *
   * @default Duration.hours(1)
   */
  readonly jwtExpiry?: Duration;

  /**
   * Whether users sign up and sign in with email and password (`GOTRUE_EXTERNAL_EMAIL_ENABLED`).
   *
   * @default true
   */
  readonly emailSignup?: boolean;

  /**
   * Whether sign-ups by email are confirmed without an email (`GOTRUE_MAILER_AUTOCONFIRM`). Leave it off in
   * production: anyone could sign up with someone else's address.
   *
   * @default false
   */
  readonly mailerAutoconfirm?: boolean;

  /**
   * Whether anonymous sign-ins are allowed (`GOTRUE_EXTERNAL_ANONYMOUS_USERS_ENABLED`).
   *
   * @default false
   */
  readonly anonymousUsers?: boolean;

  /**
   * Whether users sign up with a phone number (`GOTRUE_EXTERNAL_PHONE_ENABLED`); needs `sms` (an SMS provider), or
   * `smsAutoconfirm` for sign-ups with a password and no code.
   *
   * @default false
   */
  readonly phoneSignup?: boolean;

  /**
   * Whether phone sign-ups are confirmed without an SMS (`GOTRUE_SMS_AUTOCONFIRM`).
   *
   * @default false
   */
  readonly smsAutoconfirm?: boolean;

  /**
   * Sign-in with external providers (Google, GitHub, Apple, Microsoft, ...). Register
   * `<publicUrl>/auth/v1/callback` (the stack output `AuthCallbackUrl`) as the redirect URI with each provider.
   *
   * @default - none
   */
  readonly externalProviders?: SupabaseExternalProvider[];

  /**
   * SAML 2.0 single sign-on (`GOTRUE_SAML_*`), signed with the key SupabaseSecrets generates with
   * `samlSigningKey: true` (required). Identity providers are registered afterwards through Auth's admin API.
   *
   * @default - no SAML single sign-on
   */
  readonly saml?: SupabaseSamlSettings;

  /**
   * Auth hooks: a Postgres function or an HTTPS endpoint that Auth calls to customize access tokens, send SMS or
   * emails, check MFA and password attempts, or vet new users (`GOTRUE_HOOK_<KIND>_ENABLED`, `GOTRUE_HOOK_<KIND>_URI`,
   * and `GOTRUE_HOOK_<KIND>_SECRETS` from Secrets Manager for an https hook).
   *
   * @default - none
   */
  readonly hooks?: SupabaseAuthHooks;

  /**
   * One-time codes by SMS (`GOTRUE_SMS_PROVIDER`, `GOTRUE_SMS_*`): the provider that sends them, with its
   * credentials in Secrets Manager, and the codes' length, expiry, message and frequency. Needed by `phoneSignup`
   * unless `hooks.sendSms` sends the codes or `smsAutoconfirm` is set.
   *
   * @default - no SMS provider
   */
  readonly sms?: SupabaseSmsSettings;

  /**
   * CAPTCHA protection of sign-up, sign-in, one-time codes and password recovery with hCaptcha or Cloudflare
   * Turnstile (`GOTRUE_SECURITY_CAPTCHA_ENABLED`, `_PROVIDER`, `_SECRET`, `_TIMEOUT`).
   *
   * @default - no CAPTCHA
   */
  readonly captcha?: SupabaseCaptchaSettings;

  /**
   * Multi-factor authentication (`GOTRUE_MFA_*`): TOTP, phone and WebAuthn factors, enrollment limits, challenge
   * expiry.
   *
   * @default - Auth's defaults: TOTP on, phone and WebAuthn off, 10 factors per user
   */
  readonly mfa?: SupabaseMfaSettings;

  /**
   * Auth's rate limits (`GOTRUE_RATE_LIMIT_*`). Setting a per-client limit turns on all of Auth's per-client limits
   * (`GOTRUE_RATE_LIMIT_HEADER`).
   *
   * @default - Auth's defaults: 30 emails and 30 SMS per hour; no per-client limit
   */
  readonly rateLimits?: SupabaseAuthRateLimits;

  /**
   * The subjects and bodies of Auth's emails (`GOTRUE_MAILER_SUBJECTS_*`, `GOTRUE_MAILER_TEMPLATES_*`), the account
   * change notifications, the email change confirmation, the email codes.
   *
   * @default - Auth's emails
   */
  readonly email?: SupabaseEmailSettings;

  /**
   * The password policy and the handling of refresh tokens and password changes (`GOTRUE_PASSWORD_*`,
   * `GOTRUE_SECURITY_*`).
   *
   * @default - Auth's defaults: passwords of 6 characters or more, refresh token reuse revokes the session
   */
  readonly security?: SupabaseAuthSecuritySettings;
}

/**
 * Settings of Supabase REST (PostgREST).
 */
export interface SupabaseRestSettings {
  /**
   * The schemas the REST API exposes (`PGRST_DB_SCHEMAS`), the first one by default.
   *
   * @default ['public', 'storage', 'graphql_public']
   */
  readonly schemas?: string[];

  /**
   * The most rows one request returns (`PGRST_DB_MAX_ROWS`).
   *
   * @default 1000
   */
  readonly maxRows?: number;

  /**
   * Schemas added to every request's search path (`PGRST_DB_EXTRA_SEARCH_PATH`), e.g. where extensions live.
   *
   * @default ['public', 'extensions']
   */
  readonly extraSearchPath?: string[];
}

/**
 * Settings of the Supabase Storage API.
 */
export interface SupabaseStorageApiSettings {
  /**
   * The largest file a client may upload (`FILE_SIZE_LIMIT`).
   *
   * @default Size.mebibytes(50)
   */
  readonly fileSizeLimit?: Size;

  /**
   * Whether images are resized and converted on request through imgproxy (`ENABLE_IMAGE_TRANSFORMATION`). Off,
   * imgproxy is not deployed.
   *
   * @default true
   */
  readonly imageTransformation?: boolean;
}

/**
 * Settings of Studio, the dashboard.
 */
export interface SupabaseStudioSettings {
  /**
   * The organization name Studio shows (`DEFAULT_ORGANIZATION_NAME`).
   *
   * @default 'Default Organization'
   */
  readonly organizationName?: string;

  /**
   * The project name Studio shows (`DEFAULT_PROJECT_NAME`).
   *
   * @default 'Default Project'
   */
  readonly projectName?: string;
}

/**
 * How many pods of one service run. Services with a HorizontalPodAutoscaler (Kong, Auth, REST, Realtime, Storage,
 * imgproxy, Edge Functions) scale between `minReplicas` and `maxReplicas` on CPU; postgres-meta and Studio run
 * `minReplicas` pods. Studio runs one: its saved SQL snippets are on a volume that one pod mounts at a time.
 */
export interface SupabaseServiceScaling {
  /**
   * The fewest pods. Two or more keep the service up while a node is replaced or a zone fails.
   *
   * @default 2
   */
  readonly minReplicas?: number;

  /**
   * The most pods the autoscaler may run.
   *
   * @default 10
   */
  readonly maxReplicas?: number;

  /**
   * The average CPU utilization, in percent of the pods' CPU requests, that the autoscaler keeps (1-100).
   *
   * @default 70
   */
  readonly targetCpuUtilization?: number;
}

/**
 * Scaling of each Supabase service.
 */
export interface SupabaseScalingSettings {
  /** @default - 2 to 10 pods at 70 % CPU */
  readonly kong?: SupabaseServiceScaling;
  /** @default - 2 to 10 pods at 70 % CPU */
  readonly auth?: SupabaseServiceScaling;
  /** @default - 2 to 10 pods at 70 % CPU */
  readonly rest?: SupabaseServiceScaling;
  /** @default - 2 to 10 pods at 70 % CPU */
  readonly realtime?: SupabaseServiceScaling;
  /** @default - 2 to 10 pods at 70 % CPU */
  readonly storage?: SupabaseServiceScaling;
  /** @default - 2 to 10 pods at 70 % CPU */
  readonly imgproxy?: SupabaseServiceScaling;
  /** @default - 2 pods */
  readonly meta?: SupabaseServiceScaling;
  /**
   * Studio runs one pod, with its saved SQL snippets on an EBS volume that outlives it (`minReplicas` may only be 1).
   *
   * @default - 1 pod
   */
  readonly studio?: SupabaseServiceScaling;
  /** @default - 2 to 10 pods at 70 % CPU */
  readonly functions?: SupabaseServiceScaling;
}
