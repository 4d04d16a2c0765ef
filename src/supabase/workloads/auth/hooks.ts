import { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';

/**
 * Where Auth calls one of its hooks: a Postgres function in the Supabase database, or an HTTPS endpoint that
 * verifies Auth's signature (Standard Webhooks). Use the static factories, e.g.
 * `SupabaseAuthHook.postgresFunction('public', 'custom_access_token_hook')`. The library checks the hook at synth
 * time, against what the pinned Auth (v2.196.0) accepts and what its network policy lets through.
 */
export class SupabaseAuthHook {
  /**
   * A Postgres function, `pg-functions://postgres/<schema>/<functionName>`: Auth calls `"<schema>"."<functionName>"(event
   * jsonb)` in its own database connection, as `supabase_auth_admin`, within a 2-second statement timeout. The
   * names are quoted, so they are case-sensitive: give them as the catalog has them (lowercase unless created
   * quoted). The database needs grants: see docs/auth.md, "Auth hooks".
   *
   * @param schema the function's schema, e.g. `public`
   * @param functionName the function's name, e.g. `custom_access_token_hook`
   */
  public static postgresFunction(schema: string, functionName: string): SupabaseAuthHook {
    return new SupabaseAuthHook(`pg-functions://postgres/${schema}/${functionName}`);
  }

  /**
   * An HTTPS endpoint on port 443 (the port Auth's network policy opens), e.g. an AWS Lambda function URL. Auth
   * POSTs the event as JSON, signed with the secret (headers `webhook-id`, `webhook-timestamp`,
   * `webhook-signature`), waits 5 seconds, and tries up to 3 times.
   *
   * @param url the endpoint: https, without credentials, query or fragment
   * @param secret the secret holding the signing secret(s): `v1,whsec_<base64>`, several separated by `|` while
   * you rotate (`GOTRUE_HOOK_<KIND>_SECRETS`). It stays in Secrets Manager.
   * @param secretField the JSON field of `secret` that holds the signing secret(s); none: the whole secret string
   */
  public static https(url: string, secret: secretsmanager.ISecret, secretField?: string): SupabaseAuthHook {
    return new SupabaseAuthHook(url, secret, secretField);
  }

  /**
   * A hook by the URI Auth reads (`GOTRUE_HOOK_<KIND>_URI`), e.g. copied from a Supabase CLI `config.toml`:
   * `pg-functions://postgres/<schema>/<function>` (no secret) or an `https://` URL (with its signing secret).
   *
   * @param uri the hook's URI
   * @param secret for an https URI, the secret holding the signing secret(s), as in `https()`; none for a Postgres
   * function
   * @param secretField the JSON field of `secret` that holds the signing secret(s); none: the whole secret string
   */
  public static fromUri(uri: string, secret?: secretsmanager.ISecret, secretField?: string): SupabaseAuthHook {
    return new SupabaseAuthHook(uri, secret, secretField);
  }

  private constructor(
    /** The URI Auth calls (`GOTRUE_HOOK_<KIND>_URI`). */
    public readonly uri: string,
    /** The secret holding the signing secret(s) of an https hook (`GOTRUE_HOOK_<KIND>_SECRETS`). */
    public readonly secret?: secretsmanager.ISecret,
    /** The JSON field of `secret`; none: the whole secret string. */
    public readonly secretField?: string,
  ) {}
}

/**
 * Auth hooks: Auth calls each one at its point of the flow, and each replaces or extends what Auth does there.
 * Every hook Auth v2.196.0 has; each sets `GOTRUE_HOOK_<KIND>_ENABLED=true`, `GOTRUE_HOOK_<KIND>_URI` and, for an
 * https hook, `GOTRUE_HOOK_<KIND>_SECRETS` from Secrets Manager.
 */
export interface SupabaseAuthHooks {
  /**
   * Called before Auth issues an access token: returns the token's claims, e.g. with a role from your tables
   * (`GOTRUE_HOOK_CUSTOM_ACCESS_TOKEN_*`).
   *
   * @default - none: the claims Auth makes
   */
  readonly customAccessToken?: SupabaseAuthHook;

  /**
   * Sends the one-time codes by SMS (and WhatsApp) instead of Auth's SMS provider (`GOTRUE_HOOK_SEND_SMS_*`).
   *
   * @default - none: Auth's SMS provider
   */
  readonly sendSms?: SupabaseAuthHook;

  /**
   * Sends Auth's emails (confirmation, magic link, recovery, invite, email change, ...) instead of its SMTP server
   * (`GOTRUE_HOOK_SEND_EMAIL_*`).
   *
   * @default - none: SMTP (`SupabaseSecrets.smtp`)
   */
  readonly sendEmail?: SupabaseAuthHook;

  /**
   * Called on each MFA verification, with whether the code was valid: may reject further attempts
   * (`GOTRUE_HOOK_MFA_VERIFICATION_ATTEMPT_*`).
   *
   * @default - none
   */
  readonly mfaVerificationAttempt?: SupabaseAuthHook;

  /**
   * Called on each password sign-in, with whether the password was valid: may reject further attempts
   * (`GOTRUE_HOOK_PASSWORD_VERIFICATION_ATTEMPT_*`).
   *
   * @default - none
   */
  readonly passwordVerificationAttempt?: SupabaseAuthHook;

  /**
   * Called before Auth creates a user (sign-up, external provider, SAML, anonymous, invite, Web3): may reject it
   * (`GOTRUE_HOOK_BEFORE_USER_CREATED_*`).
   *
   * @default - none
   */
  readonly beforeUserCreated?: SupabaseAuthHook;

  /**
   * Called after Auth has created a user (and committed it): for side effects; an error fails the request but
   * keeps the user (`GOTRUE_HOOK_AFTER_USER_CREATED_*`).
   *
   * @default - none
   */
  readonly afterUserCreated?: SupabaseAuthHook;
}
