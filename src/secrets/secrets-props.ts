import { Duration, RemovalPolicy, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { SupabaseSigningKeys } from './signing-keys-settings';
import { SupabaseSesSmtpSettings, SupabaseSmtpSettings } from './smtp';
import type { SupabaseSecrets } from './supabase-secrets';

/**
 * Properties of a {@link SupabaseSecrets}.
 */
export interface SupabaseSecretsProps {
  /**
   * Prefix of every secret's name; the secrets are named `<prefix>/jwt`, `<prefix>/api-keys`, ...
   *
   * @default - `supabase/` followed by the construct's path, e.g. `supabase/MyStack/Secrets`
   */
  readonly secretNamePrefix?: string;

  /**
   * The KMS key that encrypts every secret of this construct.
   * Checked at synth when imported by ARN (kms.Key.fromKeyArn): a key ARN (`key/<id>`, not an alias ARN, which IAM
   * policies and grants cannot name) of this stack's region.
   *
   * @default - a new key with rotation enabled and the alias `alias/<secretNamePrefix>`; multi-Region unless
   * `primaryRegion` is set
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the secrets, the key and the log groups of the functions this construct creates when they
   * leave the stack. Losing the JWT secret invalidates every API key and user session.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Length of the generated JWT secret (letters and digits only, so no character needs escaping). At least 32.
   *
   * @default 64
   */
  readonly jwtSecretLength?: number;

  /**
   * How long the anon and service_role keys are valid (their `exp` claim). Changing it re-signs both keys.
   *
   * @default Duration.days(1825) (5 years)
   */
  readonly apiKeyLifetime?: Duration;

  /**
   * Regions every secret is replicated to (the disaster-recovery site), each optionally with a KMS key of that
   * region that encrypts the replicas.
   * Checked at synth: AWS regions (aws-cdk-lib's RegionInfo list), not this stack's, each once; a replica's key,
   * imported by ARN, of that replica's region.
   *
   * @default - no replicas
   */
  readonly replicaRegions?: secretsmanager.ReplicaRegion[];

  /**
   * The region of the primary secrets, when this construct stands in a disaster-recovery region for their
   * replicas: nothing is generated here, the secrets are the replicas of the primary's with the same
   * `secretNamePrefix` (required), encrypted with this construct's key. See docs/disaster-recovery.md.
   * Checked at synth: an AWS region (aws-cdk-lib's RegionInfo list) other than this stack's.
   *
   * @default - this is the primary: the secrets are created and generated here
   */
  readonly primaryRegion?: string;

  /**
   * SMTP settings for Auth's emails. Without them Auth cannot send email: sign-ups by email cannot be
   * confirmed (email autoconfirm stays off, so no unconfirmed user can sign in), and users are created by an
   * administrator with the service_role key instead.
   *
   * @default - no SMTP
   */
  readonly smtp?: SupabaseSmtpSettings;

  /**
   * Auth's email through Amazon SES of this stack's region, with an SMTP credential made here (instead of
   * `smtp`): an IAM user that may send only from `adminEmail`, its SMTP password in the secret
   * `<secretNamePrefix>/ses-smtp/<region>`. See docs/network-and-secrets.md.
   *
   * @default - no SES credential (see `smtp`)
   */
  readonly sesSmtp?: SupabaseSesSmtpSettings;

  /**
   * Generate the private key Supabase Auth signs its SAML 2.0 single sign-on requests and metadata with.
   *
   * It goes into the secret `<secretNamePrefix>/saml-signing-key` (JSON field `privateKey`: standard base64 of the
   * PKCS#1 DER of an RSA-2048 key, what Auth reads from `GOTRUE_SAML_PRIVATE_KEY`). A custom resource generates it in
   * AWS once and never replaces a key already there (identity providers trust the certificate Auth derives from it);
   * the key never appears in a template, a custom resource response or a log. It is replicated with the other
   * secrets; with `primaryRegion` it is the primary's replica. Set `auth.saml` on SupabaseOnAws too, so that Auth
   * uses it.
   *
   * @default false
   */
  readonly samlSigningKey?: boolean;

  /**
   * Supabase's asymmetric JWT signing keys (ES256) and opaque API keys (`sb_publishable_...` for browsers,
   * `sb_secret_...` for servers): the recommended setting.
   *
   * A custom resource generates them in AWS into the secret `<secretNamePrefix>/signing-keys` (encrypted with this
   * construct's key, replicated with the other secrets) and rotates them as the labels of `SupabaseSigningKeys`
   * change; no key appears in a template, a manifest, a custom resource response or a log. Auth then signs with the
   * key in use, PostgREST, Storage and Realtime verify with the published keys, and the gateway accepts the opaque
   * keys next to the anon and service_role keys, which keep working (the legacy JWT secret stays in the key sets).
   * With `primaryRegion`, give the same value as the primary's, so that the gateway here knows the key names.
   * See docs/network-and-secrets.md#signing-keys-and-opaque-api-keys.
   *
   * @default - no signing keys: every service uses the HS256 JWT secret, and clients the anon and service_role keys
   */
  readonly signingKeys?: SupabaseSigningKeys;

  /**
   * User name of the Studio dashboard's basic authentication (the password is generated).
   *
   * @default 'supabase'
   */
  readonly dashboardUsername?: string;
}
