import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';

export const EXAMPLES = join(__dirname, '..', '..', 'examples');

/** The three stacks every example app builds, as the seed plan splits its state. */
export interface ExampleStacks {
  readonly networking: Stack;
  readonly core: Stack;
  readonly applications: Stack;
}

/**
 * Builds the example `name` the way `cdk synth` would: a fresh App with the context of its cdk.json (plus
 * `context`, as `-c key=value` would add), and the app's own `build`. Returns the app and what `build` returns.
 */
export function buildExample(name: string, context: Record<string, unknown> = {}): { app: App; stacks: ExampleStacks } {
  const cdkJson = JSON.parse(readFileSync(join(EXAMPLES, name, 'cdk.json'), 'utf8'));
  const app = new App({ context: { ...cdkJson.context, ...context } });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const stacks = require(join(EXAMPLES, name, 'app')).build(app) as ExampleStacks;
  return { app, stacks };
}
