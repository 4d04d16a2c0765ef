/**
 * Hints for a plain value (a string or a number from JavaScript, or through the Python and Go bindings) given where
 * an enum member or an enum-like class's constant belongs: which constant to use instead. The props check
 * (./props-check.ts) appends them to its message; they know no public construct.
 */
import { nearest } from './nearest';

/** Upper case with '-', '.' and spaces as '_': how a value is compared with a constant's name. */
function constantName(value: string): string {
  return value.trim().toUpperCase().replace(/[-. ]/g, '_');
}

/**
 * For a value that is not a member of the enum `values` (written `name` in messages): the member to use, matched by
 * name or value ignoring case, the nearest name for a misspelling, or, for a number in an enum of numbers (such as
 * `logs.RetentionDays`, which lists the day counts CloudWatch Logs accepts), the nearest members below and above.
 * Returns '' when there is nothing to suggest.
 */
export function enumHint(name: string, values: object, v: unknown): string {
  const members = Object.entries(values).filter(([key]) => !/^\d+$/.test(key));
  if (typeof v === 'string') {
    const match = members.find(([key, value]) => key === constantName(v) || String(value).toLowerCase() === v.trim().toLowerCase());
    if (match) {
      return ` Use \`${name}.${match[0]}\`.`;
    }
  }
  const numeric = members.filter((m): m is [string, number] => typeof m[1] === 'number').sort((a, b) => a[1] - b[1]);
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  if (numeric.length > 0 && numeric.length === members.length && !Number.isNaN(n)) {
    const below = [...numeric].reverse().find(([, value]) => value < n);
    const above = numeric.find(([, value]) => value > n);
    const near = [below, above].filter((m): m is [string, number] => m !== undefined)
      .map(([key, value]) => `\`${name}.${key}\` (${value})`);
    return ` It takes only the listed values; the nearest are ${near.join(' and ')}.`;
  }
  if (typeof v === 'string') {
    const near = nearest(constantName(v), members.map(([key]) => key));
    if (near) {
      return ` Did you mean \`${name}.${near}\`?`;
    }
  }
  return '';
}

/**
 * For a string given where an instance of the enum-like class `cls` (written `name`) belongs: the class's constant
 * whose name is the string (ignoring case, '-' and '.'), begins with it (`'valkey'` → `VALKEY_8_0`), or which holds
 * it as one of its fields (`'17.6'` → `rds.PostgresEngineVersion.VER_17_6`). Returns '' when none matches.
 */
export function classConstantHint(name: string, cls: object, v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') {
    return '';
  }
  const constants = Object.getOwnPropertyNames(cls)
    .filter((key) => /^[A-Z][A-Z0-9_]*$/.test(key))
    .map((key): [string, unknown] => [key, (cls as Record<string, unknown>)[key]])
    .filter(([, value]) => typeof value === 'object' && value !== null);
  const wanted = constantName(v);
  const holds = (value: unknown) => Object.values(value as object)
    .some((field) => typeof field === 'string' && field.toLowerCase() === v.trim().toLowerCase());
  const match = constants.find(([key]) => key === wanted)
    ?? constants.find(([key]) => key.startsWith(`${wanted}_`))
    ?? constants.find(([, value]) => holds(value));
  return match ? ` Use \`${name}.${match[0]}\`.` : '';
}
