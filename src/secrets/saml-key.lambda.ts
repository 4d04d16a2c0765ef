/**
 * Custom resource that generates the RSA private key Supabase Auth signs SAML 2.0 requests and metadata with, and
 * writes it into its secret as `{"privateKey": <base64 of the PKCS#1 DER>}`, the form Auth reads from
 * `GOTRUE_SAML_PRIVATE_KEY` (standard base64, PKCS#1, public exponent 65537, at least 2048 bits). The key never leaves
 * this function except into the secret: it is in neither the request, the response nor a log.
 *
 * - Create/Update: keeps a valid key already in the secret (identity providers trust the certificate Auth derives
 *   from it); generates an RSA-2048 key only when the secret holds none (the placeholder it is created with).
 * - Delete: does nothing; the secret keeps its value for as long as its own removal policy says.
 */
import { KeyObject, createPrivateKey, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CustomResourceEvent, CustomResourceResult, customResourceHandler } from '../private/lambda/custom-resource';

/** The custom resource's properties. */
export interface SamlKeyProperties {
  /** ARN of the secret that receives the key. */
  readonly SecretArn: string;
}

/** The JSON document stored in the secret. */
export interface SamlKeyDocument {
  /** Standard base64 of the DER of a PKCS#1 RSA private key. */
  readonly privateKey: string;
}

/** What one run did, for tests and the (secret-free) log. */
export interface SamlKeyOutcome {
  readonly generated: boolean;
  readonly reason: string;
}

/** The size of the keys generated here; Auth accepts 2048 bits and more. */
export const SAML_KEY_BITS = 2048;
const MIN_BITS = 2048;
const PUBLIC_EXPONENT = 0x10001;
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Why `value` is not a key Auth accepts, or undefined when it is: Auth decodes it as standard base64 (ignoring line
 * breaks, as Go's decoder does), parses PKCS#1 and requires the exponent 65537 and at least 2048 bits. The reason
 * never quotes the value.
 */
export function invalidKeyReason(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) {
    return 'no key yet';
  }
  const base64 = value.replace(/[\r\n]/g, '');
  if (!STANDARD_BASE64.test(base64)) {
    return 'the stored key is not standard base64';
  }
  const der = Buffer.from(base64, 'base64');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: der, format: 'der', type: 'pkcs1' });
  } catch {
    return 'the stored key is not a PKCS#1 RSA private key';
  }
  // OpenSSL also reads other encodings (such as PKCS#8) here; Go's PKCS#1 parser takes exactly the PKCS#1 DER.
  if (key.asymmetricKeyType !== 'rsa' || !key.export({ type: 'pkcs1', format: 'der' }).equals(der)) {
    return 'the stored key is not a PKCS#1 RSA private key';
  }
  const details = key.asymmetricKeyDetails;
  if (details?.publicExponent !== BigInt(PUBLIC_EXPONENT)) {
    return 'the stored key does not use the RSA public exponent 65537';
  }
  if ((details.modulusLength ?? 0) < MIN_BITS) {
    return `the stored key has fewer than ${MIN_BITS} bits`;
  }
  return undefined;
}

/** A new RSA key as Auth reads it: standard base64 of the PKCS#1 DER. */
export async function newSamlKey(): Promise<string> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: SAML_KEY_BITS,
    publicExponent: PUBLIC_EXPONENT,
    publicKeyEncoding: { type: 'pkcs1', format: 'der' },
    privateKeyEncoding: { type: 'pkcs1', format: 'der' },
  });
  return privateKey.toString('base64');
}

/** Writes a new key into the secret unless it already holds one Auth accepts. */
export async function ensureSamlKey(client: SecretsManagerClient, props: SamlKeyProperties): Promise<SamlKeyOutcome> {
  const current = await client.send(new GetSecretValueCommand({ SecretId: props.SecretArn }));
  let existing: Partial<SamlKeyDocument> = {};
  try {
    const parsed: unknown = JSON.parse(current.SecretString ?? '{}');
    existing = parsed && typeof parsed === 'object' ? parsed as Partial<SamlKeyDocument> : {};
  } catch {
    existing = {};
  }
  const reason = invalidKeyReason(existing.privateKey);
  if (reason === undefined) {
    return { generated: false, reason: 'the secret already holds a valid key' };
  }
  const document: SamlKeyDocument = { privateKey: await newSamlKey() };
  await client.send(new PutSecretValueCommand({ SecretId: props.SecretArn, SecretString: JSON.stringify(document) }));
  return { generated: true, reason };
}

/** The custom resource logic, separate from the Lambda entry point for tests. */
export async function onEvent(event: CustomResourceEvent<SamlKeyProperties>, client: SecretsManagerClient): Promise<CustomResourceResult> {
  const physicalResourceId = event.ResourceProperties.SecretArn;
  if (event.RequestType === 'Delete') {
    console.log('Delete: nothing to do; the secret follows its own removal policy');
    return { physicalResourceId: event.PhysicalResourceId };
  }
  const outcome = await ensureSamlKey(client, event.ResourceProperties);
  console.log(`${event.RequestType}: ${outcome.generated ? 'generated a new key' : 'kept the key'} (${outcome.reason})`);
  return { physicalResourceId };
}

const secretsManager = new SecretsManagerClient({});

export const handler = customResourceHandler<SamlKeyProperties>((event) => onEvent(event, secretsManager));
