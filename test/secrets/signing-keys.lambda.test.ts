import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { opaqueKeyKind } from '../../src/private/lambda/signing-keys';
import { SigningKeysDocument, SigningKeysProperties, ensureSigningKeys, handler, onEvent } from '../../src/secrets/signing-keys.lambda';
import { capturingResponsesAndLogs, customResourceEvent } from '../private/lambda/custom-resource-harness';

const JWT_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:supabase/jwt-AbCdEf';
const KEYS_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:supabase/signing-keys-GhIjKl';
const SECRET = 'q8Zr2VbN4mXc7LkP0sTw9YhG3jDf6AeR1uIo5pQa';
const PROPS: SigningKeysProperties = {
  JwtSecretArn: JWT_ARN,
  SigningKeysSecretArn: KEYS_ARN,
  InUse: 'key-1',
  LegacyKeys: 'true',
  SecretApiKeys: ['default'],
  Issuer: 'supabase',
  LifetimeSeconds: String(5 * 365 * 86400),
};
const NOW = new Date('2026-12-05T12:00:00Z');

const sm = mockClient(SecretsManagerClient);

/** A stand-in Secrets Manager: the JWT secret, and the keys' secret that PutSecretValue updates. */
function givenSecrets(keys = '{"placeholder":"x"}') {
  let keysValue = keys;
  sm.reset();
  sm.on(GetSecretValueCommand, { SecretId: JWT_ARN }).resolves({ SecretString: JSON.stringify({ jwtSecret: SECRET }), VersionId: 'v1' });
  sm.on(GetSecretValueCommand, { SecretId: KEYS_ARN }).callsFake(() => ({ SecretString: keysValue }));
  sm.on(PutSecretValueCommand, { SecretId: KEYS_ARN }).callsFake((input) => {
    keysValue = input.SecretString;
    return {};
  });
  return () => JSON.parse(keysValue) as SigningKeysDocument;
}

const client = () => new SecretsManagerClient({ region: 'eu-west-1' });
const puts = () => sm.commandCalls(PutSecretValueCommand).length;
const run = (props: Partial<SigningKeysProperties> = {}) => ensureSigningKeys(client(), { ...PROPS, ...props }, () => NOW);
/** The kids of a key set (`jwtKeys` is an array, the JWKS an object with `keys`); the legacy secret shows as 'oct'. */
const kids = (set: string) => {
  const value = JSON.parse(set);
  return (Array.isArray(value) ? value : value.keys).map((k: any) => k.kid ?? 'oct');
};
const signers = (jwtKeys: string) => JSON.parse(jwtKeys).filter((k: any) => k.key_ops?.includes('sign')).map((k: any) => k.kid);

describe('first run', () => {
  test('generates the key in use, the internal keys and the opaque keys, and derives the sets', async () => {
    const stored = givenSecrets();
    const outcome = await run();
    expect(outcome).toEqual({
      written: true,
      changes: ["new signing key 'key-1'", "internal keys signed with 'key-1'", 'new publishable key', "new secret API key 'default'"],
    });
    const doc = stored();
    const kid = doc.signingKeys['key-1'].kid;
    expect(kids(doc.jwtKeys)).toEqual([kid, 'oct']);
    expect(kids(doc.jwks)).toEqual([kid, 'oct']);
    expect(kids(doc.publicJwks)).toEqual([kid]);
    expect(opaqueKeyKind(doc.publishableKey)).toBe('publishable');
    expect(JSON.parse(doc.secretKeys)).toEqual({ default: doc.secretKey_default });
    expect(JSON.parse(doc.publishableKeys)).toEqual({ default: doc.publishableKey });
    expect(opaqueKeyKind(doc.secretKey_default)).toBe('secret');

    const jwks = createLocalJWKSet(JSON.parse(doc.publicJwks));
    for (const [token, role] of [[doc.anonKeyAsymmetric, 'anon'], [doc.serviceRoleKeyAsymmetric, 'service_role']] as const) {
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid });
      const { payload } = await jwtVerify(token, jwks, { algorithms: ['ES256'], issuer: 'supabase', currentDate: NOW });
      expect(payload).toEqual({ role, iss: 'supabase', iat: NOW.getTime() / 1000, exp: NOW.getTime() / 1000 + 5 * 365 * 86400 });
    }
  });

  test('without legacy keys no set holds the JWT secret, and the JWT secret is not even read', async () => {
    const stored = givenSecrets();
    await run({ LegacyKeys: 'false' });
    const doc = stored();
    expect(kids(doc.jwtKeys)).toEqual([doc.signingKeys['key-1'].kid]);
    expect(doc.jwks).toEqual(doc.publicJwks);
    expect(JSON.stringify(doc)).not.toContain(Buffer.from(SECRET).toString('base64url'));
    expect(sm.commandCalls(GetSecretValueCommand, { SecretId: JWT_ARN })).toHaveLength(0);
  });
});

describe('later runs', () => {
  test('the same properties change nothing: no write, the same keys', async () => {
    const stored = givenSecrets();
    await run();
    const first = stored();
    await expect(ensureSigningKeys(client(), PROPS, () => new Date(NOW.getTime() + 86400_000))).resolves.toEqual({ written: false, changes: [] });
    expect(puts()).toBe(1);
    expect(stored()).toEqual(first);
  });

  test('rotation: standby published, promoted (internal keys re-signed), the old key kept verifying, then removed', async () => {
    const stored = givenSecrets();
    await run();
    const k1 = stored().signingKeys['key-1'];
    const oldServiceKey = stored().serviceRoleKeyAsymmetric;

    await expect(run({ Standby: ['key-2'] })).resolves.toEqual({ written: true, changes: ["new signing key 'key-2'"] });
    const k2 = stored().signingKeys['key-2'];
    expect(kids(stored().publicJwks)).toEqual([k1.kid, k2.kid]);
    expect(signers(stored().jwtKeys)).toEqual([k1.kid]);

    await expect(run({ InUse: 'key-2', PreviouslyUsed: ['key-1'] })).resolves.toEqual({ written: true, changes: ["internal keys signed with 'key-2'"] });
    const promoted = stored();
    expect(promoted.signingKeys).toEqual({ 'key-2': k2, 'key-1': k1 });
    expect(signers(promoted.jwtKeys)).toEqual([k2.kid]);
    expect(decodeProtectedHeader(promoted.serviceRoleKeyAsymmetric).kid).toBe(k2.kid);
    await expect(jwtVerify(oldServiceKey, createLocalJWKSet(JSON.parse(promoted.publicJwks)), { currentDate: NOW })).resolves.toBeDefined();

    await expect(run({ InUse: 'key-2' })).resolves.toEqual({ written: true, changes: ["removed signing key 'key-1'"] });
    expect(kids(stored().publicJwks)).toEqual([k2.kid]);
    await expect(jwtVerify(oldServiceKey, createLocalJWKSet(JSON.parse(stored().publicJwks)), { currentDate: NOW })).rejects.toThrow(/no applicable key found/);
  });

  test('secret API keys: a new name gets its own key, the others stay; a removed name is revoked', async () => {
    const stored = givenSecrets();
    await run();
    const first = stored();
    await expect(run({ SecretApiKeys: ['default', 'billing'] })).resolves.toEqual({ written: true, changes: ["new secret API key 'billing'"] });
    const two = stored();
    expect(two.secretKey_default).toBe(first.secretKey_default);
    expect(opaqueKeyKind(two.secretKey_billing)).toBe('secret');
    expect(two.secretKey_billing).not.toBe(two.secretKey_default);
    expect(two.publishableKey).toBe(first.publishableKey);

    expect(JSON.parse(two.secretKeys)).toEqual({ default: two.secretKey_default, billing: two.secretKey_billing });

    await expect(run({ SecretApiKeys: ['billing'] })).resolves.toEqual({ written: true, changes: ["revoked secret API key 'default'"] });
    // The first name's key is the default one now.
    expect(JSON.parse(stored().secretKeys)).toEqual({ default: two.secretKey_billing, billing: two.secretKey_billing });
    expect(stored()).not.toHaveProperty('secretKey_default');
  });

  test('turning legacy keys off changes the sets only', async () => {
    const stored = givenSecrets();
    await run();
    const before = stored();
    await expect(run({ LegacyKeys: 'false' })).resolves.toEqual({ written: true, changes: ['the key sets changed (legacy keys or key states)'] });
    const after = stored();
    expect(kids(after.jwks)).toEqual([before.signingKeys['key-1'].kid]);
    expect({ ...after, jwtKeys: '', jwks: '' }).toEqual({ ...before, jwtKeys: '', jwks: '' });
  });
});

describe('refused properties', () => {
  test.each([
    [{ InUse: 'Key 1' }, /'Key 1' is not a key label or name/],
    [{ Standby: ['key-1'] }, /The signing key labels repeat key-1/],
    [{ SecretApiKeys: [] }, /SecretApiKeys must name at least one secret API key/],
    [{ SecretApiKeys: ['a', 'a'] }, /SecretApiKeys must name at least one secret API key, each once/],
    [{ SecretApiKeys: ['billing', 'default'] }, /may name 'default' only first/],
    [{ LegacyKeys: 'yes' }, /LegacyKeys must be 'true' or 'false'/],
    [{ LifetimeSeconds: '0' }, /LifetimeSeconds must be a positive whole number/],
  ])('%p', async (props, message) => {
    givenSecrets();
    await expect(run(props as Partial<SigningKeysProperties>)).rejects.toThrow(message);
    expect(puts()).toBe(0);
  });
});

describe('custom resource events', () => {
  const event = (RequestType: 'Create' | 'Update' | 'Delete') => customResourceEvent(RequestType, {
    logicalResourceId: 'SigningKeys', resourceType: 'Custom::SupabaseSigningKeys', physicalResourceId: KEYS_ARN, properties: PROPS,
  });

  test('delete is a no-op: nothing read, nothing written', async () => {
    givenSecrets();
    await expect(onEvent(event('Delete'), client())).resolves.toEqual({ physicalResourceId: KEYS_ARN });
    expect(sm.calls()).toHaveLength(0);
  });

  test('no key material in the response to CloudFormation or the log, on success and on failure', async () => {
    await capturingResponsesAndLogs(async (bodies, logs) => {
      const stored = givenSecrets();
      await handler(event('Create'));
      const doc = stored();
      expect(JSON.parse(bodies[0])).toEqual({
        Status: 'SUCCESS', Reason: 'SUCCESS', PhysicalResourceId: KEYS_ARN, StackId: event('Create').StackId, RequestId: 'r1', LogicalResourceId: 'SigningKeys',
      });
      expect(logs).toEqual([expect.stringContaining("Create: wrote the keys (new signing key 'key-1'")]);

      sm.on(PutSecretValueCommand).rejects(new Error('AccessDeniedException: not allowed'));
      sm.on(GetSecretValueCommand, { SecretId: KEYS_ARN }).resolves({ SecretString: '{}' });
      await handler(event('Update'));
      expect(JSON.parse(bodies[1])).toMatchObject({ Status: 'FAILED', Reason: 'AccessDeniedException: not allowed' });

      const material = [
        SECRET, Buffer.from(SECRET).toString('base64url'), doc.signingKeys['key-1'].d, doc.anonKeyAsymmetric,
        doc.serviceRoleKeyAsymmetric, doc.publishableKey, doc.secretKey_default,
      ];
      for (const text of [...bodies, ...logs]) {
        material.forEach((value) => expect(text).not.toContain(value));
        expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\.|sb_(publishable|secret)_/);
      }
    });
  });
});
