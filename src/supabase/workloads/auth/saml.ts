import { Duration } from 'aws-cdk-lib';

/**
 * SAML 2.0 single sign-on in Auth (`GOTRUE_SAML_ENABLED`). Auth signs its requests and metadata with the key that
 * `SupabaseSecrets` generates in AWS when given `samlSigningKey: true`; identity providers are then registered at
 * run time through Auth's admin API (`POST /auth/v1/admin/sso/providers` with the service_role key): see
 * docs/auth.md.
 */
export interface SupabaseSamlSettings {
  /**
   * Whether identity providers may encrypt their assertions to Auth's key (`GOTRUE_SAML_ALLOW_ENCRYPTED_ASSERTIONS`).
   *
   * @default false
   */
  readonly allowEncryptedAssertions?: boolean;

  /**
   * How long a sign-in started at `/auth/v1/sso` may take at the identity provider
   * (`GOTRUE_SAML_RELAY_STATE_VALIDITY_PERIOD`).
   *
   * @default Duration.minutes(2)
   */
  readonly relayStateValidity?: Duration;
}
