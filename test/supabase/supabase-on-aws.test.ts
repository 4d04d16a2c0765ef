import { App, Stack, aws_ec2 as ec2, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SupabaseCluster, SupabaseDatabase, SupabaseNetwork, SupabaseOnAws, SupabaseSecrets, SupabaseStorage } from '../../src';
import { prewarmJobName } from '../../src/supabase/workloads/charts/image-prewarm-chart';
import { IMAGE_CONTRACTS, SupabaseService } from '../../src/supabase/workloads/private/image-contract';
import { kubernetesObjects } from '../kubernetes-objects';

const env = { account: '123456789012', region: 'eu-west-1' };
const AZS = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const MANIFEST = 'Custom::AWSCDK-EKS-KubernetesResource';
const required = { publicUrl: 'https://supabase.example.com', auth: { siteUrl: 'https://app.example.com' } };

describe('SupabaseOnAws in one stack', () => {
  const app = new App();
  const stack = new Stack(app, 'Supabase', { env });
  const supabase = new SupabaseOnAws(stack, 'Supabase', {
    ...required,
    networkProps: { availabilityZones: AZS },
    databaseOptions: { instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.LARGE) },
  });
  const template = Template.fromStack(stack);

  test('creates every part and wires the services to them', () => {
    template.resourceCountIs('AWS::EKS::Cluster', 1);
    template.resourceCountIs('AWS::RDS::DBInstance', 1);
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.r7g.large', MultiAZ: true });
    template.resourceCountIs('AWS::EC2::VPC', 1);
    expect(Object.keys(template.findResources('AWS::S3::Bucket')).length).toBeGreaterThanOrEqual(1);
    expect(Object.keys(template.findResources(MANIFEST)).length).toBeGreaterThanOrEqual(11);
    expect(supabase.namespace).toBe('supabase');
    expect(supabase.vpc).toBe(supabase.network!.vpc);
    expect(supabase.cluster.cluster.vpc).toBe(supabase.vpc);
  });

  test('the database\'s functions reach AWS APIs through the network\'s interface endpoints', () => {
    const endpointSg = stack.getLogicalId(supabase.network!.endpointSecurityGroup!.node.defaultChild as any);
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress'))
      .filter((r: any) => r.Properties.DestinationSecurityGroupId?.['Fn::GetAtt']?.[0] === endpointSg && r.Properties.FromPort === 443);
    expect(egress.length).toBeGreaterThan(0);
  });

  test('nothing is pulled in advance when the services run', () => {
    expect(kubernetesObjects(stack).filter((o: any) => o.kind === 'Job')).toEqual([]);
  });

  test('outputs the URLs, the kubeconfig command and the secrets\' ARNs, never a value', () => {
    const outputs = template.toJSON().Outputs as Record<string, any>;
    const byId = (id: string) => Object.entries(outputs).find(([k]) => k.startsWith(`Supabase${id}`))![1];
    expect(byId('ApiUrl').Value).toBe('https://supabase.example.com');
    expect(byId('StudioUrl').Value).toBe('https://supabase.example.com/');
    expect(JSON.stringify(byId('UpdateKubeconfigCommand').Value)).toContain('aws eks update-kubeconfig --region eu-west-1 --name ');
    for (const id of ['ApiKeysSecretArn', 'JwtSecretArn', 'DashboardSecretArn', 'DatabaseSecretArn']) {
      expect(byId(id).Value).toEqual({ Ref: expect.any(String) });
      // The master secret is referenced through its attachment to the instance, which also resolves to its ARN.
      expect(['AWS::SecretsManager::Secret', 'AWS::SecretsManager::SecretTargetAttachment'])
        .toContain(template.toJSON().Resources[byId(id).Value.Ref].Type);
    }
    expect(JSON.stringify(outputs)).not.toMatch(/SecretString|resolve:secretsmanager|eyJ/);
    expect(template.toJSON().Resources[byId('AlarmTopicArn').Value.Ref].Type).toBe('AWS::SNS::Topic');
    expect(byId('StorageBucketName').Value).toEqual({ Ref: stack.getLogicalId(supabase.storage.bucket.node.defaultChild as any) });
    // Without replication there is no Batch Replication role and no inventory, so no outputs for them.
    expect(Object.keys(outputs).filter((k) => /StorageLogBucketName|StorageBatchReplicationRoleArn/.test(k))).toEqual([]);
  });

  test('passes cdk-nag\'s AwsSolutions pack with no unacknowledged error', () => {
    const errors = new AwsSolutionsChecks().validateScope(stack).violations.filter((v) => v.severity === 'error');
    expect(errors.map((v) => `${v.ruleName} ${v.violatingResources?.map((r) => r.resourceLogicalId).join(',')}`)).toEqual([]);
  });
});

describe('SupabaseOnAws with its parts in other stacks', () => {
  const app = new App();
  const networking = new Stack(app, 'Networking', { env });
  const network = new SupabaseNetwork(networking, 'Network', { availabilityZones: AZS });
  const core = new Stack(app, 'Core', { env });
  const secrets = new SupabaseSecrets(core, 'Secrets');
  const cluster = new SupabaseCluster(core, 'Cluster', { vpc: network.vpc, vpcSubnets: network.eksSubnets });
  const database = new SupabaseDatabase(core, 'Database', {
    vpc: network.vpc, vpcSubnets: network.databaseSubnets, bootstrapSubnets: network.eksSubnets,
  });
  const storage = new SupabaseStorage(core, 'Storage');
  const applications = new Stack(app, 'Applications', { env });
  new SupabaseOnAws(applications, 'Supabase', { ...required, network, secrets, cluster, database, storage });
  const assembly = app.synth();

  test('synthesizes without a dependency cycle: applications after core after networking', () => {
    const deps = (name: string) => assembly.getStackByName(name).dependencies.map((d) => d.id).filter((id) => !id.endsWith('.assets'));
    expect(deps('Networking')).toEqual([]);
    expect(deps('Core')).toEqual(['Networking']);
    // The load balancer sits in the network's public subnets.
    expect(deps('Applications').sort()).toEqual(['Core', 'Networking']);
  });

  test('the applications stack holds the manifests, the load balancer, the observability and the outputs, no data', () => {
    const types = new Set(Object.values(assembly.getStackByName('Applications').template.Resources as Record<string, any>).map((r) => r.Type));
    expect([...types].sort()).toEqual([MANIFEST, 'AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Dashboard', 'AWS::EKS::Addon', 'AWS::KMS::Alias', 'AWS::KMS::Key',
      'AWS::Logs::LogGroup', 'AWS::SNS::Topic', 'AWS::SNS::TopicPolicy', 'AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupIngress',
      'AWS::EC2::SecurityGroupEgress', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::ElasticLoadBalancingV2::Listener',
      'AWS::ElasticLoadBalancingV2::TargetGroup', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy'].sort());
    expect(Object.keys(Template.fromStack(core).findResources('AWS::IAM::Role')).some((id) => id.includes('StorageApiRole'))).toBe(true);
  });
});

/** A team's own VPC with the three kinds of subnets, named as an organisation might name them. */
function ownVpc(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'OwnVpc', {
    availabilityZones: AZS,
    subnetConfiguration: [
      { name: 'ingress', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'apps', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      { name: 'apps-b', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
}

describe('SupabaseOnAws in a VPC of your own', () => {
  const stack = new Stack(new App(), 'Supabase', { env });
  const vpc = ownVpc(stack);
  const supabase = new SupabaseOnAws(stack, 'Supabase', {
    ...required,
    vpc,
    vpcSubnets: { eks: { subnetGroupName: 'apps' } },
  });
  const template = Template.fromStack(stack);
  const ids = (subnets: ec2.ISubnet[]) => subnets.map((subnet) => ({ Ref: stack.getLogicalId(subnet.node.defaultChild as ec2.CfnSubnet) }));

  test('creates no network: the cluster runs in the selected tier, the database in the isolated subnets', () => {
    expect(supabase.network).toBeUndefined();
    expect(supabase.vpc).toBe(vpc);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::FlowLog', 0);
    template.hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({ SubnetIds: ids(vpc.selectSubnets({ subnetGroupName: 'apps' }).subnets) }),
    });
    template.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: ids(vpc.isolatedSubnets) });
  });

  test('the database\'s functions may reach AWS APIs on 443 at any address, since the VPC\'s endpoints are unknown', () => {
    const groups = template.findResources('AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: Match.stringLikeRegexp('HTTPS to Secrets Manager and KMS') },
    });
    expect(Object.keys(groups).length).toBeGreaterThan(0);
    for (const group of Object.values(groups) as any[]) {
      expect(group.Properties.SecurityGroupEgress).toEqual(expect.arrayContaining([
        expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
      ]));
    }
  });

  test('the network policies use the CIDRs of the VPC\'s public and isolated subnets', () => {
    const manifests = JSON.stringify(template.findResources(MANIFEST));
    expect(manifests).toContain(vpc.isolatedSubnets[0].ipv4CidrBlock);
    expect(manifests).toContain(vpc.publicSubnets[0].ipv4CidrBlock);
  });
});

describe('SupabaseOnAws given a cluster and a database without their network', () => {
  test('creates no network of its own', () => {
    const stack = new Stack(new App(), 'Supabase', { env });
    const vpc = ownVpc(stack);
    const cluster = new SupabaseCluster(stack, 'Cluster', { vpc, vpcSubnets: { subnetGroupName: 'apps' } });
    const database = new SupabaseDatabase(stack, 'Database', { vpc, bootstrapSubnets: { subnetGroupName: 'apps' } });
    const supabase = new SupabaseOnAws(stack, 'Supabase', { ...required, cluster, database });
    expect(supabase.network).toBeUndefined();
    expect(supabase.vpc).toBe(vpc);
    Template.fromStack(stack).resourceCountIs('AWS::EC2::VPC', 1);
  });
});

describe('SupabaseOnAws as a standby in the disaster-recovery region', () => {
  const drEnv = { account: '123456789012', region: 'eu-central-1' };
  const standbyProps = (standby: boolean) => ({
    ...required,
    standby,
    networkProps: { availabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'] },
    secretsProps: { primaryRegion: 'eu-west-1', secretNamePrefix: 'supabase/ireland-prod' },
    databaseOptions: { replicaOf: { instanceArn: 'arn:aws:rds:eu-west-1:123456789012:db:supabase-ireland-prod', secretNamePrefix: 'supabase/ireland-prod' } },
  });
  const stack = new Stack(new App(), 'Dr', { env: drEnv });
  const supabase = new SupabaseOnAws(stack, 'Supabase', standbyProps(true));
  const template = Template.fromStack(stack);
  const objects = kubernetesObjects(stack);

  test('every service keeps its Deployment at zero pods, without an autoscaler', () => {
    const deployments = objects.filter((o: any) => o.kind === 'Deployment');
    expect(deployments.map((d: any) => [d.metadata.name, d.spec.replicas]).sort()).toEqual(
      ['auth', 'imgproxy', 'kong', 'meta', 'realtime', 'rest', 'storage', 'studio'].map((n) => [n, 0]));
    expect(objects.filter((o: any) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
  });

  test('on a read replica of the primary with the primary\'s secrets\' replicas, and no master secret output', () => {
    expect(supabase.database.replicaSourceArn).toBe('arn:aws:rds:eu-west-1:123456789012:db:supabase-ireland-prod');
    expect(supabase.secrets.primaryRegion).toBe('eu-west-1');
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(Object.keys(template.toJSON().Outputs).some((k) => k.includes('DatabaseSecretArn'))).toBe(false);
    const dbAuth = objects.find((o: any) => o.kind === 'ExternalSecret' && o.metadata.name === 'supabase-db-auth');
    expect(dbAuth.spec.target.template.data.url).toContain('@TOKEN:{{ .port }}');
  });

  test('passes cdk-nag\'s AwsSolutions pack with no unacknowledged error', () => {
    const errors = new AwsSolutionsChecks().validateScope(stack).violations.filter((v) => v.severity === 'error');
    expect(errors.map((v) => `${v.ruleName} ${v.violatingResources?.map((r) => r.resourceLogicalId).join(',')}`)).toEqual([]);
  });

  test('pulls every service\'s image in advance: one Job runs each image once, with a command the image has', () => {
    const jobs = objects.filter((o: any) => o.kind === 'Job');
    expect(jobs).toHaveLength(1);
    const [job] = jobs;
    expect(job.metadata.name).toMatch(/^image-prewarm-[0-9a-f]{10}$/);
    expect(job.spec).toMatchObject({ backoffLimit: 0, ttlSecondsAfterFinished: 3600, activeDeadlineSeconds: 1800 });
    const containers = job.spec.template.spec.containers;
    const deployments = objects.filter((o: any) => o.kind === 'Deployment');
    // The same images the Deployments run, one container each.
    expect(containers.map((c: any) => [c.name, c.image]).sort()).toEqual(
      deployments.map((d: any) => [d.metadata.name, d.spec.template.spec.containers[0].image]).sort());
    for (const c of containers) {
      const program = c.command[0];
      expect({ service: c.name, program, has: IMAGE_CONTRACTS[c.name as SupabaseService].tools.includes(program) })
        .toEqual({ service: c.name, program, has: true });
      expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    }
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  test('with the cluster\'s image cache, the Deployments and the Job pull through ECR; the Job\'s name is stable', () => {
    const cached = new Stack(new App(), 'Dr', { env: drEnv });
    new SupabaseOnAws(cached, 'Supabase', {
      ...standbyProps(true),
      clusterOptions: {
        imageCache: {
          dockerHubCredentials: secretsmanager.Secret.fromSecretCompleteArn(cached, 'DockerHub',
            'arn:aws:secretsmanager:eu-central-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf'),
        },
      },
    });
    const cachedObjects = kubernetesObjects(cached);
    // The images hold a token (the registry's domain suffix), numbered in the order tokens were made in the process:
    // another synthesis may number it differently, and the Job (so its pods) must not change for that.
    expect(prewarmJobName([['kong', 'x.${Token[AWS.URLSuffix.5]}/k:1']])).toBe(prewarmJobName([['kong', 'x.${Token[AWS.URLSuffix.7]}/k:1']]));
    expect(prewarmJobName([['kong', 'x.${Token[AWS.URLSuffix.5]}/k:1']])).not.toBe(prewarmJobName([['kong', 'x.${Token[AWS.URLSuffix.5]}/k:2']]));
    const images = cachedObjects.filter((o: any) => ['Deployment', 'Job'].includes(o.kind))
      .flatMap((o: any) => o.spec.template.spec.containers.map((c: any) => c.image));
    expect(images.length).toBe(16);
    for (const image of images) {
      expect(image).toMatch(/^123456789012\.dkr\.ecr\.eu-central-1\.TOKEN\/docker-hub\/(kong|supabase|postgrest|darthsim)\/[a-z-]+:\S+$/);
    }
  });

  test('warns when the services run on a replica that is not standing by', () => {
    const serving = new Stack(new App(), 'Dr', { env: drEnv });
    new SupabaseOnAws(serving, 'Supabase', standbyProps(false));
    const warnings = Annotations.fromStack(serving).findWarning('*', Match.stringLikeRegexp('replica-serving'));
    expect(warnings.map((w) => w.entry.data)).toEqual([expect.stringMatching(/Auth, Storage and Realtime write at start and fail until the replica is promoted/)]);
  });

  test('rejects a standby without a replica database, or without the primary\'s secrets', () => {
    const noReplica = new Stack(new App(), 'Dr', { env: drEnv });
    expect(() => new SupabaseOnAws(noReplica, 'Supabase', { ...standbyProps(true), databaseOptions: {} }))
      .toThrow('`standby` is true but the database is not a read replica');
    const noSecrets = new Stack(new App(), 'Dr', { env: drEnv });
    expect(() => new SupabaseOnAws(noSecrets, 'Supabase', { ...standbyProps(true), secretsProps: {} }))
      .toThrow('`standby` is true but the secrets are not the primary\'s replicas');
  });
});

describe('SupabaseOnAws rejects', () => {
  const stackWithVpc = () => {
    const stack = new Stack(new App(), 'Stack', { env });
    return { stack, vpc: ownVpc(stack) };
  };

  test('`vpc` with `network` or `networkProps`, and `vpcSubnets` without `vpc`', () => {
    const { stack, vpc } = stackWithVpc();
    const network = new SupabaseNetwork(stack, 'N', { availabilityZones: AZS });
    expect(() => new SupabaseOnAws(stack, 'A', { ...required, vpc, network }))
      .toThrow('Stack/A: `vpc` is set together with `network`. Deploy into your own VPC');
    expect(() => new SupabaseOnAws(stack, 'B', { ...required, vpc, networkProps: {} })).toThrow('`vpc` is set together with `networkProps`');
    expect(() => new SupabaseOnAws(stack, 'C', { ...required, vpcSubnets: {} })).toThrow('`vpcSubnets` is set without `vpc`');
  });

  test('`networkProps` when the given cluster and database bring their VPC', () => {
    const { stack, vpc } = stackWithVpc();
    const cluster = new SupabaseCluster(stack, 'Cluster', { vpc, vpcSubnets: { subnetGroupName: 'apps' } });
    const database = new SupabaseDatabase(stack, 'Database', { vpc, bootstrapSubnets: { subnetGroupName: 'apps' } });
    expect(() => new SupabaseOnAws(stack, 'S', { ...required, cluster, database, networkProps: {} }))
      .toThrow('`networkProps` is set, but the given `cluster` and `database` already run in their VPC');
  });

  test('a cluster in another VPC than `vpc`', () => {
    const { stack, vpc } = stackWithVpc();
    const other = new ec2.Vpc(stack, 'Other', { availabilityZones: AZS });
    const cluster = new SupabaseCluster(stack, 'Cluster', { vpc: other });
    expect(() => new SupabaseOnAws(stack, 'S', { ...required, vpc, cluster }))
      .toThrow(/must share one VPC; got Stack\/OwnVpc, Stack\/Other/);
  });

  test.each([
    ['network', 'networkProps', (s: Stack) => ({ network: new SupabaseNetwork(s, 'N', { availabilityZones: AZS }), networkProps: {} })],
    ['secrets', 'secretsProps', (s: Stack) => ({ secrets: new SupabaseSecrets(s, 'S'), secretsProps: {} })],
    ['storage', 'storageProps', (s: Stack) => ({ storage: new SupabaseStorage(s, 'B'), storageProps: {} })],
  ])('both `%s` and `%s`', (part, settings, make) => {
    const stack = new Stack(new App(), 'Stack', { env });
    expect(() => new SupabaseOnAws(stack, 'Supabase', { ...required, ...make(stack) }))
      .toThrow(`both \`${part}\` and \`${settings}\` are set`);
  });
});
