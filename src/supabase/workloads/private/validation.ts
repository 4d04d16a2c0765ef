import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ResolvedScaling } from './service';
import { configError } from '../../../private/errors';
import { DEFAULT_IMAGES, SupabaseImages } from '../images';
import { SupabaseServiceScaling } from '../settings';

/** `value` as a URL, or undefined when it is not one. */
export function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** Throws unless `value` is an absolute http(s) URL (and, for `publicUrl`, an origin without a path). Tokens are skipped. */
export function validateUrl(scope: Construct, prop: string, value: string) {
  if (Token.isUnresolved(value)) {
    return;
  }
  const url = parseUrl(value);
  if (!url || !['http:', 'https:'].includes(url.protocol) || !url.hostname) {
    throw configError(scope, `\`${prop}\` must be an absolute http(s) URL, got '${value}'. Use e.g. 'https://app.example.com'.`);
  }
  if (url.pathname !== '/' && prop === 'publicUrl') {
    throw configError(scope, `\`publicUrl\` must be the gateway's origin without a path, got '${value}'. Use e.g. 'https://api.example.com'.`);
  }
}

/**
 * Throws unless `value` is a redirect URL pattern Auth can use (`GOTRUE_URI_ALLOW_LIST`): absolute, with a scheme
 * (`https://*.example.com/**`, `myapp://callback`), no comma (Auth splits the list on commas), no whitespace, and
 * its glob's `[` `]` and `{` `}` closed (Auth stops at start on a pattern it cannot compile). Tokens are skipped.
 */
export function validateRedirectPattern(scope: Construct, prop: string, value: string) {
  if (typeof value === 'string' && Token.isUnresolved(value)) {
    return;
  }
  const example = 'e.g. \'https://*.example.com/**\' or \'myapp://callback\'';
  if (typeof value !== 'string' || !/^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]/.test(value) || /^https?:(?!\/\/[^/\s])/i.test(value)) {
    throw configError(scope, `\`${prop}\` is ${JSON.stringify(value ?? null)}; it must be an absolute URL pattern with a scheme, ${example}.`);
  }
  if (/[\s,]/.test(value)) {
    throw configError(scope, `\`${prop}\` is '${value}', which has ${/,/.test(value) ? 'a comma (Auth reads the list split on commas, so {a,b} alternatives cannot be used: give one entry per alternative)' : 'whitespace'}; ${example}.`);
  }
  if (!globClosed(value)) {
    throw configError(scope, `\`${prop}\` is '${value}', whose glob has an unclosed [ or {, or ends with a lone backslash: Auth would not start. Close it, or escape the character with a backslash.`);
  }
}

/**
 * Whether every `[` and `{` of a glob is closed, as Auth's glob library reads it: a backslash escapes the next
 * character, a `]` or `}` without its opener is text, and inside `[...]` everything up to `]` is the range.
 */
function globClosed(value: string): boolean {
  let terms = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\') {
      i++;
      if (i >= value.length) return false;
    } else if (c === '[') {
      i++;
      while (i < value.length && value[i] !== ']') i += value[i] === '\\' ? 2 : 1;
      if (i >= value.length) return false;
    } else if (c === '{') {
      terms++;
    } else if (c === '}' && terms > 0) {
      terms--;
    }
  }
  return terms === 0;
}

/** Throws unless `image` is pinned by a tag other than latest, or by a digest. Tokens are skipped. */
export function validateImage(scope: Construct, service: string, image: string) {
  if (Token.isUnresolved(image)) {
    return;
  }
  if (image.includes('@sha256:')) {
    return;
  }
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : '';
  if (!tag || tag === 'latest') {
    throw configError(scope, `\`images.${service}\` is '${image}', which ${tag ? 'uses the moving tag latest' : 'has no tag'}. Pin a version, e.g. '${DEFAULT_IMAGES[service as keyof SupabaseImages]}', or a digest.`);
  }
}

/** A service's scaling with its defaults; throws when it cannot work. Tokens are skipped. */
export function resolveScaling(
  scope: Construct, service: string, scaling: SupabaseServiceScaling | undefined, autoscale: boolean, single: boolean,
): ResolvedScaling {
  const minReplicas = scaling?.minReplicas ?? (single ? 1 : 2);
  const maxReplicas = scaling?.maxReplicas ?? Math.max(10, minReplicas);
  const targetCpuUtilization = scaling?.targetCpuUtilization ?? 70;
  const prop = `scaling.${service}`;
  if (!Token.isUnresolved(minReplicas) && (!Number.isInteger(minReplicas) || minReplicas < 1)) {
    throw configError(scope, `\`${prop}.minReplicas\` must be a whole number of at least 1, got ${minReplicas}. Use 1 for development, 2 or more for production.`);
  }
  if (!Token.isUnresolved(maxReplicas) && (!Number.isInteger(maxReplicas) || maxReplicas < 1)) {
    throw configError(scope, `\`${prop}.maxReplicas\` must be a whole number of at least 1, got ${maxReplicas}.`);
  }
  if (!Token.isUnresolved(minReplicas) && !Token.isUnresolved(maxReplicas) && minReplicas > maxReplicas) {
    throw configError(scope, `\`${prop}.minReplicas\` (${minReplicas}) is greater than \`maxReplicas\` (${maxReplicas}). Raise maxReplicas or lower minReplicas.`);
  }
  if (!Token.isUnresolved(targetCpuUtilization) && (targetCpuUtilization < 1 || targetCpuUtilization > 100)) {
    throw configError(scope, `\`${prop}.targetCpuUtilization\` must be a percentage from 1 to 100, got ${targetCpuUtilization}. 70 is the default.`);
  }
  if (single && !Token.isUnresolved(minReplicas) && minReplicas !== 1) {
    throw configError(scope, `\`${prop}.minReplicas\` must be 1, got ${minReplicas}: ${service} keeps its saved SQL snippets on an EBS volume (ReadWriteOnce), which one pod mounts at a time. Remove minReplicas or set 1.`);
  }
  if (!autoscale && scaling?.maxReplicas !== undefined) {
    throw configError(scope, `\`${prop}.maxReplicas\` is set, but ${service} does not autoscale: it runs minReplicas pods. Remove maxReplicas.`);
  }
  return { minReplicas, maxReplicas, targetCpuUtilization, autoscale };
}
