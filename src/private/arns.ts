import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { configError } from './errors';
import { AWS_REGIONS, regionPartition, regionSuggestion } from './regions';

/** The parts of `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  /** Everything after the account, e.g. `key/1234abcd-...`, `secret:name-AbCdEf`, `regional/webacl/name/id`. */
  readonly resource: string;
}

/** The parts of an ARN, or undefined when `value` is not one (six colon-separated parts, the first `arn`). */
export function parseArn(value: string): ParsedArn | undefined {
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[1] === '' || parts[2] === '' || parts.slice(5).join(':') === '') {
    return undefined;
  }
  return { partition: parts[1], service: parts[2], region: parts[3], account: parts[4], resource: parts.slice(5).join(':') };
}

/** What an ARN passed to a prop must name. */
export interface ArnRule {
  /** What the ARN names, with its article, e.g. 'an ACM certificate'. */
  readonly kind: string;
  readonly service: string;
  /** The resource's prefixes, any of which is right, e.g. `['key/']`, `['regional/webacl/']`. */
  readonly resource: readonly string[];
  /** An example ARN; `<region>` is replaced with the region expected. */
  readonly example: string;
  /** The region the ARN must be in; tokens and undefined skip the region check. */
  readonly region?: string;
  /** Who is in `region`, for the message: 'the load balancer', 'CloudFront', 'the destination bucket'. */
  readonly regionOf?: string;
  /** Why the region matters, appended to the region's message (a sentence or clause). */
  readonly regionWhy?: string;
  /** Explanations for a wrong service, by service: `{ 'waf-regional': 'is a classic AWS WAF ...' }`. */
  readonly services?: Readonly<Record<string, string>>;
  /** Explanations for a wrong resource, by resource prefix (`<resource>` becomes the ARN's resource). */
  readonly resources?: Readonly<Record<string, string>>;
}

/**
 * Throws unless `value` (the value of `prop`) is an ARN of `rule`'s service and resource type, in a known region of
 * its partition, and in `rule.region` when that is known. Tokens are skipped: a resource created in the app has a
 * token ARN, while `Key.fromKeyArn`, `Certificate.fromCertificateArn` and `Secret.fromSecretCompleteArn` give the
 * literal string checked here. Partitions: any that aws-cdk-lib's RegionInfo knows (aws, aws-cn, aws-us-gov, the
 * ISO partitions and aws-eusc), as long as it is the partition of the ARN's region.
 */
export function checkArn(scope: IConstruct, prop: string, value: string | undefined, rule: ArnRule): void {
  if (value === undefined || typeof value !== 'string' || Token.isUnresolved(value)) {
    return;
  }
  const expectedRegion = rule.region !== undefined && !Token.isUnresolved(rule.region) ? rule.region : undefined;
  const example = rule.example.replace('<region>', expectedRegion ?? 'eu-west-1');
  const fail = (problem: string, fix = `Use ${rule.kind}, e.g. '${example}'.`) => {
    throw configError(scope, `\`${prop}\` '${value}' ${problem}. ${fix}`);
  };
  const arn = parseArn(value);
  if (!arn) {
    return fail(`is not an ARN (arn:<partition>:${rule.service}:<region>:<account>:${rule.resource[0]}...)`);
  }
  if (arn.service !== rule.service) {
    return fail(rule.services?.[arn.service] ?? `is an ARN of the service ${arn.service}, not ${rule.kind} (service ${rule.service})`);
  }
  if (!rule.resource.some((prefix) => arn.resource.startsWith(prefix))) {
    const known = Object.keys(rule.resources ?? {}).find((prefix) => arn.resource.startsWith(prefix));
    return fail(known ? rule.resources![known].replace('<resource>', arn.resource) : `names '${arn.resource}', not ${rule.kind} (${rule.resource.map((p) => `'${p}...'`).join(' or ')})`);
  }
  if (!AWS_REGIONS.includes(arn.region)) {
    return fail(`has the region '${arn.region}', which is not an AWS region`, arn.region === '' ? `Use ${rule.kind}, e.g. '${example}'.` : regionSuggestion(arn.region));
  }
  const partition = regionPartition(arn.region);
  if (arn.partition !== partition) {
    return fail(`has the partition '${arn.partition}', but ${arn.region} is in the partition '${partition}'`, `Use 'arn:${partition}:...'.`);
  }
  if (expectedRegion !== undefined && arn.region !== expectedRegion) {
    const who = rule.regionOf ? `${rule.regionOf} is in ${expectedRegion}` : `it is used in ${expectedRegion}`;
    return fail(`is in ${arn.region}, but ${who}${rule.regionWhy ? ` (${rule.regionWhy})` : ''}`, `Use ${rule.kind} of ${expectedRegion}, e.g. '${example}'.`);
  }
}
