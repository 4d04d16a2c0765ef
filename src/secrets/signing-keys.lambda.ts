/**
 * Custom resource that keeps Supabase's asymmetric signing keys and opaque API keys in their secret (issue #23).
 * The key material is generated here, written only to Secrets Manager, and never in the request, the response or a
 * log: the log names key labels and API key names, never a key.
 *
 * - Create/Update: makes the secret's document match the properties: a new ES256 key for each label not seen
 *   before, labels no longer listed removed (a removed key stops verifying), the internal ES256 keys re-signed when
 *   the key in use, the issuer or the lifetime changed, one opaque key per secret API key name (new names get a new
 *   key, removed names are revoked), and the key sets derived from all that. Writes only when something changed.
 * - Delete: does nothing; the secret keeps its value for as long as its own removal policy says.
 */
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CustomResourceEvent, CustomResourceResult, customResourceHandler } from '../private/lambda/custom-resource';
import { readJsonSecret } from '../private/lambda/secrets';
import {
  EcSigningKey, authJwtKeys, generateOpaqueKey, generateSigningKey, signInternalKey, verificationJwks,
} from '../private/lambda/signing-keys';

/** The custom resource's properties (CloudFormation passes scalars as strings). */
export interface SigningKeysProperties {
  /** ARN of the secret whose JSON field `jwtSecret` is the legacy HS256 secret. */
  readonly JwtSecretArn: string;
  /** ARN of the secret that holds the keys' document. */
  readonly SigningKeysSecretArn: string;
  /** Label of the signing key in use. */
  readonly InUse: string;
  /** Labels of the standby keys (published, not signing yet). */
  readonly Standby?: string[];
  /** Labels of the previously used keys (still verifying tokens they signed). */
  readonly PreviouslyUsed?: string[];
  /** 'true' while the legacy HS256 secret still verifies (and Auth accepts HS256 tokens); 'false' once it is off. */
  readonly LegacyKeys: string;
  /** Names of the secret API keys (`sb_secret_...`), the default one first, e.g. ['default', 'billing']. */
  readonly SecretApiKeys: string[];
  /** The internal keys' `iss` claim. */
  readonly Issuer: string;
  /** Seconds from signing to the internal keys' `exp`. */
  readonly LifetimeSeconds: string;
}

/** The JSON document in the signing-keys secret; each service's Secret takes the fields it needs. */
export interface SigningKeysDocument {
  /** The signing keys' private JWKs, by label: read by this function only. */
  readonly signingKeys: Record<string, EcSigningKey>;
  /** Auth's `GOTRUE_JWT_KEYS` (a JSON array). */
  readonly jwtKeys: string;
  /** The verifiers' JWKS (`JWT_JWKS`, a JSON object), with the legacy secret while legacy keys are on. */
  readonly jwks: string;
  /** The published JWKS, public keys only. */
  readonly publicJwks: string;
  /** ES256 JWT with role anon, signed with the key in use: what the gateway forwards for the publishable key. */
  readonly anonKeyAsymmetric: string;
  /** ES256 JWT with role service_role: what the gateway forwards for a secret key. */
  readonly serviceRoleKeyAsymmetric: string;
  /** The publishable key (`sb_publishable_...`). */
  readonly publishableKey: string;
  /** The publishable key as `default` of a JSON object (Edge Functions' `SUPABASE_PUBLISHABLE_KEYS`). */
  readonly publishableKeys: string;
  /** The secret keys by name, the first also as `default`, as a JSON object (Edge Functions' `SUPABASE_SECRET_KEYS`). */
  readonly secretKeys: string;
  /** The `kid` the internal keys are signed with, and their claims: re-signed when these change. */
  readonly internalKeys: { readonly kid: string; readonly issuer: string; readonly lifetimeSeconds: number; readonly issuedAt: number };
  /** Each secret key by name in a field of its own, `secretKey_<name>`, for the gateway. */
  readonly [secretKeyField: `secretKey_${string}`]: string;
}

/** What one run did, for tests and the (key-free) log. */
export interface KeysOutcome {
  readonly written: boolean;
  readonly changes: string[];
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const SECRET_KEY_FIELD_PREFIX = 'secretKey_';

/** The field of the secret key `name`. */
export function secretKeyField(name: string): `secretKey_${string}` {
  return `${SECRET_KEY_FIELD_PREFIX}${name}`;
}

/** Makes the document match `props`. `now` is injectable for tests. */
export async function ensureSigningKeys(
  client: SecretsManagerClient,
  props: SigningKeysProperties,
  now: () => Date = () => new Date(),
): Promise<KeysOutcome> {
  const { inUse, standby, previouslyUsed, names, legacy, lifetimeSeconds } = parse(props);
  const current = await client.send(new GetSecretValueCommand({ SecretId: props.SigningKeysSecretArn }));
  const existing = parseDocument(current.SecretString);
  const changes: string[] = [];

  const signingKeys: Record<string, EcSigningKey> = {};
  for (const label of [inUse, ...standby, ...previouslyUsed]) {
    const kept = existing.signingKeys?.[label];
    if (kept) {
      signingKeys[label] = kept;
    } else {
      signingKeys[label] = await generateSigningKey();
      changes.push(`new signing key '${label}'`);
    }
  }
  Object.keys(existing.signingKeys ?? {}).filter((label) => !(label in signingKeys))
    .forEach((label) => changes.push(`removed signing key '${label}'`));

  const ring = { inUse: signingKeys[inUse], standby: standby.map((l) => signingKeys[l]), previouslyUsed: previouslyUsed.map((l) => signingKeys[l]) };
  const legacySecret = legacy ? await readLegacySecret(client, props.JwtSecretArn) : undefined;

  let internalKeys = existing.internalKeys;
  let anonKeyAsymmetric = existing.anonKeyAsymmetric;
  let serviceRoleKeyAsymmetric = existing.serviceRoleKeyAsymmetric;
  if (!internalKeys || !anonKeyAsymmetric || !serviceRoleKeyAsymmetric || internalKeys.kid !== ring.inUse.kid
    || internalKeys.issuer !== props.Issuer || internalKeys.lifetimeSeconds !== lifetimeSeconds) {
    const issuedAt = Math.floor(now().getTime() / 1000);
    anonKeyAsymmetric = await signInternalKey('anon', ring.inUse, props.Issuer, issuedAt, lifetimeSeconds);
    serviceRoleKeyAsymmetric = await signInternalKey('service_role', ring.inUse, props.Issuer, issuedAt, lifetimeSeconds);
    internalKeys = { kid: ring.inUse.kid, issuer: props.Issuer, lifetimeSeconds, issuedAt };
    changes.push(`internal keys signed with '${inUse}'`);
  }

  let publishableKey = existing.publishableKey;
  if (!publishableKey) {
    publishableKey = generateOpaqueKey('publishable');
    changes.push('new publishable key');
  }
  const secretKeys: Record<string, string> = {};
  // Each key by name from its own field (the `secretKeys` map repeats the first as `default`).
  const existingSecretKeys: Record<string, string> = Object.fromEntries(Object.entries(existing)
    .filter((entry): entry is [string, string] => entry[0].startsWith(SECRET_KEY_FIELD_PREFIX) && typeof entry[1] === 'string')
    .map(([field, value]) => [field.slice(SECRET_KEY_FIELD_PREFIX.length), value]));
  for (const name of names) {
    secretKeys[name] = existingSecretKeys[name] ?? generateOpaqueKey('secret');
    if (!existingSecretKeys[name]) {
      changes.push(`new secret API key '${name}'`);
    }
  }
  Object.keys(existingSecretKeys).filter((name) => !(name in secretKeys))
    .forEach((name) => changes.push(`revoked secret API key '${name}'`));

  const document: SigningKeysDocument = {
    signingKeys,
    jwtKeys: JSON.stringify(authJwtKeys(ring, legacySecret)),
    jwks: JSON.stringify(verificationJwks(ring, legacySecret)),
    publicJwks: JSON.stringify(verificationJwks(ring)),
    anonKeyAsymmetric,
    serviceRoleKeyAsymmetric,
    publishableKey,
    publishableKeys: JSON.stringify({ default: publishableKey }),
    secretKeys: JSON.stringify({ default: secretKeys[names[0]], ...secretKeys }),
    internalKeys,
    ...Object.fromEntries(names.map((name) => [secretKeyField(name), secretKeys[name]])),
  };
  const text = JSON.stringify(document);
  if (text === current.SecretString) {
    return { written: false, changes: [] };
  }
  await client.send(new PutSecretValueCommand({ SecretId: props.SigningKeysSecretArn, SecretString: text }));
  return { written: true, changes: changes.length > 0 ? changes : ['the key sets changed (legacy keys or key states)'] };
}

function parse(props: SigningKeysProperties) {
  const inUse = props.InUse;
  const standby = props.Standby ?? [];
  const previouslyUsed = props.PreviouslyUsed ?? [];
  const labels = [inUse, ...standby, ...previouslyUsed];
  const names = props.SecretApiKeys ?? [];
  for (const value of [...labels, ...names]) {
    if (typeof value !== 'string' || !NAME.test(value)) {
      throw new Error(`'${value}' is not a key label or name (lower-case letters, digits, '-' and '_', at most 63)`);
    }
  }
  const repeated = labels.filter((label, i) => labels.indexOf(label) !== i);
  if (repeated.length > 0) {
    throw new Error(`The signing key labels repeat ${repeated.join(', ')}; each key is in one state`);
  }
  if (names.length === 0 || new Set(names).size !== names.length) {
    throw new Error('SecretApiKeys must name at least one secret API key, each once');
  }
  if (names.indexOf('default') > 0) {
    throw new Error("SecretApiKeys may name 'default' only first: the first key is the default one");
  }
  if (props.LegacyKeys !== 'true' && props.LegacyKeys !== 'false') {
    throw new Error(`LegacyKeys must be 'true' or 'false', got '${props.LegacyKeys}'`);
  }
  const lifetimeSeconds = Number(props.LifetimeSeconds);
  if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds <= 0) {
    throw new Error(`LifetimeSeconds must be a positive whole number of seconds, got '${props.LifetimeSeconds}'`);
  }
  return { inUse, standby, previouslyUsed, names, legacy: props.LegacyKeys === 'true', lifetimeSeconds };
}

async function readLegacySecret(client: SecretsManagerClient, arn: string): Promise<string> {
  const jwt = await readJsonSecret(client, arn, 'The JWT secret');
  const secret: unknown = jwt.value?.jwtSecret;
  if (typeof secret !== 'string' || secret.length < 32) {
    throw new Error('The JWT secret\'s field `jwtSecret` must be a string of at least 32 characters');
  }
  return secret;
}

/** The existing document, or an empty one for the placeholder the secret is created with. */
function parseDocument(text: string | undefined): Partial<SigningKeysDocument> {
  const value = parseObject(text);
  return typeof value.signingKeys === 'object' && value.signingKeys !== null ? value : {};
}

function parseObject(text: string | undefined): Record<string, any> {
  try {
    const value = JSON.parse(text ?? '{}');
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

/** The custom resource logic, separate from the Lambda entry point for tests. */
export async function onEvent(event: CustomResourceEvent<SigningKeysProperties>, client: SecretsManagerClient): Promise<CustomResourceResult> {
  const physicalResourceId = event.ResourceProperties.SigningKeysSecretArn;
  if (event.RequestType === 'Delete') {
    console.log('Delete: nothing to do; the secret follows its own removal policy');
    return { physicalResourceId: event.PhysicalResourceId };
  }
  const outcome = await ensureSigningKeys(client, event.ResourceProperties);
  console.log(`${event.RequestType}: ${outcome.written ? `wrote the keys (${outcome.changes.join('; ')})` : 'the keys already match'}`);
  return { physicalResourceId };
}

const secretsManager = new SecretsManagerClient({});

export const handler = customResourceHandler<SigningKeysProperties>((event) => onEvent(event, secretsManager));
