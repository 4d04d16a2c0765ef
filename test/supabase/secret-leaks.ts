/** Variables named like secrets that hold identifiers or switches, rendered as plain values on purpose. */
const IDENTIFIERS = new Set([
  // Vonage's API key names the account; the API secret authenticates it.
  'GOTRUE_SMS_VONAGE_API_KEY',
  // A switch: Auth's "password change needs the current password".
  'GOTRUE_SECURITY_UPDATE_PASSWORD_REQUIRE_CURRENT_PASSWORD',
]);

/**
 * Values that must never be in a manifest or a template: JWTs, webhook signing secrets, opaque API keys, JWK key
 * material, password-like env values, connection strings with a password.
 */
export function secretLeaks(text: string): string[] {
  const leaks: string[] = [];
  for (const m of text.matchAll(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g)) {
    leaks.push(`JWT ${m[0].slice(0, 12)}...`);
  }
  if (/whsec_[A-Za-z0-9+/=]{16,}/.test(text)) {
    leaks.push('webhook signing secret');
  }
  if (/sb_(?:publishable|secret)_[A-Za-z0-9_-]{22}_[A-Za-z0-9_-]{8}/.test(text)) {
    leaks.push('opaque API key');
  }
  // A JWK's private part (`d` of an EC or RSA key) or a symmetric key (`k`), at the length of real key material.
  if (/\\?"[dk]\\?":\\?"[A-Za-z0-9_-]{40,}/.test(text)) {
    leaks.push('JWK key material');
  }
  for (const m of text.matchAll(/postgres(?:ql)?:\/\/[^:/@\s"]+:([^@\s"]+)@/g)) {
    if (!m[1].startsWith('{{')) {
      leaks.push('connection string with a password');
    }
  }
  for (const m of text.matchAll(/\\?"name\\?":\\?"([A-Z_]*(?:PASSWORD|PASS|SECRETS?|_KEYS?|KEY_BASE|_TOKEN|JWKS|_ASYMMETRIC|_KEY_[A-Z]+))\\?",\\?"value\\?":/g)) {
    if (!IDENTIFIERS.has(m[1])) {
      leaks.push(`${m[1]} as a plain value`);
    }
  }
  return leaks;
}
