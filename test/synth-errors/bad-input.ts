/**
 * The table of bad inputs (issue #24): each row is a mistake a user makes, the construct it is made on, and the
 * error or warning the library answers with at synth time. test/synth-errors/synth-errors.test.ts runs every row,
 * and docs/synth-errors.md is generated from the same rows (`npx tsx scripts/synth-errors-doc.ts`).
 */
import { Stack } from 'aws-cdk-lib';

/** The classes of mistakes, in the order of the Build list. */
export const MISTAKE_CLASSES = {
  url: 'URLs',
  arn: 'ARNs and regions',
  database: 'Database',
  network: 'Network and cluster',
  service: 'Service settings',
  type: 'Wrong types and missing values',
  misspelt: 'Misspelt props',
} as const;

export type MistakeClass = keyof typeof MISTAKE_CLASSES;

/** The public constructs, in the order the docs list them. */
export const CONSTRUCTS = [
  'SupabaseNetwork', 'SupabaseCluster', 'SupabaseDatabase', 'SupabaseStorage', 'SupabaseSecrets', 'SupabaseOnAws',
] as const;

export type ConstructName = typeof CONSTRUCTS[number];

export interface BadInput {
  /** The construct the mistake is made on (its props, or a nested setting of them). */
  readonly construct: ConstructName;
  readonly class: MistakeClass;
  /** The prop as a user writes it, with its path: `databaseOptions.preferredBackupWindow`, `auth.siteUrl`. */
  readonly prop: string;
  /** The bad value as the docs show it, in TypeScript syntax: `'https://api.example.com/'`, `0`, `'spot'`. */
  readonly value: string;
  /** Builds the construct with the bad value in `stack` (a fresh stack in eu-west-1 with three zones). */
  readonly build: (stack: Stack) => void;
  /**
   * Text the error message contains (literally): the rule a reader of the docs needs, e.g.
   * `must not end with '/'`. Exactly one of `error` and `warning` is set.
   */
  readonly error?: string;
  /** For a warning: its id (from src/private/warnings.ts's WARNINGS) and text the message contains. */
  readonly warning?: { readonly id: string; readonly text: string };
}
