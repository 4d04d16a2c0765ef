import { aws_iam as iam, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { keyUseThroughSecretsManager } from './kms';

/**
 * Lets `grantee` read `secrets` and decrypt them with `key`, through Secrets Manager of the key's stack's region
 * only (`kms:ViaService`). Returns the grant of the secrets.
 */
export function grantSecretsRead(grantee: iam.IGrantable, secrets: secretsmanager.ISecret[], key: kms.IKey): iam.Grant {
  const grant = iam.Grant.addToPrincipal({
    grantee,
    actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
    // A secret imported by name has a partial ARN; the real one ends in a random '-XXXXXX' suffix.
    resourceArns: secrets.map((s) => s.secretFullArn ?? `${s.secretArn}-??????`),
  });
  grantee.grantPrincipal.addToPrincipalPolicy(keyUseThroughSecretsManager(key, key, ['kms:Decrypt']));
  return grant;
}
