import { CustomResource, Duration, RemovalPolicy, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { secretWriterLogsAndRole } from './secret-writer';
import { SamlKeyFunction } from '../saml-key-function';

/** What the key generation needs from its SupabaseSecrets. */
export interface SamlKeyGenerationProps {
  /** The secret that receives `{"privateKey": ...}`; created with a placeholder. */
  readonly secret: secretsmanager.ISecret;
  /** The key that encrypts the secret. */
  readonly encryptionKey: kms.IKey;
  /** Of the function's log group, like the secrets'. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A custom resource that generates Auth's SAML signing key (RSA-2048, base64 of the PKCS#1 DER) in AWS and writes it
 * into its secret, once: a key already there is never replaced, since identity providers trust its certificate. Its
 * role may read and write that secret only, and use the key only through Secrets Manager. The key is never in a
 * template, a response or a log.
 */
export class SamlKeyGeneration extends Construct {
  constructor(scope: Construct, id: string, props: SamlKeyGenerationProps) {
    super(scope, id);
    const { logGroup, role } = secretWriterLogsAndRole(this, {
      description: 'Generates the Supabase Auth SAML signing key',
      secret: props.secret,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy,
    });
    const fn = new SamlKeyFunction(this, 'Function', {
      description: 'Generates the Supabase Auth SAML signing key once, into its secret',
      role,
      logGroup,
      timeout: Duration.minutes(1),
      memorySize: 256,
    });
    // The custom resource references the function, which CDK makes wait for the role's policy.
    new CustomResource(this, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::SupabaseSamlKey',
      properties: { SecretArn: props.secret.secretArn },
    });
  }
}
