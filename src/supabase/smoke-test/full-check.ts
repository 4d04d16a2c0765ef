/**
 * The functional check's (`--full`) entry, as the command sees it. The check itself lives in `full/` and uses
 * supabase-js and ws; esbuild bundles it with both into `assets/supabase/smoke-test/full/bundle/index.js` (`npx projen
 * bundle`, part of every build), which the npm package ships. jsii compiles this file and the command, never `full/`:
 * supabase-js and ws stay devDependencies, and the command loads the bundle at run time, only for `--full`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** What the command hands the functional check. */
export interface FullCheckInput {
  /** The public URL (the ApiUrl output). */
  readonly apiUrl: string;
  readonly anonKey: string;
  readonly serviceRoleKey: string;
  /** The DistributionDomainName output when the stack has a CDN. */
  readonly distributionDomainName?: string;
  /** An Edge Function to call (`--function`), and its JSON body (`--function-body`). */
  readonly functionName?: string;
  readonly functionBody?: unknown;
  /** How long to wait for each answer or event, in ms. */
  readonly timeoutMs: number;
  /** Prints one line of the report (never a secret: the check redacts them). */
  readonly print: (line: string) => void;
}

/** What the bundle exports. */
export interface FullCheckModule {
  /** Runs every step and the cleanup, printing the report; true when no step failed (skips allowed). */
  runFullCheck(input: FullCheckInput): Promise<boolean>;
}

/** The bundle, relative to the folder of the command: `lib/supabase/smoke-test` published, `src/supabase/smoke-test` with tsx. */
export const FULL_BUNDLE = ['..', '..', '..', 'assets', 'supabase', 'smoke-test', 'full', 'bundle', 'index.js'];

/** Where the bundle is for a command in `dir`. */
export function fullBundlePath(dir: string = __dirname): string {
  return join(dir, ...FULL_BUNDLE);
}

/** Loads the bundle at `path`; a clear error when it is missing or is not the functional check. */
export function loadFullCheck(path: string): FullCheckModule {
  if (!existsSync(path)) {
    throw new Error(`The functional check (--full) is not built: ${path} is missing. In this repository, run \`npx projen bundle\``
      + ' (the build does it); a published package ships it, so reinstall cdk-supabase-on-aws if it is gone.');
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(path) as Partial<FullCheckModule>;
  if (typeof loaded.runFullCheck !== 'function') {
    throw new Error(`${path} does not export runFullCheck: rebuild it with \`npx projen bundle\``);
  }
  return loaded as FullCheckModule;
}
