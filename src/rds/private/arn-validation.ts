import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkKey, checkReplicaRegions } from '../../private/arn-checks';
import { checkArn, parseArn } from '../../private/arns';
import { SupabaseDatabaseProps } from '../database-props';

/**
 * Checks the ARNs and regions SupabaseDatabase is given: `replicaOf.instanceArn` an RDS DB instance ARN (not a
 * cluster's or a snapshot's) in a real region; `encryptionKey` a key of this region named by its key ARN;
 * `secretReplicaRegions` real regions other than this one, listed once, each key of its replica's region. Tokens are
 * skipped (`validateReplicaOf` refuses a token `instanceArn`).
 */
export function validateDatabaseArns(scope: IConstruct, props: SupabaseDatabaseProps) {
  const instanceArn = props.replicaOf?.instanceArn;
  // Not an ARN at all: validateReplicaOf says what to give.
  if (typeof instanceArn === 'string' && !Token.isUnresolved(instanceArn) && parseArn(instanceArn)) {
    checkArn(scope, 'replicaOf.instanceArn', instanceArn, {
      kind: 'the primary\'s DB instance ARN',
      service: 'rds',
      resource: ['db:'],
      example: 'arn:aws:rds:eu-west-1:123456789012:db:supabase-prod',
      resources: {
        'cluster:': 'is an Aurora DB cluster\'s ARN; SupabaseDatabase replicates an RDS for PostgreSQL DB instance',
        'snapshot:': 'is a DB snapshot\'s ARN; a read replica streams from a running DB instance',
        'cluster-snapshot:': 'is a DB cluster snapshot\'s ARN; a read replica streams from a running DB instance',
      },
    });
  }
  checkKey(scope, 'encryptionKey', props.encryptionKey, { regionWhy: 'RDS, its secrets and log groups use keys of their own region' });
  checkReplicaRegions(scope, 'secretReplicaRegions', props.secretReplicaRegions);
}
