/**
 * Custom resource that signs Supabase's anon and service_role API keys with the JWT secret and writes them into
 * their own secret. The keys never leave Secrets Manager: they are in neither the request, the response nor a log.
 *
 * - Create/Update: reads the JWT secret; re-signs only when the JWT secret's version or the requested claims
 *   differ from what the current keys were signed with, so an update with the same inputs signs nothing new.
 * - Delete: does nothing; the secrets keep their values for as long as their own removal policy says.
 */
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SignJWT } from 'jose';
import { CustomResourceEvent, CustomResourceResult, customResourceHandler } from '../private/lambda/custom-resource';
import { readJsonSecret } from '../private/lambda/secrets';

/** The custom resource's properties (CloudFormation passes every value as a string). */
export interface ApiKeysProperties {
  /** ARN of the secret whose JSON field `jwtSecret` signs the keys. */
  readonly JwtSecretArn: string;
  /** ARN of the secret that receives the keys. */
  readonly ApiKeysSecretArn: string;
  /** The `iss` claim. */
  readonly Issuer: string;
  /** Seconds from signing to `exp`. */
  readonly LifetimeSeconds: string;
}

/** The JSON document stored in the API keys secret. */
export interface ApiKeysDocument {
  readonly anonKey: string;
  readonly serviceRoleKey: string;
  /** Version id of the JWT secret the keys were signed with. */
  readonly jwtSecretVersionId: string;
  readonly issuer: string;
  readonly lifetimeSeconds: number;
  /** `iat` of both keys, in seconds since the epoch. */
  readonly issuedAt: number;
  /** `exp` of both keys, in seconds since the epoch. */
  readonly expiresAt: number;
}

/** What one run did, for tests and the (secret-free) log. */
export interface SigningOutcome {
  readonly signed: boolean;
  readonly reason: string;
}

const ROLES = { anonKey: 'anon', serviceRoleKey: 'service_role' } as const;

async function sign(role: string, secret: Uint8Array, issuer: string, issuedAt: number, expiresAt: number): Promise<string> {
  return new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(issuer)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(secret);
}

/**
 * Signs the keys when needed. `now` is injectable for tests.
 */
export async function ensureApiKeys(
  client: SecretsManagerClient,
  props: ApiKeysProperties,
  now: () => Date = () => new Date(),
): Promise<SigningOutcome> {
  const lifetimeSeconds = Number(props.LifetimeSeconds);
  if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds <= 0) {
    throw new Error(`LifetimeSeconds must be a positive whole number of seconds, got '${props.LifetimeSeconds}'`);
  }

  const jwt = await readJsonSecret(client, props.JwtSecretArn, 'The JWT secret');
  const jwtSecret: unknown = jwt.value?.jwtSecret;
  if (typeof jwtSecret !== 'string' || jwtSecret.length < 32) {
    throw new Error('The JWT secret\'s field `jwtSecret` must be a string of at least 32 characters');
  }
  const jwtSecretVersionId = jwt.versionId ?? '';

  const current = await client.send(new GetSecretValueCommand({ SecretId: props.ApiKeysSecretArn }));
  let existing: Partial<ApiKeysDocument> = {};
  try {
    existing = JSON.parse(current.SecretString ?? '{}');
  } catch {
    existing = {};
  }
  if (
    existing.anonKey && existing.serviceRoleKey
    && existing.jwtSecretVersionId === jwtSecretVersionId
    && existing.issuer === props.Issuer
    && existing.lifetimeSeconds === lifetimeSeconds
  ) {
    return { signed: false, reason: 'the keys already match the JWT secret and the claims' };
  }

  const issuedAt = Math.floor(now().getTime() / 1000);
  const expiresAt = issuedAt + lifetimeSeconds;
  const key = new TextEncoder().encode(jwtSecret);
  const document: ApiKeysDocument = {
    anonKey: await sign(ROLES.anonKey, key, props.Issuer, issuedAt, expiresAt),
    serviceRoleKey: await sign(ROLES.serviceRoleKey, key, props.Issuer, issuedAt, expiresAt),
    jwtSecretVersionId,
    issuer: props.Issuer,
    lifetimeSeconds,
    issuedAt,
    expiresAt,
  };
  await client.send(new PutSecretValueCommand({ SecretId: props.ApiKeysSecretArn, SecretString: JSON.stringify(document) }));
  const reason = existing.jwtSecretVersionId === undefined ? 'no keys yet'
    : existing.jwtSecretVersionId !== jwtSecretVersionId ? 'the JWT secret changed' : 'the claims changed';
  return { signed: true, reason };
}

/** The custom resource logic, separate from the Lambda entry point for tests. */
export async function onEvent(event: CustomResourceEvent<ApiKeysProperties>, client: SecretsManagerClient): Promise<CustomResourceResult> {
  const physicalResourceId = event.ResourceProperties.ApiKeysSecretArn;
  if (event.RequestType === 'Delete') {
    console.log('Delete: nothing to do; the secrets follow their own removal policy');
    return { physicalResourceId: event.PhysicalResourceId };
  }
  const outcome = await ensureApiKeys(client, event.ResourceProperties);
  console.log(`${event.RequestType}: ${outcome.signed ? 'signed new keys' : 'kept the keys'} (${outcome.reason})`);
  return { physicalResourceId };
}

const secretsManager = new SecretsManagerClient({});

export const handler = customResourceHandler<ApiKeysProperties>((event) => onEvent(event, secretsManager));
