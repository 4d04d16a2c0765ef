/**
 * Custom resource that makes an Amazon SES SMTP credential for an IAM user: it creates an access key for the user,
 * derives the SMTP password of this region from the key's secret (the documented conversion: a SigV4 signing key
 * for `ses` in the region, applied to `SendRawEmail`, prefixed with version 4), and writes the user name (the key's
 * id) and the password into a secret. The key's secret and the password never leave this function except into the
 * secret: they are in neither the response nor a log.
 *
 * - Create: a new key; its id is the physical id, and the attribute `Username`.
 * - Update: a new key when the user, the secret or the region changed (CloudFormation then deletes the old one);
 *   otherwise nothing.
 * - Delete: deletes the key (a key already gone is fine).
 */
import { createHmac } from 'node:crypto';
import { CreateAccessKeyCommand, DeleteAccessKeyCommand, IAMClient } from '@aws-sdk/client-iam';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CustomResourceEvent, CustomResourceResult, customResourceHandler } from '../private/lambda/custom-resource';

/** The custom resource's properties. */
export interface SesSmtpCredentialProperties {
  /** The IAM user that may send through SES; the key is created for it. */
  readonly UserName: string;
  /** The secret that receives `{"username": ..., "password": ...}`. */
  readonly SecretArn: string;
  /** The SES region the password is for (SMTP passwords are per region). */
  readonly Region: string;
}

/**
 * The SES SMTP password of `region` for an IAM secret access key (Amazon SES Developer Guide, "Obtaining Amazon SES
 * SMTP credentials by converting existing AWS credentials").
 */
export function smtpPassword(secretAccessKey: string, region: string): string {
  const sign = (key: Buffer | string, message: string) => createHmac('sha256', key).update(message, 'utf8').digest();
  let signature = sign(`AWS4${secretAccessKey}`, '11111111');
  for (const part of [region, 'ses', 'aws4_request', 'SendRawEmail']) {
    signature = sign(signature, part);
  }
  return Buffer.concat([Buffer.from([0x04]), signature]).toString('base64');
}

/** The AWS clients the logic uses. */
export interface Clients {
  readonly iam: IAMClient;
  readonly secretsManager: SecretsManagerClient;
}

async function newCredential(props: SesSmtpCredentialProperties, clients: Clients): Promise<CustomResourceResult> {
  const created = await clients.iam.send(new CreateAccessKeyCommand({ UserName: props.UserName }));
  const key = created.AccessKey;
  if (!key?.AccessKeyId || !key.SecretAccessKey) {
    throw new Error(`IAM created no access key for ${props.UserName}`);
  }
  try {
    await clients.secretsManager.send(new PutSecretValueCommand({
      SecretId: props.SecretArn,
      SecretString: JSON.stringify({ username: key.AccessKeyId, password: smtpPassword(key.SecretAccessKey, props.Region) }),
    }));
  } catch (e) {
    // A key whose password was not stored is of no use: remove it, and fail with the secret's error.
    try {
      await clients.iam.send(new DeleteAccessKeyCommand({ UserName: props.UserName, AccessKeyId: key.AccessKeyId }));
    } catch {
      // The error that matters is the secret's.
    }
    throw new Error(`storing the SMTP credential in ${props.SecretArn} failed: ${(e as Error).name}`);
  }
  console.log(`Created the SES SMTP credential ${key.AccessKeyId} of ${props.UserName} for ${props.Region}`);
  return { physicalResourceId: key.AccessKeyId, data: { Username: key.AccessKeyId } };
}

/** The custom resource's logic, with the clients injected for tests. */
export async function onEvent(event: CustomResourceEvent<SesSmtpCredentialProperties>, clients: Clients): Promise<CustomResourceResult> {
  const props = event.ResourceProperties;
  switch (event.RequestType) {
    case 'Create':
      return newCredential(props, clients);
    case 'Update': {
      const old = event.OldResourceProperties!;
      if (old.UserName !== props.UserName || old.SecretArn !== props.SecretArn || old.Region !== props.Region) {
        return newCredential(props, clients);
      }
      return { physicalResourceId: event.PhysicalResourceId, data: { Username: event.PhysicalResourceId! } };
    }
    case 'Delete': {
      const id = event.PhysicalResourceId;
      // A create that failed before a key existed leaves the logical id as the physical id.
      if (id && id.startsWith('AKIA')) {
        try {
          await clients.iam.send(new DeleteAccessKeyCommand({ UserName: props.UserName, AccessKeyId: id }));
        } catch (e) {
          if ((e as Error).name !== 'NoSuchEntityException') {
            throw e;
          }
        }
      }
      return { physicalResourceId: id };
    }
  }
}

const clients: Clients = { iam: new IAMClient({}), secretsManager: new SecretsManagerClient({}) };

export const handler = customResourceHandler<SesSmtpCredentialProperties>((event) => onEvent(event, clients));
