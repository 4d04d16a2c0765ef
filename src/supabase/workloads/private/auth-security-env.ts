import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkWholeNumber, numberEnv, wholeSeconds } from './auth-values';
import { configError } from '../../../private/errors';
import { SupabaseAuthSecuritySettings } from '../auth/security';

/**
 * The variables of Auth's password policy and refresh-token handling (`GOTRUE_PASSWORD_*`, `GOTRUE_SECURITY_*`),
 * after checking them. `prop` names the settings in error messages.
 */
export function securityEnv(scope: Construct, prop: string, security: SupabaseAuthSecuritySettings | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  if (!security) {
    return env;
  }
  if (security.minPasswordLength !== undefined) {
    checkWholeNumber(scope, `${prop}.minPasswordLength`, security.minPasswordLength, 6, 72,
      'Auth raises anything below 6 to 6, and refuses passwords longer than 72 characters (bcrypt\'s limit).');
    env.GOTRUE_PASSWORD_MIN_LENGTH = numberEnv(security.minPasswordLength);
  }
  if (security.passwordRequiredCharacters !== undefined) {
    env.GOTRUE_PASSWORD_REQUIRED_CHARACTERS = requiredCharacters(scope, `${prop}.passwordRequiredCharacters`, security.passwordRequiredCharacters);
  }
  if (security.refreshTokenRotation !== undefined) {
    env.GOTRUE_SECURITY_REFRESH_TOKEN_ROTATION_ENABLED = String(security.refreshTokenRotation);
  }
  if (security.refreshTokenReuseInterval !== undefined) {
    env.GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL = wholeSeconds(scope, `${prop}.refreshTokenReuseInterval`,
      security.refreshTokenReuseInterval, 0, 'Auth reads a number of seconds.');
  }
  if (security.passwordChangeRequiresReauthentication !== undefined) {
    env.GOTRUE_SECURITY_UPDATE_PASSWORD_REQUIRE_REAUTHENTICATION = String(security.passwordChangeRequiresReauthentication);
  }
  if (security.passwordChangeRequiresCurrentPassword !== undefined) {
    env.GOTRUE_SECURITY_UPDATE_PASSWORD_REQUIRE_CURRENT_PASSWORD = String(security.passwordChangeRequiresCurrentPassword);
  }
  return env;
}

/**
 * The character sets as Auth reads them: separated by `:`, a `:` inside a set escaped as `\:`. Auth's parser takes
 * one escaped `:` per set and reads a set ending with `\` as escaping the separator, so each set is rewritten (the
 * order of its characters does not matter): its `:` once, at its end; trailing backslashes moved to its front; a set
 * of backslashes alone put last.
 */
function requiredCharacters(scope: Construct, prop: string, sets: string[]): string {
  if (!Array.isArray(sets) || sets.length === 0) {
    throw configError(scope, `\`${prop}\` is empty. Give the character sets, e.g. ['abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789'], or leave it out.`);
  }
  const written = sets.map((set, i) => {
    if (typeof set !== 'string' || (!Token.isUnresolved(set) && set === '')) {
      throw configError(scope, `\`${prop}[${i}]\` is ${JSON.stringify(set ?? null)}; give the characters of the set, e.g. '0123456789', or remove it.`);
    }
    if (Token.isUnresolved(set)) {
      return set;
    }
    const chars = set.replace(/:/g, '');
    if (set.includes(':')) {
      return `${chars}\\:`;
    }
    const trailing = /\\+$/.exec(chars)?.[0] ?? '';
    return trailing ? trailing + chars.slice(0, chars.length - trailing.length) : chars;
  });
  const backslashesOnly = (set: string) => /^\\+$/.test(set);
  return [...written.filter((set) => !backslashesOnly(set)), ...written.filter(backslashesOnly).slice(0, 1)].join(':');
}
