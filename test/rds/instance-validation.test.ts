import { App, Stack, Token, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { DEFAULT_PARAMETERS } from '../../src/rds/parameters';
import { validateInstanceType, validateParameterNames, validatePlacement, validateWindows } from '../../src/rds/private/instance-validation';
import { isKnownParameter } from '../../src/rds/private/parameter-names';

const DEFAULTS = { backup: '03:00-04:00', maintenance: 'sun:04:00-sun:05:00' };

function scope(): Stack {
  return new Stack(new App(), 'Test', { env: { account: '111122223333', region: 'eu-west-1' } });
}

function warnings(stack: Stack): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
}

describe('validateWindows', () => {
  test.each([
    ['the defaults, which touch at 04:00', '03:00-04:00', 'sun:04:00-sun:05:00'],
    ['a backup window across midnight, before a maintenance window that starts when it ends', '23:30-00:30', 'mon:00:30-mon:01:30'],
    ['a maintenance window across the week\'s end, clear of the backup window', '03:00-04:00', 'sun:23:00-mon:01:00'],
    ['a backup window that is a token (not checked)', Token.asString({ Ref: 'Backup' }), 'sun:04:00-sun:05:00'],
  ])('accepts %s', (_label, backup, maintenance) => {
    expect(validateWindows(scope(), backup, maintenance, DEFAULTS)).toEqual({ backup, maintenance });
  });

  test.each([
    ['a backup window that starts inside the maintenance window', '04:59-05:30', 'sun:04:00-sun:05:00', /both cover sun 04:59 UTC/],
    ['a backup window across midnight into a Monday maintenance window', '23:30-00:30', 'mon:00:00-mon:01:00', /both cover mon 00:00 UTC/],
    ['a maintenance window across the week\'s end over a daily backup window', '00:15-01:00', 'sun:23:00-mon:00:30', /both cover mon 00:15 UTC/],
    ['an empty backup window', '03:00-03:00', 'sun:04:00-sun:05:00', /`preferredBackupWindow` '03:00-03:00' is 0 minutes long/],
    ['hours past 23', '24:00-01:00', 'sun:04:00-sun:05:00', /`preferredBackupWindow` is '24:00-01:00', which is not an RDS window/],
    ['a maintenance window without days', '03:00-04:00', '04:00-05:00', /`preferredMaintenanceWindow` is '04:00-05:00', which is not an RDS window/],
  ])('rejects %s', (_label, backup, maintenance, message) => {
    expect(() => validateWindows(scope(), backup, maintenance, DEFAULTS)).toThrow(message);
  });
});

describe('validateInstanceType', () => {
  test('a family RDS for PostgreSQL offers gives no warning; another one warning; db. twice an error', () => {
    const stack = scope();
    validateInstanceType(stack, ec2.InstanceType.of(ec2.InstanceClass.BURSTABLE4_GRAVITON, ec2.InstanceSize.MEDIUM));
    validateInstanceType(stack, ec2.InstanceType.of(ec2.InstanceClass.MEMORY8_GRAVITON, ec2.InstanceSize.XLARGE2));
    expect(warnings(stack)).toEqual([]);
    validateInstanceType(stack, new ec2.InstanceType('t2.micro'));
    expect(warnings(stack)).toEqual([expect.stringContaining('whose family db.t2 is not one RDS for PostgreSQL lists')]);
    expect(() => validateInstanceType(stack, new ec2.InstanceType('db.t3.medium'))).toThrow(/RDS would get 'db\.db\.t3\.medium'/);
  });
});

describe('validateParameterNames', () => {
  test('every default parameter, PostgreSQL\'s mixed-case names and unlisted extension namespaces are known', () => {
    DEFAULT_PARAMETERS.forEach(({ name }) => expect(isKnownParameter(name)).toBe(true));
    ['DateStyle', 'timezone', 'io_method', 'old_snapshot_threshold', 'pg_stat_statements.track_planning', 'pglogical.conflict_resolution']
      .forEach((name) => expect(isKnownParameter(name)).toBe(true));
    expect(isKnownParameter('rds.force_sll')).toBe(false);
  });

  test('warns once per unknown name, without a hint when nothing is close', () => {
    const stack = scope();
    validateParameterNames(stack, ['work_mem', 'zzzzzzzz', Token.asString({ Ref: 'Name' })]);
    const found = warnings(stack);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain("sets 'zzzzzzzz'");
    expect(found[0]).not.toContain('Did you mean');
  });
});

describe('validatePlacement', () => {
  test('isolated subnets in two zones pass; one zone fails without naming Multi-AZ or the proxy when neither is on', () => {
    const stack = scope();
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      natGateways: 0,
      subnetConfiguration: [{ name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    validatePlacement(stack, { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, multiAz: true, proxy: true });
    expect(() => validatePlacement(stack, { vpc, vpcSubnets: { availabilityZones: ['eu-west-1b'] }, multiAz: false, proxy: false }))
      .toThrow(/selects subnets in 1 availability zone\(s\) \(eu-west-1b\); RDS needs a DB subnet group covering at least two\. Select/);
  });
});
