import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SamlKeyDocument, SamlKeyProperties, ensureSamlKey, handler, invalidKeyReason, newSamlKey, onEvent } from '../../src/secrets/saml-key.lambda';
import { capturingResponsesAndLogs, customResourceEvent } from '../private/lambda/custom-resource-harness';

const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:supabase/saml-signing-key-AbCdEf';
const PROPS: SamlKeyProperties = { SecretArn: ARN };
const PLACEHOLDER = '{"placeholder":"Xy7Qp2Lm9Rt4Vb8N"}';

const sm = mockClient(SecretsManagerClient);
const client = () => new SecretsManagerClient({ region: 'eu-west-1' });
const puts = () => sm.commandCalls(PutSecretValueCommand).length;

/** A stand-in Secrets Manager holding the one secret; PutSecretValue replaces its value. */
function givenSecret(initial: string) {
  let value = initial;
  sm.reset();
  sm.on(GetSecretValueCommand, { SecretId: ARN }).callsFake(() => ({ SecretString: value, VersionId: 'v1' }));
  sm.on(PutSecretValueCommand, { SecretId: ARN }).callsFake((input) => {
    value = input.SecretString;
    return { VersionId: 'v2' };
  });
  return () => value;
}

/** Standard base64 of a PKCS#1 DER RSA key of these parameters (made here, independently of the handler). */
function rsaKey(modulusLength: number, publicExponent = 0x10001): string {
  return generateKeyPairSync('rsa', { modulusLength, publicExponent }).privateKey.export({ type: 'pkcs1', format: 'der' }).toString('base64');
}

// One valid key for the tests that need an existing key (generating RSA keys takes a moment).
const EXISTING = rsaKey(2048);

describe('the key', () => {
  test('is what Auth reads: standard base64 of a PKCS#1 DER RSA key, 2048 bits, exponent 65537', async () => {
    const key = await newSamlKey();
    expect(key).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(key.length % 4).toBe(0);
    const parsed = createPrivateKey({ key: Buffer.from(key, 'base64'), format: 'der', type: 'pkcs1' });
    expect(parsed.asymmetricKeyType).toBe('rsa');
    expect(parsed.asymmetricKeyDetails).toEqual({ modulusLength: 2048, publicExponent: 65537n });
    // The same bytes re-encoded as PKCS#1 DER: nothing (such as a PKCS#8 wrapper) around the key.
    expect(parsed.export({ type: 'pkcs1', format: 'der' }).toString('base64')).toBe(key);
    expect(invalidKeyReason(key)).toBeUndefined();
  });

  test('is new each time', async () => {
    expect(await newSamlKey()).not.toEqual(await newSamlKey());
  });

  test.each<[string, unknown, string | undefined]>([
    ['a valid key', EXISTING, undefined],
    ['a valid key broken over lines (Go\'s decoder skips line breaks)', EXISTING.replace(/(.{64})/g, '$1\n'), undefined],
    ['a 4096-bit key', rsaKey(4096), undefined],
    ['nothing', undefined, 'no key yet'],
    ['an empty string', '', 'no key yet'],
    ['a number', 42, 'no key yet'],
    ['URL-safe base64', Buffer.from(EXISTING, 'base64').toString('base64url'), 'the stored key is not standard base64'],
    ['a PEM key', createPrivateKey({ key: Buffer.from(EXISTING, 'base64'), format: 'der', type: 'pkcs1' }).export({ type: 'pkcs1', format: 'pem' }),
      'the stored key is not standard base64'],
    ['a PKCS#8 key', createPrivateKey({ key: Buffer.from(EXISTING, 'base64'), format: 'der', type: 'pkcs1' }).export({ type: 'pkcs8', format: 'der' }).toString('base64'),
      'the stored key is not a PKCS#1 RSA private key'],
    ['random bytes', Buffer.from('not a key at all, just text').toString('base64'), 'the stored key is not a PKCS#1 RSA private key'],
    ['a 1024-bit key', rsaKey(1024), 'the stored key has fewer than 2048 bits'],
    ['a key with exponent 3', rsaKey(2048, 3), 'the stored key does not use the RSA public exponent 65537'],
  ])('%s', (_name, value, reason) => {
    expect(invalidKeyReason(value)).toBe(reason);
  });
});

describe('generation into the secret', () => {
  test('replaces the placeholder with a key Auth accepts, as {"privateKey": ...}', async () => {
    const stored = givenSecret(PLACEHOLDER);
    await expect(ensureSamlKey(client(), PROPS)).resolves.toEqual({ generated: true, reason: 'no key yet' });
    expect(puts()).toBe(1);
    const doc = JSON.parse(stored()) as SamlKeyDocument;
    expect(Object.keys(doc)).toEqual(['privateKey']);
    const parsed = createPrivateKey({ key: Buffer.from(doc.privateKey, 'base64'), format: 'der', type: 'pkcs1' });
    expect(parsed.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  test('leaves a valid key alone, and a re-run changes nothing', async () => {
    const value = JSON.stringify({ privateKey: EXISTING });
    const stored = givenSecret(value);
    await expect(ensureSamlKey(client(), PROPS)).resolves.toEqual({ generated: false, reason: 'the secret already holds a valid key' });
    await expect(ensureSamlKey(client(), PROPS)).resolves.toEqual({ generated: false, reason: 'the secret already holds a valid key' });
    expect(puts()).toBe(0);
    expect(stored()).toBe(value);
  });

  test('a key it generated is kept on the next run', async () => {
    const stored = givenSecret(PLACEHOLDER);
    await ensureSamlKey(client(), PROPS);
    const first = stored();
    await expect(ensureSamlKey(client(), PROPS)).resolves.toMatchObject({ generated: false });
    expect(stored()).toBe(first);
    expect(puts()).toBe(1);
  });

  test.each([
    ['text that is not JSON', 'plain text', 'no key yet'],
    ['JSON that is no object', '"a string"', 'no key yet'],
    ['a key Auth would refuse', JSON.stringify({ privateKey: rsaKey(1024) }), 'the stored key has fewer than 2048 bits'],
  ])('replaces %s', async (_name, value, reason) => {
    givenSecret(value);
    await expect(ensureSamlKey(client(), PROPS)).resolves.toEqual({ generated: true, reason });
    expect(puts()).toBe(1);
  });
});

describe('custom resource events', () => {
  const event = (RequestType: 'Create' | 'Update' | 'Delete') => customResourceEvent(RequestType, {
    logicalResourceId: 'SamlKey', resourceType: 'Custom::SupabaseSamlKey', physicalResourceId: ARN, properties: PROPS,
  });

  test('delete is a no-op: nothing read, nothing written', async () => {
    givenSecret(JSON.stringify({ privateKey: EXISTING }));
    await expect(onEvent(event('Delete'), client())).resolves.toEqual({ physicalResourceId: ARN });
    expect(sm.calls()).toHaveLength(0);
  });

  test('an update keeps the key; the physical id is the secret', async () => {
    const value = JSON.stringify({ privateKey: EXISTING });
    const stored = givenSecret(value);
    await expect(onEvent(event('Update'), client())).resolves.toEqual({ physicalResourceId: ARN });
    expect(stored()).toBe(value);
  });

  test('neither the response to CloudFormation nor the log carries the key, on success and on failure', async () => {
    await capturingResponsesAndLogs(async (bodies, logs) => {
      // The handler uses its own module-level client; aws-sdk-client-mock intercepts every SecretsManagerClient.
      const stored = givenSecret(PLACEHOLDER);
      await handler(event('Create'));
      const generated = (JSON.parse(stored()) as SamlKeyDocument).privateKey;
      expect(JSON.parse(bodies[0])).toEqual({
        Status: 'SUCCESS',
        Reason: 'SUCCESS',
        PhysicalResourceId: ARN,
        StackId: event('Create').StackId,
        RequestId: 'r1',
        LogicalResourceId: 'SamlKey',
      });
      expect(logs).toEqual(['Create: generated a new key (no key yet)']);

      await handler(event('Update'));
      expect(JSON.parse(bodies[1])).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: ARN });
      expect(logs[1]).toBe('Update: kept the key (the secret already holds a valid key)');

      givenSecret(PLACEHOLDER);
      sm.on(PutSecretValueCommand).rejects(new Error('AccessDeniedException: not allowed'));
      await handler(event('Update'));
      expect(JSON.parse(bodies[2])).toMatchObject({ Status: 'FAILED', Reason: 'AccessDeniedException: not allowed', PhysicalResourceId: ARN });

      for (const text of [...bodies, ...logs]) {
        expect(text).not.toContain(generated.slice(0, 40));
        expect(text).not.toMatch(/MII[A-Za-z0-9+/]{20,}/);
        expect(text).not.toMatch(/PRIVATE KEY/);
      }
    });
  });
});
