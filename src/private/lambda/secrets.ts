import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** A secret's JSON document and the version it was read at. */
export interface JsonSecret {
  readonly value: any;
  readonly versionId?: string;
}

/**
 * Reads a secret that holds a JSON document. `what` names it in the error ("The JWT secret"); the error never
 * echoes the secret's text.
 */
export async function readJsonSecret(client: SecretsManagerClient, arn: string, what: string): Promise<JsonSecret> {
  const secret = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  try {
    return { value: JSON.parse(secret.SecretString ?? ''), versionId: secret.VersionId };
  } catch {
    throw new Error(`${what} does not hold a JSON document`);
  }
}
