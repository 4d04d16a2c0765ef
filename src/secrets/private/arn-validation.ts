import { Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkKey, checkReplicaRegions, checkSecret } from '../../private/arn-checks';
import { configError } from '../../private/errors';
import { checkRegion } from '../../private/regions';
import { SupabaseSecretsProps } from '../secrets-props';

/**
 * Checks the regions, keys and secrets SupabaseSecrets is given: `primaryRegion` and `replicaRegions` real AWS
 * regions other than the stack's, listed once; `encryptionKey` a key of this region named by its key ARN; each
 * replica's key a key of the replica's region; `smtp.password` a secret of this region (External Secrets reads it
 * here). Tokens are skipped.
 */
export function validateSecretsArns(scope: Construct, props: SupabaseSecretsProps) {
  const region = props.primaryRegion;
  if (typeof region === 'string' && !Token.isUnresolved(region)) {
    checkRegion(scope, 'primaryRegion', region);
    const stackRegion = Stack.of(scope).region;
    if (!Token.isUnresolved(stackRegion) && region === stackRegion) {
      throw configError(scope, `\`primaryRegion\` is '${region}', this stack's own region; replicas live in another region. Leave \`primaryRegion\` out to create the secrets here.`);
    }
  }
  checkReplicaRegions(scope, 'replicaRegions', props.replicaRegions);
  checkKey(scope, 'encryptionKey', props.encryptionKey, { regionWhy: 'Secrets Manager encrypts a secret with a key of its own region' });
  checkSecret(scope, 'smtp.password', props.smtp?.password, { regionWhy: 'External Secrets reads it in this region for Auth' });
}
