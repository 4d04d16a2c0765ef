/**
 * SupabaseDatabase across regions: the primary names and replicates its login secrets, and a cross-region read
 * replica in the standby region streams from it, encrypted with a key of its own region.
 */
import { App, RemovalPolicy, Stack, aws_ec2 as ec2, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SupabaseNetwork } from '../../src/networking';
import { SupabaseDatabase, SupabaseDatabaseProps } from '../../src/rds';

const ACCOUNT = '111122223333';
const SOURCE_ARN = `arn:aws:rds:eu-west-1:${ACCOUNT}:db:supabase-ireland-prod`;
const LOGINS = ['auth', 'rest', 'storage', 'realtime', 'meta'];

function stackIn(region: string): { stack: Stack; network: SupabaseNetwork } {
  const stack = new Stack(new App(), 'Db', { env: { account: ACCOUNT, region } });
  const network = new SupabaseNetwork(stack, 'Network', { availabilityZones: ['a', 'b', 'c'].map((z) => `${region}${z}`) });
  return { stack, network };
}

function database(stack: Stack, network: SupabaseNetwork, props: Partial<SupabaseDatabaseProps>) {
  return new SupabaseDatabase(stack, 'Database', {
    vpc: network.vpc,
    vpcSubnets: network.databaseSubnets,
    bootstrapSubnets: network.eksSubnets,
    awsApiPeer: network.endpointSecurityGroup,
    ...props,
  });
}

describe('the primary: named, replicated login secrets', () => {
  const { stack, network } = stackIn('eu-west-1');
  const drKey = kms.Key.fromKeyArn(stack, 'DrKey', `arn:aws:kms:eu-central-1:${ACCOUNT}:alias/supabase/ireland-prod/db`);
  database(stack, network, {
    instanceIdentifier: 'supabase-ireland-prod',
    secretNamePrefix: 'supabase/ireland-prod/',
    secretReplicaRegions: [{ region: 'eu-central-1', encryptionKey: drKey }],
  });
  const template = Template.fromStack(stack);

  test.each(LOGINS)('db-%s is named under the prefix and replicated to the standby region with its key there', (login) => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: `supabase/ireland-prod/db-${login}`,
      ReplicaRegions: [{ Region: 'eu-central-1', KmsKeyId: `arn:aws:kms:eu-central-1:${ACCOUNT}:alias/supabase/ireland-prod/db` }],
    });
  });

  test('a primary keeps naming its instance by reference, and publishes no endpoint parameter', () => {
    template.resourceCountIs('AWS::SSM::Parameter', 0);
  });

  test('the master secret is replicated too, with the same key there, but keeps its generated name', () => {
    // Five login secrets and the master secret: a promoted replica finds the master password in its region.
    const replicated = template.findResources('AWS::SecretsManager::Secret', { Properties: { ReplicaRegions: Match.anyValue() } });
    expect(Object.keys(replicated)).toHaveLength(6);
    const isMaster = ([, s]: [string, any]) => !s.Properties.GenerateSecretString.ExcludePunctuation;
    const [id, master] = Object.entries(replicated).find(isMaster)! as [string, any];
    expect(master.Properties.ReplicaRegions).toEqual([{ Region: 'eu-central-1', KmsKeyId: `arn:aws:kms:eu-central-1:${ACCOUNT}:alias/supabase/ireland-prod/db` }]);
    // Naming it would replace the secret of a running primary (Name: Update requires Replacement).
    expect(master.Properties).not.toHaveProperty('Name');
    // Replicas are an in-place update of the same resource: the logical id is the one without replicas.
    const { stack: plain, network: plainNetwork } = stackIn('eu-west-1');
    database(plain, plainNetwork, { instanceIdentifier: 'supabase-ireland-prod', secretNamePrefix: 'supabase/ireland-prod/' });
    const unreplicated = Template.fromStack(plain).findResources('AWS::SecretsManager::Secret', { Properties: { GenerateSecretString: { ExcludePunctuation: Match.absent() } } });
    expect(Object.keys(unreplicated)).toEqual([id]);
  });
});

describe('a cross-region read replica in the standby region', () => {
  const { stack, network } = stackIn('eu-central-1');
  const replica = database(stack, network, {
    replicaOf: { instanceArn: SOURCE_ARN, secretNamePrefix: 'supabase/ireland-prod' },
    instanceIdentifier: 'supabase-frankfurt-dr',
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.STANDARD7_GRAVITON, ec2.InstanceSize.LARGE),
  });
  const role = new iam.Role(stack, 'EsoRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  replica.grantServiceSecretsRead(role);
  const template = Template.fromStack(stack);
  const instance = () => Object.values(template.findResources('AWS::RDS::DBInstance'))[0] as any;

  test('streams from the primary, named by its ARN and region', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 1);
    expect(instance().Properties).toMatchObject({
      SourceDBInstanceIdentifier: SOURCE_ARN,
      SourceRegion: 'eu-west-1',
      DBInstanceIdentifier: 'supabase-frankfurt-dr',
      DBInstanceClass: 'db.m7g.large',
      MultiAZ: true,
    });
    expect(replica.replicaSourceArn).toBe(SOURCE_ARN);
  });

  test('encrypted with the construct\'s key, of this region, like its Performance Insights', () => {
    const keyRef = { 'Fn::GetAtt': [expect.stringMatching(/^DatabaseKey/), 'Arn'] };
    expect(instance().Properties).toMatchObject({ KmsKeyId: keyRef, PerformanceInsightsKMSKeyId: keyRef });
    // Encrypted because the source is; CloudFormation rejects StorageEncrypted beside SourceDBInstanceIdentifier.
    expect(instance().Properties).not.toHaveProperty('StorageEncrypted');
    template.resourceCountIs('AWS::KMS::Key', 2); // the database's and the network's flow-log key
  });

  test('the primary\'s parameters, in isolated subnets, private, deletion-protected and retained', () => {
    expect(instance().Properties).toMatchObject({
      DBParameterGroupName: { Ref: expect.stringMatching(/^DatabaseParameterGroup/) },
      PubliclyAccessible: false,
      DeletionProtection: true,
      EnableIAMDatabaseAuthentication: true,
    });
    expect(instance().DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Parameters: Match.objectLike({ 'rds.logical_replication': '1', 'rds.force_ssl': '1' }),
    });
  });

  test('no master secret, rotation, bootstrap, allocated storage or backup settings of its own', () => {
    expect(instance().Properties).not.toHaveProperty('MasterUsername');
    expect(instance().Properties).not.toHaveProperty('AllocatedStorage');
    expect(instance().Properties).not.toHaveProperty('BackupRetentionPeriod');
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    template.resourceCountIs('Custom::SupabaseBootstrap', 0);
    // The replica status function only (it stays once promoted, answering inRecovery: false).
    expect(Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('Database'))).toEqual([expect.stringMatching(/^DatabaseReplicaStatusFunction/)]);
    expect(replica.masterSecret).toBeUndefined();
    expect(replica.bootstrap).toBeUndefined();
  });

  test('the login secrets are the replicas in this region, granted with their version suffix', () => {
    expect(replica.authSecret.secretName).toBe('supabase/ireland-prod/db-auth');
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p: any) => JSON.stringify(p.Properties.Roles).includes('EsoRole'));
    const statements = (policy as any).Properties.PolicyDocument.Statement;
    expect(statements[0].Resource).toEqual(LOGINS.map((login) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:eu-central-1:${ACCOUNT}:secret:supabase/ireland-prod/db-${login}-??????`]],
    })));
    expect(statements[1]).toMatchObject({ Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-central-1.amazonaws.com' } } });
  });

  test('cdk-nag AwsSolutions finds nothing unacknowledged', () => {
    const errors = new AwsSolutionsChecks().validateScope(stack).violations.filter((v) => v.severity === 'error');
    expect(errors.map((v) => `${v.ruleName} ${v.violatingResources?.map((r) => r.resourceLogicalId).join(',')}`)).toEqual([]);
  });

  describe('its endpoint and identifier, for other stacks without an export of the instance', () => {
    test('the identifier as written, and the endpoint address in an SSM parameter', () => {
      expect(replica.instanceIdentifier).toBe('supabase-frankfurt-dr');
      template.hasResourceProperties('AWS::SSM::Parameter', {
        Name: Match.stringLikeRegexp('^/cdk-supabase-on-aws/Db-Database-[A-Za-z0-9]+/endpoint-address$'),
        Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Database[0-9A-F]{8}$'), 'Endpoint.Address'] },
      });
    });

    test('hostFor: the endpoint in its own stack; in another stack, the parameter read there, and a stack dependency', () => {
      const { stack: core, network: coreNetwork } = stackIn('eu-central-1');
      const db = database(core, coreNetwork, { replicaOf: { instanceArn: SOURCE_ARN, secretNamePrefix: 'supabase/ireland-prod' }, instanceIdentifier: 'supabase-frankfurt-dr' });
      const other = new Stack(core.node.root as App, 'Apps', { env: { account: ACCOUNT, region: 'eu-central-1' } });
      expect(db.hostFor(db)).toBe(db.endpoint.hostname);
      const host = db.hostFor(other);
      const parameters = Template.fromStack(other).toJSON().Parameters as Record<string, any>;
      const [id, parameter] = Object.entries(parameters).find(([, p]) => p.Type === 'AWS::SSM::Parameter::Value<String>')!;
      expect(other.resolve(host)).toEqual({ Ref: id });
      expect(parameter.Default).toMatch(/^\/cdk-supabase-on-aws\/Db-Database-[A-Za-z0-9]+\/endpoint-address$/);
      expect(other.dependencies).toContain(core);
    });
  });

  describe('the replica status function (the recovery point, read on the replica)', () => {
    const [fnId, fn] = Object.entries(template.findResources('AWS::Lambda::Function'))
      .find(([id]) => id.startsWith('DatabaseReplicaStatusFunction'))! as [string, any];
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const sgId = fn.Properties.VpcConfig.SecurityGroupIds[0]['Fn::GetAtt'][0];

    test('is exposed, runs in the VPC, and connects to the replica as authenticator, with the replica of its secret', () => {
      expect(stack.resolve((replica.replicaStatusFunction as any).functionArn)).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
      expect(fn.Properties.Environment.Variables).toEqual({
        AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        SECRET_ID: 'supabase/ireland-prod/db-rest',
        DB_HOST: { 'Fn::GetAtt': [expect.stringMatching(/^Database[0-9A-F]{8}$/), 'Endpoint.Address'] },
        DB_PORT: '5432',
        DB_NAME: 'postgres',
      });
      expect(fn.Properties).toMatchObject({ Timeout: 30, Runtime: 'nodejs24.x' });
    });

    test('may read that one secret, decrypt it through Secrets Manager, and write its own logs: nothing of the master user', () => {
      const secret = statements.find((x: any) => x.Sid === 'ReadTheAuthenticatorLoginSecret');
      expect(secret).toEqual({
        Sid: 'ReadTheAuthenticatorLoginSecret',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:eu-central-1:${ACCOUNT}:secret:supabase/ireland-prod/db-rest-??????`]] },
      });
      expect(statements.find((x: any) => x.Sid === 'DecryptSecrets')).toMatchObject({
        Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-central-1.amazonaws.com' } },
      });
      expect(statements.map((x: any) => x.Sid).sort()).toEqual(['DecryptSecrets', 'ManageFunctionNetworkInterfaces', 'ReadTheAuthenticatorLoginSecret', 'WriteOwnLogs']);
    });

    test('its security group reaches PostgreSQL on the instance and HTTPS to the AWS APIs, and the instance admits it', () => {
      const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress'))
        .map((r: any) => r.Properties).filter((p: any) => p.GroupId['Fn::GetAtt']?.[0] === sgId);
      expect(egress.map((p: any) => [p.FromPort, p.DestinationSecurityGroupId['Fn::GetAtt'][0]]).sort()).toEqual([
        [443, expect.stringMatching(/^NetworkEndpointSecurityGroup/)],
        [5432, expect.stringMatching(/^DatabaseSecurityGroup/)],
      ]);
      template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
        GroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] }, FromPort: 5432, ToPort: 5432,
      });
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        SourceSecurityGroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] }, FromPort: 5432, ToPort: 5432,
      });
    });
  });
});

describe('replicas and replicated secrets reject', () => {
  const source = { instanceArn: SOURCE_ARN, secretNamePrefix: 'supabase/ireland-prod' };
  test.each<[string, string, Partial<SupabaseDatabaseProps>, RegExp]>([
    ['an ARN that is not an RDS instance ARN', 'eu-central-1', { replicaOf: { ...source, instanceArn: 'supabase-ireland-prod' } },
      /`replicaOf.instanceArn` must be the primary instance's ARN as a plain string, e.g. 'arn:aws:rds:eu-west-1:123456789012:db:supabase-prod', got 'supabase-ireland-prod'/],
    ['a source in the same region', 'eu-west-1', { replicaOf: source }, /`replicaOf.instanceArn` is in eu-west-1, this stack's own region/],
    ['a master user name', 'eu-central-1', { replicaOf: source, masterUsername: 'admin' },
      /`masterUsername` is set together with `replicaOf`\. A read replica takes it from its primary: set it on the SupabaseDatabase in eu-west-1/],
    ['a backup retention', 'eu-central-1', { replicaOf: source, backupRetention: undefined, bootstrapTrigger: 'x' }, /`bootstrapTrigger` is set together with `replicaOf`/],
    ['replicated secrets of its own', 'eu-central-1', { replicaOf: source, secretReplicaRegions: [{ region: 'us-east-1' }] }, /`secretReplicaRegions` is set together with `replicaOf`/],
    ['a final snapshot', 'eu-central-1', { replicaOf: source, removalPolicy: RemovalPolicy.SNAPSHOT }, /`removalPolicy` is SNAPSHOT with `replicaOf`; RDS takes no final snapshot of a read replica/],
    ['replicated secrets without names', 'eu-west-1', { secretReplicaRegions: [{ region: 'eu-central-1' }] },
      /`secretReplicaRegions` is set without `secretNamePrefix`\. The standby finds the replicas of the login secrets by name/],
    ['a prefix a secret name cannot hold', 'eu-west-1', { secretNamePrefix: 'supabase prod' }, /`secretNamePrefix` 'supabase prod' is not usable in a secret name/],
  ])('%s', (_name, region, props, message) => {
    const { stack, network } = stackIn(region);
    expect(() => database(stack, network, props)).toThrow(message);
  });
});
