/**
 * What tells the Ireland development, staging and production apps apart, asserted on their templates: development is
 * small and disposable, staging is shaped like production but smaller and snapshots its database on delete,
 * production is highly available and keeps its data. The settings themselves are in examples/ireland/environments.ts.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ExampleStacks, buildExample } from './example-app';
import { kubernetesObjects } from '../kubernetes-objects';

const buildIreland = (name: string) => buildExample(name).stacks;

/** The replicas each Deployment runs at least: its autoscaler's minimum, or its fixed count. */
function minimumReplicas(stack: Stack): Record<string, number> {
  const objects = kubernetesObjects(stack);
  const result: Record<string, number> = {};
  for (const deployment of objects.filter((o) => o.kind === 'Deployment')) {
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === deployment.metadata.name);
    result[deployment.metadata.name] = hpa ? hpa.spec.minReplicas : deployment.spec.replicas;
  }
  return result;
}

function deletionPolicies(stacks: ExampleStacks | Stack[], type: string): string[] {
  return Object.values(stacks).flatMap((stack) => Object.values(Template.fromStack(stack).findResources(type)))
    .map((resource: any) => resource.DeletionPolicy ?? 'Delete');
}

const SERVICES = ['kong', 'auth', 'rest', 'realtime', 'storage', 'imgproxy', 'meta', 'studio'];

describe('ireland-dev: small and disposable', () => {
  const dev = buildIreland('ireland-dev');

  test('no RDS Proxy: every service connects to the instance', () => {
    Template.fromStack(dev.core).resourceCountIs('AWS::RDS::DBProxy', 0);
  });

  test('one NAT gateway and no interface endpoints', () => {
    const network = Template.fromStack(dev.networking);
    network.resourceCountIs('AWS::EC2::NatGateway', 1);
    expect(network.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } })).toEqual({});
  });

  test('a small single-AZ database without deletion protection, deleted with the stack', () => {
    const core = Template.fromStack(dev.core);
    core.hasResource('AWS::RDS::DBInstance', {
      Properties: Match.objectLike({ DBInstanceClass: 'db.t4g.small', MultiAZ: false, DeletionProtection: false, BackupRetentionPeriod: 1 }),
      DeletionPolicy: 'Delete',
    });
  });

  test('buckets, keys and secrets are deleted with the stacks', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret']) {
      expect(deletionPolicies(dev, type)).toEqual(expect.arrayContaining(['Delete']));
      expect(deletionPolicies(dev, type)).not.toContain('Retain');
    }
  });

  test('one spot node group', () => {
    const nodeGroups = Template.fromStack(dev.core).findResources('AWS::EKS::Nodegroup');
    expect(Object.values(nodeGroups).map((g: any) => g.Properties.CapacityType)).toEqual(['SPOT']);
  });

  test('one pod of each service', () => {
    const replicas = minimumReplicas(dev.applications);
    expect(Object.keys(replicas).sort()).toEqual([...SERVICES].sort());
    expect(new Set(Object.values(replicas))).toEqual(new Set([1]));
  });
});

describe('ireland-prod: highly available and retained', () => {
  const prod = buildIreland('ireland-prod');

  test('a NAT gateway in each of three zones, and interface endpoints for the AWS APIs', () => {
    const network = Template.fromStack(prod.networking);
    network.resourceCountIs('AWS::EC2::NatGateway', 3);
    const interfaces = network.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } });
    expect(Object.keys(interfaces).length).toBeGreaterThan(0);
  });

  test('a Multi-AZ database with deletion protection, snapshotted on delete', () => {
    Template.fromStack(prod.core).hasResource('AWS::RDS::DBInstance', {
      Properties: Match.objectLike({ DBInstanceClass: 'db.m7g.large', MultiAZ: true, DeletionProtection: true, BackupRetentionPeriod: 14 }),
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
    });
  });

  test('a CDN in front of the load balancer, with the web ACL from us-east-1, which forwards only CloudFront\'s requests', () => {
    const apps = Template.fromStack(prod.applications);
    apps.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['supabase.example.com'],
        WebACLId: Match.stringLikeRegexp('^arn:aws:wafv2:us-east-1:123456789012:global/webacl/'),
        ViewerCertificate: Match.objectLike({ AcmCertificateArn: Match.stringLikeRegexp('^arn:aws:acm:us-east-1:'), MinimumProtocolVersion: 'TLSv1.2_2021' }),
      }),
    });
    apps.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
  });

  test('a Valkey cache with a replica in another zone, encrypted, its token retained like every secret', () => {
    Template.fromStack(prod.applications).hasResource('AWS::ElastiCache::ReplicationGroup', {
      Properties: Match.objectLike({ Engine: 'valkey', MultiAZEnabled: true, AtRestEncryptionEnabled: true, TransitEncryptionEnabled: true }),
      DeletionPolicy: 'Snapshot',
    });
  });

  test('an RDS Proxy pools Auth, REST, Storage and postgres-meta; Realtime connects to the instance', () => {
    Template.fromStack(prod.core).resourceCountIs('AWS::RDS::DBProxy', 1);
    const env = (name: string) => kubernetesObjects(prod.applications).find((o) => o.kind === 'Deployment' && o.metadata.name === name)
      .spec.template.spec.containers[0].env.map((e: any) => e.name);
    expect(env('rest')).toContain('PGRST_DB_PREPARED_STATEMENTS');
    expect(env('storage')).toContain('DATABASE_POOL_URL');
  });

  test.each(['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup'])('every %s is retained', (type) => {
    const policies = deletionPolicies(prod, type);
    expect(policies.length).toBeGreaterThan(0);
    expect(new Set(policies)).toEqual(new Set(['Retain']));
  });

  test('the stacks are protected from deletion', () => {
    for (const stack of Object.values(prod)) {
      expect(stack.terminationProtection).toBe(true);
    }
  });

  test('an on-demand and a spot node group', () => {
    const nodeGroups = Template.fromStack(prod.core).findResources('AWS::EKS::Nodegroup');
    expect(Object.values(nodeGroups).map((g: any) => g.Properties.CapacityType).sort()).toEqual(['ON_DEMAND', 'SPOT']);
  });

  test('two or more pods of each service but Studio, which keeps its snippets on one volume', () => {
    const replicas = minimumReplicas(prod.applications);
    expect(Object.keys(replicas).sort()).toEqual([...SERVICES].sort());
    const { studio, ...others } = replicas;
    expect(studio).toBe(1);
    for (const [service, count] of Object.entries(others)) {
      expect({ service, atLeastTwo: count >= 2 }).toEqual({ service, atLeastTwo: true });
    }
  });

  test('observability: container logs kept a month, 22 alarms (the proxy\'s, the outage, the heartbeat and replication\'s both ways among them) to an encrypted topic, a dashboard', () => {
    const apps = Template.fromStack(prod.applications);
    apps.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'amazon-cloudwatch-observability' });
    apps.resourceCountIs('AWS::CloudWatch::Alarm', 22);
    apps.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'Supabase/SecretReplication', MetricName: 'ReplicasNotInSync' });
    for (const metric of ['HealthyHostCount', 'DatabaseConnectionsSetupFailed', 'OperationsFailedReplication']) {
      apps.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: metric });
    }
    apps.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'cluster_node_count', Statistic: 'SampleCount', TreatMissingData: 'breaching' });
    apps.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'supabase-oncall@example.com' });
    apps.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmDescription: Match.stringLikeRegexp('requests answered with a 5xx'), Threshold: 5 });
    apps.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    apps.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    apps.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('/aws/containerinsights/.+/application'), RetentionInDays: 30 });
  });

  test('the nodes pull the images through an ECR pull-through cache of Docker Hub in eu-west-1', () => {
    Template.fromStack(prod.core).hasResourceProperties('AWS::ECR::PullThroughCacheRule', { UpstreamRegistry: 'docker-hub' });
    const deployments = kubernetesObjects(prod.applications).filter((o) => o.kind === 'Deployment');
    const images = deployments.map((d) => d.spec.template.spec.containers[0].image);
    expect(images.every((i: string) => i.startsWith('123456789012.dkr.ecr.eu-west-1.TOKEN/docker-hub/'))).toBe(true);
  });

  test('Auth sends email through SES with the password from the secret the team created', () => {
    const objects = kubernetesObjects(prod.applications);
    const auth = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'auth');
    const env = auth.spec.template.spec.containers[0].env;
    expect(env).toEqual(expect.arrayContaining([
      { name: 'GOTRUE_SMTP_HOST', value: 'email-smtp.eu-west-1.amazonaws.com' },
      { name: 'GOTRUE_MAILER_AUTOCONFIRM', value: 'false' },
      expect.objectContaining({ name: 'GOTRUE_SMTP_PASS', valueFrom: { secretKeyRef: expect.objectContaining({ name: 'supabase-smtp' }) } }),
    ]));
    const smtp = objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'supabase-smtp');
    expect(JSON.stringify(smtp.spec)).toContain('secret:supabase/ireland-prod/ses-smtp-password');
  });
});

describe('ireland-staging: shaped like production, smaller, its database snapshotted on delete', () => {
  const staging = buildIreland('ireland-staging');

  test('a NAT gateway in each of three zones, no interface endpoints', () => {
    const network = Template.fromStack(staging.networking);
    network.resourceCountIs('AWS::EC2::NatGateway', 3);
    expect(network.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } })).toEqual({});
  });

  test('a Multi-AZ burstable database behind an RDS Proxy, without deletion protection, snapshotted on delete', () => {
    const core = Template.fromStack(staging.core);
    core.hasResource('AWS::RDS::DBInstance', {
      Properties: Match.objectLike({ DBInstanceClass: 'db.t4g.medium', MultiAZ: true, DeletionProtection: false, BackupRetentionPeriod: 7 }),
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
    });
    core.resourceCountIs('AWS::RDS::DBProxy', 1);
  });

  test('what a restore from the snapshot needs is retained: the secrets, the buckets and their keys', () => {
    const core = Template.fromStack(staging.core);
    for (const type of ['AWS::SecretsManager::Secret', 'AWS::S3::Bucket']) {
      const policies = deletionPolicies([staging.core], type);
      expect(policies.length).toBeGreaterThan(0);
      expect(new Set(policies)).toEqual(new Set(['Retain']));
    }
    const keys = core.findResources('AWS::KMS::Key');
    for (const key of ['SecretsKey', 'DatabaseKey', 'StorageKey']) {
      expect(Object.entries(keys).find(([id]) => id.startsWith(key))![1].DeletionPolicy).toBe('Retain');
    }
  });

  test('the network\'s and the services\' logs are deleted with the stacks, and the stacks may be deleted', () => {
    expect(new Set(deletionPolicies([staging.networking, staging.applications], 'AWS::Logs::LogGroup'))).toEqual(new Set(['Delete']));
    for (const stack of Object.values(staging)) {
      expect(stack.terminationProtection).toBe(false);
    }
  });

  test('an on-demand and a spot node group, a third of production\'s maximum', () => {
    const nodeGroups = Object.values(Template.fromStack(staging.core).findResources('AWS::EKS::Nodegroup')) as any[];
    expect(nodeGroups.map((g) => [g.Properties.CapacityType, g.Properties.ScalingConfig.MaxSize]).sort())
      .toEqual([['ON_DEMAND', 3], ['SPOT', 6]]);
  });

  test('two to four pods of each autoscaled service, one of postgres-meta and Studio', () => {
    const replicas = minimumReplicas(staging.applications);
    expect(replicas).toEqual({ kong: 2, auth: 2, rest: 2, realtime: 2, storage: 2, imgproxy: 2, meta: 1, studio: 1 });
    const hpas = kubernetesObjects(staging.applications).filter((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(new Set(hpas.map((h) => h.spec.maxReplicas))).toEqual(new Set([4]));
  });

  test('no CDN and no cache', () => {
    const apps = Template.fromStack(staging.applications);
    apps.resourceCountIs('AWS::CloudFront::Distribution', 0);
    apps.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 0);
  });
});
