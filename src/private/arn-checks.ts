import { Stack, Token, aws_certificatemanager as acm, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkArn } from './arns';
import { configError } from './errors';
import { checkOtherRegions } from './regions';

/**
 * The checks of the keys, secrets, certificates and web ACLs the constructs take by reference or ARN, each built on
 * `checkArn` (tokens skipped: a resource made in the app has a token ARN).
 */

/** Where a key, secret or certificate must be, and why (for the message). */
export interface RegionRule {
  /** The region; default: the stack of `scope`. */
  readonly region?: string;
  /** Who is in that region: 'the load balancer', 'the destination bucket'. @default 'this stack' */
  readonly regionOf?: string;
  readonly regionWhy?: string;
}

const KEY_EXAMPLE = 'arn:aws:kms:<region>:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/**
 * Throws unless `key` (the value of `prop`) is a KMS key of its region (by default the stack's) named by its key ARN.
 * An alias ARN is refused unless `alias` is true: IAM policies and grants name keys by key ARN, so a statement on an
 * alias ARN lets nothing use the key.
 */
export function checkKey(scope: IConstruct, prop: string, key: kms.IKey | undefined, rule: RegionRule & { readonly alias?: boolean } = {}): void {
  if (key === undefined || key === null || typeof key.keyArn !== 'string') {
    return;
  }
  checkArn(scope, prop, key.keyArn, {
    kind: 'a KMS key ARN',
    service: 'kms',
    resource: rule.alias ? ['key/', 'alias/'] : ['key/'],
    example: KEY_EXAMPLE,
    resources: {
      'alias/': "names the key by its alias; IAM policies and grants cannot name a key by its alias, so the roles given this key could not use it. Use the key ARN ('key/<id>'), with kms.Key.fromKeyArn",
    },
    ...regionOf(scope, rule),
  });
}

/** Throws unless `secret` (the value of `prop`) is a Secrets Manager secret of its region (by default the stack's). */
export function checkSecret(scope: IConstruct, prop: string, secret: secretsmanager.ISecret | undefined, rule: RegionRule = {}): void {
  if (secret === undefined || secret === null || typeof secret.secretArn !== 'string') {
    return;
  }
  checkArn(scope, prop, secret.secretArn, {
    kind: 'a Secrets Manager secret ARN',
    service: 'secretsmanager',
    resource: ['secret:'],
    example: 'arn:aws:secretsmanager:<region>:123456789012:secret:supabase/credential-AbCdEf',
    ...regionOf(scope, rule),
  });
}

/**
 * Throws unless `certificate` (the value of `prop`) is an ACM certificate of `rule.region`. A certificate made in the
 * app in another stack is known by its stack's region.
 */
export function checkCertificate(scope: IConstruct, prop: string, certificate: acm.ICertificate | undefined, rule: RegionRule): void {
  if (certificate === undefined || certificate === null || typeof certificate.certificateArn !== 'string') {
    return;
  }
  const region = rule.region ?? Stack.of(scope).region;
  const made = certificate.node.defaultChild !== undefined ? Stack.of(certificate).region : undefined;
  const known = made !== undefined && !Token.isUnresolved(made) && !Token.isUnresolved(region);
  if (Token.isUnresolved(certificate.certificateArn) && known && made !== region) {
    throw configError(scope, `\`${prop}\` is in ${made} (${certificate.node.path}), but ${rule.regionOf} is in ${region} (${rule.regionWhy}). Use an ACM certificate of ${region}.`);
  }
  checkArn(scope, prop, certificate.certificateArn, {
    kind: 'an ACM certificate',
    service: 'acm',
    resource: ['certificate/'],
    example: 'arn:aws:acm:<region>:123456789012:certificate/11111111-2222-3333-4444-555555555555',
    services: {
      iam: 'is an IAM server certificate, not an ACM certificate; this construct takes ACM certificates only (acm.Certificate.fromCertificateArn)',
    },
    ...regionOf(scope, { ...rule, region }),
  });
}

/**
 * Throws unless `arn` (the value of `prop`) is an AWS WAF (wafv2) web ACL of `webAclScope`: REGIONAL in the stack's
 * region for a load balancer, CLOUDFRONT (`global/`, us-east-1) for a distribution.
 */
export function checkWebAcl(scope: IConstruct, prop: string, arn: string | undefined, webAclScope: 'REGIONAL' | 'CLOUDFRONT'): void {
  const regional = webAclScope === 'REGIONAL';
  const other = regional ? '`cdn.webAclArn` (the distribution\'s)' : '`webAclArn` (the load balancer\'s)';
  const prefix = regional ? 'regional/' : 'global/';
  const classic = `is a classic AWS WAF ARN; ${regional ? 'the load balancer' : 'CloudFront'} is given AWS WAF (wafv2) web ACLs only. Migrate the rules to a wafv2 web ACL of the ${webAclScope} scope`;
  checkArn(scope, prop, arn, {
    kind: `a wafv2 web ACL of the ${webAclScope} scope`,
    service: 'wafv2',
    resource: [`${prefix}webacl/`],
    example: `arn:aws:wafv2:<region>:123456789012:${prefix}webacl/supabase/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111`,
    services: { 'waf': classic, 'waf-regional': classic },
    resources: {
      [regional ? 'global/webacl/' : 'regional/webacl/']: `is a web ACL of the ${regional ? 'CLOUDFRONT' : 'REGIONAL'} scope, which ${regional ? 'a load balancer' : 'CloudFront'} cannot use; it belongs in ${other}. Use a web ACL of the ${webAclScope} scope`,
      [prefix]: 'names \'<resource>\', which is not a web ACL (a rule group, IP set or pattern set goes into a web ACL). Pass the web ACL\'s ARN',
    },
    region: regional ? Stack.of(scope).region : 'us-east-1',
    regionOf: regional ? 'the load balancer' : 'CloudFront',
    regionWhy: regional ? 'a REGIONAL web ACL protects resources of its own region only' : 'CLOUDFRONT-scoped web ACLs live in us-east-1',
  });
}

function regionOf(scope: IConstruct, rule: RegionRule): RegionRule {
  return { region: rule.region ?? Stack.of(scope).region, regionOf: rule.regionOf ?? 'this stack', regionWhy: rule.regionWhy };
}

/**
 * Throws unless the replica regions of `prop` (secrets' `replicaRegions`) are known AWS regions other than the
 * stack's, each listed once, each optional key a KMS key of its replica's region (an alias ARN is fine: Secrets
 * Manager takes the replica's KmsKeyId as a key ARN or an alias, and no IAM policy here names it).
 */
export function checkReplicaRegions(scope: IConstruct, prop: string, replicas: readonly secretsmanager.ReplicaRegion[] | undefined): void {
  if (!Array.isArray(replicas)) {
    return;
  }
  checkOtherRegions(scope, prop, replicas.map((r) => r?.region), Stack.of(scope).region);
  replicas.forEach((replica, i) => checkKey(scope, `${prop}[${i}].encryptionKey`, replica?.encryptionKey, {
    region: replica.region,
    regionOf: `the replica (\`${prop}[${i}].region\`)`,
    regionWhy: 'Secrets Manager encrypts a replica with a key of the replica\'s region',
    alias: true,
  }));
}
