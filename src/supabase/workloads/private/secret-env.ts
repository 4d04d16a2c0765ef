import { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkSecret } from '../../../private/arn-checks';

/**
 * An environment variable of one service whose value stays in Secrets Manager: External Secrets Operator copies it
 * into the service's own Kubernetes Secret (`supabase-<service>-env`, one key per variable), and the pod reads it
 * from there. The manifest holds the secret's ARN, never its value.
 */
export interface SecretEnvSource {
  /** The variable, e.g. `GOTRUE_EXTERNAL_GOOGLE_SECRET`; also the key in the Kubernetes Secret. */
  readonly name: string;
  readonly secret: secretsmanager.ISecret;
  /** The JSON field of the secret; none: the whole secret string. */
  readonly field?: string;
  /** The prop that gave the secret, for messages, e.g. `auth.externalProviders[0].clientSecret`. */
  readonly prop?: string;
}

/**
 * Throws unless every secret of `sources` (by service) is a Secrets Manager secret of this stack's region, where
 * External Secrets Operator reads it. Tokens (secrets named by name, or made in the app) are skipped.
 */
export function checkSecretSources(scope: IConstruct, sources: Readonly<Record<string, readonly SecretEnvSource[]>>): void {
  for (const [service, list] of Object.entries(sources)) {
    for (const source of list) {
      checkSecret(scope, source.prop ?? `${service}: ${source.name}`, source.secret, { regionWhy: 'External Secrets Operator reads it in this region' });
    }
  }
}

/** The Kubernetes Secret that holds a service's variables from Secrets Manager. */
export function serviceEnvSecretName(service: string): string {
  return `supabase-${service}-env`;
}
