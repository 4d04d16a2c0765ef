import { Token } from 'aws-cdk-lib';
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { SecretEnvSource } from './secret-env';
import { configError } from '../../../private/errors';
import { WARNINGS, warn } from '../../../private/warnings';
import { SupabaseServiceEnvironment, SupabaseServiceEnvironments } from '../environment';

/** A service as named under `environment`. */
export type EnvironmentService = keyof SupabaseServiceEnvironments;

/** Every service that takes further variables. */
export const ENVIRONMENT_SERVICES: EnvironmentService[] = ['kong', 'auth', 'rest', 'realtime', 'storage', 'imgproxy', 'meta', 'studio', 'functions'];

/**
 * The Deployment annotation that lists the variables set through `environment` (names only): what the library does
 * not manage in that Deployment. The image contract test leaves their secrets to the user.
 */
export const USER_ENVIRONMENT_ANNOTATION = 'cdk-supabase-on-aws/user-environment';

/** One further variable of a service, checked. */
export interface ExtraVariable {
  readonly name: string;
  /** Where it was given, for messages, e.g. `environment.rest.variables[0]`. */
  readonly at: string;
  readonly override: boolean;
  /** The plain value; none: the value is in the service's Secret `supabase-<service>-env`, under `name`. */
  readonly value?: string;
}

/** A service's further variables, checked, and the construct that reports what merging them finds. */
export interface ExtraEnv {
  /** The construct the user configured: the merge's errors and warnings name it. */
  readonly scope: IConstruct;
  readonly service: EnvironmentService;
  readonly variables: ExtraVariable[];
}

/** `environment`, checked: each service's further variables and those of them that stay in Secrets Manager. */
export interface ResolvedEnvironments {
  readonly extraEnv: Record<EnvironmentService, ExtraEnv>;
  readonly secrets: Record<EnvironmentService, SecretEnvSource[]>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_LOOKING = /PASSWORD|SECRET|TOKEN|_KEY$/;
/** Values that carry no secret: a switch or a number (`GOTRUE_SECURITY_REFRESH_TOKEN_ROTATION_ENABLED=false`). */
const HARMLESS = /^(true|false|-?\d+(\.\d+)?)$/i;

/**
 * Checks `environment` (names, repeats, secrets given as plain values) on `scope`. `absent` names the services that
 * are not deployed, with the setting that leaves them out: their variables are ignored, with a warning.
 */
export function resolveEnvironments(
  scope: IConstruct, environments: SupabaseServiceEnvironments | undefined, absent: Partial<Record<EnvironmentService, string>>,
): ResolvedEnvironments {
  const extraEnv = {} as Record<EnvironmentService, ExtraEnv>;
  const secrets = {} as Record<EnvironmentService, SecretEnvSource[]>;
  for (const service of ENVIRONMENT_SERVICES) {
    const given = environments?.[service];
    const checked = given ? checkService(scope, service, given) : { variables: [], secrets: [] };
    const reason = absent[service];
    if (reason !== undefined && checked.variables.length > 0) {
      warn(scope, WARNINGS.workloadsEnvironmentServiceAbsent, `\`environment.${service}\` sets ${checked.variables.map((v) => v.name).join(', ')}, but ${service} is not deployed (${reason}): they are ignored. Remove \`environment.${service}\`, or deploy the service.`);
    }
    const used = reason === undefined ? checked : { variables: [], secrets: [] };
    extraEnv[service] = { scope, service, variables: used.variables };
    secrets[service] = used.secrets;
  }
  return { extraEnv, secrets };
}

function checkService(scope: IConstruct, service: EnvironmentService, env: SupabaseServiceEnvironment) {
  const prop = `environment.${service}`;
  const seen = new Map<string, string>();
  const checkName = (name: string, at: string) => {
    if (typeof name !== 'string' || (!Token.isUnresolved(name) && !NAME.test(name))) {
      throw configError(scope, `\`${at}.name\` is ${JSON.stringify(name ?? null)}, which is not a variable name. Use letters, digits and underscores, not starting with a digit, e.g. 'PGRST_DB_POOL'.`);
    }
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw configError(scope, `\`${at}.name\` is '${name}', which \`${earlier}\` already sets. Give each variable once, in \`${prop}.variables\` or in \`${prop}.secretVariables\`.`);
    }
    seen.set(name, at);
  };
  const variables: ExtraVariable[] = [];
  const secrets: SecretEnvSource[] = [];
  (env.variables ?? []).forEach((v, i) => {
    const at = `${prop}.variables[${i}]`;
    checkName(v.name, at);
    // The value is never repeated in the message: it may be the secret.
    if (!Token.isUnresolved(v.name) && SECRET_LOOKING.test(v.name.toUpperCase())
      && (Token.isUnresolved(v.value) || !HARMLESS.test(String(v.value).trim()))) {
      throw configError(scope, `\`${at}.name\` is '${v.name}', which looks like a secret (*PASSWORD*, *SECRET*, *TOKEN*, *_KEY); as a plain value it would be written into the manifest. Store the value in Secrets Manager and give it in \`${prop}.secretVariables\` instead, e.g. { name: '${v.name}', secret: Secret.fromSecretNameV2(this, 'Id', 'my/secret') }.`);
    }
    variables.push({ name: v.name, at, override: v.override ?? false, value: v.value });
  });
  (env.secretVariables ?? []).forEach((v, i) => {
    const at = `${prop}.secretVariables[${i}]`;
    checkName(v.name, at);
    if (!v.secret) {
      throw configError(scope, `\`${at}.secret\` of ${v.name} is not set. Pass the Secrets Manager secret that holds the value, e.g. Secret.fromSecretNameV2(this, 'Id', 'my/secret').`);
    }
    if (v.field !== undefined && !Token.isUnresolved(v.field) && v.field.trim() === '') {
      throw configError(scope, `\`${at}.field\` of ${v.name} is empty. Name the secret's JSON field that holds the value, or leave it out to use the whole secret string.`);
    }
    variables.push({ name: v.name, at, override: v.override ?? false });
    secrets.push({ name: v.name, secret: v.secret, field: v.field, prop: `${at}.secret` });
  });
  return { variables, secrets };
}

/**
 * Each service's variables from Secrets Manager: the library's own (`library`), less those the user's variables
 * replace, and the user's.
 */
export function serviceSecretSources(
  library: Partial<Record<EnvironmentService, SecretEnvSource[]>>, environments: ResolvedEnvironments,
): Record<EnvironmentService, SecretEnvSource[]> {
  return Object.fromEntries(ENVIRONMENT_SERVICES.map((service) => {
    const replaced = new Set(environments.extraEnv[service].variables.map((v) => v.name));
    return [service, [...(library[service] ?? []).filter((s) => !replaced.has(s.name)), ...environments.secrets[service]]];
  })) as Record<EnvironmentService, SecretEnvSource[]>;
}

/**
 * A service's environment: the library's variables (`library`: plain, from Secrets, from the pod), then the user's.
 * Replacing one of the library's takes `override` (and is reported, as is an `override` that replaces nothing).
 * `fromOwnSecret` reads a variable from the service's Secret `supabase-<service>-env`.
 */
export function mergeExtraEnv(
  library: Record<string, kplus.EnvValue>, extra: ExtraEnv, fromOwnSecret: (name: string) => kplus.EnvValue,
): Record<string, kplus.EnvValue> {
  const env = new Map(Object.entries(library));
  for (const v of extra.variables) {
    const librarySets = Object.prototype.hasOwnProperty.call(library, v.name);
    if (librarySets && !v.override) {
      throw configError(extra.scope, `\`${v.at}.name\` is '${v.name}', which the library sets for ${extra.service} itself. Use the typed setting if there is one; otherwise set \`override: true\` on it to replace the library's value (the library then no longer manages ${v.name}).`);
    }
    if (librarySets) {
      warn(extra.scope, WARNINGS.workloadsEnvironmentOverride, `\`${v.at}\` overrides ${v.name}, which the library sets for ${extra.service}: the library no longer manages it, and no setting of the library changes it any more.`);
    } else if (v.override) {
      warn(extra.scope, WARNINGS.workloadsEnvironmentOverrideUnused, `\`${v.at}.override\` is true, but the library does not set ${v.name} for ${extra.service}: probably a typo or a stale setting. Check the name, or remove \`override\`.`);
    }
    env.set(v.name, v.value !== undefined ? kplus.EnvValue.fromValue(v.value) : fromOwnSecret(v.name));
  }
  return Object.fromEntries(env);
}

/** The Deployment's annotations for the user's variables: their names, or none. */
export function userEnvironmentAnnotations(extra: ExtraEnv): Record<string, string> | undefined {
  return extra.variables.length > 0 ? { [USER_ENVIRONMENT_ANNOTATION]: extra.variables.map((v) => v.name).join(',') } : undefined;
}
