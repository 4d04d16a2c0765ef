import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { configError } from '../../private/errors';
import { duplicates, isZoneId, isZoneOfRegion, regionOfZone } from '../../private/zones';

/** `azCount`, when given, is a whole number (the count of zones at least 2 is checked with the zones). */
export function validateAzCount(scope: IConstruct, azCount: number | undefined): void {
  if (azCount !== undefined && !Number.isInteger(azCount)) {
    throw configError(scope, `\`azCount\` is ${azCount}; it counts availability zones. Use a whole number, 2 or more.`);
  }
}

/**
 * `availabilityZones`: names (not zone IDs) of zones of the stack's region, each once, and, when the account's zones
 * are known (the `availability-zones` context), among them. Tokens are skipped.
 */
export function validateAvailabilityZones(scope: IConstruct, zones: readonly string[]): void {
  const stack = Stack.of(scope);
  const region = Token.isUnresolved(stack.region) ? undefined : stack.region;
  const example = region ? `'${region}a'` : "'eu-west-1a'";
  const literal = zones.filter((zone) => !Token.isUnresolved(zone));
  for (const zone of literal) {
    if (isZoneId(zone)) {
      throw configError(scope, `\`availabilityZones\` lists '${zone}', a zone ID; subnets take zone names such as ${example}. Look the name up with \`aws ec2 describe-availability-zones\` (ZoneName of ZoneId ${zone}).`);
    }
    if (region && !isZoneOfRegion(zone, region)) {
      const other = regionOfZone(zone);
      throw configError(scope, `\`availabilityZones\` lists '${zone}', ${other ? `a zone of ${other}` : 'which is no availability zone name'}, but the stack is in ${region}. Use zones of ${region} such as ${example}.`);
    }
  }
  const twice = duplicates(literal);
  if (twice.length > 0) {
    throw configError(scope, `\`availabilityZones\` lists '${twice[0]}' more than once; each tier gets one subnet per zone, and a zone listed twice spreads nothing. Give each zone once, e.g. [${[...new Set(literal)].map((z) => `'${z}'`).join(', ')}].`);
  }
  // The account's zones, when the app knows them; without the context aws-cdk-lib returns placeholders.
  const known = region ? stack.availabilityZones.filter((zone) => !Token.isUnresolved(zone)) : [];
  if (region && known.length > 0 && known.every((zone) => isZoneOfRegion(zone, region))) {
    const unknown = literal.find((zone) => !known.includes(zone));
    if (unknown) {
      throw configError(scope, `\`availabilityZones\` lists '${unknown}', which is not one of the account's zones in ${region} (${known.join(', ')}). Use zones from that list.`);
    }
  }
}
