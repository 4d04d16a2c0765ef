import { App, Fn, Stack, aws_certificatemanager as acm, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkCertificate, checkKey, checkReplicaRegions, checkSecret, checkWebAcl } from '../../src/private/arn-checks';
import { ArnRule, checkArn, parseArn } from '../../src/private/arns';
import { AWS_REGIONS, checkOtherRegions, checkRegion, nearestRegion, regionPartition } from '../../src/private/regions';

const ACCOUNT = '111122223333';
const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';

function scopeIn(region: string | null = 'eu-west-1'): Construct {
  const stack = new Stack(new App(), 'Stack', region ? { env: { account: ACCOUNT, region } } : {});
  return new Construct(stack, 'Thing');
}

const KMS: ArnRule = { kind: 'a KMS key ARN', service: 'kms', resource: ['key/'], example: 'arn:aws:kms:<region>:1:key/x', region: 'eu-west-1' };

describe('parseArn', () => {
  test('splits the six parts, keeping colons of the resource', () => {
    expect(parseArn(`arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:a/b-AbCdEf`)).toEqual({
      partition: 'aws', service: 'secretsmanager', region: 'eu-west-1', account: ACCOUNT, resource: 'secret:a/b-AbCdEf',
    });
    expect(parseArn(`arn:aws:iam::${ACCOUNT}:role/x`)?.region).toBe('');
  });

  test.each([
    ['a name', 'supabase-prod'],
    ['too few parts', 'arn:aws:kms:eu-west-1:1'],
    ['no resource', `arn:aws:kms:eu-west-1:${ACCOUNT}:`],
    ['no service', `arn:aws::eu-west-1:${ACCOUNT}:key/x`],
    ['another scheme', `urn:aws:kms:eu-west-1:${ACCOUNT}:key/x`],
  ])('is undefined for %s', (_why, value) => {
    expect(parseArn(value)).toBeUndefined();
  });
});

describe('checkArn', () => {
  const check = (value: string, rule: Partial<ArnRule> = {}) => () => checkArn(scopeIn(), 'prop', value, { ...KMS, ...rule });

  test('accepts a key ARN of the region, and skips tokens and undefined', () => {
    expect(check(`arn:aws:kms:eu-west-1:${ACCOUNT}:key/${KEY}`)).not.toThrow();
    expect(check(Fn.importValue('KeyArn'))).not.toThrow();
    expect(() => checkArn(scopeIn(), 'prop', undefined, KMS)).not.toThrow();
    expect(check(`arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY}`, { region: Fn.ref('AWS::Region') })).not.toThrow();
  });

  test('names the prop, the value and the rule', () => {
    expect(check('my-key')).toThrow("Thing: `prop` 'my-key' is not an ARN (arn:<partition>:kms:<region>:<account>:key/...). Use a KMS key ARN, e.g. 'arn:aws:kms:eu-west-1:1:key/x'.");
    expect(check(`arn:aws:s3:eu-west-1:${ACCOUNT}:key/x`)).toThrow('is an ARN of the service s3, not a KMS key ARN (service kms)');
    expect(check(`arn:aws:iam::${ACCOUNT}:key/x`)).toThrow('is an ARN of the service iam,');
    expect(check(`arn:aws:kms:eu-west-1:${ACCOUNT}:grant/x`)).toThrow("names 'grant/x', not a KMS key ARN ('key/...')");
    expect(check(`arn:aws:kms:eu-west-1:${ACCOUNT}:alias/x`, { resources: { 'alias/': 'is an alias of <resource>' } })).toThrow('is an alias of alias/x.');
  });

  test('refuses region-shaped names that are no region, suggesting the nearest', () => {
    expect(check(`arn:aws:kms:eu-west-9:${ACCOUNT}:key/x`)).toThrow("has the region 'eu-west-9', which is not an AWS region. Did you mean 'eu-west-1'?");
    expect(check(`arn:aws:kms:xx-yyyy-7:${ACCOUNT}:key/x`)).toThrow("Use a region name such as 'eu-central-1'.");
    expect(check(`arn:aws:kms::${ACCOUNT}:key/x`)).toThrow("has the region '', which is not an AWS region. Use a KMS key ARN");
  });

  test('needs the partition of the region: aws-cn, aws-us-gov and the ISO partitions included', () => {
    const anywhere = { region: undefined };
    expect(check(`arn:aws-cn:kms:cn-north-1:${ACCOUNT}:key/x`, anywhere)).not.toThrow();
    expect(check(`arn:aws-us-gov:kms:us-gov-west-1:${ACCOUNT}:key/x`, anywhere)).not.toThrow();
    expect(check(`arn:aws-iso:kms:us-iso-east-1:${ACCOUNT}:key/x`, anywhere)).not.toThrow();
    expect(check(`arn:aws:kms:cn-north-1:${ACCOUNT}:key/x`, anywhere)).toThrow("has the partition 'aws', but cn-north-1 is in the partition 'aws-cn'. Use 'arn:aws-cn:...'.");
    expect(check(`arn:aws-cn:kms:eu-west-1:${ACCOUNT}:key/x`, anywhere)).toThrow("but eu-west-1 is in the partition 'aws'");
    expect(check(`arn:aws-us-gov:kms:us-east-1:${ACCOUNT}:key/x`, anywhere)).toThrow("'aws-us-gov', but us-east-1");
  });

  test('names both regions when the region is wrong', () => {
    expect(check(`arn:aws:kms:us-east-1:${ACCOUNT}:key/x`, { regionOf: 'the bucket', regionWhy: 'keys stay in their region' }))
      .toThrow("is in us-east-1, but the bucket is in eu-west-1 (keys stay in their region). Use a KMS key ARN of eu-west-1, e.g. 'arn:aws:kms:eu-west-1:1:key/x'.");
    expect(check(`arn:aws:kms:us-east-1:${ACCOUNT}:key/x`)).toThrow('is in us-east-1, but it is used in eu-west-1.');
  });
});

describe('checkKey', () => {
  test('refuses an alias ARN unless the use allows it', () => {
    const s = scopeIn();
    const alias = kms.Key.fromKeyArn(s, 'Alias', `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/supabase`);
    expect(() => checkKey(s, 'encryptionKey', alias)).toThrow('names the key by its alias; IAM policies and grants cannot name a key by its alias');
    expect(() => checkKey(s, 'encryptionKey', alias, { alias: true })).not.toThrow();
  });

  test('skips a key made in the app, a key named by its alias in the app, and a stack without region', () => {
    const s = scopeIn();
    expect(() => checkKey(s, 'k', new kms.Key(s, 'Made'))).not.toThrow();
    expect(() => checkKey(s, 'k', kms.Alias.fromAliasName(s, 'ByName', 'alias/supabase'))).not.toThrow();
    const agnostic = scopeIn(null);
    expect(() => checkKey(agnostic, 'k', kms.Key.fromKeyArn(agnostic, 'K', `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY}`))).not.toThrow();
  });

  test('checks the region given, e.g. the destination bucket\'s', () => {
    const s = scopeIn();
    const key = kms.Key.fromKeyArn(s, 'K', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${KEY}`);
    expect(() => checkKey(s, 'destinationKey', key, { region: 'eu-central-1', regionOf: 'the destination bucket' }))
      .toThrow('is in eu-west-1, but the destination bucket is in eu-central-1');
  });
});

describe('checkSecret and checkCertificate', () => {
  test('a secret of another service or region', () => {
    const s = scopeIn();
    const ssm = secretsmanager.Secret.fromSecretCompleteArn(s, 'A', `arn:aws:ssm:eu-west-1:${ACCOUNT}:secret:x-AbCdEf`);
    expect(() => checkSecret(s, 'password', ssm)).toThrow('is an ARN of the service ssm, not a Secrets Manager secret ARN');
    const far = secretsmanager.Secret.fromSecretCompleteArn(s, 'B', `arn:aws:secretsmanager:us-west-2:${ACCOUNT}:secret:x-AbCdEf`);
    expect(() => checkSecret(s, 'password', far)).toThrow('is in us-west-2, but this stack is in eu-west-1');
    expect(() => checkSecret(s, 'password', secretsmanager.Secret.fromSecretNameV2(s, 'C', 'x'))).not.toThrow();
  });

  test('a certificate made in the app is judged by its stack\'s region', () => {
    const app = new App();
    const virginia = new Stack(app, 'Virginia', { env: { region: 'us-east-1' } });
    const ireland = new Stack(app, 'Ireland', { env: { region: 'eu-west-1' } });
    const made = new acm.Certificate(ireland, 'Made', { domainName: 'example.com' });
    const ok = new acm.Certificate(virginia, 'Ok', { domainName: 'example.com' });
    const rule = { region: 'us-east-1', regionOf: 'CloudFront', regionWhy: 'us-east-1 only' };
    expect(() => checkCertificate(ireland, 'cdn.certificate', made, rule)).toThrow('`cdn.certificate` is in eu-west-1 (Ireland/Made), but CloudFront is in us-east-1');
    expect(() => checkCertificate(ireland, 'cdn.certificate', ok, rule)).not.toThrow();
  });
});

describe('checkWebAcl', () => {
  const s = scopeIn();
  test.each([
    ['REGIONAL', `arn:aws:wafv2:eu-west-1:${ACCOUNT}:regional/webacl/a/b`, undefined],
    ['CLOUDFRONT', `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/a/b`, undefined],
    ['REGIONAL', `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/a/b`, 'is a web ACL of the CLOUDFRONT scope'],
    ['CLOUDFRONT', `arn:aws:wafv2:us-east-1:${ACCOUNT}:regional/webacl/a/b`, 'is a web ACL of the REGIONAL scope'],
    ['CLOUDFRONT', `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/ipset/a/b`, "names 'global/ipset/a/b', which is not a web ACL"],
    ['CLOUDFRONT', `arn:aws:waf::${ACCOUNT}:webacl/a`, 'is a classic AWS WAF ARN; CloudFront is given AWS WAF (wafv2) web ACLs only'],
    ['REGIONAL', `arn:aws:wafv2:eu-west-2:${ACCOUNT}:regional/webacl/a/b`, 'is in eu-west-2, but the load balancer is in eu-west-1'],
  ] as const)('%s %s', (webAclScope, arn, error) => {
    const call = () => checkWebAcl(s, 'webAclArn', arn, webAclScope);
    if (error) {
      expect(call).toThrow(error);
    } else {
      expect(call).not.toThrow();
    }
  });
});

describe('regions', () => {
  test('the known regions come from RegionInfo, with their partitions', () => {
    expect(AWS_REGIONS).toEqual(expect.arrayContaining(['eu-west-1', 'us-east-1', 'cn-north-1', 'us-gov-west-1']));
    expect(AWS_REGIONS).not.toContain('eu-west-9');
    expect(regionPartition('cn-northwest-1')).toBe('aws-cn');
    expect(regionPartition('eu-west-9')).toBeUndefined();
  });

  test.each([
    ['EU-WEST-1', 'eu-west-1'],
    ['eu-west-9', 'eu-west-1'],
    ['eu-centrl-1', 'eu-central-1'],
    ['Ireland', 'eu-west-1'],
    [' frankfurt ', 'eu-central-1'],
    ['moon-base-1', undefined],
  ])('nearestRegion(%j) is %j', (value, expected) => {
    expect(nearestRegion(value)).toBe(expected);
  });

  test('checkRegion skips tokens and names the prop', () => {
    const s = scopeIn();
    expect(() => checkRegion(s, 'primaryRegion', Fn.ref('AWS::Region'))).not.toThrow();
    expect(() => checkRegion(s, 'primaryRegion', 'ap-southeast-2')).not.toThrow();
    expect(() => checkRegion(s, 'primaryRegion', 'ireland')).toThrow("`primaryRegion` is 'ireland', which is not an AWS region. Did you mean 'eu-west-1'?");
  });

  test('checkOtherRegions: real, not the stack\'s, once each', () => {
    const s = scopeIn();
    expect(() => checkOtherRegions(s, 'regions', ['eu-central-1', 'us-east-1'], 'eu-west-1', '')).not.toThrow();
    expect(() => checkOtherRegions(s, 'regions', ['eu-central-1', 'eu-west-1'], 'eu-west-1', '')).toThrow("`regions[1]` is 'eu-west-1', the stack's own region");
    expect(() => checkOtherRegions(s, 'regions', ['us-east-1', 'us-east-1'], 'eu-west-1', '')).toThrow("`regions` lists 'us-east-1' twice");
    expect(() => checkOtherRegions(s, 'regions', ['eu-west-1'], Fn.ref('AWS::Region'), '')).not.toThrow();
  });

  test('checkReplicaRegions checks each replica\'s key against the replica\'s region, aliases allowed', () => {
    const s = scopeIn();
    const alias = kms.Key.fromKeyArn(s, 'A', `arn:aws:kms:eu-central-1:${ACCOUNT}:alias/dr`);
    const wrong = kms.Key.fromKeyArn(s, 'W', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${KEY}`);
    expect(() => checkReplicaRegions(s, 'replicaRegions', [{ region: 'eu-central-1', encryptionKey: alias }])).not.toThrow();
    expect(() => checkReplicaRegions(s, 'replicaRegions', [{ region: 'eu-central-1', encryptionKey: wrong }]))
      .toThrow('`replicaRegions[0].encryptionKey` \'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\' is in eu-west-1, but the replica (`replicaRegions[0].region`) is in eu-central-1');
    expect(() => checkReplicaRegions(s, 'replicaRegions', undefined)).not.toThrow();
  });
});
