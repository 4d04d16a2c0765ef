import { Stack, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { configError } from '../../private/errors';
import { WARNINGS, warn } from '../../private/warnings';
import { SupabaseDatabase } from '../../rds/supabase-database';
import { SupabaseSecrets } from '../../secrets/supabase-secrets';
import type { SupabaseOnAwsProps } from '../supabase-on-aws-props';

/** Throws when the props contradict each other: a part given with its settings, two VPCs, two places for a setting. */
export function validateProps(scope: Construct, props: SupabaseOnAwsProps) {
  onlyOne(scope, 'network', props.network, 'networkProps', props.networkProps);
  onlyOne(scope, 'secrets', props.secrets, 'secretsProps', props.secretsProps);
  onlyOne(scope, 'cluster', props.cluster, 'clusterOptions', props.clusterOptions);
  onlyOne(scope, 'database', props.database, 'databaseOptions', props.databaseOptions);
  onlyOne(scope, 'storage', props.storage, 'storageProps', props.storageProps);
  validateVpc(scope, props);
  validateTransferAcceleration(scope, props);
  if (props.cdn && !props.certificate) {
    throw configError(scope, `\`cdn\` is set without \`certificate\`. CloudFront reaches the load balancer over HTTPS only, so that the secret origin header never crosses the internet in clear text: pass the load balancer's ACM certificate (in ${Stack.of(scope).region}, for the host of publicUrl) as \`certificate\`.`);
  }
  if (props.observability === false && props.observabilityOptions) {
    throw configError(scope, '`observabilityOptions` is set but `observability` is false. Drop the options, or turn observability on.');
  }
}

/** Throws when a standby has no replica database or no replicated secrets; warns when a replica serves. */
export function validateStandby(scope: Construct, standby: boolean, database: SupabaseDatabase, secrets: SupabaseSecrets) {
  const replica = database.replicaSourceArn !== undefined;
  // A promoted replica may stand by again: the site stops serving (failback) until the primary takes over.
  if (standby && !replica && !database.promoted) {
    throw configError(scope, '`standby` is true but the database is not a read replica. A standby streams from the primary site: create the database with `databaseOptions.replicaOf` (or pass a SupabaseDatabase made with `replicaOf`), or set `standby` to false.');
  }
  if (standby && secrets.primaryRegion === undefined) {
    throw configError(scope, '`standby` is true but the secrets are not the primary\'s replicas, so clients\' API keys would not work after a failover. Set `secretsProps.primaryRegion` and the primary\'s `secretNamePrefix` (or pass a SupabaseSecrets made with `primaryRegion`).');
  }
  if (!standby && replica) {
    warn(scope, WARNINGS.replicaServing,
      `the services run on a read replica (${database.replicaSourceArn}). Auth, Storage and Realtime write at start and fail until the replica is promoted: promote it first (\`replicaOf.promoted\`), or keep \`standby\` on.`);
  }
}

function onlyOne(scope: Construct, part: string, given: unknown, settingsName: string, settings: unknown) {
  if (given !== undefined && settings !== undefined) {
    throw configError(scope, `both \`${part}\` and \`${settingsName}\` are set. \`${settingsName}\` configures the ${part} that SupabaseOnAws creates when \`${part}\` is not given; set the settings on your own ${part} instead, or drop \`${part}\`.`);
  }
}

function validateVpc(scope: Construct, props: SupabaseOnAwsProps) {
  if (props.vpc && (props.network || props.networkProps)) {
    throw configError(scope, `\`vpc\` is set together with \`${props.network ? 'network' : 'networkProps'}\`. Deploy into your own VPC (\`vpc\`, \`vpcSubnets\`) or into a SupabaseNetwork, not both.`);
  }
  if (props.vpcSubnets && !props.vpc) {
    throw configError(scope, '`vpcSubnets` is set without `vpc`. It selects the tiers of your own VPC; pass that VPC as `vpc`, or drop `vpcSubnets`.');
  }
  if (props.networkProps && props.cluster && props.database) {
    throw configError(scope, '`networkProps` is set, but the given `cluster` and `database` already run in their VPC, so no network is created here. Drop `networkProps`, or pass their network as `network`.');
  }
  const partVpcs = [props.cluster?.cluster.vpc, props.database?.vpc].filter((v): v is ec2.IVpc => v !== undefined);
  const expected = props.vpc ?? props.network?.vpc ?? partVpcs[0];
  for (const vpc of partVpcs) {
    if (vpc.vpcId !== expected.vpcId) {
      throw configError(scope, `the given cluster and database, and the \`vpc\` or \`network\`, must share one VPC; got ${[expected, ...partVpcs].filter((v) => v).map((v) => v!.node.path).join(', ')}.`);
    }
  }
}

function validateTransferAcceleration(scope: Construct, props: SupabaseOnAwsProps) {
  const wanted = props.transferAcceleration;
  if (wanted === undefined) {
    return;
  }
  if (props.storage && props.storage.transferAcceleration !== wanted) {
    throw configError(scope, `\`transferAcceleration\` is ${wanted}, but the given \`storage\` (${props.storage.node.path}) has it ${props.storage.transferAcceleration ? 'on' : 'off'}. The bucket belongs to that SupabaseStorage: set \`transferAcceleration\` in its props, and drop it here.`);
  }
  const inProps = props.storageProps?.transferAcceleration;
  if (inProps !== undefined && inProps !== wanted) {
    throw configError(scope, `\`transferAcceleration\` is ${wanted} but \`storageProps.transferAcceleration\` is ${inProps}. Set it in one place.`);
  }
}
