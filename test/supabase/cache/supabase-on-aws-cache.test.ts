import { App, RemovalPolicy, Stack, aws_certificatemanager as acm } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  SupabaseCacheEngine,
  SupabaseCluster,
  SupabaseDatabase,
  SupabaseNetwork,
  SupabaseOnAws,
  SupabaseOnAwsProps,
  SupabaseSecrets,
  SupabaseStorage,
} from '../../../src';
import { kubernetesObjects } from '../../kubernetes-objects';

const env = { account: '123456789012', region: 'eu-west-1' };
const AZS = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const FUNCTIONS_IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/functions:1.0.0';

function supabaseProps(stack: Stack, overrides: Partial<SupabaseOnAwsProps> = {}): SupabaseOnAwsProps {
  return {
    publicUrl: 'https://supabase.example.com',
    auth: { siteUrl: 'https://app.example.com' },
    certificate: acm.Certificate.fromCertificateArn(stack, `Certificate${stack.node.children.length}`,
      'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-1111-1111-1111-111111111111'),
    ...overrides,
  };
}

describe('SupabaseOnAws with a cache, its parts in three stacks', () => {
  const app = new App();
  const networking = new Stack(app, 'Networking', { env });
  const network = new SupabaseNetwork(networking, 'Network', { availabilityZones: AZS });
  const core = new Stack(app, 'Core', { env });
  const secrets = new SupabaseSecrets(core, 'Secrets', { secretNamePrefix: 'supabase/test' });
  const cluster = new SupabaseCluster(core, 'Cluster', { vpc: network.vpc, vpcSubnets: network.eksSubnets });
  const database = new SupabaseDatabase(core, 'Database', {
    vpc: network.vpc, vpcSubnets: network.databaseSubnets, bootstrapSubnets: network.eksSubnets,
  });
  const storage = new SupabaseStorage(core, 'Storage');
  const applications = new Stack(app, 'Applications', { env });
  const supabase = new SupabaseOnAws(applications, 'Supabase', supabaseProps(applications, {
    network,
    secrets,
    cluster,
    database,
    storage,
    cache: {},
    functions: true,
    images: { functions: FUNCTIONS_IMAGE },
  }));
  const assembly = app.synth();
  const template = Template.fromStack(applications);
  const json = template.toJSON();
  const group = () => Object.values(template.findResources('AWS::ElastiCache::ReplicationGroup'))[0];
  const secretId = applications.getLogicalId(supabase.cacheSecret!.node.defaultChild as any);
  const objects = kubernetesObjects(applications);

  test('synthesizes without a dependency cycle: the cache is in the applications stack, after core and networking', () => {
    expect(assembly.getStackByName('Applications').dependencies.map((d) => d.id).filter((id) => !id.endsWith('.assets')).sort())
      .toEqual(['Core', 'Networking']);
    Template.fromStack(core).resourceCountIs('AWS::ElastiCache::ReplicationGroup', 0);
    template.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 1);
  });

  test('Valkey 8.0 on cache.t4g.small with a replica in another zone and automatic failover, snapshotted on removal', () => {
    expect(group().Properties).toMatchObject({
      Engine: 'valkey',
      EngineVersion: '8.0',
      CacheNodeType: 'cache.t4g.small',
      NumCacheClusters: 2,
      AutomaticFailoverEnabled: true,
      MultiAZEnabled: true,
      Port: 6380,
    });
    expect(group().DeletionPolicy).toBe('Snapshot');
    expect(supabase.cache).toBeDefined();
  });

  test('encrypted at rest and in transit (TLS required), authenticated with the token from Secrets Manager', () => {
    expect(group().Properties).toMatchObject({
      AtRestEncryptionEnabled: true,
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      AuthToken: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:password::}}']] },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'supabase/test/cache-auth-token',
      GenerateSecretString: { GenerateStringKey: 'password', PasswordLength: 64, ExcludePunctuation: true },
      KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('SecretsKey') },
    });
  });

  test('in the EKS tier, behind a security group that admits only the cluster on the cache port and sends nothing', () => {
    const subnetGroup = Object.values(template.findResources('AWS::ElastiCache::SubnetGroup'))[0];
    expect(subnetGroup.Properties.SubnetIds).toEqual(network.vpc.selectSubnets(network.eksSubnets).subnetIds.map(() => expect.anything()));
    expect(subnetGroup.Properties.SubnetIds).toHaveLength(3);
    const [sgRef] = group().Properties.SecurityGroupIds;
    const sg = json.Resources[sgRef['Fn::GetAtt'][0]];
    expect(sg.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })]);
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter((r: any) => JSON.stringify(r.Properties.GroupId) === JSON.stringify(sgRef));
    // One rule per security group of the cluster (its cluster security group, which the nodes and pods use, and the
    // control plane's), each on the cache port only.
    expect(ingress).toHaveLength(cluster.connections.securityGroups.length);
    for (const rule of ingress) {
      expect(rule.Properties).toMatchObject({ IpProtocol: 'tcp', FromPort: 6380, ToPort: 6380 });
      expect(rule.Properties.SourceSecurityGroupId).toEqual({ 'Fn::ImportValue': expect.stringMatching(/^Core:.*Cluster/) });
    }
  });

  test('External Secrets\' role may read the token (a policy in this stack), and the Secret supabase-cache is made from it', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p: any) => JSON.stringify(p.Properties.PolicyDocument).includes(secretId));
    expect(policies).toHaveLength(1);
    expect(JSON.stringify(policies[0].Properties.Roles)).toMatch(/ExternalSecrets/);
    expect(policies[0].Properties.PolicyDocument.Statement[0]).toMatchObject({
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: { Ref: secretId },
    });
    const external = objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'supabase-cache');
    expect(external.spec.dataFrom).toEqual([{ extract: { key: 'TOKEN' } }]);
    expect(external.spec.target.template.data).toEqual({
      host: 'TOKEN',
      port: '6380',
      password: '{{ .password }}',
      url: 'rediss://:{{ .password }}@TOKEN:6380',
    });
  });

  test('Edge Functions get REDIS_URL from that Secret and may reach the EKS tier on the cache port', () => {
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'functions');
    const variables = deployment.spec.template.spec.containers[0].env;
    expect(variables.find((e: any) => e.name === 'REDIS_URL')).toEqual({
      name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: 'supabase-cache', key: 'url' } },
    });
    const policy = objects.find((o) => o.kind === 'NetworkPolicy' && JSON.stringify(o.spec.podSelector).includes('functions'));
    const cacheEgress = policy.spec.egress.filter((e: any) => e.ports?.some((p: any) => p.port === 6380));
    const eksCidrs = network.vpc.selectSubnets(network.eksSubnets).subnets.map((s) => s.ipv4CidrBlock);
    expect(cacheEgress.flatMap((e: any) => e.to.map((t: any) => t.ipBlock.cidr)).sort()).toEqual([...eksCidrs].sort());
    // No other service is told about the cache.
    const others = objects.filter((o) => o.kind === 'Deployment' && o.metadata.name !== 'functions');
    expect(JSON.stringify(others)).not.toContain('supabase-cache');
  });

  test('outputs the endpoint and the token\'s ARN, never the token', () => {
    const outputs = Object.entries(json.Outputs as Record<string, any>);
    const output = (id: string) => outputs.find(([k]) => k.startsWith(`Supabase${id}`))![1];
    expect(output('CacheSecretArn').Value).toEqual({ Ref: secretId });
    expect(JSON.stringify(output('CacheEndpoint').Value)).toContain('PrimaryEndPoint.Address');
    expect(JSON.stringify(output('CacheEndpoint').Value)).toContain(':6380');
  });

  test('passes cdk-nag\'s AwsSolutions pack with no unacknowledged finding on the cache', () => {
    const findings = new AwsSolutionsChecks().validateScope(applications).violations
      .filter((v) => v.violatingResources?.some((r) => /Cache/.test(r.resourceLogicalId ?? '')));
    expect(findings.map((v) => `${v.ruleName} ${v.violatingResources?.map((r) => r.resourceLogicalId).join(',')}`)).toEqual([]);
  });
});

describe('SupabaseOnAws cache settings', () => {
  test('a single node without replicas: no Multi-AZ, no failover; another engine; deleted with the stack', () => {
    const stack = new Stack(new App(), 'Stack', { env });
    new SupabaseOnAws(stack, 'Supabase', supabaseProps(stack, {
      networkProps: { availabilityZones: AZS },
      cache: { replicas: 0, engine: SupabaseCacheEngine.REDIS_OSS_7_1, nodeType: 'cache.r7g.large', removalPolicy: RemovalPolicy.DESTROY },
    }));
    const template = Template.fromStack(stack);
    const [group] = Object.values(template.findResources('AWS::ElastiCache::ReplicationGroup'));
    expect(group.Properties).toMatchObject({
      Engine: 'redis',
      EngineVersion: '7.1',
      CacheNodeType: 'cache.r7g.large',
      NumCacheClusters: 1,
      AutomaticFailoverEnabled: false,
      MultiAZEnabled: false,
    });
    expect(group.DeletionPolicy).toBe('Delete');
    // Without Edge Functions the Secret is still there, for the team's own services.
    expect(kubernetesObjects(stack).some((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'supabase-cache')).toBe(true);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cache.nodeType'))).toEqual([]);
  });

  test('no cache by default: no replication group, no Secret supabase-cache', () => {
    const stack = new Stack(new App(), 'Stack', { env });
    const supabase = new SupabaseOnAws(stack, 'Supabase', supabaseProps(stack, { networkProps: { availabilityZones: AZS } }));
    Template.fromStack(stack).resourceCountIs('AWS::ElastiCache::ReplicationGroup', 0);
    expect(supabase.cache).toBeUndefined();
    expect(kubernetesObjects(stack).some((o) => o.metadata?.name === 'supabase-cache')).toBe(false);
  });

  test('warns about a node type of a family it does not know, and rejects one that is no node type', () => {
    const stack = new Stack(new App(), 'Stack', { env });
    new SupabaseOnAws(stack, 'A', supabaseProps(stack, { networkProps: { availabilityZones: AZS }, cache: { nodeType: 'cache.x9.large' } }));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('`cache.nodeType` is \'cache.x9.large\', whose family x9 is not one of the families'));
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0].entry.data)).toContain('Check that the type exists in eu-west-1');
    expect(() => new SupabaseOnAws(stack, 'B', supabaseProps(stack, { cache: { nodeType: 'r7g.large' } })))
      .toThrow('Stack/B: `cache.nodeType` is \'r7g.large\', which is not an ElastiCache node type. Use \'cache.<family>.<size>\'');
  });

  test('rejects a replica count ElastiCache does not allow, and an engine it does not run', () => {
    const stack = new Stack(new App(), 'Stack', { env });
    expect(() => new SupabaseOnAws(stack, 'A', supabaseProps(stack, { cache: { replicas: 6 } })))
      .toThrow('Stack/A: `cache.replicas` is 6; a replication group has 0 to 5 read replicas.');
    expect(() => new SupabaseOnAws(stack, 'B', supabaseProps(stack, { cache: { replicas: 1.5 } })))
      .toThrow('`cache.replicas` is 1.5');
    expect(() => SupabaseCacheEngine.of('memcached', '1.6')).toThrow('SupabaseCacheEngine.of: engine \'memcached\' is not one ElastiCache runs');
    expect(SupabaseCacheEngine.of('valkey', '8.1').version).toBe('8.1');
  });
});
