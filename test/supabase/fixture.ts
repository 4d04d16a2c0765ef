import { App, RemovalPolicy, Stack, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { SupabaseCluster, SupabaseDatabase, SupabaseDatabaseOptions, SupabaseNetwork, SupabaseSecrets, SupabaseStorage } from '../../src';
import { PublicLoadBalancer, PublicLoadBalancerProps } from '../../src/supabase/edge/public-load-balancer';
import { SupabaseWorkloads, SupabaseWorkloadsProps } from '../../src/supabase/workloads/supabase-workloads';

/** The parts the workloads need, in one stack of a test app. */
export function buildParts(app = new App(), databaseOptions: SupabaseDatabaseOptions = {}) {
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const network = new SupabaseNetwork(stack, 'Network', { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] });
  const secrets = new SupabaseSecrets(stack, 'Secrets', { secretNamePrefix: 'supabase/test' });
  const cluster = new SupabaseCluster(stack, 'Cluster', { vpc: network.vpc, vpcSubnets: network.eksSubnets });
  const database = new SupabaseDatabase(stack, 'Database', {
    vpc: network.vpc, vpcSubnets: network.databaseSubnets, bootstrapSubnets: network.eksSubnets, ...databaseOptions,
  });
  const storage = new SupabaseStorage(stack, 'Storage');
  return { app, stack, network, secrets, cluster, database, storage };
}

export type Parts = ReturnType<typeof buildParts>;

/** The workloads with the least configuration, served through a public load balancer as SupabaseOnAws does. */
export function buildWorkloads(
  overrides: Partial<SupabaseWorkloadsProps> = {}, parts: Parts = buildParts(), edge: Partial<PublicLoadBalancerProps> = {},
) {
  const workloads = new SupabaseWorkloads(parts.stack, 'Supabase', {
    cluster: parts.cluster,
    secrets: parts.secrets,
    database: parts.database,
    storage: parts.storage,
    publicUrl: 'https://api.example.com',
    auth: { siteUrl: 'https://app.example.com' },
    ...overrides,
  });
  const loadBalancer = new PublicLoadBalancer(workloads, 'PublicLoadBalancer', {
    cluster: parts.cluster,
    subnets: overrides.loadBalancerSubnets ?? { subnetType: ec2.SubnetType.PUBLIC },
    removalPolicy: RemovalPolicy.RETAIN,
    ...edge,
  });
  workloads.serveThrough(loadBalancer.targetGroup);
  return { ...parts, workloads, loadBalancer };
}
