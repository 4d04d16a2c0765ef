import { Duration, Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { accountEnv } from './auth-account-env';
import { captchaEnv } from './auth-captcha-env';
import { authHooksEnv } from './auth-hooks-env';
import { externalProvidersEnv } from './auth-providers-env';
import { AUTOSCALED, SINGLE, resolveScaling, validateImage, validatePublicUrl, validateRedirectPattern, validateSiteUrl } from './validation';
import { configError } from '../../../private/errors';
import { DEFAULT_IMAGES } from '../images';
import { SupabaseServicesOptions } from '../services-options';
import { SupabaseRestSettings, SupabaseScalingSettings, SupabaseStudioSettings } from '../settings';

/**
 * An image reference as container runtimes parse it (the grammar of github.com/distribution/reference v0.5.0,
 * reference.go): an optional registry host (with a port), a repository path of lower-case components separated by
 * `/` (each of `[a-z0-9]` runs joined by `.`, `_`, `__` or dashes), an optional tag `[\w][\w.-]{0,127}`, an optional
 * digest. Anything else leaves the pod in InvalidImageName: Kubernetes accepts the Deployment, the kubelet never
 * pulls.
 */
const DOMAIN = '(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?';
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,})?$`);

/** An unquoted PostgreSQL identifier (what PostgREST's schema lists take without quoting): at most 63 bytes. */
const IDENTIFIER = /^[a-zA-Z_][a-zA-Z0-9_$]{0,62}$/;

/**
 * Checks the services' settings that need nothing built: the URLs, the images, PostgREST's, Storage's, Studio's
 * and the JWT's settings, the scaling, and Auth's features that name no secret of SupabaseSecrets and warn of
 * nothing (external providers, hooks, CAPTCHA, MFA, rate limits, emails, security). `certificate` tells whether the load balancer serves HTTPS (unknown: undefined).
 * SupabaseOnAws calls it first thing, so that a mistake costs no build. Tokens are skipped.
 */
export function validateServicesOptions(scope: Construct, options: SupabaseServicesOptions, certificate?: boolean) {
  validatePublicUrl(scope, options.publicUrl, certificate);
  validateSiteUrl(scope, options.auth.siteUrl);
  (options.auth.additionalRedirectUrls ?? []).forEach((u, i) => validateRedirectPattern(scope, `auth.additionalRedirectUrls[${i}]`, u));
  if (options.functions && options.images?.functions === undefined) {
    throw configError(scope, `\`functions\` is true but \`images.functions\` is not set. The edge runtime serves the functions in its image: build one FROM ${DEFAULT_IMAGES.functions} with your functions and a main service under /home/deno/functions, push it, and pass it as images.functions.`);
  }
  Object.entries(options.images ?? {}).forEach(([service, image]) => {
    if (image !== undefined) {
      validateImageReference(scope, service, image);
      validateImage(scope, service, image);
    }
  });
  validateJwtExpiry(scope, options.auth.jwtExpiry);
  validateRest(scope, options.rest);
  validateFileSizeLimit(scope, options.storageApi?.fileSizeLimit);
  validateStudio(scope, options.studio);
  const scaling: SupabaseScalingSettings = options.scaling ?? {};
  for (const service of Object.keys(scaling) as Array<keyof SupabaseScalingSettings>) {
    resolveScaling(scope, service, scaling[service], AUTOSCALED.has(service), SINGLE.has(service));
  }
  // Their variables are made again, where they are used (SupabaseWorkloads): here only their checks count.
  const auth = options.auth;
  externalProvidersEnv(scope, 'auth.externalProviders', auth.externalProviders ?? [], options.publicUrl);
  authHooksEnv(scope, 'auth.hooks', auth.hooks);
  captchaEnv(scope, 'auth.captcha', auth.captcha);
  accountEnv(scope, auth);
}

/** Throws unless `image` is a reference the kubelet can pull (see IMAGE_REFERENCE). Tokens are skipped. */
export function validateImageReference(scope: Construct, service: string, image: string) {
  if (typeof image === 'string' && Token.isUnresolved(image)) {
    return;
  }
  const prop = `images.${service}`;
  const example = `e.g. '${DEFAULT_IMAGES[service as keyof typeof DEFAULT_IMAGES] ?? 'registry.example.com/team/service:v1.2.3'}'`;
  if (typeof image !== 'string' || image.trim() === '') {
    throw configError(scope, `\`${prop}\` is ${JSON.stringify(image ?? null)}; it must be an image reference, ${example}.`);
  }
  if (/\s/.test(image)) {
    throw configError(scope, `\`${prop}\` is '${image}', which contains whitespace: the pods would stay in InvalidImageName. Remove it, ${example}.`);
  }
  // The first component is the registry only if it has a '.' or a ':' or is localhost (as the runtimes read it).
  const slash = image.indexOf('/');
  const registry = slash > 0 && /[.:]|^localhost$/.test(image.slice(0, slash)) ? image.slice(0, slash + 1) : '';
  const rest = image.slice(registry.length);
  const repository = rest.split('@')[0].replace(/:[^/]*$/, '');
  if (IMAGE_REFERENCE.test(image) && repository === repository.toLowerCase()) {
    return;
  }
  if (/[A-Z]/.test(repository)) {
    throw configError(scope, `\`${prop}\` is '${image}', whose repository has upper-case letters: repositories are lower case (only a registry's host may have capitals), and the pods would stay in InvalidImageName. Use '${registry}${repository.toLowerCase()}${rest.slice(repository.length)}'.`);
  }
  if (/:(@|$)/.test(rest)) {
    throw configError(scope, `\`${prop}\` is '${image}', with an empty tag after ':'. Name the tag, ${example}, or drop the ':'.`);
  }
  throw configError(scope, `\`${prop}\` is '${image}', which is not an image reference (registry/repository:tag or @sha256:digest, the repository in lower-case letters, digits and . _ -): the pods would stay in InvalidImageName. Use ${example}.`);
}

/** Throws unless the access tokens' lifetime is a whole number of seconds, at least one (`GOTRUE_JWT_EXP`). */
function validateJwtExpiry(scope: Construct, expiry: Duration | undefined) {
  if (expiry === undefined || !(expiry instanceof Duration) || expiry.isUnresolved()) {
    return;
  }
  const seconds = expiry.toSeconds({ integral: false });
  if (seconds < 1 || !Number.isInteger(seconds)) {
    throw configError(scope, `\`auth.jwtExpiry\` is ${expiry.toHumanString()}; Auth takes a whole number of seconds, at least one (GOTRUE_JWT_EXP)${seconds < 1 ? ', and every session would be expired at once' : ''}. Use e.g. Duration.hours(1), the default.`);
  }
}

/** Throws when PostgREST could expose nothing, or a schema name it cannot find. */
function validateRest(scope: Construct, rest: SupabaseRestSettings | undefined) {
  if (!rest) {
    return;
  }
  const names = (prop: string, list: string[] | undefined, empty: boolean) => {
    if (list === undefined || Token.isUnresolved(list)) {
      return;
    }
    if (!empty && list.length === 0) {
      throw configError(scope, `\`${prop}\` is []; PostgREST needs at least one schema to expose (the first is the default). Use e.g. ['public', 'storage', 'graphql_public'], the default, or leave it out.`);
    }
    list.forEach((name, i) => {
      if (typeof name === 'string' && Token.isUnresolved(name)) {
        return;
      }
      if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
        throw configError(scope, `\`${prop}[${i}]\` is ${JSON.stringify(name ?? null)}, which is not a schema name PostgREST can use: a letter or underscore, then letters, digits, _ or $, at most 63 characters, no spaces or commas (the list is joined with commas). Use e.g. 'public'.`);
      }
    });
    const twice = list.find((name, i) => list.indexOf(name) !== i);
    if (twice !== undefined) {
      throw configError(scope, `\`${prop}\` lists '${twice}' twice. List each schema once.`);
    }
  };
  names('rest.schemas', rest.schemas, false);
  names('rest.extraSearchPath', rest.extraSearchPath, true);
  const maxRows = rest.maxRows;
  if (maxRows !== undefined && !Token.isUnresolved(maxRows) && !(Number.isInteger(maxRows) && maxRows >= 1)) {
    throw configError(scope, `\`rest.maxRows\` is ${maxRows}; PostgREST needs a whole number of rows, at least 1 (PGRST_DB_MAX_ROWS), or every read returns ${maxRows === 0 ? 'nothing' : 'an error'}. Use e.g. 1000, the default.`);
  }
}

/** Throws unless uploads may be at least one byte (`FILE_SIZE_LIMIT`). */
function validateFileSizeLimit(scope: Construct, limit: Size | undefined) {
  if (limit === undefined || !(limit instanceof Size) || limit.isUnresolved()) {
    return;
  }
  const bytes = limit.toBytes({ rounding: SizeRoundingBehavior.NONE });
  if (bytes < 1 || !Number.isInteger(bytes)) {
    throw configError(scope, `\`storageApi.fileSizeLimit\` is ${bytes} bytes; the Storage API takes a whole number of bytes, at least one (FILE_SIZE_LIMIT), and refuses every upload over it. Use e.g. Size.mebibytes(50), the default.`);
  }
}

/** Throws when a name Studio shows is empty or blank. */
function validateStudio(scope: Construct, studio: SupabaseStudioSettings | undefined) {
  for (const key of ['organizationName', 'projectName'] as const) {
    const value = studio?.[key];
    if (value !== undefined && !Token.isUnresolved(value) && (typeof value !== 'string' || value.trim() === '')) {
      throw configError(scope, `\`studio.${key}\` is ${JSON.stringify(value)}; Studio shows it as the ${key === 'projectName' ? 'project' : 'organization'}'s name. Give a name, e.g. '${key === 'projectName' ? 'Production' : 'Example Inc.'}', or leave it out for the default.`);
    }
  }
}
