import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ResolvedScaling } from './service';
import { configError } from '../../../private/errors';
import { DEFAULT_IMAGES, SupabaseImages } from '../images';
import { SupabaseServiceScaling } from '../settings';

/** Services whose Deployment a HorizontalPodAutoscaler scales. */
export const AUTOSCALED = new Set(['kong', 'auth', 'rest', 'realtime', 'storage', 'imgproxy', 'functions']);
/** Services that run one pod: Studio keeps its saved snippets on a ReadWriteOnce volume. */
export const SINGLE = new Set(['studio']);

/** `value` as a URL, or undefined when it is not one. */
export function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * Throws unless `publicUrl` is the gateway's origin as clients call it: absolute http(s), nothing after the host
 * (no path, not even a trailing slash: Auth's issuer, its links and Storage's URLs are `publicUrl` + a path, so a
 * trailing slash doubles in every one of them), no query, fragment, credentials or port (the load balancer listens
 * on 443, and on 80 only to redirect), and https when the load balancer has a certificate. Tokens are skipped.
 */
export function validatePublicUrl(scope: Construct, value: string, certificate?: boolean) {
  if (Token.isUnresolved(value)) {
    return;
  }
  const prop = 'publicUrl';
  const url = absoluteHttpUrl(scope, prop, value);
  const example = `'${url.protocol}//${url.hostname}'`;
  if (url.username || url.password) {
    throw configError(scope, `\`${prop}\` must not carry credentials, got a URL of ${url.hostname} with a user name. It is the address every client calls and Auth writes into its links: use e.g. ${example}.`);
  }
  if (url.search || url.hash) {
    throw configError(scope, `\`${prop}\` must not have a ${url.search ? 'query' : 'fragment'}, got '${value}'. It is the base of Auth's issuer and links, which append their paths to it: use e.g. ${example}.`);
  }
  if (url.pathname !== '/') {
    throw configError(scope, `\`${prop}\` must be the gateway's origin without a path, got '${value}'. Kong routes /auth/v1, /rest/v1, ... from the root: use e.g. ${example}.`);
  }
  if (value.endsWith('/')) {
    throw configError(scope, `\`${prop}\` must not end with '/', got '${value}': Auth's issuer and every link are publicUrl + '/auth/v1/...', so the slash would double in each. Use '${value.replace(/\/+$/, '')}'.`);
  }
  if (/^[a-z]+:\/\/[^/]*:\d*$/i.test(value)) {
    throw configError(scope, `\`${prop}\` must not name a port, got '${value}'. The load balancer listens on 443 (HTTPS) and on 80 (HTTP${certificate ? ', redirected' : ''}), and a port in the URL changes the JWT issuer: use ${example}.`);
  }
  if (certificate && url.protocol === 'http:') {
    throw configError(scope, `\`${prop}\` is '${value}' but \`certificate\` is set: the load balancer redirects HTTP to HTTPS, so every call to it would be redirected (a POST loses its body) and Auth's issuer and links would not match the https URL clients end up on. Use 'https://${url.host}'.`);
  }
}

/**
 * Throws unless `auth.siteUrl` is a URL Auth can redirect to (`GOTRUE_SITE_URL`). Auth v2.196.0 redirects to it
 * as given when no allowed `redirect_to` is asked for (internal/utilities/request.go GetReferrer), keeps its query
 * when it adds its own parameters (internal/api/verify.go prepRedirectURL), and compares only its scheme, host and
 * port with a redirect URL: so a path, a trailing slash, a query and a port are legitimate (an app served under
 * `/app/`, a local `http://localhost:3000`). It replaces the fragment with the tokens or the error (`u.Fragment =`),
 * so a fragment is lost, and credentials in it would sit in the manifest: both are rejected. Tokens are skipped.
 */
export function validateSiteUrl(scope: Construct, value: string) {
  if (Token.isUnresolved(value)) {
    return;
  }
  const prop = 'auth.siteUrl';
  const url = absoluteHttpUrl(scope, prop, value);
  if (url.username || url.password) {
    throw configError(scope, `\`${prop}\` must not carry credentials, got a URL of ${url.hostname} with a user name: it is a plain variable of the Auth Deployment and every email's link. Use e.g. 'https://${url.host}'.`);
  }
  if (url.hash || value.includes('#')) {
    throw configError(scope, `\`${prop}\` must not have a fragment, got '${value}': Auth replaces the fragment with the session or the error when it redirects there. Use the URL without '#...', e.g. '${value.slice(0, value.indexOf('#'))}'.`);
  }
}

/** `value` as an absolute http(s) URL with a host; throws naming `prop` otherwise. */
function absoluteHttpUrl(scope: Construct, prop: string, value: string): URL {
  const url = typeof value === 'string' ? parseUrl(value) : undefined;
  if (!url || !['http:', 'https:'].includes(url.protocol) || !url.hostname || /\s/.test(value)) {
    throw configError(scope, `\`${prop}\` must be an absolute http(s) URL, got ${typeof value === 'string' ? `'${value}'` : JSON.stringify(value ?? null)}. Use e.g. 'https://app.example.com'.`);
  }
  return url;
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
