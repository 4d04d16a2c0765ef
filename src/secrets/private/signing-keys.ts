import { CustomResource, Duration, RemovalPolicy, aws_iam as iam, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { secretWriterLogsAndRole } from './secret-writer';
import { SigningKeysFunction } from '../signing-keys-function';

/** What the signing keys' custom resource needs from its SupabaseSecrets. */
export interface SigningKeysGenerationProps {
  /** The secret that receives the keys' document; created with a placeholder. */
  readonly secret: secretsmanager.ISecret;
  /** The secret whose field `jwtSecret` is the legacy HS256 secret (the `oct` key of the sets while legacy keys are on). */
  readonly jwtSecret: secretsmanager.ISecret;
  /** The key that encrypts both secrets. */
  readonly encryptionKey: kms.IKey;
  /** Label of the key in use. */
  readonly inUse: string;
  /** Labels of the standby keys. */
  readonly standby: string[];
  /** Labels of the previously used keys. */
  readonly previouslyUsed: string[];
  /** Names of the secret API keys. */
  readonly secretApiKeys: string[];
  /** Whether the legacy HS256 secret stays in the key sets. */
  readonly legacyApiKeys: boolean;
  /** The internal keys' issuer and lifetime. */
  readonly issuer: string;
  readonly lifetime: Duration;
  /** Of the function's log group, like the secrets'. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A custom resource that generates and rotates the asymmetric signing keys and the opaque API keys in AWS
 * (src/secrets/signing-keys.lambda.ts), writing them into their secret only. Its role may read the JWT secret, read
 * and write the keys' secret, and use the key only through Secrets Manager. No key is in a template, a response or a
 * log; a change of key states or API key names reaches the function as a property change, and nothing else does.
 */
export class SigningKeysGeneration extends Construct {
  constructor(scope: Construct, id: string, props: SigningKeysGenerationProps) {
    super(scope, id);
    const { logGroup, role } = secretWriterLogsAndRole(this, {
      description: 'Generates and rotates the Supabase signing keys and opaque API keys',
      secret: props.secret,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy,
    });
    // The legacy secret becomes the key sets' `oct` key.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: [props.jwtSecret.secretArn],
    }));
    const fn = new SigningKeysFunction(this, 'Function', {
      description: 'Generates and rotates the Supabase signing keys and opaque API keys in their secret',
      role,
      logGroup,
      timeout: Duration.minutes(1),
      memorySize: 256,
    });
    // The custom resource references the function, which CDK makes wait for the role's policy.
    new CustomResource(this, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::SupabaseSigningKeys',
      properties: {
        JwtSecretArn: props.jwtSecret.secretArn,
        SigningKeysSecretArn: props.secret.secretArn,
        InUse: props.inUse,
        Standby: props.standby,
        PreviouslyUsed: props.previouslyUsed,
        SecretApiKeys: props.secretApiKeys,
        LegacyKeys: String(props.legacyApiKeys),
        Issuer: props.issuer,
        LifetimeSeconds: String(props.lifetime.toSeconds()),
      },
    });
  }
}
