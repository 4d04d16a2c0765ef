import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkGoTemplateLine, checkWholeNumber, numberEnv, wholeSeconds } from './auth-values';
import { parseUrl } from './validation';
import { configError } from '../../../private/errors';
import { SupabaseEmailNotification, SupabaseEmailSettings, SupabaseEmailTemplate } from '../auth/emails';

/** Each email Auth sends on request, and its name in `GOTRUE_MAILER_SUBJECTS_*` and `GOTRUE_MAILER_TEMPLATES_*`. */
const EMAILS: ['invite' | 'confirmation' | 'recovery' | 'magicLink' | 'emailChange' | 'reauthentication', string][] = [
  ['invite', 'INVITE'],
  ['confirmation', 'CONFIRMATION'],
  ['recovery', 'RECOVERY'],
  ['magicLink', 'MAGIC_LINK'],
  ['emailChange', 'EMAIL_CHANGE'],
  ['reauthentication', 'REAUTHENTICATION'],
];

type NotificationKey = 'passwordChangedNotification' | 'emailChangedNotification' | 'phoneChangedNotification'
| 'identityLinkedNotification' | 'identityUnlinkedNotification' | 'mfaFactorEnrolledNotification' | 'mfaFactorUnenrolledNotification';

/** Each notification, and its kind in `GOTRUE_MAILER_NOTIFICATIONS_<KIND>_ENABLED` (its mail is `<KIND>_NOTIFICATION`). */
const NOTIFICATIONS: [NotificationKey, string][] = [
  ['passwordChangedNotification', 'PASSWORD_CHANGED'],
  ['emailChangedNotification', 'EMAIL_CHANGED'],
  ['phoneChangedNotification', 'PHONE_CHANGED'],
  ['identityLinkedNotification', 'IDENTITY_LINKED'],
  ['identityUnlinkedNotification', 'IDENTITY_UNLINKED'],
  ['mfaFactorEnrolledNotification', 'MFA_FACTOR_ENROLLED'],
  ['mfaFactorUnenrolledNotification', 'MFA_FACTOR_UNENROLLED'],
];

/**
 * The variables of Auth's emails (`GOTRUE_MAILER_*`), after checking them. `prop` names the settings in error
 * messages.
 */
export function emailEnv(scope: Construct, prop: string, email: SupabaseEmailSettings | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  if (!email) {
    return env;
  }
  const content = (at: string, mail: string, t: SupabaseEmailTemplate) => {
    if (t.subject !== undefined) {
      checkGoTemplateLine(scope, `${at}.subject`, t.subject, 'Confirm your sign-up to Example', 'sends its default subject and body');
      env[`GOTRUE_MAILER_SUBJECTS_${mail}`] = t.subject;
    }
    if (t.templateUrl !== undefined) {
      checkTemplateUrl(scope, `${at}.templateUrl`, t.templateUrl);
      env[`GOTRUE_MAILER_TEMPLATES_${mail}`] = t.templateUrl;
    }
  };
  for (const [key, mail] of EMAILS) {
    const t = email[key];
    if (t) {
      content(`${prop}.${key}`, mail, t);
    }
  }
  for (const [key, kind] of NOTIFICATIONS) {
    const n: SupabaseEmailNotification | undefined = email[key];
    if (n) {
      env[`GOTRUE_MAILER_NOTIFICATIONS_${kind}_ENABLED`] = String(n.enabled ?? true);
      content(`${prop}.${key}`, `${kind}_NOTIFICATION`, n);
    }
  }
  if (email.secureEmailChange !== undefined) {
    env.GOTRUE_MAILER_SECURE_EMAIL_CHANGE_ENABLED = String(email.secureEmailChange);
  }
  if (email.otpExpiry !== undefined) {
    env.GOTRUE_MAILER_OTP_EXP = wholeSeconds(scope, `${prop}.otpExpiry`, email.otpExpiry, 1, 'Auth reads 0 as its default of one day.');
  }
  if (email.otpLength !== undefined) {
    checkWholeNumber(scope, `${prop}.otpLength`, email.otpLength, 6, 10, 'Auth sends 6-digit codes for any other length.');
    env.GOTRUE_MAILER_OTP_LENGTH = numberEnv(email.otpLength);
  }
  return env;
}

/**
 * Throws unless `value` is an absolute https URL on port 443. Auth fetches it at run time through its network
 * policy, which lets it out on 443 only; plain http is refused rather than opened: a template fetched in clear text
 * could be altered on the way, and Auth would mail the altered links to your users. Tokens are skipped.
 */
function checkTemplateUrl(scope: Construct, prop: string, value: string) {
  if (typeof value === 'string' && Token.isUnresolved(value)) {
    return;
  }
  const url = parseUrl(value);
  if (!url || url.protocol !== 'https:' || !url.hostname || url.port !== '' || url.username || url.password) {
    throw configError(scope, `\`${prop}\` is ${JSON.stringify(value ?? null)}; it must be an absolute https URL on port 443, e.g. 'https://templates.example.com/confirmation.html'. Auth fetches it at run time, and its network policy lets it out on 443 only; plain http is not opened, since a template fetched in clear text could be altered on the way and Auth would mail the altered links to your users.`);
  }
}
