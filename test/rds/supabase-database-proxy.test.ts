import { App, Stack, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SupabaseNetwork } from '../../src/networking';
import { SupabaseDatabase, SupabaseDatabaseProps } from '../../src/rds';

const ACCOUNT = '111122223333';
const AZS = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const DATABASE_CIDRS = ['10.100.20.0/24', '10.100.21.0/24', '10.100.22.0/24'];

function synth(props: Partial<SupabaseDatabaseProps> = {}, before?: (stack: Stack, database: SupabaseDatabase) => void) {
  const app = new App({ context: { [`availability-zones:account=${ACCOUNT}:region=eu-west-1`]: AZS } });
  const stack = new Stack(app, 'Db', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const network = new SupabaseNetwork(stack, 'Network');
  const database = new SupabaseDatabase(stack, 'Database', {
    vpc: network.vpc,
    vpcSubnets: network.databaseSubnets,
    bootstrapSubnets: network.eksSubnets,
    instanceIdentifier: 'supabase-test',
    proxy: {},
    ...props,
  });
  before?.(stack, database);
  return { stack, network, database, template: Template.fromStack(stack) };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } } | undefined): string {
  return stack.getLogicalId(construct!.node.defaultChild as any);
}

describe('SupabaseDatabase with an RDS Proxy', () => {
  const { stack, network, database, template } = synth();
  const proxy = Object.values(template.findResources('AWS::RDS::DBProxy'))[0] as any;
  const secretId = (member: 'authSecret' | 'restSecret' | 'storageSecret' | 'realtimeSecret' | 'metaSecret') =>
    logicalId(stack, database[member] as any);
  const proxyGroupId = logicalId(stack, database.node.findChild('ProxySecurityGroup') as any);
  const instanceGroupId = logicalId(stack, database.node.findChild('SecurityGroup') as any);

  test('one proxy for PostgreSQL, named after the instance, TLS required, no IAM authentication', () => {
    template.resourceCountIs('AWS::RDS::DBProxy', 1);
    expect(proxy.Properties).toMatchObject({
      DBProxyName: 'supabase-test-proxy',
      EngineFamily: 'POSTGRESQL',
      RequireTLS: true,
    });
  });

  test('one SCRAM auth entry per pooled service login: Auth, REST, Storage, postgres-meta; not Realtime', () => {
    const auth = proxy.Properties.Auth as any[];
    expect(auth.map((a) => a.SecretArn)).toEqual(['authSecret', 'restSecret', 'storageSecret', 'metaSecret'].map((m) => ({ Ref: secretId(m as any) })));
    for (const entry of auth) {
      expect(entry).toEqual(expect.objectContaining({ AuthScheme: 'SECRETS', IAMAuth: 'DISABLED', ClientPasswordAuthType: 'POSTGRES_SCRAM_SHA_256' }));
    }
    expect(JSON.stringify(proxy.Properties)).not.toContain(secretId('realtimeSecret'));
  });

  test('in the database tier, with its own security group only', () => {
    expect(proxy.Properties.VpcSubnetIds).toEqual(network.vpc.selectSubnets(network.databaseSubnets).subnetIds.map((id) => stack.resolve(id)));
    expect(proxy.Properties.VpcSecurityGroupIds).toEqual([{ 'Fn::GetAtt': [proxyGroupId, 'GroupId'] }]);
  });

  test('the target group fronts the instance with 75 % of its connections, after the bootstrap', () => {
    const groups = template.findResources('AWS::RDS::DBProxyTargetGroup');
    expect(Object.keys(groups)).toHaveLength(1);
    const group = Object.values(groups)[0] as any;
    expect(group.Properties).toMatchObject({
      TargetGroupName: 'default',
      DBInstanceIdentifiers: [{ Ref: logicalId(stack, database.instance) }],
      ConnectionPoolConfigurationInfo: { MaxConnectionsPercent: 75 },
    });
    const bootstrapId = logicalId(stack, database.bootstrap);
    expect(proxy.DependsOn).toEqual(expect.arrayContaining([bootstrapId]));
    expect(group.DependsOn).toEqual(expect.arrayContaining([bootstrapId]));
  });

  test('the proxy\'s role is assumed by RDS and reads exactly the four secrets, decrypting with the database key', () => {
    const roleId = logicalId(stack, database.node.findChild('ProxyRole') as any);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'rds.amazonaws.com' } })] },
    });
    expect(proxy.Properties.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    const policies = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p: any) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }])) as any[];
    expect(policies).toHaveLength(1);
    const statements = policies[0].Properties.PolicyDocument.Statement as any[];
    const secretResources = statements.filter((st) => [st.Action].flat().includes('secretsmanager:GetSecretValue')).flatMap((st) => [st.Resource].flat());
    expect(secretResources.sort((a, b) => a.Ref.localeCompare(b.Ref)))
      .toEqual(['authSecret', 'restSecret', 'storageSecret', 'metaSecret'].map((m) => ({ Ref: secretId(m as any) })).sort((a, b) => a.Ref.localeCompare(b.Ref)));
    const keyId = logicalId(stack, database.encryptionKey as any);
    const kmsResources = statements.filter((st) => [st.Action].flat().some((a: string) => a.startsWith('kms:'))).flatMap((st) => [st.Resource].flat());
    expect(kmsResources.length).toBeGreaterThan(0);
    for (const resource of kmsResources) {
      expect(resource).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    }
  });

  test('its security group admits nothing by itself and reaches only the instance on its port (5432)', () => {
    const instancePort = { 'Fn::GetAtt': [logicalId(stack, database.instance), 'Endpoint.Port'] };
    template.hasResourceProperties('AWS::RDS::DBInstance', { Port: '5432' });
    const group = template.findResources('AWS::EC2::SecurityGroup')[proxyGroupId] as any;
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    // No inline rule either way (allowAllOutbound: false): the one egress rule is the separate resource below.
    expect(group.Properties.SecurityGroupEgress).toBeUndefined();
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [proxyGroupId, 'GroupId'] },
      DestinationSecurityGroupId: { 'Fn::GetAtt': [instanceGroupId, 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: instancePort,
      ToPort: instancePort,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [instanceGroupId, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [proxyGroupId, 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: instancePort,
      ToPort: instancePort,
    });
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')).filter((r: any) => JSON.stringify(r.Properties.GroupId).includes(proxyGroupId));
    expect(egress).toHaveLength(1);
  });

  test('callers open the proxy through proxyConnections', () => {
    let callers: ec2.SecurityGroup | undefined;
    const { stack: s, database: db, template: t } = synth({}, (scope, built) => {
      callers = new ec2.SecurityGroup(scope, 'Callers', { vpc: built.vpc });
      built.proxyConnections!.allowDefaultPortFrom(callers);
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [logicalId(s, db.node.findChild('ProxySecurityGroup') as any), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [s.getLogicalId(callers!.node.defaultChild as any), 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
    });
  });

  test('the database tier\'s network ACL lets the proxy reach the instance in another zone', () => {
    for (const cidr of DATABASE_CIDRS) {
      for (const egress of [false, true]) {
        template.hasResourceProperties('AWS::EC2::NetworkAclEntry', {
          CidrBlock: cidr, Egress: egress, Protocol: 6, RuleAction: 'allow', PortRange: { From: 1024, To: 65535 },
        });
      }
    }
  });

  test('members and a custom share of the connections', () => {
    expect(database.proxy).toBeDefined();
    expect(database.proxyConnections).toBeDefined();
    const custom = synth({ proxy: { maxConnectionsPercent: 50 } }).template;
    custom.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', { ConnectionPoolConfigurationInfo: { MaxConnectionsPercent: 50 } });
    const none = synth({ proxy: undefined });
    none.template.resourceCountIs('AWS::RDS::DBProxy', 0);
    expect(none.database.proxy).toBeUndefined();
    expect(none.database.proxyConnections).toBeUndefined();
  });

  test('cdk-nag AwsSolutions reports nothing unacknowledged, and synth warns of nothing', () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('SupabaseDatabase proxy rejects bad input at synth time', () => {
  test.each([0, 101, 12.5])('maxConnectionsPercent %p', (percent) => {
    expect(() => synth({ proxy: { maxConnectionsPercent: percent } })).toThrow(
      new RegExp(`SupabaseDatabase Db/Database: \`proxy.maxConnectionsPercent\` must be a whole number from 1 to 100, got ${percent}`));
  });

  test('a proxy on a read replica', () => {
    expect(() => synth({
      instanceIdentifier: undefined,
      replicaOf: { instanceArn: 'arn:aws:rds:eu-central-1:111122223333:db:supabase-prod', secretNamePrefix: 'supabase/prod' },
    })).toThrow(/`proxy` is set together with `replicaOf`; RDS Proxy fronts only a writer instance/);
  });
});
