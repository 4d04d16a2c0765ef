import { App, Lazy, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { validateAvailabilityZones, validateAzCount } from '../../src/networking/private/validation';

const CONTEXT = 'availability-zones:account=111122223333:region=eu-west-1';

/** A construct in a stack in `region` (eu-west-1), or an environment-agnostic stack for null. */
function scope(context: Record<string, unknown> = {}, region: string | null = 'eu-west-1'): Construct {
  const env = region ? { account: '111122223333', region } : undefined;
  return new Construct(new Stack(new App({ context }), 'S', { env }), 'Network');
}

describe('validateAvailabilityZones', () => {
  test("takes the account's zones, a Local Zone when the account's zones are unknown, and tokens", () => {
    expect(() => validateAvailabilityZones(scope({ [CONTEXT]: ['eu-west-1a', 'eu-west-1b'] }), ['eu-west-1b', 'eu-west-1a'])).not.toThrow();
    expect(() => validateAvailabilityZones(scope(), ['eu-west-1a', 'eu-west-1-lhr-1a'])).not.toThrow();
    const token = Lazy.string({ produce: () => 'eu-west-1a' });
    expect(() => validateAvailabilityZones(scope(), [token, token])).not.toThrow();
  });

  test('judges an environment-agnostic stack by form and duplicates only', () => {
    expect(() => validateAvailabilityZones(scope({}, null), ['eu-central-1a', 'eu-west-1a'])).not.toThrow();
    expect(() => validateAvailabilityZones(scope({}, null), ['euw1-az1', 'euw1-az2']))
      .toThrow("`availabilityZones` lists 'euw1-az1', a zone ID; subnets take zone names such as 'eu-west-1a'");
    expect(() => validateAvailabilityZones(scope({}, null), ['eu-west-1a', 'eu-west-1a'])).toThrow("lists 'eu-west-1a' more than once");
  });

  test('names a value that is no zone name', () => {
    expect(() => validateAvailabilityZones(scope(), ['EU-WEST-1A', 'eu-west-1b']))
      .toThrow("`availabilityZones` lists 'EU-WEST-1A', which is no availability zone name, but the stack is in eu-west-1. Use zones of eu-west-1 such as 'eu-west-1a'.");
  });
});

describe('validateAzCount', () => {
  test('takes whole numbers and no value', () => {
    expect(() => validateAzCount(scope(), 2)).not.toThrow();
    expect(() => validateAzCount(scope(), undefined)).not.toThrow();
    expect(() => validateAzCount(scope(), Number.NaN)).toThrow('`azCount` is NaN');
  });
});
