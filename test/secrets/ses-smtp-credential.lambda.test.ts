import { spawnSync } from 'node:child_process';
import { CreateAccessKeyCommand, DeleteAccessKeyCommand, IAMClient } from '@aws-sdk/client-iam';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SesSmtpCredentialProperties, onEvent, smtpPassword } from '../../src/secrets/ses-smtp-credential.lambda';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:111122223333:secret:supabase/prod/ses-smtp/eu-central-1-AbCdEf';
const PROPS: SesSmtpCredentialProperties = { UserName: 'SupabaseSesSmtpUser', SecretArn: SECRET_ARN, Region: 'eu-central-1' };
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const KEY_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

const iam = mockClient(IAMClient);
const sm = mockClient(SecretsManagerClient);
const clients = () => ({ iam: new IAMClient({ region: 'eu-central-1' }), secretsManager: new SecretsManagerClient({ region: 'eu-central-1' }) });
const event = (requestType: 'Create' | 'Update' | 'Delete', extra: Record<string, unknown> = {}) => ({
  RequestType: requestType,
  ResponseURL: 'https://cloudformation.example/response',
  StackId: 'arn:aws:cloudformation:eu-central-1:111122223333:stack/Dr/abc',
  RequestId: 'r1',
  LogicalResourceId: 'SesSmtp',
  ResourceType: 'Custom::SupabaseSesSmtpCredential',
  ResourceProperties: { ...PROPS, ServiceToken: 'arn:aws:lambda:eu-central-1:111122223333:function:f' },
  ...extra,
}) as any;

beforeEach(() => {
  iam.reset();
  sm.reset();
  iam.on(CreateAccessKeyCommand).resolves({
    AccessKey: { AccessKeyId: KEY_ID, SecretAccessKey: KEY_SECRET, UserName: PROPS.UserName, Status: 'Active' },
  });
  sm.on(PutSecretValueCommand).resolves({ VersionId: 'v2' });
});

describe('the SMTP password', () => {
  /** AWS's documented conversion, written again in Python (the language of AWS's own sample), as a second opinion. */
  const reference = (secret: string, region: string) => {
    const script = [
      'import base64, hashlib, hmac, sys',
      'def sign(key, msg): return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()',
      'secret, region = sys.argv[1], sys.argv[2]',
      's = sign(("AWS4" + secret).encode("utf-8"), "11111111")',
      'for part in (region, "ses", "aws4_request", "SendRawEmail"): s = sign(s, part)',
      'print(base64.b64encode(bytes([0x04]) + s).decode("utf-8"))',
    ].join('\n');
    const result = spawnSync('python3', ['-c', script, secret, region], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    return result.stdout.trim();
  };

  test.each(['eu-central-1', 'eu-west-1', 'us-east-1'])('matches the documented conversion in %s', (region) => {
    expect(smtpPassword(KEY_SECRET, region)).toBe(reference(KEY_SECRET, region));
  });

  test('is version 4 followed by a SHA-256 signature, and differs by region and by key', () => {
    const bytes = Buffer.from(smtpPassword(KEY_SECRET, 'eu-central-1'), 'base64');
    expect(bytes.length).toBe(33);
    expect(bytes[0]).toBe(4);
    expect(smtpPassword(KEY_SECRET, 'eu-west-1')).not.toBe(smtpPassword(KEY_SECRET, 'eu-central-1'));
    expect(smtpPassword(`${KEY_SECRET}x`, 'eu-central-1')).not.toBe(smtpPassword(KEY_SECRET, 'eu-central-1'));
  });
});

describe('the custom resource', () => {
  test('create: a key for the user, its id and the password in the secret, the id as physical id and Username; no secret out', async () => {
    const logs: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((...args) => void logs.push(args.join(' ')));
    const result = await onEvent(event('Create'), clients());
    spy.mockRestore();
    expect(iam.commandCalls(CreateAccessKeyCommand)[0].args[0].input).toEqual({ UserName: PROPS.UserName });
    const put = sm.commandCalls(PutSecretValueCommand)[0].args[0].input;
    expect(put.SecretId).toBe(SECRET_ARN);
    expect(JSON.parse(put.SecretString!)).toEqual({ username: KEY_ID, password: smtpPassword(KEY_SECRET, 'eu-central-1') });
    expect(result).toEqual({ physicalResourceId: KEY_ID, data: { Username: KEY_ID } });
    const outside = JSON.stringify(result) + logs.join('\n');
    expect(outside).not.toContain(KEY_SECRET);
    expect(outside).not.toContain(smtpPassword(KEY_SECRET, 'eu-central-1'));
  });

  test('a key whose password cannot be stored is deleted, and the error names the secret, not a value', async () => {
    sm.on(PutSecretValueCommand).rejects(Object.assign(new Error(`cannot write ${KEY_SECRET}`), { name: 'AccessDeniedException' }));
    await expect(onEvent(event('Create'), clients())).rejects.toThrow(`storing the SMTP credential in ${SECRET_ARN} failed: AccessDeniedException`);
    await expect(onEvent(event('Create'), clients())).rejects.not.toThrow(KEY_SECRET);
    expect(iam.commandCalls(DeleteAccessKeyCommand)[0].args[0].input).toEqual({ UserName: PROPS.UserName, AccessKeyId: KEY_ID });
  });

  test('update with the same properties makes no new key; a new region or user does (CloudFormation deletes the old)', async () => {
    const same = await onEvent(event('Update', { PhysicalResourceId: 'AKIAOLD', OldResourceProperties: { ...PROPS, ServiceToken: 'x' } }), clients());
    expect(same).toEqual({ physicalResourceId: 'AKIAOLD', data: { Username: 'AKIAOLD' } });
    expect(iam.commandCalls(CreateAccessKeyCommand)).toHaveLength(0);
    const moved = await onEvent(event('Update', { PhysicalResourceId: 'AKIAOLD', OldResourceProperties: { ...PROPS, Region: 'eu-west-1', ServiceToken: 'x' } }), clients());
    expect(moved.physicalResourceId).toBe(KEY_ID);
  });

  test('delete removes the key; a key already gone, or none ever made, is fine', async () => {
    await onEvent(event('Delete', { PhysicalResourceId: KEY_ID }), clients());
    expect(iam.commandCalls(DeleteAccessKeyCommand)[0].args[0].input).toEqual({ UserName: PROPS.UserName, AccessKeyId: KEY_ID });
    iam.on(DeleteAccessKeyCommand).rejects(Object.assign(new Error('gone'), { name: 'NoSuchEntityException' }));
    await expect(onEvent(event('Delete', { PhysicalResourceId: KEY_ID }), clients())).resolves.toEqual({ physicalResourceId: KEY_ID });
    iam.reset();
    await onEvent(event('Delete', { PhysicalResourceId: 'SesSmtp' }), clients());
    expect(iam.commandCalls(DeleteAccessKeyCommand)).toHaveLength(0);
  });
});
