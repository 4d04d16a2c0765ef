import { App } from 'aws-cdk-lib';
import { STAGING } from '../ireland/environments';
import { buildIreland } from '../ireland/stacks';

/**
 * Adds the Ireland staging stacks to `app`. Their settings are `STAGING` in examples/ireland/environments.ts,
 * beside those of the other Ireland environments.
 */
export function build(app: App) {
  return buildIreland(app, STAGING);
}
