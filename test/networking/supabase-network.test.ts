import { App, CfnParameter, RemovalPolicy, Stack, aws_ec2 as ec2, aws_kms as kms, aws_logs as logs } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SupabaseNetwork, SupabaseNetworkProps } from '../../src';

const ACCOUNT = '111122223333';
const AZS = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

function irelandStack(): Stack {
  const app = new App({ context: { [`availability-zones:account=${ACCOUNT}:region=eu-west-1`]: AZS } });
  return new Stack(app, 'Net', { env: { account: ACCOUNT, region: 'eu-west-1' } });
}

function synth(props: SupabaseNetworkProps = {}, stack = irelandStack()) {
  const network = new SupabaseNetwork(stack, 'Network', props);
  return { stack, network, template: Template.fromStack(stack) };
}

type Resources = Record<string, { Type: string; Properties: any; DeletionPolicy?: string }>;

function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** The subnet's logical id, by CIDR block. */
function subnetByCidr(template: Template, cidr: string): { id: string; props: any } {
  const [id, subnet] = Object.entries(resourcesOf(template, 'AWS::EC2::Subnet')).find(([, s]) => s.Properties.CidrBlock === cidr)!;
  return { id, props: subnet.Properties };
}

/** The routes of the route table associated with a subnet. */
function routesOfSubnet(template: Template, subnetId: string): any[] {
  const association = Object.values(resourcesOf(template, 'AWS::EC2::SubnetRouteTableAssociation'))
    .find((a) => a.Properties.SubnetId.Ref === subnetId)!;
  const routeTable = association.Properties.RouteTableId.Ref;
  return Object.values(resourcesOf(template, 'AWS::EC2::Route'))
    .filter((r) => r.Properties.RouteTableId.Ref === routeTable)
    .map((r) => r.Properties);
}

const TIERS = {
  public: ['10.100.1.0/24', '10.100.2.0/24', '10.100.3.0/24'],
  eks: ['10.100.10.0/24', '10.100.11.0/24', '10.100.12.0/24'],
  database: ['10.100.20.0/24', '10.100.21.0/24', '10.100.22.0/24'],
};

describe('SupabaseNetwork defaults', () => {
  const { stack, network, template } = synth();

  test('a 10.100.0.0/16 VPC with DNS support and hostnames', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.hasResourceProperties('AWS::EC2::VPC', {
      CidrBlock: '10.100.0.0/16',
      EnableDnsSupport: true,
      EnableDnsHostnames: true,
    });
  });

  test.each(Object.entries(TIERS))('the %s tier has the seed plan\'s block in each of the 3 zones, in order', (_tier, cidrs) => {
    cidrs.forEach((cidr, i) => {
      expect(subnetByCidr(template, cidr).props.AvailabilityZone).toBe(AZS[i]);
    });
  });

  test('nine subnets in all, and public subnets give instances no public address', () => {
    template.resourceCountIs('AWS::EC2::Subnet', 9);
    for (const cidr of TIERS.public) {
      expect(subnetByCidr(template, cidr).props.MapPublicIpOnLaunch).toBe(false);
    }
  });

  test('an internet gateway is the public tier\'s default route', () => {
    template.resourceCountIs('AWS::EC2::InternetGateway', 1);
    template.resourceCountIs('AWS::EC2::VPCGatewayAttachment', 1);
    for (const cidr of TIERS.public) {
      expect(routesOfSubnet(template, subnetByCidr(template, cidr).id)).toEqual([
        expect.objectContaining({ DestinationCidrBlock: '0.0.0.0/0', GatewayId: { Ref: expect.stringMatching(/IGW/) } }),
      ]);
    }
  });

  test('one NAT gateway per zone, and each EKS subnet routes through the one in its own zone', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 3);
    const nats = resourcesOf(template, 'AWS::EC2::NatGateway');
    const subnets = resourcesOf(template, 'AWS::EC2::Subnet');
    TIERS.eks.forEach((cidr, i) => {
      const routes = routesOfSubnet(template, subnetByCidr(template, cidr).id);
      expect(routes).toHaveLength(1);
      expect(routes[0].DestinationCidrBlock).toBe('0.0.0.0/0');
      const nat = nats[routes[0].NatGatewayId.Ref];
      const natSubnet = subnets[nat.Properties.SubnetId.Ref].Properties;
      expect(natSubnet.CidrBlock).toBe(TIERS.public[i]);
      expect(natSubnet.AvailabilityZone).toBe(AZS[i]);
    });
  });

  test('the database tier has no route at all, so no way to the internet', () => {
    for (const cidr of TIERS.database) {
      expect(routesOfSubnet(template, subnetByCidr(template, cidr).id)).toEqual([]);
    }
  });

  test('flow log of all traffic into a KMS-encrypted log group kept a year', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: Match.stringLikeRegexp('FlowLogGroup') },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: {
        RetentionInDays: 365,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('FlowLogKey'), 'Arn'] },
      },
    });
  });

  test('the flow log key rotates, is retained, and lets only CloudWatch Logs of this account and region use it', () => {
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
              Action: Match.arrayWith(['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*']),
              Condition: {
                ArnLike: {
                  'kms:EncryptionContext:aws:logs:arn': {
                    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:logs:eu-west-1:${ACCOUNT}:log-group:*`]],
                  },
                },
              },
            }),
          ]),
        },
      },
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/Net/Network/flow-logs' });
    expect(network.flowLogKey).toBeInstanceOf(kms.Key);
  });

  test('the database tier\'s ACL admits PostgreSQL from each EKS subnet, lets only the replies out, and TCP flow within the tier', () => {
    template.resourceCountIs('AWS::EC2::NetworkAcl', 1);
    template.resourceCountIs('AWS::EC2::NetworkAclEntry', 12);
    // Within the tier (an RDS Proxy reaching the instance in another zone): 5432 and the replies, both ways.
    TIERS.database.forEach((cidr, i) => {
      for (const egress of [false, true]) {
        template.hasResourceProperties('AWS::EC2::NetworkAclEntry', {
          CidrBlock: cidr, Egress: egress, Protocol: 6, RuleAction: 'allow', RuleNumber: 200 + 10 * i, PortRange: { From: 1024, To: 65535 },
        });
      }
    });
    TIERS.eks.forEach((cidr, i) => {
      template.hasResourceProperties('AWS::EC2::NetworkAclEntry', {
        CidrBlock: cidr,
        Egress: false,
        Protocol: 6,
        RuleAction: 'allow',
        RuleNumber: 100 + 10 * i,
        PortRange: { From: 5432, To: 5432 },
      });
      template.hasResourceProperties('AWS::EC2::NetworkAclEntry', {
        CidrBlock: cidr,
        Egress: true,
        Protocol: 6,
        RuleAction: 'allow',
        RuleNumber: 100 + 10 * i,
        PortRange: { From: 1024, To: 65535 },
      });
    });
    const associations = Object.values(resourcesOf(template, 'AWS::EC2::SubnetNetworkAclAssociation'))
      .map((a) => resourcesOf(template, 'AWS::EC2::Subnet')[a.Properties.SubnetId.Ref].Properties.CidrBlock);
    expect(associations.sort()).toEqual(TIERS.database);
  });

  test('the S3 gateway endpoint serves the EKS tier\'s route tables only', () => {
    const gateways = Object.values(resourcesOf(template, 'AWS::EC2::VPCEndpoint'))
      .filter((e) => e.Properties.VpcEndpointType === 'Gateway');
    expect(gateways).toHaveLength(1);
    expect(JSON.stringify(gateways[0].Properties.ServiceName)).toContain('.s3');
    const eksRouteTables = TIERS.eks.map((cidr) => {
      const id = subnetByCidr(template, cidr).id;
      return Object.values(resourcesOf(template, 'AWS::EC2::SubnetRouteTableAssociation'))
        .find((a) => a.Properties.SubnetId.Ref === id)!.Properties.RouteTableId;
    });
    expect(gateways[0].Properties.RouteTableIds).toEqual(eksRouteTables);
  });

  test.each([
    'ecr.api', 'ecr.dkr', 'sts', 'secretsmanager', 'kms', 'logs', 'monitoring', 'ec2', 'elasticloadbalancing',
    'autoscaling', 'eks',
  ])('an interface endpoint for %s in the EKS tier, with private DNS, behind the endpoint security group', (service) => {
    const eksSubnetRefs = TIERS.eks.map((cidr) => ({ Ref: subnetByCidr(template, cidr).id }));
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      ServiceName: `com.amazonaws.eu-west-1.${service}`,
      PrivateDnsEnabled: true,
      SubnetIds: eksSubnetRefs,
      SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('EndpointSecurityGroup'), 'GroupId'] }],
    });
  });

  test('the endpoint security group admits HTTPS from the VPC and nothing else', () => {
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 12);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'VPC interface endpoints: HTTPS from the VPC',
      SecurityGroupIngress: [{ CidrIp: '10.100.0.0/16', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'HTTPS from the VPC' }],
    });
    expect(network.endpointSecurityGroup).toBeDefined();
  });

  test('load balancer discovery tags: elb on public subnets, internal-elb on the EKS tier, none on the database tier', () => {
    const tagsOf = (cidr: string) => subnetByCidr(template, cidr).props.Tags as Array<{ Key: string; Value: string }>;
    for (const cidr of TIERS.public) {
      expect(tagsOf(cidr)).toContainEqual({ Key: 'kubernetes.io/role/elb', Value: '1' });
      expect(tagsOf(cidr)).not.toContainEqual(expect.objectContaining({ Key: 'kubernetes.io/role/internal-elb' }));
    }
    for (const cidr of TIERS.eks) {
      expect(tagsOf(cidr)).toContainEqual({ Key: 'kubernetes.io/role/internal-elb', Value: '1' });
      expect(tagsOf(cidr)).not.toContainEqual(expect.objectContaining({ Key: 'kubernetes.io/role/elb' }));
    }
    for (const cidr of TIERS.database) {
      expect(tagsOf(cidr).map((t) => t.Key)).not.toEqual(expect.arrayContaining([expect.stringMatching(/^kubernetes\.io/)]));
    }
    // Only subnets carry them: not their route tables, NAT gateways or addresses.
    const routeTables = resourcesOf(template, 'AWS::EC2::RouteTable');
    expect(JSON.stringify(routeTables)).not.toContain('kubernetes.io');
  });

  test('the default security group is stripped of its rules', () => {
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  test('each tier selection selects exactly that tier\'s subnets, in zone order', () => {
    const cidrsOf = (selection: ec2.SubnetSelection) =>
      network.vpc.selectSubnets(selection).subnets.map((s) => stack.resolve(s.ipv4CidrBlock));
    expect(cidrsOf(network.publicSubnets)).toEqual(TIERS.public);
    expect(cidrsOf(network.eksSubnets)).toEqual(TIERS.eks);
    expect(cidrsOf(network.databaseSubnets)).toEqual(TIERS.database);
    expect(network.availabilityZones).toEqual(AZS);
    expect(network.flowLog).toBeInstanceOf(ec2.FlowLog);
    expect(network.flowLogGroup).toBeInstanceOf(logs.LogGroup);
  });

  test('cdk-nag AwsSolutions reports nothing unacknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations).toEqual([]);
  });

  test('synth raises no warnings', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('SupabaseNetwork options', () => {
  test('one NAT gateway for development: every EKS subnet routes through it', () => {
    const { template } = synth({ natGateways: 1 });
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    const natId = Object.keys(resourcesOf(template, 'AWS::EC2::NatGateway'))[0];
    for (const cidr of TIERS.eks) {
      expect(routesOfSubnet(template, subnetByCidr(template, cidr).id)).toEqual([
        expect.objectContaining({ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: { Ref: natId } }),
      ]);
    }
  });

  test('a custom VPC range derives the seed plan\'s layout inside it', () => {
    const { template } = synth({ vpcCidr: '10.42.0.0/16' });
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.42.0.0/16' });
    for (const cidr of ['10.42.1.0/24', '10.42.12.0/24', '10.42.22.0/24']) {
      expect(subnetByCidr(template, cidr)).toBeDefined();
    }
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.42.0.0/16', FromPort: 443 })],
    });
  });

  test('given zones, tier blocks and two zones', () => {
    const { template, network } = synth({
      vpcCidr: '172.20.0.0/16',
      availabilityZones: ['eu-west-1b', 'eu-west-1c'],
      publicSubnetCidrs: ['172.20.0.0/24', '172.20.1.0/24'],
      eksSubnetCidrs: ['172.20.64.0/18', '172.20.128.0/18'],
      databaseSubnetCidrs: ['172.20.2.0/24', '172.20.3.0/24'],
    });
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    expect(subnetByCidr(template, '172.20.64.0/18').props.AvailabilityZone).toBe('eu-west-1b');
    expect(subnetByCidr(template, '172.20.128.0/18').props.AvailabilityZone).toBe('eu-west-1c');
    expect(network.availabilityZones).toEqual(['eu-west-1b', 'eu-west-1c']);
  });

  test('azCount 2 takes the first two zones of the region and the first two default blocks', () => {
    const { template } = synth({ azCount: 2 });
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    expect(subnetByCidr(template, '10.100.11.0/24').props.AvailabilityZone).toBe('eu-west-1b');
  });

  test('an environment-agnostic stack still spans 3 zones, chosen at deploy time', () => {
    const { template } = synth({}, new Stack(new App(), 'Agnostic'));
    template.resourceCountIs('AWS::EC2::Subnet', 9);
    template.hasResourceProperties('AWS::EC2::Subnet', {
      CidrBlock: '10.100.22.0/24',
      AvailabilityZone: { 'Fn::Select': [2, { 'Fn::GetAZs': '' }] },
    });
  });

  test('without endpoints: no endpoint and no endpoint security group', () => {
    const { template, network } = synth({ vpcEndpoints: false });
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    expect(network.endpointSecurityGroup).toBeUndefined();
  });

  test('retention, removal policy and a key of one\'s own', () => {
    const stack = irelandStack();
    const key = new kms.Key(stack, 'MyKey');
    const { template, network } = synth({
      flowLogRetention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
      flowLogKey: key,
    }, stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Delete',
      Properties: { RetentionInDays: 7, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('MyKey'), 'Arn'] } },
    });
    expect(network.flowLogKey).toBe(key);
  });

  test('tokens are not validated', () => {
    // A block known only at deploy time reaches the template untouched.
    const stack = irelandStack();
    const cidr = new CfnParameter(stack, 'PublicCidrA').valueAsString;
    const { template } = synth({ publicSubnetCidrs: [cidr, '10.100.2.0/24', '10.100.3.0/24'] }, stack);
    template.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: { Ref: 'PublicCidrA' }, AvailabilityZone: 'eu-west-1a' });
  });
});

test('a VPC range known only at deploy time works with explicit tier blocks', () => {
  const stack = irelandStack();
  const vpcCidr = new CfnParameter(stack, 'VpcCidr').valueAsString;
  const { template } = synth({
    vpcCidr,
    publicSubnetCidrs: TIERS.public,
    eksSubnetCidrs: TIERS.eks,
    databaseSubnetCidrs: TIERS.database,
  }, stack);
  template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: { Ref: 'VpcCidr' } });
  template.hasResourceProperties('AWS::EC2::SecurityGroup', {
    SecurityGroupIngress: [Match.objectLike({ CidrIp: { Ref: 'VpcCidr' }, FromPort: 443 })],
  });
});

describe('SupabaseNetwork rejects bad input at synth time', () => {
  test('a VPC range token without tier blocks', () => {
    const stack = irelandStack();
    const vpcCidr = new CfnParameter(stack, 'VpcCidr').valueAsString;
    expect(() => synth({ vpcCidr }, stack)).toThrow(
      /`vpcCidr` is a token, so the default subnet blocks cannot be derived from it\. Pass `publicSubnetCidrs` too/);
  });

  test.each<[string, SupabaseNetworkProps, RegExp]>([
    ['an invalid VPC CIDR', { vpcCidr: '10.100.0.0' }, /`vpcCidr` '10\.100\.0\.0' is not an IPv4 CIDR block.*Pass a block such as '10\.100\.0\.0\/16'/],
    ['a VPC CIDR with an octet above 255', { vpcCidr: '10.300.0.0/16' }, /`vpcCidr` '10\.300\.0\.0\/16' has an octet above 255/],
    ['a VPC CIDR with host bits', { vpcCidr: '10.100.7.0/16' }, /`vpcCidr` '10\.100\.7\.0\/16' has host bits set \(the block starts at 10\.100\.0\.0\/16\)/],
    ['a VPC CIDR too large for AWS', { vpcCidr: '10.0.0.0/8' }, /`vpcCidr` '10\.0\.0\.0\/8' has a \/8 prefix; a VPC's block must be between \/16 and \/28/],
    ['an invalid subnet CIDR', { eksSubnetCidrs: ['10.100.10.0/24', 'ten', '10.100.12.0/24'] }, /`eksSubnetCidrs\[1\]` 'ten' is not an IPv4 CIDR block/],
    ['a subnet too small for AWS', { databaseSubnetCidrs: ['10.100.20.0/24', '10.100.21.0/24', '10.100.22.0/29'] },
      /`databaseSubnetCidrs\[2\]` '10\.100\.22\.0\/29' has a \/29 prefix; a subnet's block must be between \/16 and \/28/],
    ['a subnet outside the VPC', { databaseSubnetCidrs: ['10.100.20.0/24', '10.100.21.0/24', '10.200.22.0/24'] },
      /`databaseSubnetCidrs\[2\]` '10\.200\.22\.0\/24' lies outside `vpcCidr` '10\.100\.0\.0\/16'\. Choose a block inside the VPC's range, or widen `vpcCidr`/],
    ['overlapping subnets across tiers', { eksSubnetCidrs: ['10.100.10.0/24', '10.100.11.0/24', '10.100.0.0/22'] },
      /`eksSubnetCidrs\[2\]` '10\.100\.0\.0\/22' overlaps `publicSubnetCidrs\[0\]` '10\.100\.1\.0\/24'\. Every subnet needs a block of its own/],
    ['overlapping subnets within a tier', { publicSubnetCidrs: ['10.100.1.0/24', '10.100.1.0/24', '10.100.3.0/24'] },
      /`publicSubnetCidrs\[1\]` '10\.100\.1\.0\/24' overlaps `publicSubnetCidrs\[0\]`/],
    ['a tier list shorter than the zones', { publicSubnetCidrs: ['10.100.1.0/24', '10.100.2.0/24'] },
      /`publicSubnetCidrs` lists 2 CIDR block\(s\) but `azCount` gives 3 availability zones\. Give exactly one block per availability zone/],
    ['a tier list longer than the given zones', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], databaseSubnetCidrs: TIERS.database },
      /`databaseSubnetCidrs` lists 3 CIDR block\(s\) but `availabilityZones` gives 2 availability zones/],
    ['fewer than 2 zones by count', { azCount: 1 }, /`azCount` is 1 availability zone\(s\); Supabase needs at least 2.*Use 2 or more/],
    ['fewer than 2 zones by list', { availabilityZones: ['eu-west-1a'] }, /`availabilityZones` lists 1 availability zone\(s\); Supabase needs at least 2/],
    ['azCount contradicting availabilityZones', { azCount: 3, availabilityZones: ['eu-west-1a', 'eu-west-1b'] }, /`azCount` is 3 but `availabilityZones` lists 2 zones\. Pass only one of them/],
    ['more zones than the region has', { azCount: 4 }, /`azCount` is 4 but region eu-west-1 offers 3 availability zone\(s\).*Lower `azCount`/],
    ['more NAT gateways than zones', { natGateways: 4 }, /`natGateways` is 4 but there are only 3 availability zones; a zone holds at most one\. Use a number from 1 to 3/],
    ['no NAT gateway', { natGateways: 0 }, /`natGateways` is 0; the EKS tier needs egress through at least 1 NAT gateway.*from 1 to 3/],
  ])('%s', (_name, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  test('every message names the construct', () => {
    expect(() => synth({ natGateways: 9 })).toThrow(/^SupabaseNetwork Net\/Network: /);
  });
});
