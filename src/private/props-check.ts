/**
 * The one check of the shape of props (issue #24, items 6 and 7), for callers without TypeScript's checks (JavaScript,
 * or values that pass the Python and Go bindings as `Any`): each prop of the right kind, required props given, and a
 * warning for keys that are no prop (a misspelling), naming the nearest prop. Each construct calls {@link checkProps}
 * first in its constructor with the spec of its props (kept in its module's private folder, out of the jsii API).
 */
import { Duration, Size, Token, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { classConstantHint, enumHint } from './enums';
import { configError } from './errors';
import { nearest } from './nearest';
import { WARNINGS, warn } from './warnings';

/** A nested interface: its name (for messages) and, optionally, the spec of its props (checked recursively). */
export interface ObjectKind {
  readonly object: string;
  readonly spec?: AnySpec;
  /** false where another construct checks this object's keys itself (a part's props): no second warning. */
  readonly warnUnknown?: boolean;
}
/** A TypeScript enum: its name as users write it (`logs.RetentionDays`) and the enum object. */
export interface EnumKind { readonly enum: string; readonly values: object }
/** An instance of a class (enum-like classes included): its name as users write it and how to make one. */
export interface ClassKind {
  readonly instanceOf: { readonly prototype: object };
  readonly name: string;
  readonly example: string;
  /** What to use instead of a plain value given for it (' Use `...`.'), where the class's constants do not say. */
  readonly hint?: (v: unknown) => string;
}
/** A construct (a resource, imported or created): the interface's name as users write it (`kms.IKey`). */
export interface ConstructKind { readonly construct: string }
/** A list of values of one kind. */
export interface ArrayKind { readonly arrayOf: PropKind }

/** What a prop holds. `'any'` is any non-null value (interfaces that are not constructs, such as `ec2.IPeer`). */
export type PropKind = 'string' | 'number' | 'boolean' | 'string[]' | 'Duration' | 'Size' | 'any'
| ObjectKind | EnumKind | ClassKind | ConstructKind | ArrayKind;

/**
 * A required prop: missing, `undefined` or `null` is an error, unless `ownCheck` says that the construct's own
 * validation names the missing prop with more to say (then only a given value's kind is checked here).
 */
export interface RequiredProp { readonly required: PropKind; readonly ownCheck?: boolean }

type OptionalKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? K : never }[keyof T];

/**
 * The spec of a props interface: every prop (the compiler insists on all of them and no other), required props
 * wrapped in {@link required}.
 */
export type PropsSpec<T> = { readonly [K in keyof Required<T>]-?: K extends OptionalKeys<T> ? PropKind : RequiredProp };

/** A spec of any interface, as the checker reads it. */
export type AnySpec = { readonly [key: string]: PropKind | RequiredProp };

export const required = (kind: PropKind): RequiredProp => ({ required: kind });
/** A required prop whose absence the construct's own validation reports (with the fix in its context). */
export const requiredOwnCheck = (kind: PropKind): RequiredProp => ({ required: kind, ownCheck: true });
export const object = (name: string, spec?: AnySpec, warnUnknown = true): ObjectKind => ({ object: name, spec, warnUnknown });
export const enumOf = (name: string, values: object): EnumKind => ({ enum: name, values });
export const classOf = (instanceOf: ClassKind['instanceOf'], name: string, example: string, hint?: ClassKind['hint']): ClassKind =>
  ({ instanceOf, name, example, hint });
export const construct = (name: string): ConstructKind => ({ construct: name });
export const arrayOf = (kind: PropKind): ArrayKind => ({ arrayOf: kind });

/**
 * Checks `props` against `spec` on `scope`: throws a configError naming the prop's path (`prefix` + key) and the
 * expected type when a value is of the wrong kind, `null`, or a required prop is missing; warns
 * (`cdk-supabase-on-aws:unknown-prop`) for each key that is no prop, naming the nearest prop. Tokens are not checked.
 */
export function checkProps(scope: IConstruct, props: unknown, spec: AnySpec, typeName: string, prefix = ''): void {
  if (props === undefined) {
    props = {};
  }
  if (props === null || typeof props !== 'object' || Array.isArray(props)) {
    throw configError(scope, `the props must be a ${typeName} object (\`{ ... }\`), got ${describe(props)}.`);
  }
  checkObject(scope, props as Record<string, unknown>, spec, typeName, prefix, true);
}

function checkObject(scope: IConstruct, value: Record<string, unknown>, spec: AnySpec, typeName: string, prefix: string, warnUnknown: boolean) {
  // Only plain objects (as JavaScript literals and the jsii bindings pass structs): a class instance has fields of its own.
  if (warnUnknown && isPlain(value)) {
    const known = Object.keys(spec);
    for (const key of Object.keys(value).filter((k) => !Object.prototype.hasOwnProperty.call(spec, k))) {
      const near = nearest(key, known);
      warn(scope, WARNINGS.unknownProp, `\`${prefix}${key}\` is not a prop of ${typeName}, so it is ignored. `
        + (near ? `Did you mean \`${prefix}${near}\`?` : `Its props are ${known.map((k) => `\`${k}\``).join(', ')}.`));
    }
  }
  for (const [key, entry] of Object.entries(spec)) {
    const isRequired = typeof entry === 'object' && 'required' in entry;
    const kind = isRequired ? (entry as RequiredProp).required : entry as PropKind;
    const v = value[key];
    const path = `${prefix}${key}`;
    if (v === undefined || v === null) {
      if (isRequired && (entry as RequiredProp).ownCheck) {
        continue;
      }
      if (isRequired) {
        throw configError(scope, `\`${path}\` is required${v === null ? ', got null' : ''}: give ${expected(kind)}.`);
      }
      if (v === null) {
        throw configError(scope, `\`${path}\` must be ${expected(kind)}, got null. Leave the prop out (or undefined) for its default.`);
      }
      continue;
    }
    checkValue(scope, v, kind, path);
  }
}

function checkValue(scope: IConstruct, v: unknown, kind: PropKind, path: string): void {
  if (Token.isUnresolved(v)) {
    return;
  }
  const wrong = (hint = '') => configError(scope, `\`${path}\` must be ${expected(kind)}, got ${describe(v)}.${hint}`);
  if (kind === 'string' || kind === 'number' || kind === 'boolean') {
    if (typeof v !== kind || (kind === 'number' && Number.isNaN(v))) {
      throw wrong(Array.isArray(v) ? ' It takes one value, not a list.' : '');
    }
  } else if (kind === 'string[]') {
    checkValue(scope, v, { arrayOf: 'string' }, path);
  } else if (kind === 'Duration' || kind === 'Size') {
    // By what the library calls on it (the crash this check replaces was `x.toGibibytes is not a function`).
    if (typeof (v as any)[kind === 'Duration' ? 'toSeconds' : 'toGibibytes'] !== 'function') {
      throw wrong();
    }
  } else if (kind === 'any') {
    return;
  } else if ('arrayOf' in kind) {
    if (!Array.isArray(v)) {
      throw wrong(` Put the value in a list: \`[${typeof v === 'string' && kind.arrayOf === 'string' ? `'${v}'` : '...'}]\`.`);
    }
    v.forEach((item, i) => {
      if (item === undefined || item === null) {
        throw configError(scope, `\`${path}[${i}]\` must be ${expected(kind.arrayOf)}, got ${describe(item)}.`);
      }
      checkValue(scope, item, kind.arrayOf, `${path}[${i}]`);
    });
  } else if ('enum' in kind) {
    if (!enumValues(kind.values).some(([, value]) => value === v)) {
      throw wrong(enumHint(kind.enum, kind.values, v));
    }
  } else if ('instanceOf' in kind) {
    if (!(v instanceof (kind.instanceOf as new () => unknown))) {
      throw wrong(kind.hint?.(v) || classConstantHint(kind.name, kind.instanceOf, v));
    }
  } else if ('construct' in kind) {
    if (!Construct.isConstruct(v)) {
      throw wrong();
    }
  } else {
    if (typeof v !== 'object' || Array.isArray(v)) {
      throw wrong(Array.isArray(v) ? ' It takes one value, not a list.' : '');
    }
    if (kind.spec) {
      checkObject(scope, v as Record<string, unknown>, kind.spec, kind.object, `${path}.`, kind.warnUnknown !== false);
    }
  }
}

/** The enum's members: name and value (a numeric enum's reverse mapping left out). */
function enumValues(values: object): Array<[string, unknown]> {
  return Object.entries(values).filter(([name]) => !/^\d+$/.test(name));
}

/** What a prop of `kind` must be, as the message says it: `a Duration (e.g. Duration.days(7))`. */
function expected(kind: PropKind): string {
  if (typeof kind === 'string') {
    return {
      'string': 'a string',
      'number': 'a number',
      'boolean': 'true or false',
      'string[]': "a list of strings (e.g. ['a', 'b'])",
      'Duration': 'a Duration (e.g. Duration.days(7))',
      'Size': 'a Size (e.g. Size.gibibytes(100))',
      'any': 'a value',
    }[kind];
  }
  if ('arrayOf' in kind) return `a list of ${plural(expected(kind.arrayOf))}`;
  if ('enum' in kind) {
    const names = enumValues(kind.values).map(([name]) => `${kind.enum}.${name}`);
    return `one of ${names.length > 6 ? `${names.slice(0, 6).join(', ')}, ...` : names.join(', ')}`;
  }
  if ('instanceOf' in kind) return `${article(kind.name)} ${kind.name} (e.g. ${kind.example})`;
  if ('construct' in kind) return `${article(kind.construct)} ${kind.construct} (a construct of the app, created or imported)`;
  return `${article(kind.object)} ${kind.object} object (\`{ ... }\`)`;
}

function plural(what: string): string {
  return what.replace(/^an? (\S+)/, (_, noun: string) => `${noun}s`).replace(/^true or false$/, 'booleans');
}

function article(name: string): string {
  return /^[aeiouAEIOU]|^I[A-Z]/.test(name) ? 'an' : 'a';
}

/** The value received, as the message quotes it: `the string '7'`, `the number 7`, `a list (2 items)`, `null`. */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'string') return `the string '${v}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return `the ${typeof v} ${v}`;
  if (Array.isArray(v)) return `a list (${v.length} item${v.length === 1 ? '' : 's'})`;
  if (typeof v === 'function') return 'a function';
  if (v instanceof Duration) return `the Duration ${v.toHumanString()}`;
  if (v instanceof Size) return `the Size ${v.toBytes()} bytes`;
  if (Construct.isConstruct(v)) return `the ${v.constructor.name} ${v.node.path}`;
  const name = (v as object).constructor?.name;
  return name && name !== 'Object' ? `${article(name)} ${name}` : 'an object';
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** aws-cdk-lib's `secretsmanager.ReplicaRegion`, which the database's and the secrets' props take. */
export const REPLICA_REGION_SPEC: PropsSpec<secretsmanager.ReplicaRegion> = {
  region: required('string'),
  encryptionKey: construct('kms.IKey'),
};
