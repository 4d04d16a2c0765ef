import {
  Fn,
  RemovalPolicy,
  Stack,
  Tags,
  Token,
  Validations,
  aws_ec2 as ec2,
  aws_kms as kms,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SupabaseNetworkProps } from './network-props';
import { NETWORK_PROPS_SPEC } from './private/props-spec';
import { validateAvailabilityZones, validateAzCount } from './private/validation';
import { checkKey } from '../private/arn-checks';
import { blockContains, blocksOverlap, Ipv4Block, offsetBlock, parseIpv4Cidr } from '../private/cidr';
import { configError } from '../private/errors';
import { FixedSubnetCidrs } from '../private/fixed-subnet-cidrs';
import { allowCloudWatchLogs, createKey } from '../private/kms';
import { CDK_PROVIDERS, acknowledgeProviderRole } from '../private/nag';
import { POSTGRES_PORT } from '../private/ports';
import { checkProps } from '../private/props-check';

/** Subnet group names; they appear in the subnets' `aws-cdk:subnet-name` tags and in their logical ids. */
const PUBLIC_GROUP = 'Public';
const EKS_GROUP = 'Eks';
const DATABASE_GROUP = 'Database';

/** The seed plan's layout: /24 blocks at these third-octet offsets of the VPC range, one per AZ. */
const DEFAULT_TIER_OFFSETS = { public: 1, eks: 10, database: 20 };
const DEFAULT_VPC_CIDR = '10.100.0.0/16';
const DEFAULT_AZ_COUNT = 3;

/**
 * Interface endpoints that a private EKS cluster, its nodes, its controllers and the Supabase pods call.
 * Each one keeps that traffic off the NAT gateways and inside the VPC.
 */
const INTERFACE_ENDPOINTS: Array<[string, ec2.InterfaceVpcEndpointAwsService]> = [
  ['EcrApi', ec2.InterfaceVpcEndpointAwsService.ECR], // image manifests (nodes, kubelet)
  ['EcrDocker', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER], // image layers come from S3 through the gateway endpoint
  ['Sts', ec2.InterfaceVpcEndpointAwsService.STS], // IRSA: AssumeRoleWithWebIdentity for every pod role
  ['SecretsManager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER], // External Secrets Operator, rotation, bootstrap
  ['Kms', ec2.InterfaceVpcEndpointAwsService.KMS], // decrypting secrets and EBS volumes
  ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS], // container and Lambda logs
  ['Monitoring', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING], // Container Insights metrics
  ['Ec2', ec2.InterfaceVpcEndpointAwsService.EC2], // VPC CNI (ENIs, IPs), EBS CSI driver
  ['ElasticLoadBalancing', ec2.InterfaceVpcEndpointAwsService.ELASTIC_LOAD_BALANCING], // AWS Load Balancer Controller
  ['Autoscaling', ec2.InterfaceVpcEndpointAwsService.AUTOSCALING], // Cluster Autoscaler
  ['Eks', ec2.InterfaceVpcEndpointAwsService.EKS], // eks:DescribeCluster from nodes' bootstrap and the kubectl handler
];

/**
 * The network Supabase runs in: a VPC over several availability zones with three tiers (public, EKS and
 * database), NAT gateways, encrypted VPC Flow Logs, a network ACL that shuts the database tier to everything
 * but PostgreSQL from the EKS tier, VPC endpoints, and the subnet tags the AWS Load Balancer Controller needs.
 *
 * @example
 * const network = new SupabaseNetwork(this, 'Network', {
 *   natGateways: 1, // one NAT gateway for a development environment
 * });
 * // Other constructs take the VPC and the tiers from it:
 * declare const vpc: ec2.IVpc;
 * const subnets = network.databaseSubnets;
 */
export class SupabaseNetwork extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.IVpc;
  /** The availability zones the tiers span, in order. */
  public readonly availabilityZones: string[];
  /** The public tier: the ALB and the NAT gateways. */
  public readonly publicSubnets: ec2.SubnetSelection;
  /** The EKS tier: private subnets with egress through NAT, for nodes, pods and Lambda functions. */
  public readonly eksSubnets: ec2.SubnetSelection;
  /** The database tier: isolated subnets with no route to the internet, for RDS. */
  public readonly databaseSubnets: ec2.SubnetSelection;
  /** The network ACL of the database tier. */
  public readonly databaseNetworkAcl: ec2.NetworkAcl;
  /** The VPC Flow Log (all traffic). */
  public readonly flowLog: ec2.FlowLog;
  /** The CloudWatch Logs group that receives the flow log. */
  public readonly flowLogGroup: logs.ILogGroup;
  /** The KMS key that encrypts the flow log group. */
  public readonly flowLogKey: kms.IKey;
  /** The security group of the interface endpoints (HTTPS from the VPC); undefined when `vpcEndpoints` is false. */
  public readonly endpointSecurityGroup?: ec2.ISecurityGroup;

  constructor(scope: Construct, id: string, props: SupabaseNetworkProps = {}) {
    super(scope, id);
    checkProps(this, props, NETWORK_PROPS_SPEC, 'SupabaseNetworkProps');
    checkKey(this, 'flowLogKey', props.flowLogKey);

    const vpcCidr = props.vpcCidr ?? DEFAULT_VPC_CIDR;
    const vpcBlock = this.validateVpcCidr(vpcCidr);
    this.availabilityZones = this.resolveAvailabilityZones(props);
    const azCount = this.availabilityZones.length;

    const tierCidrs = (given: string[] | undefined, prop: string, offset: number): string[] => {
      if (given) {
        return given;
      }
      if (!vpcBlock) {
        throw configError(this, `\`vpcCidr\` is a token, so the default subnet blocks cannot be derived from it. Pass \`${prop}\` too.`);
      }
      return defaultTierCidrs(vpcBlock, offset, azCount);
    };
    const tiers = {
      [PUBLIC_GROUP]: tierCidrs(props.publicSubnetCidrs, 'publicSubnetCidrs', DEFAULT_TIER_OFFSETS.public),
      [EKS_GROUP]: tierCidrs(props.eksSubnetCidrs, 'eksSubnetCidrs', DEFAULT_TIER_OFFSETS.eks),
      [DATABASE_GROUP]: tierCidrs(props.databaseSubnetCidrs, 'databaseSubnetCidrs', DEFAULT_TIER_OFFSETS.database),
    };
    this.validateTiers(vpcCidr, vpcBlock, {
      publicSubnetCidrs: tiers[PUBLIC_GROUP],
      eksSubnetCidrs: tiers[EKS_GROUP],
      databaseSubnetCidrs: tiers[DATABASE_GROUP],
    }, props, azCount);
    const natGateways = this.validateNatGateways(props.natGateways, azCount);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: new FixedSubnetCidrs(vpcCidr, tiers, this.availabilityZones),
      availabilityZones: this.availabilityZones,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      natGateways,
      natGatewaySubnets: { subnetGroupName: PUBLIC_GROUP },
      // Nothing here uses the default security group; strip its rules so nothing can.
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: PUBLIC_GROUP, subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false },
        { name: EKS_GROUP, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        { name: DATABASE_GROUP, subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });
    acknowledgeProviderRole(this, CDK_PROVIDERS.restrictDefaultSecurityGroup, 'The role of aws-cdk-lib\'s provider that strips the default security group\'s rules (restrictDefaultSecurityGroup, kept: it closes a group nothing should use). The role and its policy are aws-cdk-lib\'s; the managed policy only lets the handler write its CloudWatch Logs.');
    this.vpc = vpc;
    this.publicSubnets = { subnetGroupName: PUBLIC_GROUP };
    this.eksSubnets = { subnetGroupName: EKS_GROUP };
    this.databaseSubnets = { subnetGroupName: DATABASE_GROUP };

    // Subnet discovery for the AWS Load Balancer Controller: internet-facing ALBs go to the public tier,
    // internal ones to the EKS tier. Only the subnets themselves carry the tags.
    for (const subnet of vpc.publicSubnets) {
      Tags.of(subnet).add('kubernetes.io/role/elb', '1', { includeResourceTypes: ['AWS::EC2::Subnet'] });
    }
    for (const subnet of vpc.privateSubnets) {
      Tags.of(subnet).add('kubernetes.io/role/internal-elb', '1', { includeResourceTypes: ['AWS::EC2::Subnet'] });
    }

    ({ flowLog: this.flowLog, logGroup: this.flowLogGroup, key: this.flowLogKey } =
      this.createFlowLog(vpc, props, removalPolicy));
    this.databaseNetworkAcl = this.createDatabaseAcl(vpc, tiers[EKS_GROUP], tiers[DATABASE_GROUP]);
    if (props.vpcEndpoints ?? true) {
      this.endpointSecurityGroup = this.createEndpoints(vpc, vpcCidr);
    }
  }

  private createFlowLog(vpc: ec2.Vpc, props: SupabaseNetworkProps, removalPolicy: RemovalPolicy) {
    const key = props.flowLogKey ?? createKey(this, 'FlowLogKey', {
      description: `Encrypts the VPC Flow Log group of ${this.node.path}`,
      purpose: 'flow-logs',
      removalPolicy,
    });
    if (!props.flowLogKey) {
      allowCloudWatchLogs(this, key);
    }
    const logGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      encryptionKey: key,
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy,
    });
    const flowLog = vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    return { flowLog, logGroup, key };
  }

  /**
   * Network ACL of the database tier. NACLs are stateless, so each allowed flow needs a rule each way:
   * - inbound, rules 100, 110, ...: TCP 5432 from each EKS-tier subnet (pods, nodes, the bootstrap and rotation
   *   Lambda functions all live there);
   * - outbound, rules 100, 110, ...: TCP 1024-65535 to each EKS-tier subnet, the replies to those connections;
   * - both ways, rules 200, 210, ...: TCP 1024-65535 with each database-tier subnet, for an RDS Proxy in the tier
   *   that reaches the instance in another zone (PostgreSQL on 5432 and the replies on ephemeral ports).
   * Everything else, the internet and the public tier included, meets the ACL's implicit deny.
   */
  private createDatabaseAcl(vpc: ec2.Vpc, eksCidrs: string[], databaseCidrs: string[]): ec2.NetworkAcl {
    const acl = new ec2.NetworkAcl(this, 'DatabaseNetworkAcl', {
      vpc,
      subnetSelection: { subnetGroupName: DATABASE_GROUP },
    });
    Validations.of(acl).acknowledge({
      id: 'AwsSolutions-VPC3',
      reason: 'The database tier\'s network ACL is deliberate defence in depth: it admits only PostgreSQL from the EKS tier and the replies to it, beneath the security groups.',
    });
    eksCidrs.forEach((cidr, i) => {
      acl.addEntry(`PostgresFromEks${i + 1}`, {
        ruleNumber: 100 + 10 * i,
        cidr: ec2.AclCidr.ipv4(cidr),
        traffic: ec2.AclTraffic.tcpPort(POSTGRES_PORT),
        direction: ec2.TrafficDirection.INGRESS,
        ruleAction: ec2.Action.ALLOW,
      });
      acl.addEntry(`RepliesToEks${i + 1}`, {
        ruleNumber: 100 + 10 * i,
        cidr: ec2.AclCidr.ipv4(cidr),
        traffic: ec2.AclTraffic.tcpPortRange(1024, 65535),
        direction: ec2.TrafficDirection.EGRESS,
        ruleAction: ec2.Action.ALLOW,
      });
    });
    databaseCidrs.forEach((cidr, i) => {
      for (const direction of [ec2.TrafficDirection.INGRESS, ec2.TrafficDirection.EGRESS]) {
        acl.addEntry(`${direction === ec2.TrafficDirection.INGRESS ? 'From' : 'To'}DatabaseTier${i + 1}`, {
          ruleNumber: 200 + 10 * i,
          cidr: ec2.AclCidr.ipv4(cidr),
          traffic: ec2.AclTraffic.tcpPortRange(1024, 65535),
          direction,
          ruleAction: ec2.Action.ALLOW,
        });
      }
    });
    return acl;
  }

  private createEndpoints(vpc: ec2.Vpc, vpcCidr: string): ec2.SecurityGroup {
    vpc.addGatewayEndpoint('S3Endpoint', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [{ subnetGroupName: EKS_GROUP }],
    });
    const securityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc,
      description: 'VPC interface endpoints: HTTPS from the VPC',
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(ec2.Peer.ipv4(vpcCidr), ec2.Port.tcp(443), 'HTTPS from the VPC');
    for (const [id, service] of INTERFACE_ENDPOINTS) {
      vpc.addInterfaceEndpoint(`${id}Endpoint`, {
        service,
        subnets: { subnetGroupName: EKS_GROUP },
        securityGroups: [securityGroup],
        privateDnsEnabled: true,
        open: false,
      });
    }
    return securityGroup;
  }

  private validateVpcCidr(vpcCidr: string): Ipv4Block | undefined {
    if (Token.isUnresolved(vpcCidr)) {
      return undefined;
    }
    const block = parseIpv4Cidr(vpcCidr);
    if (typeof block === 'string') {
      throw configError(this, `\`vpcCidr\` '${vpcCidr}' ${block}. Pass a block such as '10.100.0.0/16'.`);
    }
    if (block.prefix < 16 || block.prefix > 28) {
      throw configError(this, `\`vpcCidr\` '${vpcCidr}' has a /${block.prefix} prefix; a VPC's block must be between /16 and /28. Pass a block such as '10.100.0.0/16'.`);
    }
    return block;
  }

  private resolveAvailabilityZones(props: SupabaseNetworkProps): string[] {
    validateAzCount(this, props.azCount);
    if (props.availabilityZones) {
      validateAvailabilityZones(this, props.availabilityZones);
    }
    if (props.availabilityZones && props.azCount !== undefined && props.availabilityZones.length !== props.azCount) {
      throw configError(this, `\`azCount\` is ${props.azCount} but \`availabilityZones\` lists ${props.availabilityZones.length} zones. Pass only one of them.`);
    }
    const count = props.availabilityZones?.length ?? props.azCount ?? DEFAULT_AZ_COUNT;
    if (count < 2) {
      throw configError(this, `${props.availabilityZones ? '`availabilityZones` lists' : '`azCount` is'} ${count} availability zone(s); Supabase needs at least 2 (a Multi-AZ database and an ALB both require two). Use 2 or more.`);
    }
    if (props.availabilityZones) {
      return props.availabilityZones;
    }
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region)) {
      // An environment-agnostic stack knows its zones only at deploy time; pick them there.
      return Array.from({ length: count }, (_, i) => Fn.select(i, Fn.getAzs()));
    }
    const known = stack.availabilityZones;
    if (known.length < count) {
      throw configError(this, `\`azCount\` is ${count} but region ${stack.region} offers ${known.length} availability zone(s) (${known.join(', ')}). Lower \`azCount\` or pass \`availabilityZones\`.`);
    }
    return known.slice(0, count);
  }

  private validateTiers(
    vpcCidr: string,
    vpcBlock: Ipv4Block | undefined,
    tiers: Record<string, string[]>,
    props: SupabaseNetworkProps,
    azCount: number,
  ) {
    const azSource = props.availabilityZones ? '`availabilityZones`' : '`azCount`';
    const seen: Array<{ name: string; cidr: string; block: Ipv4Block }> = [];
    for (const [prop, cidrs] of Object.entries(tiers)) {
      if (cidrs.length !== azCount) {
        throw configError(this, `\`${prop}\` lists ${cidrs.length} CIDR block(s) but ${azSource} gives ${azCount} availability zones. Give exactly one block per availability zone.`);
      }
      cidrs.forEach((cidr, i) => {
        if (Token.isUnresolved(cidr)) {
          return;
        }
        const name = `${prop}[${i}]`;
        const block = parseIpv4Cidr(cidr);
        if (typeof block === 'string') {
          throw configError(this, `\`${name}\` '${cidr}' ${block}. Pass a block such as '10.100.1.0/24'.`);
        }
        if (block.prefix < 16 || block.prefix > 28) {
          throw configError(this, `\`${name}\` '${cidr}' has a /${block.prefix} prefix; a subnet's block must be between /16 and /28.`);
        }
        if (vpcBlock && !blockContains(vpcBlock, block)) {
          throw configError(this, `\`${name}\` '${cidr}' lies outside \`vpcCidr\` '${vpcCidr}'. Choose a block inside the VPC's range, or widen \`vpcCidr\`.`);
        }
        const clash = seen.find((other) => blocksOverlap(other.block, block));
        if (clash) {
          throw configError(this, `\`${name}\` '${cidr}' overlaps \`${clash.name}\` '${clash.cidr}'. Every subnet needs a block of its own.`);
        }
        seen.push({ name, cidr, block });
      });
    }
  }

  private validateNatGateways(natGateways: number | undefined, azCount: number): number {
    if (natGateways === undefined) {
      return azCount;
    }
    if (!Number.isInteger(natGateways) || natGateways < 1) {
      throw configError(this, `\`natGateways\` is ${natGateways}; the EKS tier needs egress through at least 1 NAT gateway (nodes pull images and call AWS APIs). Use a whole number from 1 to ${azCount}.`);
    }
    if (natGateways > azCount) {
      throw configError(this, `\`natGateways\` is ${natGateways} but there are only ${azCount} availability zones; a zone holds at most one. Use a number from 1 to ${azCount}.`);
    }
    return natGateways;
  }
}

/** The seed plan's tier layout inside any VPC range: /24 blocks at third-octet offsets `first`, `first + 1`, ... */
function defaultTierCidrs(vpcBlock: Ipv4Block, first: number, azCount: number): string[] {
  return Array.from({ length: azCount }, (_, i) => offsetBlock(vpcBlock, (first + i) * 256, 24));
}
