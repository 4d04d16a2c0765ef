import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { configError } from '../../private/errors';
import { SupabaseSigningKeys } from '../signing-keys-settings';

/** The signing keys' settings after validation, defaults filled in. */
export interface ValidatedSigningKeys {
  readonly inUse: string;
  readonly standby: string[];
  readonly previouslyUsed: string[];
  readonly secretApiKeys: string[];
}

const LABEL = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** A secret API key's name: it becomes part of an environment variable's name (`SUPABASE_SECRET_KEY_<NAME>`). */
const NAME = /^[a-z][a-z0-9_]{0,39}$/;

/** Checks the labels of `signingKeys` on `scope`, a SupabaseSecrets, and fills in the defaults. */
export function validateSigningKeys(scope: IConstruct, keys: SupabaseSigningKeys): ValidatedSigningKeys {
  const inUse = keys.inUse ?? 'key-1';
  const standby = keys.standby ?? [];
  const previouslyUsed = keys.previouslyUsed ?? [];
  const secretApiKeys = keys.secretApiKeys ?? ['default'];
  const labels: Array<[string, string]> = [
    ['signingKeys.inUse', inUse],
    ...standby.map((l, i): [string, string] => [`signingKeys.standby[${i}]`, l]),
    ...previouslyUsed.map((l, i): [string, string] => [`signingKeys.previouslyUsed[${i}]`, l]),
  ];
  const seen = new Map<string, string>();
  for (const [prop, label] of labels) {
    if (Token.isUnresolved(label)) {
      throw configError(scope, `\`${prop}\` is a token; a key's label must be known at synth time (the labels' places are the keys' states). Use a literal such as 'key-1'.`);
    }
    if (!LABEL.test(label)) {
      throw configError(scope, `\`${prop}\` is '${label}', which is not a key label (lower-case letters, digits, '-' and '_', at most 63, starting with a letter or digit). Use e.g. 'key-2026-12'.`);
    }
    const other = seen.get(label);
    if (other !== undefined) {
      throw configError(scope, `\`${prop}\` repeats '${label}', already in \`${other}\`; a key is in one state at a time. To promote a standby key, move its label to \`inUse\` and the old one to \`previouslyUsed\`.`);
    }
    seen.set(label, prop);
  }
  if (secretApiKeys.length === 0) {
    throw configError(scope, '`signingKeys.secretApiKeys` is empty; Studio and Edge Functions need a secret key. Name at least one, e.g. [\'default\'].');
  }
  secretApiKeys.forEach((name, i) => {
    const prop = `signingKeys.secretApiKeys[${i}]`;
    if (Token.isUnresolved(name) || !NAME.test(name)) {
      throw configError(scope, `\`${prop}\` is '${name}', which is not a secret API key name (lower-case letters, digits and '_', starting with a letter, at most 40; known at synth time). Use e.g. 'billing_worker'.`);
    }
    if (secretApiKeys.indexOf(name) !== i) {
      throw configError(scope, `\`${prop}\` repeats '${name}'. Name each secret API key once.`);
    }
    if (name === 'default' && i > 0) {
      throw configError(scope, `\`${prop}\` is 'default', but the first secret API key is the default one. Put 'default' first, or give the key another name.`);
    }
  });
  return { inUse, standby, previouslyUsed, secretApiKeys };
}
