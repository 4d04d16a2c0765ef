import { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';

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
}

/** The Kubernetes Secret that holds a service's variables from Secrets Manager. */
export function serviceEnvSecretName(service: string): string {
  return `supabase-${service}-env`;
}
