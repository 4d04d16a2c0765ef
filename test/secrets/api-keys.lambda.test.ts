import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { ApiKeysDocument, ApiKeysProperties, ensureApiKeys, handler, onEvent } from '../../src/secrets/api-keys.lambda';
import { capturingResponsesAndLogs, customResourceEvent } from '../private/lambda/custom-resource-harness';

const JWT_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:supabase/jwt-AbCdEf';
const KEYS_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:supabase/api-keys-GhIjKl';
const SECRET = 'q8Zr2VbN4mXc7LkP0sTw9YhG3jDf6AeR1uIo5pQa';
const PROPS: ApiKeysProperties = { JwtSecretArn: JWT_ARN, ApiKeysSecretArn: KEYS_ARN, Issuer: 'supabase', LifetimeSeconds: String(5 * 365 * 86400) };
const NOW = new Date('2026-11-25T12:00:00Z');

const sm = mockClient(SecretsManagerClient);

/** A stand-in Secrets Manager holding the two secrets; PutSecretValue updates the keys secret. */
function givenSecrets(jwtSecret: string, jwtVersion: string, keys: string) {
  let keysValue = keys;
  sm.reset();
  sm.on(GetSecretValueCommand, { SecretId: JWT_ARN }).resolves({ SecretString: JSON.stringify({ jwtSecret }), VersionId: jwtVersion });
  sm.on(GetSecretValueCommand, { SecretId: KEYS_ARN }).callsFake(() => ({ SecretString: keysValue, VersionId: 'k1' }));
  sm.on(PutSecretValueCommand, { SecretId: KEYS_ARN }).callsFake((input) => {
    keysValue = input.SecretString;
    return { VersionId: 'k2' };
  });
  return () => JSON.parse(keysValue) as ApiKeysDocument;
}

const client = () => new SecretsManagerClient({ region: 'eu-west-1' });
const puts = () => sm.commandCalls(PutSecretValueCommand).length;

describe('signing', () => {
  test('both keys are HS256 JWTs that verify against the JWT secret, with role, iss, iat and exp', async () => {
    const stored = givenSecrets(SECRET, 'v1', '{"placeholder":"x"}');
    const outcome = await ensureApiKeys(client(), PROPS, () => NOW);
    expect(outcome).toEqual({ signed: true, reason: 'no keys yet' });

    const doc = stored();
    const key = new TextEncoder().encode(SECRET);
    for (const [token, role] of [[doc.anonKey, 'anon'], [doc.serviceRoleKey, 'service_role']] as const) {
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
      const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], issuer: 'supabase', currentDate: NOW });
      expect(payload).toEqual({
        role,
        iss: 'supabase',
        iat: NOW.getTime() / 1000,
        exp: NOW.getTime() / 1000 + 5 * 365 * 86400,
      });
    }
    expect(doc).toMatchObject({ jwtSecretVersionId: 'v1', issuer: 'supabase', issuedAt: NOW.getTime() / 1000 });
  });

  test('the keys do not verify against another secret', async () => {
    const stored = givenSecrets(SECRET, 'v1', '{}');
    await ensureApiKeys(client(), PROPS, () => NOW);
    await expect(jwtVerify(stored().anonKey, new TextEncoder().encode('x'.repeat(40)))).rejects.toThrow(/signature verification failed/);
  });

  test('the keys expire when configured', async () => {
    const stored = givenSecrets(SECRET, 'v1', '{}');
    await ensureApiKeys(client(), { ...PROPS, LifetimeSeconds: '3600' }, () => NOW);
    const key = new TextEncoder().encode(SECRET);
    const inAnHour = new Date(NOW.getTime() + 3600 * 1000 + 1000);
    await expect(jwtVerify(stored().anonKey, key, { currentDate: new Date(NOW.getTime() + 3599 * 1000) })).resolves.toBeDefined();
    await expect(jwtVerify(stored().anonKey, key, { currentDate: inAnHour })).rejects.toThrow(/"exp" claim timestamp check failed/);
  });

  test('an update with the same inputs signs nothing new', async () => {
    const stored = givenSecrets(SECRET, 'v1', '{}');
    await ensureApiKeys(client(), PROPS, () => NOW);
    const first = stored();
    expect(puts()).toBe(1);

    const later = new Date(NOW.getTime() + 86400 * 1000);
    const outcome = await ensureApiKeys(client(), PROPS, () => later);
    expect(outcome).toEqual({ signed: false, reason: 'the keys already match the JWT secret and the claims' });
    expect(puts()).toBe(1);
    expect(stored()).toEqual(first);
  });

  test('a changed JWT secret yields new keys that verify against it', async () => {
    const stored = givenSecrets(SECRET, 'v1', '{}');
    await ensureApiKeys(client(), PROPS, () => NOW);
    const oldKeys = stored();

    const newSecret = 'N3wS3cr3tN3wS3cr3tN3wS3cr3tN3wS3cr3tN3wS';
    sm.on(GetSecretValueCommand, { SecretId: JWT_ARN }).resolves({ SecretString: JSON.stringify({ jwtSecret: newSecret }), VersionId: 'v2' });
    const outcome = await ensureApiKeys(client(), PROPS, () => NOW);
    expect(outcome).toEqual({ signed: true, reason: 'the JWT secret changed' });

    const fresh = stored();
    expect(fresh.anonKey).not.toEqual(oldKeys.anonKey);
    expect(fresh.jwtSecretVersionId).toBe('v2');
    await expect(jwtVerify(fresh.serviceRoleKey, new TextEncoder().encode(newSecret))).resolves.toBeDefined();
  });

  test('changed claims (the lifetime) yield new keys', async () => {
    givenSecrets(SECRET, 'v1', '{}');
    await ensureApiKeys(client(), PROPS, () => NOW);
    const outcome = await ensureApiKeys(client(), { ...PROPS, LifetimeSeconds: '86400' }, () => NOW);
    expect(outcome).toEqual({ signed: true, reason: 'the claims changed' });
    expect(puts()).toBe(2);
  });

  test.each([
    ['a non-JSON JWT secret', 'plain-text', /The JWT secret does not hold a JSON document/],
    ['a short JWT secret', JSON.stringify({ jwtSecret: 'short' }), /field `jwtSecret` must be a string of at least 32 characters/],
    ['a JWT secret without the field', JSON.stringify({ other: SECRET }), /field `jwtSecret` must be a string/],
  ])('%s is refused without echoing it', async (_name, value, message) => {
    givenSecrets(SECRET, 'v1', '{}');
    sm.on(GetSecretValueCommand, { SecretId: JWT_ARN }).resolves({ SecretString: value, VersionId: 'v1' });
    const error = await ensureApiKeys(client(), PROPS, () => NOW).catch((e: Error) => e);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(value);
    expect(puts()).toBe(0);
  });

  test.each(['0', '-5', 'soon', '1.5'])('lifetime %s is refused', async (lifetime) => {
    givenSecrets(SECRET, 'v1', '{}');
    await expect(ensureApiKeys(client(), { ...PROPS, LifetimeSeconds: lifetime })).rejects.toThrow(/LifetimeSeconds must be a positive whole number/);
  });
});

describe('custom resource events', () => {
  const event = (RequestType: 'Create' | 'Update' | 'Delete') => customResourceEvent(RequestType, {
    logicalResourceId: 'ApiKeysSigning', resourceType: 'Custom::SupabaseApiKeys', physicalResourceId: KEYS_ARN, properties: PROPS,
  });

  test('delete is a no-op: nothing read, nothing written', async () => {
    givenSecrets(SECRET, 'v1', '{}');
    await expect(onEvent(event('Delete'), client())).resolves.toEqual({ physicalResourceId: KEYS_ARN });
    expect(sm.calls()).toHaveLength(0);
  });

  test('the response to CloudFormation carries no key and no secret, on success and on failure', async () => {
    await capturingResponsesAndLogs(async (bodies, logs) => {
      // The handler uses its own module-level client; aws-sdk-client-mock intercepts every SecretsManagerClient.
      const stored = givenSecrets(SECRET, 'v1', '{}');
      await handler(event('Create'));
      const keys = stored();
      expect(JSON.parse(bodies[0])).toEqual({
        Status: 'SUCCESS',
        Reason: 'SUCCESS',
        PhysicalResourceId: KEYS_ARN,
        StackId: event('Create').StackId,
        RequestId: 'r1',
        LogicalResourceId: 'ApiKeysSigning',
      });

      sm.on(PutSecretValueCommand).rejects(new Error('AccessDeniedException: not allowed'));
      sm.on(GetSecretValueCommand, { SecretId: KEYS_ARN }).resolves({ SecretString: '{}' });
      await handler(event('Update'));
      expect(JSON.parse(bodies[1])).toMatchObject({ Status: 'FAILED', Reason: 'AccessDeniedException: not allowed', PhysicalResourceId: KEYS_ARN });

      for (const text of [...bodies, ...logs]) {
        for (const value of [SECRET, keys.anonKey, keys.serviceRoleKey]) {
          expect(text).not.toContain(value);
        }
        expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\./);
      }
    });
  });
});
