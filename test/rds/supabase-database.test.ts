import * as fs from 'fs';
import * as path from 'path';
import {
  App,
  CfnParameter,
  Duration,
  FileSystem,
  RemovalPolicy,
  Size,
  Stack,
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
  aws_rds as rds,
} from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SupabaseNetwork } from '../../src/networking';
import { SupabaseDatabase, SupabaseDatabaseProps } from '../../src/rds';

const ACCOUNT = '111122223333';
const AZS = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const BOOTSTRAP_ASSET = path.join(__dirname, '../../assets/rds/bootstrap.lambda');
const EXCLUDED = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\';
const EKS_CIDRS = ['10.100.10.0/24', '10.100.11.0/24', '10.100.12.0/24'];
const DATABASE_CIDRS = ['10.100.20.0/24', '10.100.21.0/24', '10.100.22.0/24'];
const LOGINS: Array<[string, 'authSecret' | 'restSecret' | 'storageSecret' | 'realtimeSecret' | 'metaSecret']> = [
  ['supabase_auth_admin', 'authSecret'],
  ['authenticator', 'restSecret'],
  ['supabase_storage_admin', 'storageSecret'],
  ['supabase_admin', 'realtimeSecret'],
  ['postgres', 'metaSecret'],
];

if (!fs.existsSync(path.join(BOOTSTRAP_ASSET, 'index.js'))) {
  throw new Error(`The bootstrap bundle is missing; build it first: npx esbuild --bundle src/rds/bootstrap.lambda.ts --target=node24 --platform=node --outfile=${path.relative(process.cwd(), BOOTSTRAP_ASSET)}/index.js --external:@aws-sdk/* --external:pg-native`);
}

type Resource = { Type: string; Properties: any; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Resources = Record<string, Resource>;

function irelandStack(): Stack {
  const app = new App({ context: { [`availability-zones:account=${ACCOUNT}:region=eu-west-1`]: AZS } });
  return new Stack(app, 'Db', { env: { account: ACCOUNT, region: 'eu-west-1' } });
}

function synth(props: Partial<SupabaseDatabaseProps> = {}, stack = irelandStack()) {
  const network = new SupabaseNetwork(stack, 'Network');
  const database = new SupabaseDatabase(stack, 'Database', {
    vpc: network.vpc,
    vpcSubnets: network.databaseSubnets,
    bootstrapSubnets: network.eksSubnets,
    ...props,
  });
  return { stack, network, database, template: Template.fromStack(stack) };
}

function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

function only(template: Template, type: string): [string, Resource] {
  const entries = Object.entries(resourcesOf(template, type));
  expect(entries).toHaveLength(1);
  return entries[0];
}

function subnetRefs(template: Template, cidrs: string[]): Array<{ Ref: string }> {
  const subnets = resourcesOf(template, 'AWS::EC2::Subnet');
  return cidrs.map((cidr) => ({ Ref: Object.entries(subnets).find(([, s]) => s.Properties.CidrBlock === cidr)![0] }));
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: any } } | any): string {
  return stack.resolve((construct.node.defaultChild ?? construct).logicalId);
}

function securityGroupId(template: Template, description: RegExp): string {
  const [id] = Object.entries(resourcesOf(template, 'AWS::EC2::SecurityGroup'))
    .find(([, sg]) => description.test(sg.Properties.GroupDescription))!;
  return id;
}

/** The login secret's template with the instance address replaced by HOST, parsed. */
function secretTemplateOf(secret: Resource): any {
  const template = secret.Properties.GenerateSecretString.SecretStringTemplate;
  const parts: any[] = template['Fn::Join'][1];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'HOST')).join(''));
}

/**
 * Everything in a template that looks like a password written into it: a `password` key (any case) with a string
 * value, a literal SecretString, a MasterUserPassword that is not a Secrets Manager dynamic reference, and the same
 * inside JSON-encoded strings (secret templates).
 */
function literalPasswords(value: any, where = ''): string[] {
  const found: string[] = [];
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.startsWith('{') && trimmed.endsWith('}')) {
      try {
        found.push(...literalPasswords(JSON.parse(trimmed), `${where}(json)`));
      } catch {
        // Not JSON (a fragment of a Fn::Join): nothing to parse.
      }
    }
    return found;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => found.push(...literalPasswords(v, `${where}[${i}]`)));
    return found;
  }
  if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const at = `${where}.${key}`;
      if (/password$/i.test(key) && key !== 'MasterUserPassword' && typeof v === 'string') {
        found.push(at);
      }
      if (key === 'SecretString' && v !== undefined) {
        found.push(at);
      }
      if (key === 'MasterUserPassword' && !JSON.stringify(v).startsWith('{"Fn::Join":["",["{{resolve:secretsmanager:')) {
        found.push(at);
      }
      found.push(...literalPasswords(v, at));
    }
  }
  return found;
}

describe('SupabaseDatabase defaults', () => {
  const { stack, network, database, template } = synth();
  const [instanceId, instance] = only(template, 'AWS::RDS::DBInstance');
  const props = instance.Properties;
  const keyArn = { 'Fn::GetAtt': [expect.stringMatching(/^DatabaseKey/), 'Arn'] };
  const dbSgId = securityGroupId(template, /^Supabase database Db\/Database/);
  const bootstrapSgId = securityGroupId(template, /^Database bootstrap function/);
  const rotationSgId = securityGroupId(template, /^Hosted rotation of the master secret/);

  test('the network\'s own key is the flow log key; the database has a key of its own that rotates and is retained', () => {
    const keys = Object.entries(resourcesOf(template, 'AWS::KMS::Key')).filter(([id]) => id.startsWith('DatabaseKey'));
    expect(keys).toHaveLength(1);
    const [, key] = keys[0];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/Db/Database/database' });
  });

  test('PostgreSQL 18.3 on db.t3.medium, Multi-AZ, not public, port 5432', () => {
    expect(props).toMatchObject({
      Engine: 'postgres',
      EngineVersion: '18.3',
      DBInstanceClass: 'db.t3.medium',
      MultiAZ: true,
      PubliclyAccessible: false,
      Port: '5432',
    });
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'postgres18' });
    // The `postgres` database exists on every instance; no DBName is asked for.
    expect(props.DBName).toBeUndefined();
    expect(props.MasterUsername).toBe('supabase_master');
  });

  test('the subnet group holds exactly the isolated database tier', () => {
    const [groupId, group] = only(template, 'AWS::RDS::DBSubnetGroup');
    expect(group.Properties.SubnetIds).toEqual(subnetRefs(template, DATABASE_CIDRS));
    expect(props.DBSubnetGroupName).toEqual({ Ref: groupId });
  });

  test('gp3 storage of 100 GiB growing up to 500 GiB, encrypted with the key', () => {
    expect(props).toMatchObject({ StorageType: 'gp3', AllocatedStorage: '100', MaxAllocatedStorage: 500, StorageEncrypted: true });
    expect(props.KmsKeyId).toEqual(keyArn);
  });

  test('7 days of backups at 03:00-04:00, maintenance sun:04:00-sun:05:00, tags copied to snapshots', () => {
    expect(props).toMatchObject({
      BackupRetentionPeriod: 7,
      PreferredBackupWindow: '03:00-04:00',
      PreferredMaintenanceWindow: 'sun:04:00-sun:05:00',
      CopyTagsToSnapshot: true,
    });
  });

  test('deletion protection, a final snapshot on delete and replacement, automatic minor upgrades only', () => {
    expect(props.DeletionProtection).toBe(true);
    expect(instance.DeletionPolicy).toBe('Snapshot');
    expect(instance.UpdateReplacePolicy).toBe('Snapshot');
    expect(props.AutoMinorVersionUpgrade).toBe(true);
    expect(props.AllowMajorVersionUpgrade).toBe(false);
  });

  test('postgresql and upgrade logs go to encrypted log groups, kept a month, that exist before the instance', () => {
    expect(props.EnableCloudwatchLogsExports).toEqual(['postgresql', 'upgrade']);
    expect(props.DBInstanceIdentifier).toMatch(/^db-database-[0-9a-f]{8}$/);
    const groups = resourcesOf(template, 'AWS::Logs::LogGroup');
    for (const log of ['postgresql', 'upgrade']) {
      const [groupId, group] = Object.entries(groups)
        .find(([, g]) => g.Properties.LogGroupName === `/aws/rds/instance/${props.DBInstanceIdentifier}/${log}`)!;
      expect(group.Properties.RetentionInDays).toBe(30);
      expect(group.Properties.KmsKeyId).toEqual(keyArn);
      expect(group.DeletionPolicy).toBe('Retain');
      expect(instance.DependsOn).toContain(groupId);
    }
    // No LogRetention custom resource (its Lambda function would carry an AWS managed policy).
    template.resourceCountIs('Custom::LogRetention', 0);
  });

  test('CloudWatch Logs of this account and region may use the key, and nothing else outside IAM', () => {
    const [, key] = Object.entries(resourcesOf(template, 'AWS::KMS::Key')).find(([id]) => id.startsWith('DatabaseKey'))!;
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(expect.objectContaining({
      Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': expect.anything() } },
    }));
  });

  test('Enhanced Monitoring every 60 s with its own role', () => {
    expect(props.MonitoringInterval).toBe(60);
    const roleId = props.MonitoringRoleArn['Fn::GetAtt'][0];
    const role = resourcesOf(template, 'AWS::IAM::Role')[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'monitoring.rds.amazonaws.com' }, Action: 'sts:AssumeRole' }),
    ]);
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('service-role/AmazonRDSEnhancedMonitoringRole');
  });

  test('Performance Insights, encrypted with the key, 7 days', () => {
    expect(props.EnablePerformanceInsights).toBe(true);
    expect(props.PerformanceInsightsKMSKeyId).toEqual(keyArn);
    expect(props.PerformanceInsightsRetentionPeriod).toBe(7);
  });

  test('IAM database authentication is on', () => {
    expect(props.EnableIAMDatabaseAuthentication).toBe(true);
  });

  test('the parameter group holds exactly the Supabase defaults', () => {
    const [groupId, group] = only(template, 'AWS::RDS::DBParameterGroup');
    expect(group.Properties.Parameters).toEqual({
      'rds.logical_replication': '1',
      'rds.force_ssl': '1',
      'password_encryption': 'scram-sha-256',
      'shared_preload_libraries': 'pg_stat_statements',
      'max_replication_slots': '10',
      'max_wal_senders': '20',
      'log_min_duration_statement': '1000',
      'log_connections': '1',
    });
    expect(props.DBParameterGroupName).toEqual({ Ref: groupId });
  });

  test('the instance\'s security group admits PostgreSQL from the bootstrap and rotation functions only', () => {
    expect(props.VPCSecurityGroups).toEqual([{ 'Fn::GetAtt': [dbSgId, 'GroupId'] }]);
    const dbSg = resourcesOf(template, 'AWS::EC2::SecurityGroup')[dbSgId];
    expect(dbSg.Properties.SecurityGroupIngress).toBeUndefined();
    // allowAllOutbound: false leaves CDK's rule that matches no traffic.
    expect(dbSg.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })]);
    const ingress = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupIngress'))
      .filter((r) => JSON.stringify(r.Properties.GroupId).includes(dbSgId))
      .map((r) => ({ from: r.Properties.SourceSecurityGroupId['Fn::GetAtt'][0], port: [r.Properties.FromPort, r.Properties.ToPort], protocol: r.Properties.IpProtocol }));
    expect(ingress).toEqual(expect.arrayContaining([
      { from: bootstrapSgId, port: [5432, 5432], protocol: 'tcp' },
      { from: rotationSgId, port: [5432, 5432], protocol: 'tcp' },
    ]));
    expect(ingress).toHaveLength(2);
  });

  test('the functions\' security groups reach only the instance on 5432 and the VPC on 443', () => {
    for (const sgId of [bootstrapSgId, rotationSgId]) {
      const sg = resourcesOf(template, 'AWS::EC2::SecurityGroup')[sgId];
      expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
      expect(sg.Properties.SecurityGroupEgress).toEqual([
        expect.objectContaining({ CidrIp: { 'Fn::GetAtt': [expect.stringMatching(/^NetworkVpc/), 'CidrBlock'] }, IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
      ]);
      const egress = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupEgress'))
        .filter((r) => r.Properties.GroupId['Fn::GetAtt'][0] === sgId)
        .map((r) => r.Properties);
      expect(egress).toEqual([expect.objectContaining({
        DestinationSecurityGroupId: { 'Fn::GetAtt': [dbSgId, 'GroupId'] }, IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432,
      })]);
    }
  });

  test('no rule of the database\'s groups names a CIDR block but the VPC\'s own, and none admits anything by CIDR', () => {
    const ours = Object.entries(template.toJSON().Resources as Resources)
      .filter(([id, r]) => id.startsWith('Database') && /^AWS::EC2::SecurityGroup/.test(r.Type));
    expect(ours.length).toBeGreaterThanOrEqual(3);
    const text = JSON.stringify(ours);
    expect(text).not.toContain('0.0.0.0/0');
    expect(text).not.toContain('CidrIpv6');
    const rules = ours.flatMap(([, r]) => [
      ...(r.Type === 'AWS::EC2::SecurityGroup' ? [...(r.Properties.SecurityGroupIngress ?? []).map((x: any) => ({ ...x, ingress: true })), ...(r.Properties.SecurityGroupEgress ?? [])] : []),
      ...(r.Type === 'AWS::EC2::SecurityGroupIngress' ? [{ ...r.Properties, ingress: true }] : []),
      ...(r.Type === 'AWS::EC2::SecurityGroupEgress' ? [r.Properties] : []),
    ]);
    for (const rule of rules.filter((x) => x.CidrIp !== undefined)) {
      expect(rule.ingress).toBeUndefined();
      const vpcCidr = JSON.stringify(rule.CidrIp).includes('CidrBlock') && rule.FromPort === 443;
      const placeholder = rule.CidrIp === '255.255.255.255/32' && rule.Description === 'Disallow all traffic';
      expect(vpcCidr || placeholder).toBe(true);
    }
  });

  test('callers open the port through connections', () => {
    const s = irelandStack();
    const net = new SupabaseNetwork(s, 'Network');
    const db = new SupabaseDatabase(s, 'Database', { vpc: net.vpc });
    const nodes = new ec2.SecurityGroup(s, 'Nodes', { vpc: net.vpc });
    db.connections.allowDefaultPortFrom(nodes);
    Template.fromStack(s).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      SourceSecurityGroupId: { 'Fn::GetAtt': [logicalId(s, nodes), 'GroupId'] },
    });
    expect(db.connections.defaultPort?.toString()).toBe('5432');
  });

  test('the master secret: generated, KMS-encrypted, URL-safe characters, named supabase_master, retained', () => {
    const [secretId, secret] = Object.entries(resourcesOf(template, 'AWS::SecretsManager::Secret'))
      .find(([, s]) => s.Properties.GenerateSecretString.SecretStringTemplate === '{"username":"supabase_master"}')!;
    expect(secret.Properties.KmsKeyId).toEqual(keyArn);
    expect(secret.Properties.GenerateSecretString).toMatchObject({ GenerateStringKey: 'password', ExcludeCharacters: EXCLUDED });
    expect(secret.DeletionPolicy).toBe('Retain');
    expect(props.MasterUserPassword).toEqual({ 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:password::}}']] });
    const [attachmentId, attachment] = only(template, 'AWS::SecretsManager::SecretTargetAttachment');
    expect(attachment.Properties).toEqual({ SecretId: { Ref: secretId }, TargetId: { Ref: instanceId }, TargetType: 'AWS::RDS::DBInstance' });
    expect(stack.resolve(database.masterSecret.secretArn)).toEqual({ Ref: attachmentId });
  });

  test('the master secret rotates every 30 days by a hosted single-user rotation in the EKS tier', () => {
    const [, schedule] = only(template, 'AWS::SecretsManager::RotationSchedule');
    const [attachmentId] = only(template, 'AWS::SecretsManager::SecretTargetAttachment');
    expect(schedule.Properties).toEqual({
      SecretId: { Ref: attachmentId },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediatelyOnUpdate: false,
      HostedRotationLambda: {
        RotationType: 'PostgreSQLSingleUser',
        KmsKeyArn: keyArn,
        ExcludeCharacters: EXCLUDED,
        VpcSecurityGroupIds: { 'Fn::GetAtt': [rotationSgId, 'GroupId'] },
        VpcSubnetIds: { 'Fn::Join': ['', subnetRefs(template, EKS_CIDRS).flatMap((ref, i) => (i === 0 ? [ref] : [',', ref]))] },
      },
    });
    expect([template.toJSON().Transform].flat()).toContain('AWS::SecretsManager-2024-09-16');
  });

  test.each(LOGINS)('the login secret of %s: KMS, connection fields, a 32-character alphanumeric password', (username, member) => {
    const secretId = stack.resolve(database[member].secretArn).Ref;
    const secret = resourcesOf(template, 'AWS::SecretsManager::Secret')[secretId];
    expect(secret.Properties.KmsKeyId).toEqual(keyArn);
    expect(secret.Properties.GenerateSecretString).toMatchObject({
      GenerateStringKey: 'password', ExcludePunctuation: true, IncludeSpace: false, PasswordLength: 32,
    });
    expect(secretTemplateOf(secret)).toEqual({ username, host: 'HOST', port: 5432, dbname: 'postgres', engine: 'postgres' });
    const hostParts = secret.Properties.GenerateSecretString.SecretStringTemplate['Fn::Join'][1].filter((p: any) => typeof p !== 'string');
    expect(hostParts).toEqual([{ 'Fn::GetAtt': [instanceId, 'Endpoint.Address'] }]);
    expect(secret.DeletionPolicy).toBe('Retain');
    template.resourcePropertiesCountIs('AWS::SecretsManager::RotationSchedule', { SecretId: { Ref: secretId } }, 0);
  });

  test('the bootstrap function runs in the EKS tier with the Lambda CA bundle, 5 minutes, its own logs', () => {
    const [fnId, fn] = Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).find(([id]) => id.startsWith('DatabaseBootstrapFunction'))!;
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 300,
      Environment: { Variables: { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' } },
      VpcConfig: {
        SubnetIds: subnetRefs(template, EKS_CIDRS),
        SecurityGroupIds: [{ 'Fn::GetAtt': [bootstrapSgId, 'GroupId'] }],
      },
    });
    const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref;
    expect(resourcesOf(template, 'AWS::Logs::LogGroup')[logGroupId].Properties).toEqual({ RetentionInDays: 30, KmsKeyId: keyArn });
    expect(stack.resolve(database.bootstrapFunction.functionArn)).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
  });

  test('the bootstrap role: no managed policy; reads exactly the master and login secrets, decrypts with the key only', () => {
    const roleId = Object.keys(resourcesOf(template, 'AWS::IAM::Role')).find((id) => id.startsWith('DatabaseBootstrapRole'))!;
    const role = resourcesOf(template, 'AWS::IAM::Role')[roleId];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const policies = Object.entries(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
    const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const byAction = (action: string) => statements.filter((s: any) => [s.Action].flat().includes(action));
    const secretArns = [database.masterSecret, ...LOGINS.map(([, m]) => database[m])].map((s) => stack.resolve(s.secretArn));
    expect(byAction('secretsmanager:GetSecretValue')).toEqual([expect.objectContaining({ Resource: secretArns })]);
    expect(byAction('kms:Decrypt')).toEqual([expect.objectContaining({
      Resource: keyArn,
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
    })]);
    expect(byAction('logs:PutLogEvents')).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DatabaseBootstrapLogGroup/), 'Arn'] } })]);
    // Only the network interface actions, which have no resource to name, take "*".
    const wildcard = statements.filter((s: any) => s.Resource === '*');
    expect(wildcard).toHaveLength(1);
    expect([wildcard[0].Action].flat().every((a: string) => a.startsWith('ec2:'))).toBe(true);
    expect(wildcard[0].Action).toEqual(expect.arrayContaining(['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeNetworkInterfaces']));
    const [vpcPolicyId] = policies.find(([, p]) => p.Properties.PolicyDocument.Statement.includes(wildcard[0]))!;
    const [, fn] = Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).find(([id]) => id.startsWith('DatabaseBootstrapFunction'))!;
    expect(fn.DependsOn).toContain(vpcPolicyId);
  });

  test('the custom resource passes the secrets, the options and the handler fingerprint, and waits for the instance', () => {
    const [, cr] = only(template, 'Custom::SupabaseBootstrap');
    const [fnId, fn] = Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).find(([id]) => id.startsWith('DatabaseBootstrapFunction'))!;
    const fingerprint = FileSystem.fingerprint(BOOTSTRAP_ASSET);
    expect(cr.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [fnId, 'Arn'] },
      ServiceTimeout: '600',
      MasterSecretArn: stack.resolve(database.masterSecret.secretArn),
      LoginSecretArns: Object.fromEntries(LOGINS.map(([username, member]) => [username, stack.resolve(database[member].secretArn)])),
      DatabaseName: 'postgres',
      Postgis: 'false',
      PgCron: 'false',
      HandlerFingerprint: fingerprint,
    });
    // The same directory as the function's code: a new bundle is a new fingerprint.
    expect(fn.Properties.Code.S3Key).toBe(`${fingerprint}.zip`);
    // The attachment through the Ref above; the instance and both groups' rules explicitly.
    expect(cr.Properties.MasterSecretArn).toEqual({ Ref: expect.stringMatching(/^DatabaseSecretAttachment/) });
    expect(cr.DependsOn).toEqual(expect.arrayContaining([instanceId, dbSgId, bootstrapSgId]));
    const rules = [
      ...Object.keys(resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')).filter((id) => id.startsWith('DatabaseSecurityGroupfromDbDatabaseBootstrap')),
      ...Object.keys(resourcesOf(template, 'AWS::EC2::SecurityGroupEgress')).filter((id) => id.startsWith('DatabaseBootstrapSecurityGroupto')),
    ];
    expect(rules).toHaveLength(2);
    expect(cr.DependsOn).toEqual(expect.arrayContaining(rules));
    expect(cr.DeletionPolicy).toBe('Delete');
    expect(stack.resolve(database.bootstrap.ref)).toEqual({ Ref: expect.stringMatching(/^DatabaseBootstrap/) });
  });

  test('no literal password anywhere in the template', () => {
    const json = template.toJSON();
    expect(literalPasswords(json)).toEqual([]);
    // The detector does find what it looks for.
    expect(literalPasswords({ R: { Properties: { MasterUserPassword: 'hunter22hunter22' } } })).toEqual(['.R.Properties.MasterUserPassword']);
    expect(literalPasswords({ R: { Properties: { SecretString: '{"password":"x"}' } } })).toEqual(['.R.Properties.SecretString', '.R.Properties.SecretString(json).password']);
    expect(literalPasswords({ E: { Variables: { DB_PASSWORD: 'x' } } })).toEqual(['.E.Variables.DB_PASSWORD']);
    // And no secret value travels as a CloudFormation parameter or output either.
    expect(JSON.stringify(json.Outputs ?? {})).not.toMatch(/password/i);
    expect(Object.keys(json.Parameters ?? {}).filter((p) => /password/i.test(p))).toEqual([]);
  });

  test('members', () => {
    expect(database.instance).toBeInstanceOf(rds.DatabaseInstance);
    expect(stack.resolve(database.endpoint.hostname)).toEqual({ 'Fn::GetAtt': [instanceId, 'Endpoint.Address'] });
    expect(database.databaseName).toBe('postgres');
    expect(database.encryptionKey).toBeInstanceOf(kms.Key);
    expect(stack.resolve(database.parameterGroup.bindToInstance({}).parameterGroupName)).toEqual({ Ref: expect.stringMatching(/^DatabaseParameterGroup/) });
    expect(network.vpc).toBe(database.instance.vpc);
  });

  test('cdk-nag AwsSolutions reports nothing unacknowledged for the network and the database', () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  test('synth raises no warnings', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('SupabaseDatabase options', () => {
  test('PostGIS and pg_cron: preloaded, scheduled in the Supabase database, passed to the bootstrap', () => {
    const { template } = synth({ postgis: true, pgCron: true, databaseName: 'supabase' });
    const [, group] = only(template, 'AWS::RDS::DBParameterGroup');
    expect(group.Properties.Parameters).toMatchObject({
      'shared_preload_libraries': 'pg_stat_statements,pg_cron',
      'cron.database_name': 'supabase',
    });
    template.hasResourceProperties('Custom::SupabaseBootstrap', { Postgis: 'true', PgCron: 'true', DatabaseName: 'supabase' });
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBName: 'supabase' });
    const logins = Object.values(resourcesOf(template, 'AWS::SecretsManager::Secret')).filter((s) => s.Properties.GenerateSecretString.ExcludePunctuation);
    expect(logins).toHaveLength(5);
    for (const login of logins) {
      expect(secretTemplateOf(login).dbname).toBe('supabase');
    }
  });

  test('a bootstrap trigger is passed on, so that changing it runs the bootstrap again', () => {
    const { template } = synth({ bootstrapTrigger: 'rotated-2026-01' });
    template.hasResourceProperties('Custom::SupabaseBootstrap', { Trigger: 'rotated-2026-01' });
    const { template: without } = synth();
    expect(only(without, 'Custom::SupabaseBootstrap')[1].Properties.Trigger).toBeUndefined();
  });

  test('without pg_cron there is no cron.database_name', () => {
    const { template } = synth({ postgis: true });
    const [, group] = only(template, 'AWS::RDS::DBParameterGroup');
    expect(group.Properties.Parameters['cron.database_name']).toBeUndefined();
    template.hasResourceProperties('Custom::SupabaseBootstrap', { Postgis: 'true', PgCron: 'false' });
  });

  test('PostgreSQL 15', () => {
    const { template } = synth({ engineVersion: rds.PostgresEngineVersion.of('15.17', '15') });
    template.hasResourceProperties('AWS::RDS::DBInstance', { EngineVersion: '15.17' });
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'postgres15' });
  });

  test('a key of one\'s own encrypts everything and no key is created', () => {
    const stack = irelandStack();
    const key = new kms.Key(stack, 'MyKey');
    const { template, database } = synth({ encryptionKey: key }, stack);
    const myKey = { 'Fn::GetAtt': [logicalId(stack, key), 'Arn'] };
    expect(Object.keys(resourcesOf(template, 'AWS::KMS::Key')).filter((id) => id.startsWith('Database'))).toEqual([]);
    template.hasResourceProperties('AWS::RDS::DBInstance', { KmsKeyId: myKey, PerformanceInsightsKMSKeyId: myKey });
    const secrets = Object.values(resourcesOf(template, 'AWS::SecretsManager::Secret'));
    expect(secrets).toHaveLength(6);
    secrets.forEach((s) => expect(s.Properties.KmsKeyId).toEqual(myKey));
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { HostedRotationLambda: Match.objectLike({ KmsKeyArn: myKey }) });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logs.eu-west-1.amazonaws.com' } })]) },
    });
    expect(database.encryptionKey).toBe(key);
  });

  test('single-AZ development settings that may be destroyed', () => {
    const { template } = synth({
      multiAz: false,
      deletionProtection: false,
      removalPolicy: RemovalPolicy.DESTROY,
      backupRetention: Duration.days(1),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.BURSTABLE4_GRAVITON, ec2.InstanceSize.MEDIUM),
      allocatedStorage: Size.gibibytes(20),
      maxAllocatedStorage: Size.gibibytes(50),
      cloudwatchLogsRetention: logs.RetentionDays.ONE_WEEK,
    });
    const [, instance] = only(template, 'AWS::RDS::DBInstance');
    expect(instance.Properties).toMatchObject({
      MultiAZ: false,
      DeletionProtection: false,
      BackupRetentionPeriod: 1,
      DBInstanceClass: 'db.t4g.medium',
      AllocatedStorage: '20',
      MaxAllocatedStorage: 50,
    });
    expect(instance.DeletionPolicy).toBe('Delete');
    const ours = Object.entries(template.toJSON().Resources as Resources)
      .filter(([id, r]) => id.startsWith('Database') && ['AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup'].includes(r.Type));
    expect(ours).toHaveLength(1 + 5 + 3);
    ours.forEach(([, r]) => expect(r.DeletionPolicy).toBe('Delete'));
    const masterSecret = Object.values(resourcesOf(template, 'AWS::SecretsManager::Secret')).find((s) => !s.Properties.GenerateSecretString.ExcludePunctuation)!;
    expect(masterSecret.DeletionPolicy).toBe('Delete');
    Object.values(resourcesOf(template, 'AWS::Logs::LogGroup'))
      .filter((g) => g.Properties.KmsKeyId?.['Fn::GetAtt']?.[0].startsWith('DatabaseKey'))
      .forEach((g) => expect(g.Properties.RetentionInDays).toBe(7));
  });

  test('RETAIN keeps the instance without a snapshot and the rest too', () => {
    const { template } = synth({ removalPolicy: RemovalPolicy.RETAIN });
    const [, instance] = only(template, 'AWS::RDS::DBInstance');
    expect(instance.DeletionPolicy).toBe('Retain');
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ Description: Match.stringLikeRegexp('Supabase database') }) });
  });

  test('user parameters are added and override the defaults; compatible overrides of the guarded ones pass', () => {
    const { template } = synth({
      pgCron: true,
      parameters: [
        { name: 'work_mem', value: '65536' },
        { name: 'log_min_duration_statement', value: '250' },
        { name: 'shared_preload_libraries', value: 'pg_stat_statements, pg_cron,auto_explain' },
        { name: 'max_replication_slots', value: '30' },
      ],
    });
    const [, group] = only(template, 'AWS::RDS::DBParameterGroup');
    expect(group.Properties.Parameters).toMatchObject({
      'work_mem': '65536',
      'log_min_duration_statement': '250',
      'shared_preload_libraries': 'pg_stat_statements, pg_cron,auto_explain',
      'max_replication_slots': '30',
      'rds.logical_replication': '1',
      'cron.database_name': 'postgres',
    });
  });

  test('windows, retentions, rotation period, identifier and master user name', () => {
    const { template } = synth({
      preferredBackupWindow: '01:00-01:30',
      preferredMaintenanceWindow: 'sat:02:00-sat:03:00',
      masterRotation: Duration.days(7),
      performanceInsightRetention: rds.PerformanceInsightRetention.MONTHS_1,
      instanceIdentifier: 'supabase-prod',
      masterUsername: 'dbadmin',
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      PreferredBackupWindow: '01:00-01:30',
      PreferredMaintenanceWindow: 'sat:02:00-sat:03:00',
      PerformanceInsightsRetentionPeriod: 31,
      DBInstanceIdentifier: 'supabase-prod',
      MasterUsername: 'dbadmin',
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(7 days)' } });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/rds/instance/supabase-prod/postgresql' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/rds/instance/supabase-prod/upgrade' });
  });

  test('HTTPS to the interface endpoints\' security group instead of the VPC range, and still clean for cdk-nag', () => {
    const stack = irelandStack();
    const network = new SupabaseNetwork(stack, 'Network');
    new SupabaseDatabase(stack, 'Database', {
      vpc: network.vpc,
      vpcSubnets: network.databaseSubnets,
      bootstrapSubnets: network.eksSubnets,
      awsApiPeer: network.endpointSecurityGroup,
    });
    const template = Template.fromStack(stack);
    const endpointSg = logicalId(stack, network.endpointSecurityGroup!);
    const https = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupEgress')).filter((r) => r.Properties.FromPort === 443);
    expect(https).toHaveLength(2);
    https.forEach((r) => expect(r.Properties.DestinationSecurityGroupId).toEqual({ 'Fn::GetAtt': [endpointSg, 'GroupId'] }));
    const ours = Object.entries(resourcesOf(template, 'AWS::EC2::SecurityGroup')).filter(([id]) => id.startsWith('Database'));
    expect(JSON.stringify(ours)).not.toContain('CidrBlock');
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  test('a VPC without the network construct: default isolated and private-with-egress subnets', () => {
    const stack = irelandStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });
    new SupabaseDatabase(stack, 'Database', { vpc });
    const template = Template.fromStack(stack);
    const [, group] = only(template, 'AWS::RDS::DBSubnetGroup');
    expect(JSON.stringify(group.Properties.SubnetIds)).toMatch(/VpcDataSubnet1.*VpcDataSubnet2/);
    const [, fn] = Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).find(([id]) => id.startsWith('DatabaseBootstrapFunction'))!;
    expect(JSON.stringify(fn.Properties.VpcConfig.SubnetIds)).toMatch(/VpcAppSubnet1.*VpcAppSubnet2/);
  });

  test('grantConnect gives rds-db:connect for the named IAM user only', () => {
    const stack = irelandStack();
    const network = new SupabaseNetwork(stack, 'Network');
    const database = new SupabaseDatabase(stack, 'Database', { vpc: network.vpc });
    const role = new iam.Role(stack, 'Ops', { assumedBy: new iam.AccountRootPrincipal() });
    database.grantConnect(role, 'ops_readonly');
    const template = Template.fromStack(stack);
    const policy = Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
      .find((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: logicalId(stack, role) }]))!;
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('rds-db:connect');
    expect(JSON.stringify(statements[0].Resource)).toMatch(/:dbuser:.*\/ops_readonly"/);
  });

  test('tokens are not validated', () => {
    const stack = irelandStack();
    const gib = new CfnParameter(stack, 'StorageGiB', { type: 'Number' }).valueAsNumber;
    const value = new CfnParameter(stack, 'Replication').valueAsString;
    const { template } = synth({
      allocatedStorage: Size.gibibytes(gib),
      maxAllocatedStorage: Size.gibibytes(gib),
      parameters: [{ name: 'rds.logical_replication', value }],
    }, stack);
    template.hasResourceProperties('AWS::RDS::DBInstance', { AllocatedStorage: { Ref: 'StorageGiB' }, MaxAllocatedStorage: { Ref: 'StorageGiB' } });
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: Match.objectLike({ 'rds.logical_replication': { Ref: 'Replication' } }) });
  });
});

describe('SupabaseDatabase rejects bad input at synth time', () => {
  test.each<[string, Partial<SupabaseDatabaseProps>, RegExp]>([
    ['PostgreSQL 14', { engineVersion: rds.PostgresEngineVersion.VER_14 }, /`engineVersion` is PostgreSQL 14; Supabase needs PostgreSQL 15 or newer\. Use rds\.PostgresEngineVersion\.VER_17_9 or newer/],
    ['PostgreSQL 13.x', { engineVersion: rds.PostgresEngineVersion.of('13.20', '13') }, /`engineVersion` is PostgreSQL 13\.20; Supabase needs PostgreSQL 15 or newer/],
    ['a maximum below the allocated storage', { allocatedStorage: Size.gibibytes(200), maxAllocatedStorage: Size.gibibytes(150) },
      /`maxAllocatedStorage` is 150 GiB, below `allocatedStorage` \(200 GiB\); storage autoscaling can only grow the storage\. Use a maximum of at least 200 GiB/],
    ['the default maximum below a large allocation', { allocatedStorage: Size.gibibytes(1000) }, /`maxAllocatedStorage` is 500 GiB, below `allocatedStorage` \(1000 GiB\)/],
    ['too little storage', { allocatedStorage: Size.gibibytes(10) }, /`allocatedStorage` is 10 GiB; gp3 storage for RDS is a whole number of GiB from 20 to 65536/],
    ['no backups with the defaults', { backupRetention: Duration.days(0) },
      /`backupRetention` is 0 days, which turns automated backups off, while `multiAz` and `deletionProtection` ask for a database kept safe.*Keep `backupRetention` at 1 day or more/],
    ['no backups with Multi-AZ', { backupRetention: Duration.days(0), deletionProtection: false }, /`backupRetention` is 0 days.*while `multiAz` ask for/],
    ['no backups with deletion protection', { backupRetention: Duration.days(0), multiAz: false }, /`backupRetention` is 0 days.*while `deletionProtection` ask for/],
    ['backups beyond 35 days', { backupRetention: Duration.days(36) }, /`backupRetention` is 36 days; RDS keeps automated backups for a whole number of days from 0 to 35/],
    ['backups in hours', { backupRetention: Duration.hours(12) }, /`backupRetention` is 12 hours; RDS keeps automated backups for a whole number of days/],
    ['logical replication off', { parameters: [{ name: 'rds.logical_replication', value: '0' }] },
      /`parameters` sets 'rds\.logical_replication' to '0'; Supabase Realtime streams changes through logical replication, which needs it on\. Leave 'rds\.logical_replication' out of `parameters` \(the default is '1'\)/],
    ['TLS not forced', { parameters: [{ name: 'rds.force_ssl', value: '0' }] }, /`parameters` sets 'rds\.force_ssl' to '0'; every connection to the Supabase database must be encrypted/],
    ['MD5 passwords', { parameters: [{ name: 'password_encryption', value: 'md5' }] }, /`parameters` sets 'password_encryption' to 'md5'; the login passwords must be stored as SCRAM verifiers/],
    ['no pg_stat_statements', { parameters: [{ name: 'shared_preload_libraries', value: 'auto_explain' }] },
      /`parameters` sets 'shared_preload_libraries' to 'auto_explain', which lacks pg_stat_statements;.*Include pg_stat_statements, e\.g\. 'pg_stat_statements,auto_explain'/],
    ['pg_cron asked for but not preloaded', { pgCron: true, parameters: [{ name: 'shared_preload_libraries', value: 'pg_stat_statements' }] },
      /'shared_preload_libraries' to 'pg_stat_statements', which lacks pg_cron; pg_cron must be preloaded when `pgCron` is on/],
    ['a parameter twice', { parameters: [{ name: 'work_mem', value: '1' }, { name: 'work_mem', value: '2' }] }, /`parameters` lists 'work_mem' more than once/],
    ['a service login as master user', { masterUsername: 'authenticator' }, /`masterUsername` is 'authenticator', the login of a Supabase service; the services must never log in as the master user/],
    ['postgres as master user', { masterUsername: 'postgres' }, /`masterUsername` is 'postgres', the login of a Supabase service/],
    ['a Supabase role as master user', { masterUsername: 'service_role' }, /`masterUsername` is 'service_role', a role that RDS or the Supabase bootstrap already uses/],
    ['an invalid master user name', { masterUsername: '1admin' }, /`masterUsername` is '1admin'; RDS needs a letter, then letters, digits or underscores/],
    ['an invalid database name', { databaseName: 'my-db' }, /`databaseName` is 'my-db'; RDS needs a letter, then letters, digits or underscores/],
    ['a template database', { databaseName: 'template1' }, /`databaseName` is 'template1'/],
    ['an invalid identifier', { instanceIdentifier: 'Supabase_Prod' }, /`instanceIdentifier` is 'Supabase_Prod'; RDS needs a lower-case letter/],
    ['an identifier with a double hyphen', { instanceIdentifier: 'supabase--prod' }, /`instanceIdentifier` is 'supabase--prod'/],
    ['rotation in hours', { masterRotation: Duration.hours(12) }, /`masterRotation` is 12 hours; Secrets Manager rotates every whole number of days from 1 to 1000/],
    ['a bad backup window', { preferredBackupWindow: '3:00-4:00' }, /`preferredBackupWindow` is '3:00-4:00', which is not an RDS window \(UTC\)\. Use the form '03:00-04:00'/],
    ['a bad maintenance window', { preferredMaintenanceWindow: 'sunday:04:00-sunday:05:00' }, /`preferredMaintenanceWindow` is 'sunday:04:00-sunday:05:00'.*Use the form 'sun:04:00-sun:05:00'/],
  ])('%s', (_name, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  test('no backups is fine for a throwaway single-AZ database without deletion protection', () => {
    const { template } = synth({ backupRetention: Duration.days(0), multiAz: false, deletionProtection: false });
    template.hasResourceProperties('AWS::RDS::DBInstance', { BackupRetentionPeriod: 0 });
  });

  test.each([
    ['supabase_master', /dbUser 'supabase_master', the master user; a role granted rds_iam can no longer log in with its password/],
    ['authenticator', /dbUser 'authenticator', a Supabase service login/],
    ['bad-name', /dbUser 'bad-name', which is not a PostgreSQL role name/],
  ])('grantConnect refuses %s', (dbUser, message) => {
    const stack = irelandStack();
    const { database } = synth({}, stack);
    const role = new iam.Role(stack, 'Ops', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => database.grantConnect(role, dbUser)).toThrow(message);
  });

  test('every message names the construct', () => {
    expect(() => synth({ engineVersion: rds.PostgresEngineVersion.VER_14 })).toThrow(/^SupabaseDatabase Db\/Database: /);
  });
});
