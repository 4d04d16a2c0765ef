/**
 * Disaster recovery between the Ireland production app and the Frankfurt DR app: the read replica's source and
 * encryption, the Storage replication rule and its role, the secret replicas, the standby sizes, and the names the
 * two apps must agree on.
 */
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EXAMPLES, buildExample } from './example-app';
import { kubernetesObjects } from '../kubernetes-objects';

const build = (name: string, context: Record<string, unknown> = {}) => buildExample(name, context).stacks;

// The names Ireland production's settings give its DR site, and the names of its own secrets and instance.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { PRODUCTION } = require(join(EXAMPLES, 'ireland', 'environments'));
const DR = {
  ...PRODUCTION.disasterRecovery,
  secretNamePrefix: PRODUCTION.secrets.secretNamePrefix,
  databaseIdentifier: PRODUCTION.database.instanceIdentifier,
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { PRIMARY, SITE } = require(join(EXAMPLES, 'frankfurt-dr', 'app'));
const ACCOUNT = '123456789012';

const ireland = build('ireland-prod');
const frankfurt = build('frankfurt-dr');
const irelandCore = Template.fromStack(ireland.core);
const frankfurtCore = Template.fromStack(frankfurt.core);

test('the two apps agree on every name they share', () => {
  expect(PRIMARY.secretNamePrefix).toBe(DR.secretNamePrefix);
  expect(PRIMARY.databaseArn).toBe(`arn:aws:rds:eu-west-1:${ACCOUNT}:db:${DR.databaseIdentifier}`);
  expect(PRIMARY.replicationRoleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/${DR.replicationRoleName}`);
  expect(PRIMARY.bucketName).toBe(DR.bucketName);
  expect(PRIMARY.storageKeyAlias).toBe(DR.storageKeyAlias);
  expect(PRIMARY.databaseKeyAlias).toBe(DR.databaseKeyAlias);
  expect(PRIMARY.onCallRoleArn).toBe(DR.onCallRoleArn);
  expect(frankfurt.core.region).toBe(DR.region);
  // And the other way, for failback: Frankfurt replicates into Ireland's bucket with Ireland's key.
  expect(PRIMARY.primaryBucketName).toBe(PRODUCTION.storage.bucketName);
  expect(SITE.replicationRoleName).toBe(DR.failbackReplicationRoleName);
  irelandCore.hasResourceProperties('AWS::S3::Bucket', { BucketName: PRIMARY.primaryBucketName });
  irelandCore.hasResourceProperties('AWS::KMS::Alias', { AliasName: PRIMARY.primaryStorageKeyAlias });
  frankfurtCore.hasResourceProperties('AWS::IAM::Role', { RoleName: SITE.replicationRoleName });
});

describe('the database', () => {
  test('Ireland\'s instance has the identifier the replica names', () => {
    irelandCore.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: DR.databaseIdentifier });
  });

  test('Frankfurt runs a read replica of it, encrypted with a Frankfurt key under the agreed alias', () => {
    const [id, instance] = Object.entries(frankfurtCore.findResources('AWS::RDS::DBInstance'))[0] as [string, any];
    expect(instance.Properties).toMatchObject({
      SourceDBInstanceIdentifier: PRIMARY.databaseArn,
      SourceRegion: 'eu-west-1',
      DBInstanceIdentifier: 'supabase-frankfurt-dr',
      DBInstanceClass: 'db.m7g.large',
      KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^DatabaseKey/), 'Arn'] },
    });
    expect(id).toMatch(/^Database/);
    frankfurtCore.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: DR.databaseKeyAlias,
      TargetKeyId: { 'Fn::GetAtt': [instance.Properties.KmsKeyId['Fn::GetAtt'][0], 'Arn'] },
    });
    frankfurtCore.resourceCountIs('Custom::SupabaseBootstrap', 0);
  });

  test('Ireland replicates the five login secrets to Frankfurt, encrypted there with the replica\'s key', () => {
    for (const login of ['auth', 'rest', 'storage', 'realtime', 'meta']) {
      irelandCore.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: `${DR.secretNamePrefix}/db-${login}`,
        ReplicaRegions: [{ Region: 'eu-central-1', KmsKeyId: `arn:aws:kms:eu-central-1:${ACCOUNT}:${DR.databaseKeyAlias}` }],
      });
    }
  });
});

test('Ireland replicates its master secret to Frankfurt too, so that the promoted instance\'s password is there', () => {
  const master = Object.values(irelandCore.findResources('AWS::SecretsManager::Secret'))
    .filter((r: any) => r.Properties.Name === undefined && r.Properties.GenerateSecretString?.SecretStringTemplate?.includes('username'));
  expect(master.map((r: any) => r.Properties.ReplicaRegions)).toEqual([
    [{ Region: 'eu-central-1', KmsKeyId: `arn:aws:kms:eu-central-1:${ACCOUNT}:${DR.databaseKeyAlias}` }],
  ]);
});

describe('the secrets', () => {
  test('Ireland replicates its seven secrets (the signing keys among them) to Frankfurt under the key alias Frankfurt creates', () => {
    const replicated = irelandCore.findResources('AWS::SecretsManager::Secret', {
      Properties: { ReplicaRegions: [{ Region: 'eu-central-1', KmsKeyId: `arn:aws:kms:eu-central-1:${ACCOUNT}:${DR.secretsKeyAlias}` }] },
    });
    expect(Object.values(replicated).map((r: any) => r.Properties.Name).sort()).toEqual(
      ['api-keys', 'dashboard', 'jwt', 'meta-crypto-key', 'realtime-db-enc-key', 'realtime-secret-key-base', 'signing-keys']
        .map((n) => `${DR.secretNamePrefix}/${n}`));
    frankfurtCore.hasResourceProperties('AWS::KMS::Alias', { AliasName: DR.secretsKeyAlias });
  });

  test('Frankfurt creates no secret but its own SES credential: its services read the replicas of the same JWT secret and keys', () => {
    expect(Object.values(frankfurtCore.findResources('AWS::SecretsManager::Secret')).map((s: any) => s.Properties.Name))
      .toEqual(['supabase/ireland-prod/ses-smtp/eu-central-1']);
    const objects = kubernetesObjects(frankfurt.applications);
    const jwt = objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'supabase-jwt');
    expect(jwt.spec.data[0].remoteRef.key).toContain(`:secretsmanager:eu-central-1:${ACCOUNT}:secret:${DR.secretNamePrefix}/jwt`);
    const store = objects.find((o) => o.kind === 'SecretStore');
    expect(store.spec.provider.aws.region).toBe('eu-central-1');
  });
});

describe('the Storage bucket', () => {
  test('Ireland replicates every version and delete marker to the Frankfurt bucket, encrypted with its key', () => {
    irelandCore.hasResourceProperties('AWS::S3::Bucket', {
      ReplicationConfiguration: {
        Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageReplicationRole'), 'Arn'] },
        Rules: [Match.objectLike({
          Status: 'Enabled',
          DeleteMarkerReplication: { Status: 'Enabled' },
          SourceSelectionCriteria: Match.objectLike({ SseKmsEncryptedObjects: { Status: 'Enabled' } }),
          Destination: Match.objectLike({
            Bucket: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${DR.bucketName}`]] },
            EncryptionConfiguration: { ReplicaKmsKeyID: `arn:aws:kms:eu-central-1:${ACCOUNT}:${DR.storageKeyAlias}` },
          }),
        })],
      },
    });
  });

  test('the replication role has the agreed name and may write only into the Frankfurt bucket', () => {
    irelandCore.hasResourceProperties('AWS::IAM::Role', {
      RoleName: DR.replicationRoleName,
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 's3.amazonaws.com' } })] }),
    });
    const policy = Object.values(irelandCore.findResources('AWS::IAM::Policy'))
      .find((p: any) => JSON.stringify(p.Properties.Roles).includes('StorageReplicationRole')) as any;
    const write = policy.Properties.PolicyDocument.Statement.find((s: any) => JSON.stringify(s.Action).includes('s3:ReplicateObject'));
    expect(JSON.stringify(write.Resource)).toContain(`:s3:::${DR.bucketName}/*`);
  });

  test('replication is watched where S3 publishes it: failures at each source, the latency at each destination', () => {
    for (const [stacks, failed, latency] of [[ireland, 1, 1], [frankfurt, 1, 1]] as const) {
      const alarms = Object.keys(Template.fromStack(stacks.applications).findResources('AWS::CloudWatch::Alarm'));
      expect([alarms.filter((a) => a.includes('StorageReplicationFailed')).length, alarms.filter((a) => a.includes('StorageReplicationLatency')).length])
        .toEqual([failed, latency]);
    }
  });

  test('Frankfurt\'s bucket has the agreed name and key, and its policy lets the replication role in', () => {
    frankfurtCore.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: DR.bucketName,
      VersioningConfiguration: { Status: 'Enabled' },
    });
    frankfurtCore.hasResourceProperties('AWS::KMS::Alias', { AliasName: DR.storageKeyAlias });
    const policy = JSON.stringify(frankfurtCore.findResources('AWS::S3::BucketPolicy'));
    expect(policy).toContain(PRIMARY.replicationRoleArn);
  });
});

describe('the standby', () => {
  test('every service stands by at zero pods, without autoscalers', () => {
    const objects = kubernetesObjects(frankfurt.applications);
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments).toHaveLength(8);
    expect(new Set(deployments.map((d) => d.spec.replicas))).toEqual(new Set([0]));
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
  });

  test('an alarm fires when the replica falls ten minutes behind, cannot tell its lag or stops reporting it', () => {
    Template.fromStack(frankfurt.applications).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 600,
      TreatMissingData: 'breaching',
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(lag < 0, 86400, lag)' }),
        Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ReplicaLag' }) }) })]),
    });
  });

  test('email after a failover: an SES SMTP credential of eu-central-1 made here, and the sender\'s domain to verify there', () => {
    const core = Template.fromStack(frankfurt.core);
    core.hasResourceProperties('Custom::SupabaseSesSmtpCredential', { Region: 'eu-central-1' });
    core.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'supabase/ireland-prod/ses-smtp/eu-central-1' });
    core.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'example.com' });
    expect(Object.keys(core.toJSON().Outputs).filter((k) => k.startsWith('SenderDomainDkim'))).toHaveLength(3);
    // No secret of Ireland's SMTP credential is read here.
    expect(JSON.stringify(core.toJSON())).not.toContain('ses-smtp-password');
  });

  test('the outage and heartbeat alarms stand by too, to an on-call address', () => {
    const apps = Template.fromStack(frankfurt.applications);
    apps.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'HealthyHostCount', TreatMissingData: 'breaching' });
    apps.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'cluster_node_count', Statistic: 'SampleCount', TreatMissingData: 'breaching' });
    apps.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'supabase-oncall@example.com' });
  });

  test('the images come from an ECR pull-through cache of Docker Hub here, and are pulled into it while standing by', () => {
    frankfurtCore.hasResourceProperties('AWS::ECR::PullThroughCacheRule', {
      EcrRepositoryPrefix: 'docker-hub', UpstreamRegistry: 'docker-hub', CredentialArn: Match.stringLikeRegexp(':eu-central-1:.*:secret:ecr-pullthroughcache/'),
    });
    const objects = kubernetesObjects(frankfurt.applications);
    const [job] = objects.filter((o) => o.kind === 'Job');
    const images = job.spec.template.spec.containers.map((c: any) => c.image);
    expect(images).toHaveLength(8);
    expect(images.every((i: string) => i.startsWith(`${ACCOUNT}.dkr.ecr.eu-central-1.TOKEN/docker-hub/`))).toBe(true);
  });

  test('two on-demand nodes run the controllers; both groups can grow to production size', () => {
    const groups = Object.values(frankfurtCore.findResources('AWS::EKS::Nodegroup')).map((g: any) => [g.Properties.CapacityType, g.Properties.ScalingConfig]);
    expect(groups).toEqual(expect.arrayContaining([
      ['ON_DEMAND', { MinSize: 2, DesiredSize: 2, MaxSize: 10 }],
      ['SPOT', { MinSize: 0, DesiredSize: 0, MaxSize: 20 }],
    ]));
  });

  test('after a failover (-c failover=true) the services run with production scaling', () => {
    const promoted = build('frankfurt-dr', { failover: 'true' });
    const objects = kubernetesObjects(promoted.applications);
    const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.metadata.name).sort()).toEqual(['auth', 'imgproxy', 'kong', 'realtime', 'rest', 'storage']);
    expect(new Set(hpas.map((h) => h.spec.minReplicas))).toEqual(new Set([2]));
  });

  test('Ireland\'s first deployment (-c disasterRecovery=false) replicates nothing, so it needs no DR site yet', () => {
    const first = Template.fromStack(build('ireland-prod', { disasterRecovery: 'false' }).core);
    expect(first.findResources('AWS::SecretsManager::Secret', { Properties: { ReplicaRegions: Match.anyValue() } })).toEqual({});
    expect(first.findResources('AWS::S3::Bucket', { Properties: { ReplicationConfiguration: Match.anyValue() } })).toEqual({});
  });
});

describe('failback: a new replica can replace the instance', () => {
  /** The core resources each export the applications stack imports refers to. */
  function importedFromCore(stacks: { core: any; applications: any }): Record<string, string[]> {
    const apps = JSON.stringify(Template.fromStack(stacks.applications).toJSON());
    const imported = new Set([...apps.matchAll(/"Fn::ImportValue":"SupabaseDrCore:([^"]+)"/g)].map((m) => m[1]));
    const outputs = Template.fromStack(stacks.core).toJSON().Outputs as Record<string, any>;
    return Object.fromEntries([...imported].map((name) => {
      const [, output] = Object.entries(outputs).find(([, o]) => o.Export?.Name === `SupabaseDrCore:${name}`)!;
      return [name, [...JSON.stringify(output.Value).matchAll(/"(?:Ref|Fn::GetAtt)":\[?"([A-Za-z0-9]+)"/g)].map((m) => m[1])];
    }));
  }

  test.each([['standing by', {}], ['failed over', { failover: 'true' }]])('%s: no export the applications stack imports refers to the instance', (_name, context) => {
    const stacks = build('frankfurt-dr', context);
    const [instanceId] = Object.keys(Template.fromStack(stacks.core).findResources('AWS::RDS::DBInstance'));
    const referring = Object.entries(importedFromCore(stacks)).filter(([, refs]) => refs.includes(instanceId)).map(([name]) => name);
    // A new identifier replaces the instance; CloudFormation would refuse to change these exports while in use.
    expect(referring).toEqual([]);
    expect(Object.keys(importedFromCore(stacks)).length).toBeGreaterThan(5);
  });

  test('the replica\'s host reaches the External Secrets through an SSM parameter, and its alarms name it as written', () => {
    const apps = Template.fromStack(frankfurt.applications).toJSON();
    const parameters = Object.values(apps.Parameters ?? {}) as any[];
    expect(parameters).toContainEqual(expect.objectContaining({
      Type: 'AWS::SSM::Parameter::Value<String>', Default: expect.stringMatching(/^\/cdk-supabase-on-aws\/SupabaseDrCore-Database-[A-Za-z0-9]+\/endpoint-address$/),
    }));
    frankfurtCore.hasResourceProperties('AWS::SSM::Parameter', {
      Name: parameters.find((p) => p.Type.startsWith('AWS::SSM')).Default,
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Database'), 'Endpoint.Address'] },
    });
    Template.fromStack(frankfurt.applications).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CPUUtilization', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: SITE.databaseInstanceIdentifier }],
    });
  });

  test('the exports earlier versions made of the instance are kept, unused, so that a deployed pair can be updated', () => {
    const exported = Object.values(frankfurtCore.toJSON().Outputs as Record<string, any>).filter((o) => o.Export).map((o) => JSON.stringify(o.Value));
    expect(exported).toContainEqual(expect.stringMatching(/^\{"Ref":"Database[0-9A-F]{8}"\}$/));
    expect(exported).toContainEqual(expect.stringMatching(/^\{"Fn::GetAtt":\["Database[0-9A-F]{8}","Endpoint.Address"\]\}$/));
  });
});

describe('after the failover (-c failover=true, then FAILED_OVER)', () => {
  const failedOver = build('frankfurt-dr', { failover: 'true' });
  const core = Template.fromStack(failedOver.core);
  const instanceOf = (template: Template) => Object.entries(template.findResources('AWS::RDS::DBInstance'))[0] as [string, any];

  test('the same instance (logical id), promoted in place: no source, 14 days of backups, single-AZ; nothing that replaces it changes', () => {
    const [standbyId, standby] = instanceOf(frankfurtCore);
    const [promotedId, promoted] = instanceOf(core);
    expect(promotedId).toBe(standbyId);
    expect(standby.Properties.SourceDBInstanceIdentifier).toBe(PRIMARY.databaseArn);
    expect(promoted.Properties.SourceDBInstanceIdentifier).toBeUndefined();
    // Single-AZ while it is promoted: a Multi-AZ conversion would hold the services' scale-up behind it.
    expect(promoted.Properties).toMatchObject({ MultiAZ: false, BackupRetentionPeriod: 14, DeletionProtection: true });
    for (const property of ['DBInstanceIdentifier', 'KmsKeyId', 'DBSubnetGroupName', 'SourceRegion', 'MasterUsername', 'StorageEncrypted', 'Engine']) {
      expect({ property, value: promoted.Properties[property] }).toEqual({ property, value: standby.Properties[property] });
    }
  });

  test('once recorded (FAILED_OVER, here -c failedOver=true), the same instance becomes Multi-AZ, and nothing else of it changes', () => {
    const [, promoted] = instanceOf(core);
    const [recordedId, recorded] = instanceOf(Template.fromStack(build('frankfurt-dr', { failedOver: 'true' }).core));
    expect(recordedId).toBe(instanceOf(core)[0]);
    expect(recorded.Properties).toEqual({ ...promoted.Properties, MultiAZ: true });
  });

  test('the services serve, without the replica-lag alarm, and Ireland watches its secrets\' replication', () => {
    const apps = Template.fromStack(failedOver.applications);
    expect(Object.keys(apps.findResources('AWS::CloudWatch::Alarm')).some((k) => k.includes('ReplicaLag'))).toBe(false);
    const hpas = kubernetesObjects(failedOver.applications).filter((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpas.length).toBeGreaterThan(0);
    Template.fromStack(ireland.applications).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Supabase/SecretReplication', MetricName: 'ReplicasNotInSync', TreatMissingData: 'breaching',
    });
  });

  test('the External Secrets name the promoted instance, not the primary in the replicated login secrets', () => {
    const objects = kubernetesObjects(failedOver.applications);
    const realtime = objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'supabase-db-realtime');
    expect(realtime.spec.target.template.data.host).toBe('TOKEN');
  });
});
