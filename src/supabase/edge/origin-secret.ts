import { RemovalPolicy, Validations, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** The header CloudFront adds to every request to the load balancer, which forwards only requests that carry it. */
export const ORIGIN_HEADER = 'X-Supabase-Origin-Verify';

export interface OriginSecretProps {
  /** The deployment's secret name prefix; the secret is `<prefix>/cdn-origin-header`. */
  readonly secretNamePrefix: string;
  /** The deployment's secrets key. */
  readonly encryptionKey: kms.IKey;
  /** What happens to the secret when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
}

/** The value of the header that proves a request came through the distribution: generated in Secrets Manager. */
export function createOriginSecret(scope: Construct, id: string, props: OriginSecretProps): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, id, {
    removalPolicy: props.removalPolicy,
    secretName: `${props.secretNamePrefix}/cdn-origin-header`,
    description: `The value of the ${ORIGIN_HEADER} header that CloudFront adds and the Supabase load balancer requires`,
    encryptionKey: props.encryptionKey,
    // Letters and digits only: a load balancer's header condition reads * and ? as wildcards.
    generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: 'CloudFormation resolves this value into the distribution\'s origin header and the load balancer\'s listener rule at deployment; a rotation outside CloudFormation would make the listener reject all traffic until both were updated. It grants no access to data (requests still need the API keys or a user JWT); it only keeps clients from bypassing the distribution and its web ACL.',
  });
  return secret;
}

/** The header CloudFront sends and the load balancer requires; its value a dynamic reference that CloudFormation resolves. */
export function originHeader(secret: secretsmanager.ISecret): { readonly name: string; readonly value: string } {
  return { name: ORIGIN_HEADER, value: secret.secretValue.unsafeUnwrap() };
}
