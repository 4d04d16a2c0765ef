import { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { accountEnv } from './auth-account-env';
import { captchaEnv } from './auth-captcha-env';
import { authHooksEnv } from './auth-hooks-env';
import { AuthEnvironment, externalProvidersEnv } from './auth-providers-env';
import { samlEnv } from './auth-saml-env';
import { smsEnv } from './auth-sms-env';
import { SupabaseAuthSettings } from '../settings';

/** What Auth's optional features add to its environment, besides the variables every deployment sets. */
export interface AuthFeatureInputs {
  readonly settings: SupabaseAuthSettings;
  /** The public URL of the gateway, e.g. `https://api.example.com`. */
  readonly publicUrl: string;
  /** The SAML signing key SupabaseSecrets generated, if any. */
  readonly samlSigningKey?: secretsmanager.ISecret;
}

/**
 * Auth's variables for its optional features (external providers, ...), after checking the settings: plain values
 * for the Deployment, and the variables that stay in Secrets Manager (delivered into `supabase-auth-env`). One
 * function per feature; each prefixes its errors with the prop under `auth`.
 */
export function authFeatureEnv(scope: Construct, inputs: AuthFeatureInputs): AuthEnvironment {
  const s = inputs.settings;
  return mergeAuthEnvironments([
    externalProvidersEnv(scope, 'auth.externalProviders', s.externalProviders ?? [], inputs.publicUrl),
    samlEnv(scope, s.saml, inputs.samlSigningKey, inputs.publicUrl),
    authHooksEnv(scope, 'auth.hooks', s.hooks),
    smsEnv(scope, s),
    captchaEnv(scope, 'auth.captcha', s.captcha),
    accountEnv(scope, s),
  ]);
}

/** The features' variables together; a variable set by two features is a defect of the library. */
function mergeAuthEnvironments(parts: AuthEnvironment[]): AuthEnvironment {
  const plain: Record<string, string> = {};
  const secrets = parts.flatMap((p) => p.secrets);
  const names = new Set<string>();
  for (const name of [...parts.flatMap((p) => Object.keys(p.plain)), ...secrets.map((v) => v.name)]) {
    if (names.has(name)) {
      throw new Error(`Auth's ${name} is set by two features`);
    }
    names.add(name);
  }
  parts.forEach((p) => Object.assign(plain, p.plain));
  return { plain, secrets };
}
