import { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';

/** Every provider, filled by the static members below as the class is defined. */
const ALL: SupabaseAuthProvider[] = [];

/**
 * A sign-in provider of Supabase Auth (OAuth 2.0 or OpenID Connect): every provider the pinned Auth (v2.196.0)
 * reads from `GOTRUE_EXTERNAL_<NAME>_*`. Use the static members, e.g. `SupabaseAuthProvider.GOOGLE`.
 */
export class SupabaseAuthProvider {
  /** Sign in with Apple (client id: the Services ID). */
  public static readonly APPLE = new SupabaseAuthProvider('apple');
  /** Microsoft Entra ID (Azure AD); `url` names a tenant, e.g. `https://login.microsoftonline.com/<tenant-id>`. */
  public static readonly AZURE = new SupabaseAuthProvider('azure');
  /** Bitbucket Cloud. */
  public static readonly BITBUCKET = new SupabaseAuthProvider('bitbucket');
  /** Discord. */
  public static readonly DISCORD = new SupabaseAuthProvider('discord');
  /** Facebook (Meta). */
  public static readonly FACEBOOK = new SupabaseAuthProvider('facebook');
  /** Figma. */
  public static readonly FIGMA = new SupabaseAuthProvider('figma');
  /** Fly.io. */
  public static readonly FLY = new SupabaseAuthProvider('fly');
  /** GitHub (an OAuth app; `url` for GitHub Enterprise Server). */
  public static readonly GITHUB = new SupabaseAuthProvider('github');
  /** GitLab (`url` for a self-managed GitLab). */
  public static readonly GITLAB = new SupabaseAuthProvider('gitlab');
  /** Google. */
  public static readonly GOOGLE = new SupabaseAuthProvider('google');
  /** Kakao. */
  public static readonly KAKAO = new SupabaseAuthProvider('kakao');
  /** Keycloak; `url` is required: the realm's URL, e.g. `https://keycloak.example.com/realms/myrealm`. */
  public static readonly KEYCLOAK = new SupabaseAuthProvider('keycloak', true);
  /** LinkedIn's deprecated OAuth sign-in; prefer `LINKEDIN_OIDC`. */
  public static readonly LINKEDIN = new SupabaseAuthProvider('linkedin');
  /** LinkedIn (OpenID Connect). */
  public static readonly LINKEDIN_OIDC = new SupabaseAuthProvider('linkedin_oidc');
  /** Notion. */
  public static readonly NOTION = new SupabaseAuthProvider('notion');
  /** Slack's deprecated OAuth sign-in; prefer `SLACK_OIDC`. */
  public static readonly SLACK = new SupabaseAuthProvider('slack');
  /** Slack (OpenID Connect). */
  public static readonly SLACK_OIDC = new SupabaseAuthProvider('slack_oidc');
  /** Snapchat. */
  public static readonly SNAPCHAT = new SupabaseAuthProvider('snapchat');
  /** Spotify. */
  public static readonly SPOTIFY = new SupabaseAuthProvider('spotify');
  /** Twitch. */
  public static readonly TWITCH = new SupabaseAuthProvider('twitch');
  /** Twitter (OAuth 1.0a); for OAuth 2.0 use `X`. */
  public static readonly TWITTER = new SupabaseAuthProvider('twitter');
  /** Vercel Marketplace. */
  public static readonly VERCEL_MARKETPLACE = new SupabaseAuthProvider('vercel_marketplace');
  /** WorkOS (SSO through WorkOS; `url` for a custom WorkOS API host). */
  public static readonly WORKOS = new SupabaseAuthProvider('workos');
  /** X (OAuth 2.0). */
  public static readonly X = new SupabaseAuthProvider('x');
  /** Zoom. */
  public static readonly ZOOM = new SupabaseAuthProvider('zoom');

  /** Every provider, in Auth's order. */
  public static all(): SupabaseAuthProvider[] {
    return [...ALL];
  }

  private constructor(
    /** The provider's name in Auth's settings and in `signInWithOAuth({ provider })`, e.g. `google`. */
    public readonly name: string,
    /** Whether Auth needs the provider's `url` (Keycloak: there is no default realm). */
    public readonly requiresUrl: boolean = false,
  ) {
    ALL.push(this);
  }
}

/**
 * One external sign-in provider of Auth. The client secret stays in Secrets Manager: External Secrets Operator
 * delivers it into the Auth pods' Secret; the operator's role is granted read access to it (for a secret encrypted
 * with your own KMS key, import it with `Secret.fromSecretAttributes` and its `encryptionKey`, so that the grant
 * includes `kms:Decrypt`).
 */
export interface SupabaseExternalProvider {
  /** The provider, e.g. `SupabaseAuthProvider.GOOGLE`. */
  readonly provider: SupabaseAuthProvider;

  /** The client id (Apple: the Services ID) the provider issued (`GOTRUE_EXTERNAL_<NAME>_CLIENT_ID`). */
  readonly clientId: string;

  /** The secret holding the client secret (`GOTRUE_EXTERNAL_<NAME>_SECRET`). */
  readonly clientSecret: secretsmanager.ISecret;

  /**
   * The JSON field of `clientSecret` that holds the client secret.
   *
   * @default - the whole secret string
   */
  readonly clientSecretField?: string;

  /**
   * The provider's base URL (`GOTRUE_EXTERNAL_<NAME>_URL`): required for Keycloak (the realm), and for a
   * self-managed GitLab, GitHub Enterprise, an Azure tenant or a WorkOS host. An https URL.
   *
   * @default - the provider's public service (none for Keycloak)
   */
  readonly url?: string;

  /**
   * Whether Auth accepts ID tokens without a nonce check (`GOTRUE_EXTERNAL_<NAME>_SKIP_NONCE_CHECK`): needed for
   * native sign-in flows (Sign in with Apple on iOS, Google One Tap) whose SDKs cannot pass a nonce.
   *
   * @default false
   */
  readonly skipNonceCheck?: boolean;

  /**
   * Whether users may sign in when the provider returns no email address (`GOTRUE_EXTERNAL_<NAME>_EMAIL_OPTIONAL`).
   *
   * @default false
   */
  readonly emailOptional?: boolean;
}
