import { Token, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { configError } from '../../private/errors';
import { selectedZones } from '../../private/zones';

/** The form EC2 and aws-cdk-lib take: family, generation and capabilities, a dot, a size ('m6i.large', 'r7gd.2xlarge'). */
const INSTANCE_TYPE = /^([a-z]+)(\d{1,2})([a-z-]*)\.([a-z0-9-]+)$/;

/**
 * Each of a node group's `instanceTypes` is an EC2 instance type in the form `<family>.<size>` ('m6i.large'):
 * no RDS or ElastiCache class ('db.m6i.large'), no family without a size, lower case, no spaces. (aws-cdk-lib
 * otherwise stops at 'Malformed instance type identifier' without saying which.) Tokens are skipped.
 */
export function validateInstanceTypes(scope: IConstruct, groupName: string, instanceTypes: readonly ec2.InstanceType[]): void {
  instanceTypes.forEach((instanceType, i) => {
    const id = instanceType.toString();
    if (Token.isUnresolved(id)) {
      return;
    }
    const where = `\`nodeGroups\` entry '${groupName}' has \`instanceTypes[${i}]\` '${id}'`;
    const fix = (suggestion: string) => `Use \`new ec2.InstanceType('${suggestion}')\`.`;
    if (id !== id.trim()) {
      throw configError(scope, `${where}, with spaces around it. ${fix(id.trim())}`);
    }
    const service = /^(db|cache)\.(.+)$/.exec(id);
    if (service) {
      throw configError(scope, `${where}, ${service[1] === 'db' ? 'an RDS' : 'an ElastiCache'} instance class; nodes are EC2 instances, named without the '${service[1]}.' prefix. ${fix(service[2])}`);
    }
    if (id !== id.toLowerCase() && INSTANCE_TYPE.test(id.toLowerCase())) {
      throw configError(scope, `${where}; EC2 instance types are lower case. ${fix(id.toLowerCase())}`);
    }
    if (/^[a-z]+\d{1,2}[a-z-]*$/.test(id)) {
      throw configError(scope, `${where}, a family without a size. Add the size: ${fix(`${id}.large`)}`);
    }
    if (!INSTANCE_TYPE.test(id)) {
      throw configError(scope, `${where}, which is not an EC2 instance type of the form <family>.<size>. ${fix('m7g.large')}`);
    }
  });
}

/**
 * The subnets the cluster selects span at least two availability zones: EKS requires subnets in two zones for its
 * control plane's network interfaces. Skipped when a selected subnet's zone is a token.
 */
export function validateClusterZones(scope: IConstruct, vpc: ec2.IVpc, selection: ec2.SubnetSelection): void {
  const zones = selectedZones(vpc, selection);
  if (zones && zones.length < 2) {
    throw configError(scope, `\`vpc\` and \`vpcSubnets\` select subnets in ${zones.length === 0 ? 'no availability zone' : `one availability zone (${zones[0]})`}; EKS needs subnets in at least two zones. Pass a VPC with private subnets in two or more zones, or widen \`vpcSubnets\`.`);
  }
}
