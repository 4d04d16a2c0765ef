import { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';

/**
 * SMTP settings for Supabase Auth's emails (sign-up confirmation, magic links, password recovery).
 */
export interface SupabaseSmtpSettings {
  /** SMTP server host, e.g. `email-smtp.eu-west-1.amazonaws.com` for Amazon SES. */
  readonly host: string;
  /** SMTP server port. @default 587 */
  readonly port?: number;
  /** SMTP user name (for SES, the SMTP credential's user name, not an IAM user name). */
  readonly user: string;
  /**
   * The secret that holds the SMTP password, e.g. an SES SMTP credential you stored yourself. Checked at synth when
   * imported by ARN: a Secrets Manager secret of this stack's region, where External Secrets reads it.
   */
  readonly password: secretsmanager.ISecret;
  /**
   * The JSON field of `password` that holds the password.
   *
   * @default - the whole secret string is the password
   */
  readonly passwordField?: string;
  /** The sender address of Auth's emails, also used as GoTrue's admin email. */
  readonly adminEmail: string;
  /** The sender's display name. @default 'Supabase' */
  readonly senderName?: string;
}

/**
 * An Amazon SES SMTP credential made in this region by {@link SupabaseSecrets} (`sesSmtp`): an IAM user that may
 * send only from `adminEmail` through SES here, its access key, and the SMTP password derived from the key, in a
 * secret of its own. SES must have a verified identity for the address or its domain in this region, and the
 * account must be out of the SES sandbox there to send to any address.
 */
export interface SupabaseSesSmtpSettings {
  /** The sender address of Auth's emails, also used as GoTrue's admin email; the only address the credential may send from. */
  readonly adminEmail: string;
  /** The sender's display name. @default 'Supabase' */
  readonly senderName?: string;
}
