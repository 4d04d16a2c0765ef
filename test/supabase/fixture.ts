import { App, Stack } from 'aws-cdk-lib';
import { SupabaseCluster, SupabaseDatabase, SupabaseDatabaseOptions, SupabaseNetwork, SupabaseSecrets, SupabaseStorage } from '../../src';
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

/** The workloads with the least configuration. */
export function buildWorkloads(overrides: Partial<SupabaseWorkloadsProps> = {}, parts: Parts = buildParts()) {
  const workloads = new SupabaseWorkloads(parts.stack, 'Supabase', {
    cluster: parts.cluster,
    secrets: parts.secrets,
    database: parts.database,
    storage: parts.storage,
    publicUrl: 'https://api.example.com',
    auth: { siteUrl: 'https://app.example.com' },
    ...overrides,
  });
  return { ...parts, workloads };
}
