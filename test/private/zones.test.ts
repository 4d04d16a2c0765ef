import { App, Fn, Stack, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { duplicates, isZoneId, isZoneOfRegion, regionOfZone, selectedZones } from '../../src/private/zones';

describe('zones', () => {
  test('tells zone IDs from zone names', () => {
    expect(isZoneId('euw1-az1')).toBe(true);
    expect(isZoneId('use1-az4')).toBe(true);
    expect(isZoneId('eu-west-1a')).toBe(false);
  });

  test("knows a region's zones, Local Zones included, and the region of a zone name", () => {
    expect(isZoneOfRegion('eu-west-1a', 'eu-west-1')).toBe(true);
    expect(isZoneOfRegion('us-west-2-lax-1a', 'us-west-2')).toBe(true);
    expect(isZoneOfRegion('eu-west-1', 'eu-west-1')).toBe(false);
    expect(isZoneOfRegion('eu-west-12a', 'eu-west-1')).toBe(false);
    expect(isZoneOfRegion('eu-central-1a', 'eu-west-1')).toBe(false);
    expect(regionOfZone('ap-southeast-2b')).toBe('ap-southeast-2');
    expect(regionOfZone('us-gov-west-1a')).toBe('us-gov-west-1');
    expect(regionOfZone('euw1-az1')).toBeUndefined();
  });

  test('lists each repeated value once', () => {
    expect(duplicates(['a', 'b', 'a', 'a', 'c', 'b'])).toEqual(['a', 'b']);
    expect(duplicates(['a', 'b'])).toEqual([]);
  });

  test("gives a selection's distinct zones, or nothing when a zone is a token", () => {
    const stack = new Stack(new App(), 'S', { env: { account: '111122223333', region: 'eu-west-1' } });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-1',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      privateSubnetIds: ['subnet-1', 'subnet-2'],
    });
    expect(selectedZones(vpc, { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS })).toEqual(['eu-west-1a', 'eu-west-1b']);
    const tokenVpc = ec2.Vpc.fromVpcAttributes(stack, 'TokenVpc', {
      vpcId: 'vpc-2',
      availabilityZones: [Fn.select(0, Fn.getAzs())],
      privateSubnetIds: ['subnet-3'],
    });
    expect(selectedZones(tokenVpc, { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS })).toBeUndefined();
  });
});
