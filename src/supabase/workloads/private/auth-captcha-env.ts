import { Duration, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AuthEnvironment } from './auth-providers-env';
import { configError } from '../../../private/errors';
import { SupabaseCaptchaProvider, SupabaseCaptchaSettings } from '../auth/captcha';

/** The gateway's read timeout for Auth (Kong's default): a longer CAPTCHA check would answer a 504 first. */
const GATEWAY_TIMEOUT = Duration.seconds(60);

/**
 * The variables of Auth's CAPTCHA protection (`GOTRUE_SECURITY_CAPTCHA_*`), after checking them; the secret key
 * stays in Secrets Manager. `prop` names the settings in error messages.
 */
export function captchaEnv(scope: Construct, prop: string, captcha: SupabaseCaptchaSettings | undefined): AuthEnvironment {
  if (captcha === undefined) {
    return { plain: {}, secrets: [] };
  }
  if (!(captcha.provider instanceof SupabaseCaptchaProvider)) {
    throw configError(scope, `\`${prop}.provider\` is ${JSON.stringify(captcha.provider ?? null)}, which is not a SupabaseCaptchaProvider. Use SupabaseCaptchaProvider.HCAPTCHA or SupabaseCaptchaProvider.TURNSTILE.`);
  }
  if (!captcha.secret) {
    throw configError(scope, `\`${prop}.secret\` is not set; Auth does not start with CAPTCHA enabled and no secret key. Store the ${captcha.provider.name} secret key in Secrets Manager and pass it, e.g. Secret.fromSecretNameV2(this, 'CaptchaSecret', 'supabase/captcha').`);
  }
  const field = captcha.secretField;
  if (field !== undefined && !Token.isUnresolved(field) && field.trim() === '') {
    throw configError(scope, `\`${prop}.secretField\` is empty. Name the secret's JSON field that holds the secret key, or leave it out to use the whole secret string.`);
  }
  const plain: Record<string, string> = {
    GOTRUE_SECURITY_CAPTCHA_ENABLED: 'true',
    GOTRUE_SECURITY_CAPTCHA_PROVIDER: captcha.provider.name,
  };
  if (captcha.timeout !== undefined) {
    plain.GOTRUE_SECURITY_CAPTCHA_TIMEOUT = goDuration(scope, `${prop}.timeout`, captcha.timeout);
  }
  return { plain, secrets: [{ name: 'GOTRUE_SECURITY_CAPTCHA_SECRET', secret: captcha.secret, field, prop: `${prop}.secret` }] };
}

/** A positive duration under the gateway's timeout, as Go writes it (`1500ms`). */
function goDuration(scope: Construct, prop: string, d: Duration): string {
  if (d.isUnresolved()) {
    return `${d.toMilliseconds()}ms`;
  }
  const ms = d.toMilliseconds({ integral: false });
  if (!Number.isInteger(ms) || ms <= 0 || ms >= GATEWAY_TIMEOUT.toMilliseconds()) {
    throw configError(scope, `\`${prop}\` is ${d.toHumanString()}; give a whole number of milliseconds above 0 (0 means Auth's default of 10 seconds) and under the gateway's ${GATEWAY_TIMEOUT.toHumanString()}, e.g. Duration.seconds(10).`);
  }
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
