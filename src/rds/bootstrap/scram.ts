/**
 * PostgreSQL SCRAM-SHA-256 password verifiers (RFC 5802 and RFC 7677), computed in the bootstrap so that the
 * plaintext password never travels in SQL text: the bootstrap runs `ALTER ROLE ... PASSWORD '<verifier>'`, and
 * PostgreSQL stores a string that already looks like a verifier as it is (it does not hash it again).
 *
 * A failing or logged statement therefore shows the verifier at most, never the password. (A verifier is still
 * sensitive: it allows an offline guessing attack, and with it a server could be impersonated; it does not let
 * anyone log in.) Uses node:crypto only.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** PostgreSQL's default `scram_iterations` (server/auth-scram.c, `SCRAM_DEFAULT_ITERATIONS`). */
export const SCRAM_ITERATIONS = 4096;
/** PostgreSQL's salt length (`SCRAM_DEFAULT_SALT_LEN`). */
const SALT_BYTES = 16;

/**
 * Prepares a password the way PostgreSQL's `pg_saslprep()` does for the passwords this library uses.
 *
 * Printable ASCII, which is what Secrets Manager generates, is left as it is (SASLprep is the identity on it). Other
 * passwords get the SASLprep steps that matter in practice: non-ASCII spaces become a space, the characters that
 * RFC 3454 table B.1 maps to nothing are removed, and the result is NFKC-normalised. The bootstrap logs in with the
 * password after setting it, so a password that PostgreSQL would prepare differently is reported, not left behind.
 */
export function saslPrep(password: string): string {
  if (/^[\x20-\x7e]*$/.test(password)) {
    return password;
  }
  const mapped = password
    .replace(/[\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000]/g, ' ')
    .replace(/[\u00ad\u034f\u1806\u180b-\u180d\u200c\u200d\u2060\ufe00-\ufe0f\ufeff]/g, '');
  return mapped.normalize('NFKC');
}

/**
 * Computes `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` for a password, base64 as PostgreSQL writes
 * it (see `scram_build_secret()` in PostgreSQL's src/common/scram-common.c).
 *
 * @param password the plaintext password; not kept
 * @param salt the salt; a fresh random 16-byte salt unless given (tests pass one for known-answer checks)
 * @param iterations the PBKDF2 iteration count
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(SALT_BYTES), iterations = SCRAM_ITERATIONS): string {
  if (password.length === 0) {
    throw new Error('An empty password cannot be turned into a SCRAM verifier');
  }
  const saltedPassword = pbkdf2Sync(Buffer.from(saslPrep(password), 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', saltedPassword).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', saltedPassword).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** Whether a string has the shape of a SCRAM-SHA-256 verifier (used to refuse anything else in SQL text). */
export function isScramVerifier(value: string): boolean {
  return /^SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/.test(value);
}
