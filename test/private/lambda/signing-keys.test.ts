import { JWK, JWTHeaderParameters, SignJWT, createLocalJWKSet, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import {
  EcSigningKey, SigningKeyRing, authJwtKeys, generateOpaqueKey, generateSigningKey, opaqueKeyKind, signInternalKey,
  verificationJwks,
} from '../../../src/private/lambda/signing-keys';

const LEGACY_SECRET = 'q8Zr2VbN4mXc7LkP0sTw9YhG3jDf6AeR1uIo5pQa';
const NOW = 1_795_000_000;
const FIVE_YEARS = 5 * 365 * 86400;
const currentDate = new Date(NOW * 1000);

let current: EcSigningKey;
let standby: EcSigningKey;
let old: EcSigningKey;
beforeAll(async () => {
  [current, standby, old] = await Promise.all([generateSigningKey(), generateSigningKey(), generateSigningKey()]);
});

const ring = (partial: Partial<SigningKeyRing> = {}): SigningKeyRing => ({ inUse: current, standby: [], previouslyUsed: [], ...partial });
const verifier = (r: SigningKeyRing, legacy?: string) => createLocalJWKSet(verificationJwks(r, legacy));

/**
 * A key lookup the way the services do it (jose's JWKS support stops at asymmetric keys): a token with a `kid` takes
 * the key of that `kid`, a token without one (the legacy HS256 keys and sessions) the `oct` key.
 */
function serviceVerifier(r: SigningKeyRing, legacy?: string) {
  const keys: JWK[] = verificationJwks(r, legacy).keys;
  return async (header: JWTHeaderParameters) => {
    const jwk = header.kid === undefined ? keys.find((k) => k.kty === 'oct') : keys.find((k) => k.kid === header.kid);
    if (jwk === undefined || jwk.alg !== header.alg) {
      throw new Error('no applicable key found');
    }
    return importJWK(jwk, header.alg);
  };
}

describe('signing keys', () => {
  test('a new key is an EC P-256 private key named by a random UUID', async () => {
    expect(current).toEqual({
      kty: 'EC',
      crv: 'P-256',
      kid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      x: expect.any(String),
      y: expect.any(String),
      d: expect.any(String),
    });
    expect(new Set([current.kid, standby.kid, old.kid]).size).toBe(3);
    expect(current.d).not.toEqual(standby.d);
  });

  test('an internal key signed with the key in use verifies with the published set, with the claims the services read', async () => {
    const token = await signInternalKey('service_role', current, 'supabase', NOW, FIVE_YEARS);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: current.kid });
    const { payload } = await jwtVerify(token, verifier(ring()), { algorithms: ['ES256'], currentDate });
    expect(payload).toEqual({ role: 'service_role', iss: 'supabase', iat: NOW, exp: NOW + FIVE_YEARS });
  });

  test('a token signed with another key does not verify, not even under the same kid', async () => {
    const token = await signInternalKey('anon', standby, 'supabase', NOW, FIVE_YEARS);
    await expect(jwtVerify(token, verifier(ring()), { currentDate })).rejects.toThrow(/no applicable key found/);
    const impostor = await signInternalKey('anon', { ...standby, kid: current.kid }, 'supabase', NOW, FIVE_YEARS);
    await expect(jwtVerify(impostor, verifier(ring()), { currentDate })).rejects.toThrow(/signature verification failed/);
  });

  test('legacy HS256 tokens (no kid) verify while the legacy secret is in the set, and only then', async () => {
    const legacy = await new SignJWT({ role: 'anon' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('supabase').setIssuedAt(NOW).setExpirationTime(NOW + 3600).sign(new TextEncoder().encode(LEGACY_SECRET));
    await expect(jwtVerify(legacy, serviceVerifier(ring(), LEGACY_SECRET), { currentDate })).resolves.toMatchObject({ payload: { role: 'anon' } });
    await expect(jwtVerify(legacy, serviceVerifier(ring()), { currentDate })).rejects.toThrow(/no applicable key found/);
    const asymmetric = await signInternalKey('anon', current, 'supabase', NOW, 3600);
    await expect(jwtVerify(asymmetric, serviceVerifier(ring(), LEGACY_SECRET), { currentDate })).resolves.toBeDefined();
    const forged = await new SignJWT({ role: 'service_role' }).setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(NOW + 3600).sign(new TextEncoder().encode('x'.repeat(40)));
    await expect(jwtVerify(forged, serviceVerifier(ring(), LEGACY_SECRET), { currentDate })).rejects.toThrow(/signature verification failed/);
  });

  test("Auth's set has exactly one signing key with its private part; the others verify only and carry none", () => {
    const keys = authJwtKeys(ring({ standby: [standby], previouslyUsed: [old] }), LEGACY_SECRET);
    expect(keys.filter((k) => k.key_ops?.includes('sign')).map((k) => k.kid)).toEqual([current.kid]);
    expect(keys[0]).toMatchObject({ kid: current.kid, d: current.d, alg: 'ES256', use: 'sig', key_ops: ['sign', 'verify'] });
    expect(keys.slice(1, 3).map((k) => [k.kid, k.d, k.key_ops])).toEqual([[standby.kid, undefined, ['verify']], [old.kid, undefined, ['verify']]]);
    expect(keys[3]).toEqual({ kty: 'oct', k: Buffer.from(LEGACY_SECRET).toString('base64url'), alg: 'HS256' });
  });

  test('without the legacy secret the published set holds public keys only', () => {
    const jwks = verificationJwks(ring({ standby: [standby] }));
    expect(jwks.keys.map((k) => k.kid)).toEqual([current.kid, standby.kid]);
    expect(jwks.keys.every((k) => k.kty === 'EC' && k.d === undefined && k.k === undefined)).toBe(true);
  });

  test('rotation: a standby key verifies once published, and a retired key stops verifying when it leaves the set', async () => {
    const fromStandby = await signInternalKey('authenticated', standby, 'supabase', NOW, 3600);
    await expect(jwtVerify(fromStandby, verifier(ring({ standby: [standby] })), { currentDate })).resolves.toBeDefined();
    const fromOld = await signInternalKey('authenticated', current, 'supabase', NOW, 3600);
    const promoted = ring({ inUse: standby, previouslyUsed: [current] });
    await expect(jwtVerify(fromOld, verifier(promoted), { currentDate })).resolves.toBeDefined();
    await expect(jwtVerify(fromOld, verifier(ring({ inUse: standby })), { currentDate })).rejects.toThrow(/no applicable key found/);
  });

  test('a kid used twice is refused', () => {
    expect(() => authJwtKeys(ring({ standby: [{ ...standby, kid: current.kid }] }))).toThrow(`The signing keys repeat the kid ${current.kid}`);
  });
});

describe('opaque API keys', () => {
  // Computed once with upstream's formula (docker/utils/add-new-auth-keys.sh) for the bytes 00..10.
  const bytes = () => Buffer.from('000102030405060708090a0b0c0d0e0f10', 'hex');

  test("are built the way upstream's self-hosting setup builds them", () => {
    expect(generateOpaqueKey('publishable', bytes)).toBe('sb_publishable_AAECAwQFBgcICQoLDA0ODx_OYGWIoEC');
    expect(generateOpaqueKey('secret', bytes)).toBe('sb_secret_AAECAwQFBgcICQoLDA0ODx_A-Z1geaT');
  });

  test('are random, well formed and tell their kind; a typo breaks the checksum', () => {
    const keys = Array.from({ length: 20 }, () => generateOpaqueKey('secret'));
    expect(new Set(keys).size).toBe(20);
    keys.forEach((key) => expect(opaqueKeyKind(key)).toBe('secret'));
    const publishable = generateOpaqueKey('publishable');
    expect(opaqueKeyKind(publishable)).toBe('publishable');
    const typo = publishable.slice(0, 20) + (publishable[20] === 'A' ? 'B' : 'A') + publishable.slice(21);
    expect(opaqueKeyKind(typo)).toBeUndefined();
    expect(opaqueKeyKind('sb_secret_short_abcdefgh')).toBeUndefined();
  });
});
