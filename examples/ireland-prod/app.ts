import { App } from 'aws-cdk-lib';
import { PRODUCTION } from '../ireland/environments';
import { buildIreland } from '../ireland/stacks';

/**
 * Adds the Ireland production stacks to `app`. Their settings are `PRODUCTION` in examples/ireland/environments.ts,
 * beside those of the other Ireland environments.
 */
export function build(app: App) {
  return buildIreland(app, PRODUCTION);
}
