/**
 * Availability zones: their names' form, the region a name belongs to, and the zones a subnet selection spans.
 * Zone names are `<region><letter>` ('eu-west-1a'), or `<region>-<zone group>` for Local and Wavelength Zones
 * ('us-west-2-lax-1a'); zone IDs ('euw1-az1') name the same zones across accounts but are not what subnets take.
 */
import { Token, aws_ec2 as ec2 } from 'aws-cdk-lib';

const ZONE_ID = /^[a-z]{2,4}\d+-az\d+$/;
const REGION_OF_ZONE = /^([a-z]{2}(?:-[a-z]+)+-\d+)[a-z]$/;

/** Whether `value` has the form of an availability zone ID ('euw1-az1', 'use1-az4'). */
export function isZoneId(value: string): boolean {
  return ZONE_ID.test(value);
}

/** Whether `zone` names an availability zone (or a Local or Wavelength Zone) of `region`. */
export function isZoneOfRegion(zone: string, region: string): boolean {
  return zone.length === region.length + 1 && zone.startsWith(region) && /[a-z]$/.test(zone)
    || zone.startsWith(`${region}-`) && /[a-z0-9]$/.test(zone);
}

/** The region of a zone name of the form `<region><letter>`, or undefined. */
export function regionOfZone(zone: string): string | undefined {
  return REGION_OF_ZONE.exec(zone)?.[1];
}

/** The values that appear more than once in `values`, each once, in order of their second appearance. */
export function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const value of values) {
    if (seen.has(value) && !twice.includes(value)) {
      twice.push(value);
    }
    seen.add(value);
  }
  return twice;
}

/**
 * The distinct availability zones of the subnets `selection` picks in `vpc`, or undefined when any of them is a
 * token (an imported subnet whose zone is known only at deploy time), so that nothing is judged then.
 */
export function selectedZones(vpc: ec2.IVpc, selection: ec2.SubnetSelection): string[] | undefined {
  const zones = vpc.selectSubnets(selection).subnets.map((subnet) => subnet.availabilityZone);
  if (zones.some((zone) => zone === undefined || Token.isUnresolved(zone))) {
    return undefined;
  }
  return [...new Set(zones)];
}
