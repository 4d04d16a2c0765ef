import { aws_ec2 as ec2 } from 'aws-cdk-lib';

/**
 * An `ec2.IIpAddresses` that gives each subnet the exact CIDR block the caller chose, per subnet group and
 * availability zone, instead of carving the VPC range automatically. The `ec2.Vpc` L2 keeps doing everything
 * else (route tables, NAT placement, tags, subnet selection).
 */
export class FixedSubnetCidrs implements ec2.IIpAddresses {
  /**
   * @param vpcCidr the VPC's CIDR block
   * @param cidrsByGroup for each subnet group name, one CIDR block per availability zone, in AZ order
   * @param availabilityZones the VPC's availability zones, in order
   */
  constructor(
    private readonly vpcCidr: string,
    private readonly cidrsByGroup: Record<string, string[]>,
    private readonly availabilityZones: string[],
  ) {}

  public allocateVpcCidr(): ec2.VpcIpamOptions {
    return { cidrBlock: this.vpcCidr };
  }

  public allocateSubnetsCidr(input: ec2.AllocateCidrRequest): ec2.SubnetIpamOptions {
    return {
      allocatedSubnets: input.requestedSubnets.map((subnet) => {
        const cidrs = this.cidrsByGroup[subnet.configuration.name];
        const azIndex = this.availabilityZones.indexOf(subnet.availabilityZone);
        if (!cidrs || azIndex < 0 || cidrs[azIndex] === undefined) {
          throw new Error(`No CIDR block was chosen for subnet group '${subnet.configuration.name}' in ${subnet.availabilityZone}`);
        }
        return { cidr: cidrs[azIndex] };
      }),
    };
  }
}
