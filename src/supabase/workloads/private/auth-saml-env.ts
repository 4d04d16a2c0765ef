import { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AuthEnvironment } from './auth-providers-env';
import { AUTH_ISSUER_PATH } from './kong-config';
import { configError } from '../../../private/errors';
import { SupabaseSamlSettings } from '../auth/saml';

/**
 * Auth's SAML variables: on, with the signing key from `signingKey` (JSON field `privateKey`) and its own external
 * URL under the gateway's `/auth/v1`, where the gateway routes the assertion consumer service and the metadata.
 * Without it Auth would build them from API_EXTERNAL_URL (the bare public URL), which the gateway does not route.
 */
export function samlEnv(
  scope: Construct, saml: SupabaseSamlSettings | undefined, signingKey: secretsmanager.ISecret | undefined, publicUrl: string,
): AuthEnvironment {
  if (!saml) {
    return { plain: {}, secrets: [] };
  }
  if (!signingKey) {
    throw configError(scope, '`auth.saml` is set, but the SupabaseSecrets has no SAML signing key. Pass `samlSigningKey: true` to SupabaseSecrets (`secretsProps` of SupabaseOnAws), which generates it in AWS.');
  }
  const validity = saml.relayStateValidity;
  if (validity && !validity.isUnresolved() && validity.toSeconds() <= 0) {
    throw configError(scope, `\`auth.saml.relayStateValidity\` is ${validity.toHumanString()}; it must be positive. Leave it out for Auth's two minutes.`);
  }
  const plain: Record<string, string> = {
    GOTRUE_SAML_ENABLED: 'true',
    GOTRUE_SAML_EXTERNAL_URL: `${publicUrl}${AUTH_ISSUER_PATH}`,
  };
  if (saml.allowEncryptedAssertions !== undefined) {
    plain.GOTRUE_SAML_ALLOW_ENCRYPTED_ASSERTIONS = String(saml.allowEncryptedAssertions);
  }
  if (validity) {
    // A Go duration.
    plain.GOTRUE_SAML_RELAY_STATE_VALIDITY_PERIOD = `${validity.toSeconds()}s`;
  }
  return { plain, secrets: [{ name: 'GOTRUE_SAML_PRIVATE_KEY', secret: signingKey, field: 'privateKey' }] };
}
