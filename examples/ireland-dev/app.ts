import { App } from 'aws-cdk-lib';
import { DEVELOPMENT } from '../ireland/environments';
import { buildIreland } from '../ireland/stacks';

/**
 * Adds the Ireland development stacks to `app`. Their settings are `DEVELOPMENT` in examples/ireland/environments.ts,
 * beside those of the other Ireland environments.
 */
export function build(app: App) {
  return buildIreland(app, DEVELOPMENT);
}
