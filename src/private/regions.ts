import { Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';
import { configError } from './errors';
import { nearest } from './nearest';

/**
 * The AWS regions aws-cdk-lib knows (`RegionInfo.regions`), with their partitions: the commercial regions and those
 * of the China, GovCloud, ISO and European Sovereign Cloud partitions. A region name outside this list is refused:
 * 'eu-west-9' has a region's shape but no region behind it.
 */
export const AWS_REGIONS: readonly string[] = RegionInfo.regions.map((r) => r.name);

/** Where the regions are, as people name them (the console's names): 'ireland' suggests 'eu-west-1'. */
const REGION_PLACES: Record<string, string> = {
  'virginia': 'us-east-1',
  'n. virginia': 'us-east-1',
  'ohio': 'us-east-2',
  'california': 'us-west-1',
  'oregon': 'us-west-2',
  'cape town': 'af-south-1',
  'hong kong': 'ap-east-1',
  'tokyo': 'ap-northeast-1',
  'seoul': 'ap-northeast-2',
  'osaka': 'ap-northeast-3',
  'mumbai': 'ap-south-1',
  'hyderabad': 'ap-south-2',
  'singapore': 'ap-southeast-1',
  'sydney': 'ap-southeast-2',
  'jakarta': 'ap-southeast-3',
  'melbourne': 'ap-southeast-4',
  'malaysia': 'ap-southeast-5',
  'thailand': 'ap-southeast-7',
  'canada': 'ca-central-1',
  'calgary': 'ca-west-1',
  'frankfurt': 'eu-central-1',
  'zurich': 'eu-central-2',
  'ireland': 'eu-west-1',
  'london': 'eu-west-2',
  'paris': 'eu-west-3',
  'stockholm': 'eu-north-1',
  'milan': 'eu-south-1',
  'spain': 'eu-south-2',
  'tel aviv': 'il-central-1',
  'uae': 'me-central-1',
  'bahrain': 'me-south-1',
  'mexico': 'mx-central-1',
  'sao paulo': 'sa-east-1',
  'são paulo': 'sa-east-1',
  'beijing': 'cn-north-1',
  'ningxia': 'cn-northwest-1',
};

/** The partition of a known region (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, ...), or undefined. */
export function regionPartition(region: string): string | undefined {
  return AWS_REGIONS.includes(region) ? RegionInfo.get(region).partition : undefined;
}

/** The known region `value` most likely means: the same name in another case, a near spelling, or a place name. */
export function nearestRegion(value: string): string | undefined {
  const place = REGION_PLACES[value.trim().toLowerCase()];
  return place ?? nearest(value.trim(), AWS_REGIONS);
}

/** `Did you mean 'eu-west-1'?` for a near miss, or an example: the end of a message about a region name. */
export function regionSuggestion(value: string): string {
  const near = nearestRegion(value);
  return near ? `Did you mean '${near}'?` : "Use a region name such as 'eu-central-1'.";
}

/** Throws unless `value` is a known AWS region name (tokens are skipped). */
export function checkRegion(scope: IConstruct, prop: string, value: string): void {
  if (typeof value !== 'string' || Token.isUnresolved(value) || AWS_REGIONS.includes(value)) {
    return;
  }
  throw configError(scope, `\`${prop}\` is '${value}', which is not an AWS region. ${regionSuggestion(value)}`);
}

/**
 * Throws unless every region of `regions` (the value of `prop`, each at `prop[i]<item>`: replicas in other regions) is a known AWS
 * region, none is `ownRegion` (the stack's) and none is listed twice. Tokens are skipped.
 */
export function checkOtherRegions(scope: IConstruct, prop: string, regions: readonly string[], ownRegion: string, item = '.region'): void {
  const seen = new Set<string>();
  regions.forEach((region, i) => {
    if (typeof region !== 'string' || Token.isUnresolved(region)) {
      return;
    }
    checkRegion(scope, `${prop}[${i}]${item}`, region);
    if (!Token.isUnresolved(ownRegion) && region === ownRegion) {
      throw configError(scope, `\`${prop}[${i}]${item}\` is '${region}', the stack's own region; a secret cannot be replicated to its own region. List only other regions, e.g. the disaster-recovery region.`);
    }
    if (seen.has(region)) {
      throw configError(scope, `\`${prop}\` lists '${region}' twice. List each region once.`);
    }
    seen.add(region);
  });
}
