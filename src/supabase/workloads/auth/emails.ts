import { Duration } from 'aws-cdk-lib';

/**
 * The subject and the body of one email Auth sends. Both are Go templates with Auth's variables (e.g.
 * `{{ .ConfirmationURL }}`, `{{ .Token }}`, `{{ .Email }}`). What you leave out stays Auth's default.
 */
export interface SupabaseEmailTemplate {
  /**
   * The subject (`GOTRUE_MAILER_SUBJECTS_<TYPE>`), one line.
   *
   * @default - Auth's subject for the email
   */
  readonly subject?: string;

  /**
   * The address of the HTML body (`GOTRUE_MAILER_TEMPLATES_<TYPE>`): an absolute https URL on port 443 that Auth
   * fetches with GET when it first sends the email and again once its copy is 10 minutes old. If the fetch fails,
   * Auth keeps its last copy, or sends its default subject and body.
   *
   * @default - Auth's body for the email
   */
  readonly templateUrl?: string;
}

/**
 * An email Auth sends to tell users about a change to their account. Giving it turns it on.
 */
export interface SupabaseEmailNotification extends SupabaseEmailTemplate {
  /**
   * Whether Auth sends the notification (`GOTRUE_MAILER_NOTIFICATIONS_<KIND>_ENABLED`).
   *
   * @default true
   */
  readonly enabled?: boolean;
}

/**
 * The emails Auth sends (through the SMTP server of `SupabaseSecrets`), and its email codes and links.
 */
export interface SupabaseEmailSettings {
  /** An invitation from an administrator (`INVITE`). @default - Auth's subject and body */
  readonly invite?: SupabaseEmailTemplate;
  /** The sign-up confirmation (`CONFIRMATION`). @default - Auth's subject and body */
  readonly confirmation?: SupabaseEmailTemplate;
  /** The password recovery (`RECOVERY`). @default - Auth's subject and body */
  readonly recovery?: SupabaseEmailTemplate;
  /** The magic link, or code, to sign in (`MAGIC_LINK`). @default - Auth's subject and body */
  readonly magicLink?: SupabaseEmailTemplate;
  /** The confirmation of a new email address (`EMAIL_CHANGE`). @default - Auth's subject and body */
  readonly emailChange?: SupabaseEmailTemplate;
  /** The code to confirm a sensitive action, e.g. a password change (`REAUTHENTICATION`). @default - Auth's subject and body */
  readonly reauthentication?: SupabaseEmailTemplate;

  /** The notice that the password changed (`PASSWORD_CHANGED_NOTIFICATION`). @default - not sent */
  readonly passwordChangedNotification?: SupabaseEmailNotification;
  /** The notice, to the old address, that the email address changed (`EMAIL_CHANGED_NOTIFICATION`). @default - not sent */
  readonly emailChangedNotification?: SupabaseEmailNotification;
  /** The notice that the phone number changed (`PHONE_CHANGED_NOTIFICATION`). @default - not sent */
  readonly phoneChangedNotification?: SupabaseEmailNotification;
  /** The notice that a sign-in method was linked (`IDENTITY_LINKED_NOTIFICATION`). @default - not sent */
  readonly identityLinkedNotification?: SupabaseEmailNotification;
  /** The notice that a sign-in method was removed (`IDENTITY_UNLINKED_NOTIFICATION`). @default - not sent */
  readonly identityUnlinkedNotification?: SupabaseEmailNotification;
  /** The notice that an MFA factor was added (`MFA_FACTOR_ENROLLED_NOTIFICATION`). @default - not sent */
  readonly mfaFactorEnrolledNotification?: SupabaseEmailNotification;
  /** The notice that an MFA factor was removed (`MFA_FACTOR_UNENROLLED_NOTIFICATION`). @default - not sent */
  readonly mfaFactorUnenrolledNotification?: SupabaseEmailNotification;

  /**
   * Whether an email change must be confirmed from both the old and the new address
   * (`GOTRUE_MAILER_SECURE_EMAIL_CHANGE_ENABLED`; "double confirm email changes", `double_confirm_changes` in the
   * Supabase CLI). Off, the new address alone confirms it.
   *
   * @default true
   */
  readonly secureEmailChange?: boolean;

  /**
   * How long the links and codes of Auth's emails are valid (`GOTRUE_MAILER_OTP_EXP`), whole seconds.
   *
   * @default Duration.days(1)
   */
  readonly otpExpiry?: Duration;

  /**
   * The length of the codes in Auth's emails (`GOTRUE_MAILER_OTP_LENGTH`), from 6 to 10 digits.
   *
   * @default 6
   */
  readonly otpLength?: number;
}
