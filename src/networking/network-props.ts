import { RemovalPolicy, aws_kms as kms, aws_logs as logs } from 'aws-cdk-lib';
import type { SupabaseNetwork } from './supabase-network';

/**
 * Properties of a {@link SupabaseNetwork}.
 */
export interface SupabaseNetworkProps {
  /**
   * The VPC's IPv4 CIDR block.
   *
   * @default '10.100.0.0/16'
   */
  readonly vpcCidr?: string;

  /**
   * The availability zones to use, in order. Each tier gets one subnet in each of them. Zone names of the stack's
   * region ('eu-west-1a'), not zone IDs ('euw1-az1'), each listed once; a synth-time error otherwise.
   *
   * @default - the first `azCount` availability zones of the stack's region
   */
  readonly availabilityZones?: string[];

  /**
   * How many availability zones to use when `availabilityZones` is not given. A whole number, at least 2.
   *
   * @default 3
   */
  readonly azCount?: number;

  /**
   * The public subnets' CIDR blocks (ALB, NAT gateways), one per availability zone, in AZ order.
   *
   * @default - x.y.1.0/24, x.y.2.0/24, ... in the VPC range ('10.100.1.0/24', '10.100.2.0/24', '10.100.3.0/24')
   */
  readonly publicSubnetCidrs?: string[];

  /**
   * The EKS tier's CIDR blocks (private subnets with egress through NAT: nodes, pods, Lambda functions),
   * one per availability zone, in AZ order. With the VPC CNI every pod takes an address here: size them for
   * your pods, not only your nodes.
   *
   * @default - x.y.10.0/24, x.y.11.0/24, ... in the VPC range ('10.100.10.0/24', '10.100.11.0/24', '10.100.12.0/24')
   */
  readonly eksSubnetCidrs?: string[];

  /**
   * The database tier's CIDR blocks (isolated subnets without any route to the internet: RDS),
   * one per availability zone, in AZ order.
   *
   * @default - x.y.20.0/24, x.y.21.0/24, ... in the VPC range ('10.100.20.0/24', '10.100.21.0/24', '10.100.22.0/24')
   */
  readonly databaseSubnetCidrs?: string[];

  /**
   * How many NAT gateways to create, at most one per availability zone. One per AZ keeps egress working when a
   * zone fails; fewer saves cost, and the EKS subnets of zones without a NAT gateway use the first one.
   *
   * @default - one per availability zone
   */
  readonly natGateways?: number;

  /**
   * How long VPC Flow Log records are kept in CloudWatch Logs. Only the day counts of `logs.RetentionDays` are
   * accepted; another number is a synth-time error naming the nearest.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * The KMS key that encrypts the flow log group. Its key policy must let the CloudWatch Logs service of this
   * region use it.
   * Checked at synth when imported by ARN (kms.Key.fromKeyArn): a key ARN (`key/<id>`, not an alias ARN, which IAM
   * policies and grants cannot name) of this stack's region.
   *
   * @default - a new key with rotation enabled and the alias `alias/<stack name>/<path>/flow-logs`
   */
  readonly flowLogKey?: kms.IKey;

  /**
   * What happens to the flow log group and the key this construct creates when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether to create the VPC endpoints: the S3 gateway endpoint and interface endpoints for ECR (API and
   * Docker), STS, Secrets Manager, KMS, CloudWatch Logs and Monitoring, EC2, Elastic Load Balancing,
   * Auto Scaling and EKS, in the EKS tier. Each interface endpoint costs an hourly fee per availability zone.
   *
   * @default true
   */
  readonly vpcEndpoints?: boolean;
}
