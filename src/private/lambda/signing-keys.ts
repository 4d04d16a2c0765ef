/**
 * The key material of Supabase's asymmetric signing keys and opaque API keys (issue #23), as pure functions for the
 * key-signing custom resource. Formats follow upstream's self-hosting release (docker/utils/add-new-auth-keys.sh in
 * supabase/supabase) and what Auth (GoTrue's `GOTRUE_JWT_KEYS` decoder) and the verifiers accept:
 *
 * - a signing key is an EC P-256 key for ES256, named by a random UUID `kid`;
 * - Auth's key set (`JWT_KEYS`) holds exactly one key whose `key_ops` include `sign` (Auth refuses none or several),
 *   the other keys verify only, and the legacy JWT secret as an `oct` key without `kid`, so HS256 tokens signed before
 *   the switch (they carry no `kid`) still verify;
 * - the verifiers' set (`JWT_JWKS`) holds the public keys and, while legacy keys are on, the same `oct` key: it
 *   therefore contains the JWT secret and is a secret itself;
 * - an opaque API key is `sb_publishable_` or `sb_secret_`, 22 random base64url characters, `_`, and the first 8
 *   characters of the base64url SHA-256 of `supabase-self-hosted|<prefix><random>` (a checksum that catches typos).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { JWK, SignJWT, exportJWK, generateKeyPair, importJWK } from 'jose';

/** An ES256 signing key as the signing-keys secret stores it: the private JWK and its `kid`. */
export interface EcSigningKey {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly kid: string;
  readonly x: string;
  readonly y: string;
  readonly d: string;
}

/** The signing keys in their rotation states: one in use, any number on standby or previously used. */
export interface SigningKeyRing {
  readonly inUse: EcSigningKey;
  readonly standby: readonly EcSigningKey[];
  readonly previouslyUsed: readonly EcSigningKey[];
}

/** The two kinds of opaque API key. */
export type OpaqueKeyKind = 'publishable' | 'secret';

/** The project reference upstream's self-hosting setup puts in the opaque keys' checksum. */
const CHECKSUM_PROJECT = 'supabase-self-hosted';
const RANDOM_LENGTH = 22;
const CHECKSUM_LENGTH = 8;
const OPAQUE_KEY = /^(sb_publishable_|sb_secret_)([A-Za-z0-9_-]{22})_([A-Za-z0-9_-]{8})$/;

/** A new ES256 key pair with a random `kid`. */
export async function generateSigningKey(): Promise<EcSigningKey> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y || !jwk.d) {
    throw new Error('jose generated a key that is not an EC P-256 private key');
  }
  return { kty: 'EC', crv: 'P-256', kid: randomUUID(), x: jwk.x, y: jwk.y, d: jwk.d };
}

/** The public JWK of `key`, verify-only, as every set publishes it. */
export function publicJwk(key: EcSigningKey): JWK {
  return { kty: key.kty, crv: key.crv, kid: key.kid, x: key.x, y: key.y, alg: 'ES256', use: 'sig', key_ops: ['verify'], ext: true };
}

/** The legacy JWT secret as a JWK: Auth and the verifiers take it for tokens without a `kid`. */
export function legacySecretJwk(jwtSecret: string): JWK {
  return { kty: 'oct', k: Buffer.from(jwtSecret, 'utf8').toString('base64url'), alg: 'HS256' };
}

/**
 * Auth's key set (`GOTRUE_JWT_KEYS`): the key in use with its private part and `sign`, the others public and
 * verify-only (Auth needs no private part to verify, so none is handed to it), and the legacy secret when given.
 */
export function authJwtKeys(ring: SigningKeyRing, legacyJwtSecret?: string): JWK[] {
  checkRing(ring);
  const signing: JWK = { ...publicJwk(ring.inUse), d: ring.inUse.d, key_ops: ['sign', 'verify'] };
  return [
    signing,
    ...[...ring.standby, ...ring.previouslyUsed].map(publicJwk),
    ...(legacyJwtSecret === undefined ? [] : [legacySecretJwk(legacyJwtSecret)]),
  ];
}

/**
 * The verifiers' set (`JWT_JWKS`, PostgREST, Storage, Realtime): every public key, the one in use first, and the
 * legacy secret when given. With the legacy secret it is a secret; without, it is what Auth publishes at
 * `/auth/v1/.well-known/jwks.json`.
 */
export function verificationJwks(ring: SigningKeyRing, legacyJwtSecret?: string): { keys: JWK[] } {
  checkRing(ring);
  return {
    keys: [
      ...[ring.inUse, ...ring.standby, ...ring.previouslyUsed].map(publicJwk),
      ...(legacyJwtSecret === undefined ? [] : [legacySecretJwk(legacyJwtSecret)]),
    ],
  };
}

/**
 * An ES256 JWT for `role` signed with `key`: what the gateway puts in `Authorization` for an opaque key
 * (upstream's `ANON_KEY_ASYMMETRIC` and `SERVICE_ROLE_KEY_ASYMMETRIC`).
 */
export async function signInternalKey(role: string, key: EcSigningKey, issuer: string, issuedAt: number, lifetimeSeconds: number): Promise<string> {
  const privateKey = await importJWK({ kty: key.kty, crv: key.crv, x: key.x, y: key.y, d: key.d }, 'ES256');
  return new SignJWT({ role })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: key.kid })
    .setIssuer(issuer)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + lifetimeSeconds)
    .sign(privateKey);
}

/** A new opaque API key of `kind`; `random` is injectable for tests. */
export function generateOpaqueKey(kind: OpaqueKeyKind, random: (size: number) => Buffer = randomBytes): string {
  const prefix = `sb_${kind}_`;
  const body = prefix + random(17).toString('base64url').slice(0, RANDOM_LENGTH);
  return `${body}_${checksum(body)}`;
}

/** The kind of a well-formed opaque key whose checksum matches, or undefined. */
export function opaqueKeyKind(key: string): OpaqueKeyKind | undefined {
  const match = OPAQUE_KEY.exec(key);
  if (!match || checksum(match[1] + match[2]) !== match[3]) {
    return undefined;
  }
  return match[1] === 'sb_publishable_' ? 'publishable' : 'secret';
}

function checksum(body: string): string {
  return createHash('sha256').update(`${CHECKSUM_PROJECT}|${body}`).digest('base64url').slice(0, CHECKSUM_LENGTH);
}

/** Every `kid` once: Auth keys its set by `kid`, so a repeated one would silently drop a key. */
function checkRing(ring: SigningKeyRing): void {
  const kids = [ring.inUse, ...ring.standby, ...ring.previouslyUsed].map((key) => key.kid);
  const repeated = kids.filter((kid, i) => kids.indexOf(kid) !== i);
  if (repeated.length > 0) {
    throw new Error(`The signing keys repeat the kid ${repeated.join(', ')}; each key needs its own.`);
  }
}
