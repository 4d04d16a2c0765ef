/**
 * SupabaseDatabase `replicaOf.promoted`: the failover switch. The same construct, logical id and instance; the
 * template changes only where CloudFormation updates an AWS::RDS::DBInstance in place.
 */
import { isDeepStrictEqual } from 'util';
import { App, Duration, RemovalPolicy, Size, Stack, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SupabaseNetwork } from '../../src/networking';
import { SupabaseDatabase, SupabaseDatabaseProps, SupabaseDatabaseSource } from '../../src/rds';

const ACCOUNT = '111122223333';
const SOURCE_ARN = `arn:aws:rds:eu-west-1:${ACCOUNT}:db:supabase-ireland-prod`;
const SOURCE: SupabaseDatabaseSource = { instanceArn: SOURCE_ARN, secretNamePrefix: 'supabase/ireland-prod' };
const MASTER_SECRET_NAME = 'DbDatabaseSecretB4C87CBE3fdaad7e-AbCdEfGhIjKl';

/**
 * The AWS::RDS::DBInstance properties whose change makes CloudFormation replace the instance: "Update requires:
 * Replacement" in the CloudFormation Template Reference, AWS::RDS::DBInstance
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html), the
 * same as `createOnlyProperties` in the resource schema (aws-cloudformation-resource-providers-rds,
 * aws-rds-dbinstance/aws-rds-dbinstance.json). Adding or removing one counts as a change.
 */
const REPLACEMENT = [
  'BackupTarget', 'CharacterSetName', 'CustomIAMInstanceProfile', 'DBClusterIdentifier', 'DBInstanceIdentifier',
  'DBName', 'DBSubnetGroupName', 'DBSystemId', 'KmsKeyId', 'MasterUsername', 'NcharCharacterSetName', 'Port',
  'SourceRegion', 'StorageEncrypted', 'Timezone',
];
/**
 * "Some interruptions" in the reference, but refused by the handler (ImmutabilityHelper.isChangeMutable, same
 * repository) unless the change is one it allows: Engine only when equal; PerformanceInsightsKMSKeyId only when it
 * was unset or is equal; AvailabilityZone only when equal or dropped for Multi-AZ; SourceDBInstanceIdentifier only
 * when equal or removed (the removal is the promotion); the restore properties only when equal or removed.
 */
const CONDITIONAL: Record<string, (before: unknown, after: unknown) => boolean> = {
  Engine: (a, b) => isDeepStrictEqual(a, b),
  PerformanceInsightsKMSKeyId: (a, b) => a === undefined || isDeepStrictEqual(a, b),
  AvailabilityZone: (a, b) => isDeepStrictEqual(a, b),
  SourceDBInstanceIdentifier: (a, b) => isDeepStrictEqual(a, b) || b === undefined,
  DBSnapshotIdentifier: (a, b) => isDeepStrictEqual(a, b) || b === undefined,
  SourceDbiResourceId: (a, b) => isDeepStrictEqual(a, b) || b === undefined,
  RestoreTime: (a, b) => isDeepStrictEqual(a, b) || b === undefined,
  UseLatestRestorableTime: (a, b) => isDeepStrictEqual(a, b) || b === undefined,
};

function stackIn(region: string): { stack: Stack; network: SupabaseNetwork } {
  const stack = new Stack(new App(), 'DrCore', { env: { account: ACCOUNT, region } });
  const network = new SupabaseNetwork(stack, 'Network', { availabilityZones: ['a', 'b', 'c'].map((z) => `${region}${z}`) });
  return { stack, network };
}

function database(stack: Stack, network: SupabaseNetwork, props: Partial<SupabaseDatabaseProps>) {
  return new SupabaseDatabase(stack, 'Database', {
    vpc: network.vpc,
    vpcSubnets: network.databaseSubnets,
    bootstrapSubnets: network.eksSubnets,
    awsApiPeer: network.endpointSecurityGroup,
    instanceIdentifier: 'supabase-frankfurt-dr',
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.STANDARD7_GRAVITON, ec2.InstanceSize.LARGE),
    ...props,
  });
}

function synth(props: Partial<SupabaseDatabaseProps>) {
  const { stack, network } = stackIn('eu-central-1');
  const db = database(stack, network, props);
  return { stack, db, template: Template.fromStack(stack) };
}

/** The DB instance of a template: its logical id and resource. */
function instanceOf(template: Template): [string, any] {
  const entries = Object.entries(template.findResources('AWS::RDS::DBInstance'));
  expect(entries).toHaveLength(1);
  return entries[0] as [string, any];
}

/** What differs between two property maps: names only in `after`, only in `before`, and in both but different. */
function diff(before: Record<string, unknown>, after: Record<string, unknown>) {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return {
    added: names.filter((n) => !(n in before)),
    removed: names.filter((n) => !(n in after)),
    changed: names.filter((n) => n in before && n in after && !isDeepStrictEqual(before[n], after[n])),
  };
}

describe('promoting the DR replica: the template diff (standby single-AZ, promoted Multi-AZ with 14 days of backups)', () => {
  const replica = synth({ replicaOf: SOURCE, multiAz: false });
  const promoted = synth({ replicaOf: { ...SOURCE, promoted: true }, multiAz: true, backupRetention: Duration.days(14) });
  const [replicaId, replicaInstance] = instanceOf(replica.template);
  const [promotedId, promotedInstance] = instanceOf(promoted.template);
  const changes = diff(replicaInstance.Properties, promotedInstance.Properties);

  test('the same construct and logical id: an update of the instance, not a new one', () => {
    expect(promotedId).toBe(replicaId);
    expect(promoted.db.instance.node.path).toBe(replica.db.instance.node.path);
  });

  test('only SourceDBInstanceIdentifier goes, the backup settings come, and MultiAZ follows `multiAz`', () => {
    expect(changes).toEqual({
      removed: ['SourceDBInstanceIdentifier'],
      added: ['BackupRetentionPeriod', 'PreferredBackupWindow'],
      changed: ['MultiAZ'],
    });
    expect(replicaInstance.Properties.SourceDBInstanceIdentifier).toBe(SOURCE_ARN);
    expect(promotedInstance.Properties).toMatchObject({
      BackupRetentionPeriod: 14,
      PreferredBackupWindow: '03:00-04:00',
      MultiAZ: true,
      DeletionProtection: true,
    });
  });

  test('no change is one CloudFormation can only make by replacing the instance', () => {
    const touched = [...changes.added, ...changes.removed, ...changes.changed];
    expect(touched.filter((n) => REPLACEMENT.includes(n))).toEqual([]);
    for (const name of REPLACEMENT) {
      expect([name, promotedInstance.Properties[name]]).toEqual([name, replicaInstance.Properties[name]]);
    }
    for (const [name, allowed] of Object.entries(CONDITIONAL)) {
      expect([name, allowed(replicaInstance.Properties[name], promotedInstance.Properties[name])]).toEqual([name, true]);
    }
    // Kept on purpose: SourceRegion (Replacement) stays; StorageEncrypted, MasterUsername, DBName and Engine stay out.
    expect(promotedInstance.Properties.SourceRegion).toBe('eu-west-1');
    for (const absent of ['StorageEncrypted', 'MasterUsername', 'MasterUserPassword', 'DBName', 'Engine', 'AllocatedStorage']) {
      expect(promotedInstance.Properties).not.toHaveProperty(absent);
    }
  });

  test('the resource attributes stay: retained, after its log groups', () => {
    const attributes = (r: any) => ({ DeletionPolicy: r.DeletionPolicy, UpdateReplacePolicy: r.UpdateReplacePolicy, DependsOn: r.DependsOn });
    expect(attributes(promotedInstance)).toEqual(attributes(replicaInstance));
    expect(promotedInstance.DeletionPolicy).toBe('Retain');
  });

  test('nothing else in the stack changes: no resource added, removed or modified', () => {
    const others = (t: Template) => Object.fromEntries(Object.entries(t.toJSON().Resources).filter(([id]) => id !== replicaId));
    expect(others(promoted.template)).toEqual(others(replica.template));
  });

  test('with `multiAz` unchanged, the promotion changes only the source and the backups', () => {
    const [, same] = instanceOf(synth({ replicaOf: { ...SOURCE, promoted: true }, multiAz: false }).template);
    expect(diff(replicaInstance.Properties, same.Properties)).toEqual({
      removed: ['SourceDBInstanceIdentifier'],
      added: ['BackupRetentionPeriod', 'PreferredBackupWindow'],
      changed: [],
    });
  });
});

describe('a promoted replica', () => {
  const { stack, db, template } = synth({ replicaOf: { ...SOURCE, promoted: true, masterSecretName: MASTER_SECRET_NAME } });
  const [, instance] = instanceOf(template);

  test('no longer names a source: no replica-lag alarm, and flagged as promoted', () => {
    expect(db.replicaSourceArn).toBeUndefined();
    expect(db.promoted).toBe(true);
  });

  test('a primary\'s defaults: Multi-AZ, 7 days of backups in the usual window, deletion protection', () => {
    expect(instance.Properties).toMatchObject({ MultiAZ: true, BackupRetentionPeriod: 7, PreferredBackupWindow: '03:00-04:00', DeletionProtection: true });
  });

  test('the master secret is the replica, in this region, of the primary\'s, found by name', () => {
    expect(db.masterSecret?.secretName).toBe(MASTER_SECRET_NAME);
    expect(stack.resolve(db.masterSecret!.secretArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:eu-central-1:${ACCOUNT}:secret:${MASTER_SECRET_NAME}`]],
    });
    expect(synth({ replicaOf: { ...SOURCE, promoted: true } }).db.masterSecret).toBeUndefined();
    // Before the promotion the name is only kept for later.
    expect(synth({ replicaOf: { ...SOURCE, masterSecretName: MASTER_SECRET_NAME } }).db.masterSecret).toBeUndefined();
  });

  test('the login secrets are still the replicas of the primary\'s', () => {
    expect(db.authSecret.secretName).toBe('supabase/ireland-prod/db-auth');
    expect(db.metaSecret.secretName).toBe('supabase/ireland-prod/db-meta');
  });

  test('nothing is bootstrapped or rotated here, and no secret is created', () => {
    expect(db.bootstrap).toBeUndefined();
    expect(db.bootstrapFunction).toBeUndefined();
    template.resourceCountIs('Custom::SupabaseBootstrap', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    // The replica status function only (it stays once promoted, answering inRecovery: false).
    expect(Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('Database'))).toEqual([expect.stringMatching(/^DatabaseReplicaStatusFunction/)]);
  });

  test('kept by default; a final snapshot may be asked for now that it is standalone', () => {
    expect(instance.DeletionPolicy).toBe('Retain');
    const [, snapshotted] = instanceOf(synth({ replicaOf: { ...SOURCE, promoted: true }, removalPolicy: RemovalPolicy.SNAPSHOT }).template);
    expect(snapshotted.DeletionPolicy).toBe('Snapshot');
  });

  test('cdk-nag AwsSolutions finds nothing unacknowledged', () => {
    const errors = new AwsSolutionsChecks().validateScope(stack).violations.filter((v) => v.severity === 'error');
    expect(errors.map((v) => `${v.ruleName} ${v.violatingResources?.map((r) => r.resourceLogicalId).join(',')}`)).toEqual([]);
  });
});

describe('deletion protection of a read replica (CloudFormation ignores its deletion policy)', () => {
  const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('replica-unprotected'));

  test('on by default: the only thing that stops a stack deletion from dropping the replica', () => {
    const { stack, template } = synth({ replicaOf: SOURCE });
    expect(instanceOf(template)[1].Properties.DeletionProtection).toBe(true);
    expect(warnings(stack)).toEqual([]);
  });

  test('turned off, it warns that RETAIN does not keep a read replica', () => {
    const { stack, template } = synth({ replicaOf: SOURCE, deletionProtection: false });
    expect(instanceOf(template)[1].Properties.DeletionProtection).toBe(false);
    expect(warnings(stack).map((w) => w.entry.data)).toEqual([expect.stringMatching(
      /`deletionProtection` is false on a read replica\. CloudFormation ignores any deletion policy of a read replica, so `removalPolicy` does not keep it/)]);
  });

  test('no warning once promoted: the deletion policy applies again', () => {
    expect(warnings(synth({ replicaOf: { ...SOURCE, promoted: true }, deletionProtection: false }).stack)).toEqual([]);
  });
});

describe('promoted replicas reject', () => {
  const promoted = { ...SOURCE, promoted: true };
  test.each<[string, Partial<SupabaseDatabaseProps>, RegExp]>([
    ['a missing source ARN', { replicaOf: { ...promoted, instanceArn: undefined as unknown as string } },
      /`replicaOf.instanceArn` must be the primary instance's ARN as a plain string.*got 'undefined'.*With `replicaOf.promoted`, keep the ARN the replica was created from: its region stays in the template as SourceRegion/],
    ['a missing secret name prefix', { replicaOf: { ...promoted, secretNamePrefix: undefined as unknown as string } },
      /`replicaOf.secretNamePrefix` 'undefined' is not a secret name prefix.*A promoted replica still hands the services the replicas of the primary's login secrets/],
    ['a master user name', { replicaOf: promoted, masterUsername: 'admin' },
      /`masterUsername` is set together with `replicaOf.promoted`\. The promoted instance keeps the primary's master user \(MasterUsername is a property CloudFormation can only change by replacing the instance\)\. Leave it out here\./],
    ['a master rotation', { replicaOf: promoted, masterRotation: Duration.days(7) },
      /`masterRotation` is set together with `replicaOf.promoted`\. The master secret stays the primary's, rotated by the function in the primary's region until failback/],
    ['a bootstrap trigger', { replicaOf: promoted, bootstrapTrigger: 'x' },
      /`bootstrapTrigger` is set together with `replicaOf.promoted`\. Nothing is bootstrapped on a promoted replica/],
    ['PostGIS', { replicaOf: promoted, postgis: true }, /`postgis` is set together with `replicaOf.promoted`\. Nothing is bootstrapped/],
    ['an allocated storage', { replicaOf: promoted, allocatedStorage: Size.gibibytes(200) },
      /`allocatedStorage` is set together with `replicaOf.promoted`\. Its storage came from the primary and grows with `maxAllocatedStorage`/],
    ['a secret name prefix of its own', { replicaOf: promoted, secretNamePrefix: 'supabase/frankfurt' },
      /`secretNamePrefix` is set together with `replicaOf.promoted`\. Its login secrets are the replicas of the primary's/],
    ['replicated secrets of its own', { replicaOf: promoted, secretReplicaRegions: [{ region: 'eu-west-1' }] },
      /`secretReplicaRegions` is set together with `replicaOf.promoted`/],
    ['a proxy', { replicaOf: promoted, proxy: {} }, /`proxy` is set together with `replicaOf.promoted`\. This construct puts RDS Proxy only in front of a primary it created/],
    ['a master secret name a secret cannot have', { replicaOf: { ...promoted, masterSecretName: 'supabase master' } },
      /`replicaOf.masterSecretName` 'supabase master' is not a secret name \(letters, digits and \/_\+=\.@- only\)\. Pass the name of the primary's master secret/],
    ['a backup retention of zero days', { replicaOf: promoted, backupRetention: Duration.days(0) },
      /`backupRetention` is 0 days, which turns automated backups off, while `multiAz` and `deletionProtection` ask for a database kept safe/],
  ])('%s', (_name, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  test('backup settings before the promotion, pointing at it', () => {
    expect(() => synth({ replicaOf: SOURCE, backupRetention: Duration.days(14) })).toThrow(
      /`backupRetention` is set together with `replicaOf`\. A read replica takes it from its primary: set it on the SupabaseDatabase in eu-west-1, and leave it out here\. \(Once `replicaOf.promoted` is set, it is taken here/);
    expect(() => synth({ replicaOf: SOURCE, preferredBackupWindow: '01:00-02:00' })).toThrow(/`preferredBackupWindow` is set together with `replicaOf`\./);
  });

  test('a missing secret name prefix before the promotion too', () => {
    expect(() => synth({ replicaOf: { ...SOURCE, secretNamePrefix: undefined as unknown as string } })).toThrow(
      /`replicaOf.secretNamePrefix` 'undefined' is not a secret name prefix \(letters, digits and \/_\+=\.@- only\)\. Pass the primary's `secretNamePrefix`\.$/);
  });
});
