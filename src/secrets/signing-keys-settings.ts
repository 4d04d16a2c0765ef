/**
 * Supabase's asymmetric JWT signing keys and opaque API keys, generated and kept in AWS by a {@link SupabaseSecrets}
 * (see docs/network-and-secrets.md#signing-keys-and-opaque-api-keys).
 *
 * Each signing key is an ES256 key pair named by a label of your choice; the labels' places say each key's state.
 * Rotating is a change of labels, one deployment at a time: add a label to `standby` (a new key is generated and
 * published), make it `inUse` and move the old label to `previouslyUsed` (Auth signs with the new key; tokens signed
 * with the old one still verify), and remove the old label once the longest token lifetime has passed (the key is
 * deleted and stops verifying). A label that is removed and added again gets a new key.
 */
export interface SupabaseSigningKeys {
  /**
   * The label of the key Auth signs with. Lower-case letters, digits, `-` and `_`.
   *
   * @default 'key-1'
   */
  readonly inUse?: string;

  /**
   * Labels of keys generated and published in the JWKS, ready to become `inUse`. Publish a key at least one
   * JWKS cache lifetime before promoting it, so that every verifier knows it when the first token arrives.
   *
   * @default - none
   */
  readonly standby?: string[];

  /**
   * Labels of keys that signed tokens which may still be valid: still published, no longer signing. Remove a label
   * once the longest token lifetime (Auth's JWT expiry) has passed since it left `inUse`.
   *
   * @default - none
   */
  readonly previouslyUsed?: string[];

  /**
   * Names of the secret API keys (`sb_secret_...`), one per backend that needs the service_role's access, so that each
   * can be revoked alone: removing a name revokes its key at the next deployment. Lower-case letters, digits and `_`,
   * starting with a letter. The first is the default key, the one Studio uses and Edge Functions find as `default`
   * in `SUPABASE_SECRET_KEYS` (a name `default` may only come first); to replace it, put a new name first, deploy,
   * and remove the old name once nothing uses it.
   *
   * @default ['default']
   */
  readonly secretApiKeys?: string[];
}
