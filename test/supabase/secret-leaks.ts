/** Variables whose names look secret but hold a switch: Auth's "password change needs the current password". */
const NOT_SECRET = new Set(['GOTRUE_SECURITY_UPDATE_PASSWORD_REQUIRE_CURRENT_PASSWORD']);

/** Values that must never be in a manifest: JWTs, password-like env values, connection strings with a password. */
export function secretLeaks(text: string): string[] {
  const leaks: string[] = [];
  for (const m of text.matchAll(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g)) {
    leaks.push(`JWT ${m[0].slice(0, 12)}...`);
  }
  for (const m of text.matchAll(/postgres(?:ql)?:\/\/[^:/@\s"]+:([^@\s"]+)@/g)) {
    if (!m[1].startsWith('{{')) {
      leaks.push('connection string with a password');
    }
  }
  for (const m of text.matchAll(/\\?"name\\?":\\?"([A-Z_]*(?:PASSWORD|PASS|SECRET|_KEY|KEY_BASE))\\?",\\?"value\\?":/g)) {
    if (!NOT_SECRET.has(m[1])) {
      leaks.push(`${m[1]} as a plain value`);
    }
  }
  return leaks;
}
